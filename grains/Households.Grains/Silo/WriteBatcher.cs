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
