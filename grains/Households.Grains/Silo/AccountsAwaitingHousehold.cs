using System.Collections.Concurrent;
using Households.Contracts;
using Microsoft.Extensions.Logging;

namespace Households.Grains.Silo;

/// <summary>What an account active here holds until its household confirms it.</summary>
[Flags]
public enum HeldForHousehold : byte
{
    None = 0,
    /// <summary>Triggers sent and not confirmed decided (<see cref="Households.Domain.Decisions.AwaitingDecision"/>).</summary>
    Triggers = 1,
    /// <summary>Fills applied and not confirmed recorded in the household's ledger and the journal.</summary>
    Fills = 2,
}

/// <summary>The accounts active on this silo that hold something their household has not confirmed: triggers not decided,
/// fills not recorded. When membership declares a silo dead, each survivor asks these accounts to send it again
/// (<see cref="ResendAll"/>): a household that died with triggers in its inbox decides them on its new silo (one that had
/// decided them drops them), and one that died between its accounts' write of a fill and its own catches up, so the fill
/// reaches its ledger and the journal now, not at its next activation — wherever its accounts lived.</summary>
public sealed class AccountsAwaitingHousehold(ILogger<AccountsAwaitingHousehold> log)
{
    private readonly ConcurrentDictionary<string, HeldForHousehold> _accounts = new(StringComparer.Ordinal);

    public int Count => _accounts.Count;

    /// <summary>Whether the account holds anything its household has not confirmed.</summary>
    public bool Holds(string accountId) => _accounts.ContainsKey(accountId);

    /// <summary>What the account holds.</summary>
    public HeldForHousehold Held(string accountId) => _accounts.GetValueOrDefault(accountId);

    public void Add(string accountId, HeldForHousehold what) => _accounts.AddOrUpdate(accountId, what, (_, held) => held | what);

    public void Remove(string accountId, HeldForHousehold what)
    {
        while (_accounts.TryGetValue(accountId, out var held))
        {
            var left = held & ~what;
            if (left == HeldForHousehold.None ? _accounts.TryRemove(new KeyValuePair<string, HeldForHousehold>(accountId, held))
                : _accounts.TryUpdate(accountId, left, held)) return;
        }
    }

    /// <summary>The account deactivates: it holds nothing any more.</summary>
    public void Forget(string accountId) => _accounts.TryRemove(accountId, out _);

    /// <summary>Asks every account held here to send its household what it has not confirmed.</summary>
    public int ResendAll(IGrainFactory grains, string reason)
    {
        var held = _accounts.ToArray();
        foreach (var (id, _) in held) grains.GetGrain<IAccountGrain>(id).ResendUndecided().Ignore();
        log.LogWarning("Triggers not yet confirmed decided and fills not yet confirmed recorded sent again to their households ({Reason}): {Accounts} accounts, {Fills} of them with fills",
            reason, held.Length, held.Count(h => (h.Value & HeldForHousehold.Fills) != 0));
        return held.Length;
    }
}
