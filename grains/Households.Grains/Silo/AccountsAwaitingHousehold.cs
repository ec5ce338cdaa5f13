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
    // What each account holds, and the household of one holding fills (asked from here, not through the account's turn).
    private readonly ConcurrentDictionary<string, (HeldForHousehold What, string? Household)> _accounts = new(StringComparer.Ordinal);

    public int Count => _accounts.Count;

    /// <summary>Whether the account holds anything its household has not confirmed.</summary>
    public bool Holds(string accountId) => _accounts.ContainsKey(accountId);

    /// <summary>What the account holds.</summary>
    public HeldForHousehold Held(string accountId) => _accounts.TryGetValue(accountId, out var held) ? held.What : HeldForHousehold.None;

    /// <param name="householdId">The account's household: needed for <see cref="HeldForHousehold.Fills"/>.</param>
    public void Add(string accountId, HeldForHousehold what, string? householdId = null) =>
        _accounts.AddOrUpdate(accountId, (what, householdId), (_, held) => (held.What | what, householdId ?? held.Household));

    public void Remove(string accountId, HeldForHousehold what)
    {
        while (_accounts.TryGetValue(accountId, out var held))
        {
            var left = held.What & ~what;
            if (left == HeldForHousehold.None ? _accounts.TryRemove(new(accountId, held)) : _accounts.TryUpdate(accountId, (left, held.Household), held)) return;
        }
    }

    /// <summary>The account deactivates: it holds nothing any more.</summary>
    public void Forget(string accountId) => _accounts.TryRemove(accountId, out _);

    /// <summary>Asks every account held here that holds triggers to send them to its household again, and every household
    /// of an account holding fills to catch up (<see cref="HouseholdCatchUp"/>). Returns the accounts held.</summary>
    public int ResendAll(IGrainFactory grains, string reason)
    {
        var held = _accounts.ToArray();
        foreach (var (id, _) in held.Where(h => (h.Value.What & HeldForHousehold.Triggers) != 0)) grains.GetGrain<IAccountGrain>(id).ResendUndecided().Ignore();
        var households = held.Where(h => (h.Value.What & HeldForHousehold.Fills) != 0 && h.Value.Household is not null)
            .Select(h => h.Value.Household!).Distinct(StringComparer.Ordinal).ToArray();
        log.LogWarning("Triggers not yet confirmed decided and fills not yet confirmed recorded sent again to their households ({Reason}): {Accounts} accounts, {Households} households asked to catch up fills",
            reason, held.Length, households.Length);
        HouseholdCatchUp.Ask(grains, households, "fills their accounts on a survivor hold after a silo's death", log);
        return held.Length;
    }
}
