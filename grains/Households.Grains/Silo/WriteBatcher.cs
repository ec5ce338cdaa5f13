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

/// <summary>The persisted state of a grain whose writes interleave with its changes (<see cref="WriteBatcher"/>): the
/// grain changes <see cref="Live"/>, and each write hands storage a deep copy taken as the write starts. Storage may
/// serialize the state after its first await (AdoNet does it inside the database command), and a change made meanwhile
/// to the object being serialized failed the write ("Collection was modified", seen when thousands of accounts followed
/// one model on PostgreSQL). Create it once the state is loaded (on first use in a grain method).</summary>
public sealed class BatchedState<T> where T : class
{
    private readonly WriteBatcher _writes;

    public BatchedState(IPersistentState<T> state, Orleans.Serialization.DeepCopier<T> copier)
    {
        Live = copier.Copy(state.State);
        _writes = new WriteBatcher(() =>
        {
            state.State = copier.Copy(Live);
            return state.WriteStateAsync();
        });
    }

    public T Live { get; }

    /// <summary>Returns once a write that includes every change made to <see cref="Live"/> so far has succeeded.</summary>
    public Task Write() => _writes.Write();
}
