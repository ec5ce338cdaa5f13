using Households.Contracts;
using Households.Domain.Optimization;

namespace Households.Domain.Decisions;

/// <summary>The holding period (<see cref="DecisionSettings.HoldingDays"/>): a position the household bought into within it
/// is not sold, through the new lot or an older one, unless the lot sold is at a harvestable loss; an account raising cash
/// for a withdrawal and a security the account excludes are not held (a person's need comes first). The engine enforces it
/// (<see cref="MinimumHolding"/>), notes what it kept, and the stress engine counts any sale that broke it.</summary>
public static class HoldingPeriodRule
{
    /// <summary>The positions (account, symbol) the rule holds on <paramref name="today"/>.</summary>
    public static IReadOnlySet<(string Account, string Symbol)> Held(IEnumerable<AccountDecisionInput> accounts, DateOnly today, DecisionSettings settings,
        Func<string, Security?> find)
    {
        var held = new HashSet<(string Account, string Symbol)>();
        if (settings.HoldingDays <= 0) return held;
        var boughtAfter = today.AddDays(-settings.HoldingDays);
        foreach (var a in accounts.Where(a => a.CashToRaise == 0))
        {
            var excludes = RebalancePlanner.Restrictions(a.Spec, settings).Where(r => r.Kind == RestrictionKind.Exclude).ToList();
            foreach (var symbol in a.Lots.Where(l => l.Purchased > boughtAfter && l.Quantity > 0).Select(l => l.Symbol).Distinct(StringComparer.Ordinal))
                if (find(symbol) is not { } security || !excludes.Any(r => Excluded.Matches(r, security))) held.Add((a.Spec.Id, symbol));
        }
        return held;
    }

    /// <summary>Whether <paramref name="lot"/> may be sold from a held position at <paramref name="price"/>: its loss reaches
    /// the account's harvest thresholds (<see cref="RebalancePlanner.HarvestWorth"/>).</summary>
    public static bool MaySell(HarvestPolicy policy, TaxLot lot, decimal price) =>
        lot.Quantity > 0 && price > 0
        && RebalancePlanner.HarvestWorth(policy, new LotPosition(lot, 0, (double)((lot.Quantity * price - lot.Basis) / (lot.Quantity * price)), HoldingTerm.Short));
}
