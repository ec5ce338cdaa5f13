using System.Threading.Channels;

namespace Households.Persistence;

/// <summary>
/// Group commit: callers hand in one item each and wait; a few workers take whatever has queued (up to
/// <c>maxBatch</c> items) and store it in one round trip and one transaction, then answer every caller. Under a market
/// shock thousands of grains write at once: one commit (one WAL flush) carries hundreds of their writes instead of each
/// waiting for a connection and a flush of its own. A lone caller is not delayed: an idle worker takes its item at once.
/// <para>A caller's task completes only after the batch holding its item committed (nothing is acknowledged before it is
/// durable), and fails with the batch's exception if the batch failed. Items with the same <c>exclusiveKey</c> never share
/// a batch (two writes of one row would race inside one statement): a later one waits for the next batch.</para>
/// </summary>
public sealed class GroupCommit<TItem, TResult> : IDisposable
{
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = false });
    private readonly Func<IReadOnlyList<TItem>, CancellationToken, Task<IReadOnlyList<TResult>>> _commit;
    private readonly Func<TItem, object>? _exclusiveKey;
    private readonly Func<TItem, int>? _weight;
    private readonly int _maxBatch, _maxWeight;
    private readonly CancellationTokenSource _stopping = new();
    private long _batches, _items;

    /// <param name="workers">Batches in flight at once (each holds one database connection while it commits).</param>
    /// <param name="maxBatch">Items in one batch at most.</param>
    /// <param name="commit">Stores a batch in one transaction; returns one result per item, in the items' order.</param>
    /// <param name="exclusiveKey">Items with equal keys go to different batches; null when any items may share one.</param>
    /// <param name="weight">The rows an item stands for (a journal append carries several entries); with
    /// <paramref name="maxWeight"/>, a batch stops taking items before it would pass that many rows (it always takes one).</param>
    public GroupCommit(int workers, int maxBatch, Func<IReadOnlyList<TItem>, CancellationToken, Task<IReadOnlyList<TResult>>> commit,
        Func<TItem, object>? exclusiveKey = null, Func<TItem, int>? weight = null, int maxWeight = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        _commit = commit;
        _exclusiveKey = exclusiveKey;
        _weight = weight;
        _maxBatch = maxBatch;
        _maxWeight = maxWeight;
        for (var i = 0; i < workers; i++) _ = Task.Run(Work);
    }

    /// <summary>Batches committed and items they carried so far (the load test reports items per batch).</summary>
    public (long Batches, long Items) Committed => (Interlocked.Read(ref _batches), Interlocked.Read(ref _items));

    /// <summary>Queues <paramref name="item"/>; completes with its result once its batch committed.</summary>
    public Task<TResult> Run(TItem item)
    {
        var pending = new Pending(item);
        if (!_queue.Writer.TryWrite(pending)) throw new ObjectDisposedException(nameof(GroupCommit<TItem, TResult>));
        return pending.Done.Task;
    }

    private async Task Work()
    {
        var batch = new List<Pending>(_maxBatch);
        var later = new List<Pending>();
        var keys = _exclusiveKey is null ? null : new HashSet<object>();
        Pending? carried = null; // taken, but over the row limit of the last batch: it opens the next one
        try
        {
            while (carried is not null || await _queue.Reader.WaitToReadAsync(_stopping.Token))
            {
                var rows = 0;
                while (batch.Count < _maxBatch)
                {
                    Pending? pending = carried;
                    carried = null;
                    if (pending is null && !_queue.Reader.TryRead(out pending)) break;
                    var weight = _weight?.Invoke(pending.Item) ?? 1;
                    if (batch.Count > 0 && rows + weight > _maxWeight) { carried = pending; break; }
                    if (keys is null || keys.Add(_exclusiveKey!(pending.Item))) { batch.Add(pending); rows += weight; }
                    else later.Add(pending);
                }
                if (batch.Count > 0) await Commit(batch);
                // Items that met an equal key wait for the next batch, ahead of nothing: order between different rows is free.
                foreach (var pending in later)
                    if (!_queue.Writer.TryWrite(pending)) Stopped(pending);
                batch.Clear();
                later.Clear();
                keys?.Clear();
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested) { }
        finally
        {
            // Taken but never committed: its caller hears of the shutdown rather than waiting for ever.
            if (carried is not null) Stopped(carried);
        }
    }

    private static void Stopped(Pending pending) =>
        pending.Done.TrySetException(new ObjectDisposedException(nameof(GroupCommit<TItem, TResult>)));

    private async Task Commit(List<Pending> batch)
    {
        try
        {
            var results = await _commit(batch.ConvertAll(p => p.Item), _stopping.Token);
            if (results.Count != batch.Count)
                throw new InvalidOperationException($"a group commit answered {results.Count} results for {batch.Count} items");
            Interlocked.Increment(ref _batches);
            Interlocked.Add(ref _items, batch.Count);
            for (var i = 0; i < batch.Count; i++) batch[i].Done.TrySetResult(results[i]);
        }
        catch (Exception ex)
        {
            foreach (var pending in batch) pending.Done.TrySetException(ex);
        }
    }

    /// <summary>Stops taking items; items still queued fail with <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _stopping.Cancel();
        while (_queue.Reader.TryRead(out var pending)) Stopped(pending);
    }

    private sealed class Pending(TItem item)
    {
        public TItem Item { get; } = item;
        public TaskCompletionSource<TResult> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
