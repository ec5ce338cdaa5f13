using Households.Persistence;
using Xunit;

namespace Households.Tests.Persistence;

/// <summary>Group commit (issue #18): what queues while a batch commits goes in the next batch, each caller gets its own
/// result only after its batch committed, a failed batch fails its callers alone, and two items of one row never share a batch.</summary>
public sealed class GroupCommitTests
{
    private sealed class Store
    {
        public readonly List<IReadOnlyList<string>> Batches = [];
        public TaskCompletionSource FirstBatch = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public Func<IReadOnlyList<string>, bool> Fails = _ => false;

        public async Task<IReadOnlyList<int>> Commit(IReadOnlyList<string> items, CancellationToken ct)
        {
            lock (Batches) Batches.Add(items);
            if (Batches.Count == 1) await FirstBatch.Task;
            if (Fails(items)) throw new InvalidOperationException("the database went away");
            return items.Select(i => i.Length).ToList();
        }
    }

    [Fact]
    public async Task Items_queued_while_a_batch_commits_go_together_in_the_next_and_each_caller_gets_its_own_result()
    {
        var store = new Store();
        using var commit = new GroupCommit<string, int>(workers: 1, maxBatch: 100, store.Commit);
        var first = commit.Run("a");
        await WaitFor(() => store.Batches.Count == 1);
        var queued = Enumerable.Range(1, 9).Select(i => commit.Run(new string('b', i))).ToList();
        await Task.Delay(50);
        Assert.False(first.IsCompleted); // not acknowledged before its batch committed
        Assert.All(queued, t => Assert.False(t.IsCompleted));
        store.FirstBatch.SetResult();
        Assert.Equal(1, await first);
        Assert.Equal(Enumerable.Range(1, 9), await Task.WhenAll(queued));
        Assert.Equal([1, 9], store.Batches.Select(b => b.Count));
        Assert.Equal((2L, 10L), commit.Committed);
    }

    [Fact]
    public async Task A_batch_takes_no_more_than_its_limit()
    {
        var store = new Store();
        using var commit = new GroupCommit<string, int>(workers: 1, maxBatch: 4, store.Commit);
        var first = commit.Run("x");
        await WaitFor(() => store.Batches.Count == 1);
        var queued = Enumerable.Range(0, 10).Select(_ => commit.Run("yy")).ToList();
        store.FirstBatch.SetResult();
        await Task.WhenAll(queued.Append(first));
        Assert.Equal([1, 4, 4, 2], store.Batches.Select(b => b.Count));
    }

    [Fact]
    public async Task A_batch_stops_before_its_row_limit_and_the_item_that_did_not_fit_opens_the_next()
    {
        var store = new Store();
        using var commit = new GroupCommit<string, int>(workers: 1, maxBatch: 100, store.Commit, weight: item => item.Length, maxWeight: 5);
        var first = commit.Run("x");
        await WaitFor(() => store.Batches.Count == 1);
        // Rows 2, 2, 3, 6 (alone over the limit), 1: batches of 2+2, 3, 6, 1.
        var queued = new[] { "aa", "bb", "ccc", "dddddd", "e" }.Select(commit.Run).ToList();
        store.FirstBatch.SetResult();
        await Task.WhenAll(queued.Append(first));
        Assert.Equal(["x", "aa bb", "ccc", "dddddd", "e"], store.Batches.Select(b => string.Join(' ', b)));
    }

    [Fact]
    public async Task A_failed_batch_fails_its_own_callers_and_the_next_batch_commits()
    {
        var store = new Store { Fails = items => items.Contains("bad") };
        using var commit = new GroupCommit<string, int>(workers: 1, maxBatch: 100, store.Commit);
        var first = commit.Run("bad");
        await WaitFor(() => store.Batches.Count == 1);
        var next = commit.Run("good");
        store.FirstBatch.SetResult();
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => first);
        Assert.Equal("the database went away", failure.Message);
        Assert.Equal(4, await next);
    }

    [Fact]
    public async Task Two_items_of_one_row_never_share_a_batch()
    {
        var store = new Store();
        using var commit = new GroupCommit<string, int>(workers: 1, maxBatch: 100, store.Commit, exclusiveKey: item => item[..1]);
        var first = commit.Run("k0");
        await WaitFor(() => store.Batches.Count == 1);
        var queued = new[] { "a1", "b1", "a2", "c1", "a3" }.Select(commit.Run).ToList();
        store.FirstBatch.SetResult();
        await Task.WhenAll(queued.Append(first));
        Assert.Equal(["k0", "a1 b1 c1", "a2", "a3"], store.Batches.Select(b => string.Join(' ', b)));
    }

    [Fact]
    public async Task After_dispose_nothing_is_taken()
    {
        var store = new Store();
        store.FirstBatch.SetResult();
        var commit = new GroupCommit<string, int>(workers: 2, maxBatch: 10, store.Commit);
        Assert.Equal(3, await commit.Run("abc"));
        commit.Dispose();
        Assert.Throws<ObjectDisposedException>(() => { _ = commit.Run("late"); });
    }

    private static async Task WaitFor(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++) await Task.Delay(10);
        Assert.True(condition());
    }
}
