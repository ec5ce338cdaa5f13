using Microsoft.Extensions.Logging;

namespace Households.Grains.Silo;

/// <summary>Coalesces state writes of a grain whose small updates arrive in floods (a million accounts following a
/// model, 400,000 households joining the directory): one write runs at a time, and every change made while it runs
/// rides on the single next write. Each caller still returns only after a write that includes its change succeeded.
/// For interleaving grain methods: the grain's scheduler runs one turn at a time, so no locks are needed.</summary>
public sealed class WriteBatcher(Func<Task> write)
{
    private Task? _running;
    private Task? _next;

    public Task Write()
    {
        if (_next is { } queued) return queued;
        if (_running is { IsCompleted: false } running) return _next = After(running);
        return _running = write();
    }

    private async Task After(Task running)
    {
        try { await running; }
        catch { /* that write's callers see its failure; this one writes the state again */ }
        _next = null;
        await (_running = write());
    }
}

/// <summary>A change of a batched state as data: applied to the live state when it is made, again to a state re-read after a
/// conflict, and by every read of the stored state to the snapshot it follows (docs/architecture.md, "Changes appended,
/// snapshots now and then"). Like every batched change it must be idempotent and read only the state it is given.</summary>
public interface IStateChange<in T>
{
    /// <summary>Applies the change to <paramref name="state"/>.</summary>
    void ApplyTo(T state);
}

/// <summary>The persisted state of a grain whose writes interleave with its changes (<see cref="WriteBatcher"/>): the
/// grain changes <see cref="Live"/> through <see cref="Change(IStateChange{T})"/>, and each write hands storage a deep copy taken
/// as the write starts. Storage may serialize the state after its first await (AdoNet does it inside the database command), and
/// a change made meanwhile to the object being serialized failed the write ("Collection was modified", seen when thousands of
/// accounts followed one model on PostgreSQL). Create it once the state is loaded (on first use in a grain method).
/// <para>Writes follow the one storage-conflict policy (<see cref="StorageWrites"/>): the changes made since the last
/// successful write are kept, and on a version conflict the stored state is re-read, <see cref="Live"/> is rebuilt as a copy
/// of it with those changes applied again, and the write runs again, so the other writer's changes and these both stand.
/// Each change must therefore be idempotent (a set or an upsert), and read only the state it is given.</para>
/// <para>When the state is an <see cref="IAppendableState"/> and every change a write includes is data (an
/// <see cref="IStateChange{T}"/>, not a closure), the write stores them (<see cref="StoredChanges{T}"/>) instead of the whole
/// state (issue #18 goal 2: a flood of small reports writes what they changed, not the index they change).</para></summary>
public sealed class BatchedState<T> where T : class
{
    private readonly IPersistentState<T> _state;
    private readonly Orleans.Serialization.DeepCopier<T> _copier;
    private readonly WriteBatcher _writes;
    // Made since the last successful write, oldest first; a write drops the ones it included once it succeeded.
    private readonly List<IStateChange<T>> _pending = [];

    /// <param name="owner">Names the grain in the conflict warnings.</param>
    /// <param name="reloaded">Drops what the grain derived from <see cref="Live"/> when it is rebuilt after a conflict.</param>
    public BatchedState(IPersistentState<T> state, Orleans.Serialization.DeepCopier<T> copier, ILogger log, string owner, Action? reloaded = null)
    {
        (_state, _copier) = (state, copier);
        Live = copier.Copy(state.State);
        _writes = new WriteBatcher(() => state.WriteWithRetryAsync(WriteOnce, log, owner, () =>
        {
            Rebuild();
            reloaded?.Invoke();
        }));
    }

    /// <summary>The grain's working state: read it freely, change it only through <see cref="Change(IStateChange{T})"/>.</summary>
    public T Live { get; private set; }

    /// <summary>Applies <paramref name="change"/> to <see cref="Live"/> and keeps it for the next write (and for a re-read
    /// state after a conflict).</summary>
    public void Change(IStateChange<T> change)
    {
        change.ApplyTo(Live);
        _pending.Add(change);
    }

    /// <summary>A change with no data form: the write that includes it stores the state whole.</summary>
    public void Change(Action<T> change) => Change(new Closure(change));

    /// <summary>Returns once a write that includes every change made so far has succeeded.</summary>
    public Task Write() => _writes.Write();

    private async Task WriteOnce()
    {
        // The copy and the count are taken together, before the first await: later changes ride on the next write.
        var included = _pending.Count;
        var written = _copier.Copy(Live);
        var appendable = written as IAppendableState;
        if (appendable is not null && _state.State is IAppendableState last)
        {
            // What the storage keeps of the row (the changes since its snapshot) belongs to the row, not to the copy.
            appendable.Next().Continue(last.Next());
            if (included > 0 && _pending.Take(included).All(c => c is not Closure))
                appendable.Next().Change(new StoredChanges<T>([.. _pending.Take(included)]));
        }
        _state.State = written;
        try { await _state.WriteStateAsync(); }
        finally { appendable?.Next().Change(null); }
        _pending.RemoveRange(0, included);
    }

    /// <summary>Another writer wrote first: the stored state it left, with this grain's unwritten changes on top.</summary>
    private void Rebuild()
    {
        var live = _copier.Copy(_state.State);
        foreach (var change in _pending) change.ApplyTo(live);
        Live = live;
    }

    private sealed class Closure(Action<T> apply) : IStateChange<T>
    {
        public void ApplyTo(T state) => apply(state);
    }
}

/// <summary>The data changes of one write of a batched state, in the order made, as stored (docs/formats.md §20).</summary>
[GenerateSerializer, Immutable, Alias("StoredChanges`1")]
public sealed record StoredChanges<T>([property: Id(0)] IStateChange<T>[] Changes) where T : class
{
    /// <summary>Folds a stored change of a batched state into <paramref name="state"/> (<see cref="IAppendableState.Fold"/>).</summary>
    public static void Fold(T state, object change)
    {
        if (change is not StoredChanges<T> stored) throw new InvalidOperationException($"a stored change of a {typeof(T).Name} is {change.GetType().Name}");
        foreach (var c in stored.Changes) c.ApplyTo(state);
    }
}
