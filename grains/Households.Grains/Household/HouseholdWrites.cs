using Households.Grains.Silo;
using Microsoft.Extensions.Logging;

namespace Households.Grains.Household;

/// <summary>Runs a household operation that ends in a state write (a fill or batch of fills, a change of policy) under the
/// one storage-conflict policy (<see cref="StorageWrites"/>): on a version conflict the state is re-read, what the household
/// derived from it is dropped (<paramref name="reloaded"/>) and the operation runs again. The accounts answer the fills they
/// applied in the first run as replays; the operation's set keeps the keys applied for this call, which are no replays to it.</summary>
public sealed class HouseholdWrites(IPersistentState<HouseholdState> state, ILogger log, string householdId, Action reloaded)
{
    /// <summary>Reads the state again after a version conflict met outside <see cref="Run{T}"/> (a decision's proposal write).</summary>
    public Task ReadAgain() => state.ReadAgainAsync(reloaded);

    public Task<T> Run<T>(Func<ISet<string>, Task<T>> operation)
    {
        var fresh = new HashSet<string>(StringComparer.Ordinal);
        return state.WriteWithRetryAsync(() => operation(fresh), log, householdId, reloaded);
    }
}
