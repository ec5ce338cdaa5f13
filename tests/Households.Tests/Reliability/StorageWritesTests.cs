using Households.Grains.Silo;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Storage;
using Xunit;

namespace Households.Tests.Reliability;

/// <summary>The one storage-conflict policy (<see cref="StorageWrites"/>): a version (ETag) conflict re-reads the state and
/// runs the operation again on it, at most five runs; any other failure reaches the caller at once.</summary>
public sealed class StorageWritesTests
{
    /// <summary>Storage whose first <paramref name="conflicts"/> writes fail as another writer's version would make them
    /// fail; a read loads what the other writer stored.</summary>
    private sealed class ConflictingState(int conflicts, int storedByOther) : IPersistentState<int[]>
    {
        public int Reads { get; private set; }
        public int Writes { get; private set; }
        public int[] Stored { get; private set; } = [];
        public int[] State { get; set; } = [];
        public string? Etag => null;
        public bool RecordExists => true;
        public Task ClearStateAsync() => Task.CompletedTask;

        public Task ReadStateAsync()
        {
            Reads++;
            State = [storedByOther];
            return Task.CompletedTask;
        }

        public Task WriteStateAsync()
        {
            if (++Writes <= conflicts) throw new InconsistentStateException($"version conflict {Writes}", "stored", "mine");
            Stored = [.. State];
            return Task.CompletedTask;
        }
    }

    /// <summary>An operation that appends 7 to the state and writes it: each run starts from the state as it is then.</summary>
    private static Func<Task<int>> AppendSeven(ConflictingState storage) => async () =>
    {
        storage.State = [.. storage.State, 7];
        await storage.WriteStateAsync();
        return storage.State.Length;
    };

    [Fact]
    public async Task A_conflict_re_reads_the_other_writers_state_and_applies_the_operation_on_it_so_both_writes_stand()
    {
        var storage = new ConflictingState(conflicts: 2, storedByOther: 42);
        var reloads = 0;

        var length = await storage.WriteWithRetryAsync(AppendSeven(storage), NullLogger.Instance, "HH1", () => reloads++);

        Assert.Equal([42, 7], storage.Stored);
        Assert.Equal(2, length);
        Assert.Equal(3, storage.Writes);
        Assert.Equal(2, storage.Reads);
        Assert.Equal(2, reloads);
    }

    [Fact]
    public async Task After_five_runs_in_conflict_the_fifth_conflict_reaches_the_caller()
    {
        var storage = new ConflictingState(conflicts: 5, storedByOther: 42);

        var error = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteWithRetryAsync(AppendSeven(storage), NullLogger.Instance, "HH1"));

        Assert.Equal(StorageWrites.MaxAttempts, storage.Writes);
        Assert.Equal(4, storage.Reads);
        Assert.Contains("version conflict 5", error.Message);
        Assert.Empty(storage.Stored);
    }

    [Fact]
    public async Task Another_failure_is_not_retried_and_the_state_is_not_read_again()
    {
        var storage = new ConflictingState(conflicts: 0, storedByOther: 42);
        var runs = 0;

        await Assert.ThrowsAsync<IOException>(() => storage.WriteWithRetryAsync(() =>
        {
            runs++;
            throw new IOException("the database went away");
        }, NullLogger.Instance, "HH1"));

        Assert.Equal(1, runs);
        Assert.Equal(0, storage.Reads);
    }
}
