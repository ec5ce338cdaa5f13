using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace Households.Grains.Silo;

/// <summary>
/// The one storage-conflict policy of every grain. AdoNet storage checks each write against the version (ETag) the
/// activation last read; after a silo failover a second activation of the same grain may have written meanwhile (a
/// duplicate activation during a membership change), and the write fails with <see cref="InconsistentStateException"/>.
/// <para>The policy: only that exception is retried; the grain re-reads the stored state, drops what it derived from the
/// old state (<paramref name="reloaded"/>), and runs the whole operation again on the fresh state, so the other writer's
/// write and this one both stand. At most <see cref="MaxAttempts"/> runs; after the last the conflict reaches the caller,
/// which retries with its idempotency key. Any other failure reaches the caller at once (the operation restored what it
/// changed in memory). A grain whose writes ride on a <see cref="WriteBatcher"/> uses it through
/// <see cref="BatchedState{T}"/>, which re-applies its unwritten changes to the re-read state.</para>
/// </summary>
public static class StorageWrites
{
    /// <summary>Runs of one operation when storage reports a version conflict.</summary>
    public const int MaxAttempts = 5;

    /// <summary>Runs <paramref name="operation"/> (which ends in a write of <paramref name="state"/>) under the policy above;
    /// <paramref name="owner"/> names the grain in the warning logged for each conflict.</summary>
    public static async Task<T> WriteWithRetryAsync<TState, T>(this IPersistentState<TState> state, Func<Task<T>> operation, ILogger log, string owner,
        Action? reloaded = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            try { return await operation(); }
            catch (InconsistentStateException ex) when (attempt < MaxAttempts)
            {
                log.LogWarning("{Grain}: storage version conflict (attempt {Attempt}): re-reading and retrying. {Reason}", owner, attempt, ex.Message);
                await state.ReadAgainAsync(reloaded);
            }
        }
    }

    /// <summary>What a version conflict leads to: the stored state read again, and what the grain derived from the old one
    /// dropped (<paramref name="reloaded"/>).</summary>
    public static async Task ReadAgainAsync<TState>(this IPersistentState<TState> state, Action? reloaded)
    {
        await state.ReadStateAsync();
        reloaded?.Invoke();
    }

    /// <summary>The policy above for an operation without a result.</summary>
    public static Task WriteWithRetryAsync<TState>(this IPersistentState<TState> state, Func<Task> operation, ILogger log, string owner,
        Action? reloaded = null) =>
        state.WriteWithRetryAsync(async () => { await operation(); return true; }, log, owner, reloaded);
}
