using Households.Contracts;
using Households.Grains.Household;
using Households.Grains.Models;
using Households.Grains.Silo;
using Households.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Serialization;
using Orleans.Storage;
using Xunit;

namespace Households.Tests.Reliability;

/// <summary>Writes that interleave with changes: storage that serializes the state after an await (as AdoNet does)
/// sees the state as it was when its write started, while the grain goes on changing its live state. A write that meets
/// another activation's write re-reads the stored state and applies its own changes again on top of it.</summary>
public sealed class BatchedStateTests
{
    /// <summary>Storage that takes the state object at the call and reads it only once <see cref="Release"/> runs.</summary>
    private sealed class LateSerializingState<T>(T initial, Func<T, string> serialize) : IPersistentState<T> where T : class
    {
        private readonly Queue<(T Given, TaskCompletionSource Done)> _pending = new();
        private readonly SemaphoreSlim _arrived = new(0);
        public List<string> Stored { get; } = [];
        public T State { get; set; } = initial;
        public string? Etag => null;
        public bool RecordExists => Stored.Count > 0;
        public Task ClearStateAsync() => Task.CompletedTask;
        public Task ReadStateAsync() => Task.CompletedTask;

        public Task WriteStateAsync()
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _pending.Enqueue((State, done));
            _arrived.Release();
            return done.Task;
        }

        /// <summary>Waits (a few seconds at most) for the next write to reach storage; false when none came.</summary>
        public Task<bool> WriteArrived() => _arrived.WaitAsync(TimeSpan.FromSeconds(10));

        public void Release()
        {
            var (given, done) = _pending.Dequeue();
            Stored.Add(serialize(given));
            done.SetResult();
        }

        public int Pending => _pending.Count;
    }

    private static DeepCopier<T> Copier<T>() =>
        new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<DeepCopier<T>>();

    [Fact]
    public async Task A_change_made_while_a_write_runs_rides_on_the_next_write_and_never_touches_the_one_in_flight()
    {
        var storage = new LateSerializingState<ModelState>(new ModelState(), s => string.Join(",", s.Followers.Order(StringComparer.Ordinal)));
        var stored = new BatchedState<ModelState>(storage, Copier<ModelState>(), NullLogger.Instance, "model M");

        stored.Change(s => s.Followers.Add("A1"));
        var first = stored.Write();
        Assert.True(await storage.WriteArrived());
        // While the first write waits to serialize, followers keep arriving (Follow interleaves).
        stored.Change(s => s.Followers.Add("A2"));
        var second = stored.Write();
        stored.Change(s => s.Followers.Add("A3"));
        var third = stored.Write();
        Assert.Same(second, third); // both ride on the one next write

        storage.Release(); // the first write serializes now: only what it was given
        await first;
        // The next write starts once the first is done (continuations run on the thread pool here, not a grain's turn).
        Assert.True(await storage.WriteArrived());
        Assert.Equal(1, storage.Pending);
        storage.Release();
        await Task.WhenAll(second, third);
        Assert.Equal(["A1", "A1,A2,A3"], storage.Stored);
        Assert.Equal(0, storage.Pending);
        Assert.NotSame(stored.Live, storage.State);
    }

    /// <summary>Storage shared with another activation of the same grain: the next <see cref="ConflictsLeft"/> writes find
    /// that the other activation wrote first (<see cref="OtherWriter"/> changes the stored state) and fail with a version
    /// conflict; a read hands back a copy of what is stored.</summary>
    private sealed class SharedState<T>(T stored, DeepCopier<T> copier, Action<T> otherWriter) : IPersistentState<T> where T : class
    {
        public T Stored { get; private set; } = stored;
        public int ConflictsLeft { get; set; }
        public int Writes { get; private set; }
        public int Reads { get; private set; }
        public T State { get; set; } = copier.Copy(stored);
        public string? Etag => null;
        public bool RecordExists => true;
        public Task ClearStateAsync() => Task.CompletedTask;

        public Task ReadStateAsync()
        {
            Reads++;
            State = copier.Copy(Stored);
            return Task.CompletedTask;
        }

        public async Task WriteStateAsync()
        {
            Writes++;
            await Task.Yield(); // as a database does: the caller's turn goes on before the answer
            if (ConflictsLeft > 0)
            {
                ConflictsLeft--;
                otherWriter(Stored);
                throw new InconsistentStateException($"written by another activation (write {Writes})", "theirs", "mine");
            }
            Stored = copier.Copy(State);
        }
    }

    [Fact]
    public async Task A_follower_the_other_activation_stored_meanwhile_and_this_ones_both_stand_after_a_conflict()
    {
        var copier = Copier<ModelState>();
        var storage = new SharedState<ModelState>(new ModelState(), copier, s => s.Followers.Add("B1")) { ConflictsLeft = 1 };
        var reloads = 0;
        var stored = new BatchedState<ModelState>(storage, copier, NullLogger.Instance, "model M", () => reloads++);

        stored.Change(s => s.Followers.Add("A1"));
        stored.Change(s => s.Followers.Add("A2"));
        await stored.Write();

        Assert.Equal(["A1", "A2", "B1"], storage.Stored.Followers.Order(StringComparer.Ordinal));
        Assert.Equal(["A1", "A2", "B1"], stored.Live.Followers.Order(StringComparer.Ordinal));
        Assert.Equal((2, 1, 1), (storage.Writes, storage.Reads, reloads));

        // The changes that write carried are done: the next write stores only what came after.
        storage.ConflictsLeft = 1; // and meets the other activation again, which adds B1 once more (a set: no change)
        stored.Change(s => s.Followers.Add("A3"));
        await stored.Write();
        Assert.Equal(["A1", "A2", "A3", "B1"], storage.Stored.Followers.Order(StringComparer.Ordinal));
        Assert.Equal(4, storage.Writes);
    }

    [Fact]
    public async Task A_household_registered_by_the_other_activation_stays_in_the_directory_beside_this_ones()
    {
        var copier = Copier<DirectoryState>();
        var theirs = new HouseholdSummary("hh-b", "Beta", "ADV2", 2);
        var storage = new SharedState<DirectoryState>(new DirectoryState(), copier, d => d.Households[theirs.Id] = theirs) { ConflictsLeft = 2 };
        var stored = new BatchedState<DirectoryState>(storage, copier, NullLogger.Instance, "firm directory");
        var mine = new HouseholdSummary("hh-a", "Alpha", "ADV1", 3);

        stored.Change(d => d.Households[mine.Id] = mine);
        var write = stored.Write();
        // Registered while the first attempt runs: it rides along, since a retry writes everything not yet stored.
        var late = new HouseholdSummary("hh-c", "Gamma", "ADV1", 1);
        stored.Change(d => d.Households[late.Id] = late);
        var next = stored.Write();
        await Task.WhenAll(write, next);

        Assert.Equal([mine, theirs, late], storage.Stored.Households.Values);
        Assert.Equal([mine, theirs, late], stored.Live.Households.Values);
        Assert.Equal(4, storage.Writes); // two conflicts, the retry that stored all three, and the queued write
    }

    [Fact]
    public async Task After_MaxAttempts_conflicts_the_caller_sees_the_conflict_and_the_change_rides_on_the_next_write()
    {
        var copier = Copier<ModelState>();
        var storage = new SharedState<ModelState>(new ModelState(), copier, s => s.Parents.Add("P9")) { ConflictsLeft = StorageWrites.MaxAttempts };
        var stored = new BatchedState<ModelState>(storage, copier, NullLogger.Instance, "model M");

        stored.Change(s => s.Followers.Add("A1"));
        await Assert.ThrowsAsync<InconsistentStateException>(stored.Write);
        Assert.Equal((5, 4), (storage.Writes, storage.Reads));
        Assert.Empty(storage.Stored.Followers);

        await stored.Write(); // the conflict did not stick: the state was re-read, the change is still pending
        Assert.Equal(["A1"], storage.Stored.Followers);
        Assert.Equal(["P9"], storage.Stored.Parents);
        Assert.Equal(6, storage.Writes);
    }

    [Fact]
    public void The_copy_keeps_the_directory_in_ordinal_order()
    {
        var directory = new DirectoryState();
        foreach (var id in new[] { "hh-b", "HH-A", "hh-a" })
            directory.Households[id] = new HouseholdSummary(id, $"name {id}", "ADV1", 1);
        var copy = Copier<DirectoryState>().Copy(directory);
        Assert.Equal(["HH-A", "hh-a", "hh-b"], copy.Households.Keys);
        Assert.NotSame(directory.Households, copy.Households);
    }
}
