using System.Globalization;
using Households.Contracts;

namespace Households.Domain.WashSales;

/// <summary>
/// A household's wash-sale ledger changed by fills, as stored (<see cref="WashSaleLedgerChange"/>): a fill adds or uses up a
/// recent purchase and opens or matches a loss, so the change is a few entries where the ledger holds every purchase and
/// loss of its 30-day window (issue #18 goal 2: writes that scale with the fills, not with the ledger).
/// </summary>
public static class WashSaleLedgerChanges
{
    /// <summary>The change from <paramref name="before"/> to <paramref name="after"/>, or null when there is no ledger before
    /// or applying the change would not give <paramref name="after"/> exactly, entry for entry and in order (a split lot's
    /// remainder placed beside its lot, a key held twice): the ledger is then stored whole.</summary>
    public static WashSaleLedgerChange? Between(WashSaleLedgerState? before, WashSaleLedgerState after)
    {
        if (before is null
            || KeyedChanges.Between(before.Holdings, after.Holdings, HoldingKey, (a, b) => a == b) is not (var holdingsPut, var holdingsRemoved)
            || KeyedChanges.Between(before.Losses, after.Losses, LossKey, (a, b) => a == b) is not (var lossesPut, var lossesRemoved))
            return null;
        var taken = before.TakenIds.ToHashSet(StringComparer.Ordinal);
        var takenAfter = after.TakenIds.ToHashSet(StringComparer.Ordinal);
        var change = new WashSaleLedgerChange(after.Accounts, [.. holdingsPut], [.. holdingsRemoved], [.. lossesPut],
            [.. lossesRemoved.Select(id => long.Parse(id, CultureInfo.InvariantCulture))],
            [.. after.TakenIds.Where(id => !taken.Contains(id))], [.. before.TakenIds.Where(id => !takenAfter.Contains(id))],
            after.NextLossId, after.Today);
        var applied = Apply(before, change);
        return applied.Accounts.SequenceEqual(after.Accounts) && applied.Holdings.SequenceEqual(after.Holdings)
            && applied.Losses.SequenceEqual(after.Losses) && applied.TakenIds.SequenceEqual(after.TakenIds)
            && applied.NextLossId == after.NextLossId && applied.Today == after.Today ? change : null;
    }

    /// <summary>The ledger after <paramref name="change"/>: entries removed dropped, an entry put in its old place or, when new,
    /// at the end; the reserved lot ids in order, as the ledger keeps them.</summary>
    public static WashSaleLedgerState Apply(WashSaleLedgerState ledger, WashSaleLedgerChange change)
    {
        var released = change.TakenRemoved.ToHashSet(StringComparer.Ordinal);
        return new WashSaleLedgerState(change.Accounts,
            [.. KeyedChanges.Apply(ledger.Holdings, change.HoldingsPut, change.HoldingsRemoved, HoldingKey)],
            [.. KeyedChanges.Apply(ledger.Losses, change.LossesPut, change.LossesRemoved.Select(id => id.ToString(CultureInfo.InvariantCulture)), LossKey)],
            [.. ledger.TakenIds.Where(id => !released.Contains(id)).Concat(change.TakenAdded).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
            change.NextLossId, change.Today);
    }

    private static string HoldingKey(WashSaleHolding h) => $"{h.Account}/{h.LotId}";

    private static string LossKey(OpenWashSaleLoss l) => l.LossId.ToString(CultureInfo.InvariantCulture);
}
