using System.Collections.Concurrent;
using Households.Contracts;
using Microsoft.Extensions.Logging;

namespace Households.Grains.Silo;

/// <summary>The accounts active on this silo that hold market triggers their household has not confirmed deciding
/// (<see cref="Households.Domain.Decisions.AwaitingDecision"/>). When membership declares a silo dead, each survivor asks
/// these accounts to send them again (<see cref="ResendAll"/>): a household that died with triggers in its inbox decides
/// them on its new silo, and one that had decided them drops them.</summary>
public sealed class TriggersAwaitingDecision(ILogger<TriggersAwaitingDecision> log)
{
    private readonly ConcurrentDictionary<string, byte> _accounts = new(StringComparer.Ordinal);

    public int Count => _accounts.Count;

    /// <summary>Whether the account holds triggers its household has not confirmed deciding.</summary>
    public bool Holds(string accountId) => _accounts.ContainsKey(accountId);

    public void Add(string accountId) => _accounts.TryAdd(accountId, 0);

    public void Remove(string accountId) => _accounts.TryRemove(accountId, out _);

    /// <summary>Asks every account held here to send its household the triggers it has not confirmed deciding.</summary>
    public int ResendAll(IGrainFactory grains, string reason)
    {
        var ids = _accounts.Keys.ToArray();
        foreach (var id in ids) grains.GetGrain<IAccountGrain>(id).ResendUndecided().Ignore();
        log.LogWarning("Triggers not yet confirmed decided sent again to their households ({Reason}): {Accounts} accounts", reason, ids.Length);
        return ids.Length;
    }
}
