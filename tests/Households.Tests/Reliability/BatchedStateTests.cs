using Households.Contracts;
using Households.Grains.Household;
using Households.Grains.Models;
using Households.Grains.Silo;
using Households.Grains;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Xunit;

namespace Households.Tests.Reliability;

/// <summary>Writes that interleave with changes: storage that serializes the state after an await (as AdoNet does)
/// sees the state as it was when its write started, while the grain goes on changing its live state.</summary>
public sealed class BatchedStateTests
{
    /// <summary>Storage that takes the state object at the call and reads it only once <see cref="Release"/> runs.</summary>
    private sealed class LateSerializingState<T>(T initial, Func<T, string> serialize) : IPersistentState<T> where T : class
    {
        private readonly Queue<(T Given, TaskCompletionSource Done)> _pending = new();
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
            return done.Task;
        }

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
        var stored = new BatchedState<ModelState>(storage, Copier<ModelState>());

        stored.Live.Followers.Add("A1");
        var first = stored.Write();
        // While the first write waits to serialize, followers keep arriving (Follow interleaves).
        stored.Live.Followers.Add("A2");
        var second = stored.Write();
        stored.Live.Followers.Add("A3");
        var third = stored.Write();
        Assert.Same(second, third); // both ride on the one next write

        storage.Release(); // the first write serializes now: only what it was given
        await first;
        await Task.Yield();
        Assert.Equal(1, storage.Pending);
        storage.Release();
        await Task.WhenAll(second, third);
        Assert.Equal(["A1", "A1,A2,A3"], storage.Stored);
        Assert.NotSame(stored.Live, storage.State);
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
