using Households.Contracts;
using Households.Domain.Harvesting;
using Households.Domain.Risk;
using Households.Domain.WashSales;

namespace Households.Domain.Decisions;

/// <summary>What a household decision reads besides the household itself: the security master, its
/// substantially-identical groups, the firm's fund substitutes, the stock replacement ranking, the risk models and
/// the firm's decision settings. The live household grain and the stress test build one from the same sources.</summary>
public sealed record DecisionMarket(
    Func<string, Security?> Find,
    SubstantiallyIdentical Identical,
    IReadOnlyDictionary<string, string[]> Substitutes,
    ReplacementSelector Replacements,
    SecurityRiskModels Risk,
    DecisionSettings Settings);

/// <summary>One household decision after the wash-sale holds (<see cref="WashSaleGuard.HoldWashingLosses"/>): the
/// ledger's open losses become purchase blocks, harvested subjects get a replacement (the firm's substitute table for
/// funds, the closest unblocked same-sector stock for direct indexing), and <see cref="RebalancePlanner"/> solves.
/// Shared by the live household grain and the stress test so both decide alike.</summary>
public static class HouseholdDecision
{
    public static RebalanceResult Plan(IReadOnlyList<AccountDecisionInput> inputs, IReadOnlyList<Trigger> causes, WashSaleLedger ledger,
        Func<IEnumerable<string>, Dictionary<string, decimal>> quotes, DecisionMarket market, DateOnly today)
    {
        var symbols = inputs.SelectMany(i => i.Lots.Select(l => l.Symbol)
                .Concat(i.Target?.Weights.Where(w => w.Level == DriftLevel.Security).Select(w => w.Key) ?? []))
            .ToHashSet(StringComparer.Ordinal);
        var blockedKeys = WashSaleGuard.OpenLossKeys(inputs.Select(i => i.Spec.Id), ledger, today);
        var substitutes = market.Substitutes;
        var replacements = symbols.Where(substitutes.ContainsKey).ToDictionary(s => s, s => (IReadOnlyList<string>)substitutes[s]);
        foreach (var subject in causes.Where(c => c.Kind == TriggerKind.Harvest).Select(c => c.Subject).Distinct())
        {
            var choice = market.Replacements.Choose(subject, s => WashSaleGuard.IsBlocked(blockedKeys, market.Identical, s));
            if (choice.Symbol is { } replacement && !replacements.ContainsKey(subject)) replacements[subject] = [replacement];
        }
        symbols.UnionWith(replacements.Values.SelectMany(r => r));
        var securities = symbols.Select(market.Find).OfType<Security>().ToDictionary(s => s.Symbol, StringComparer.Ordinal);
        var prices = quotes(symbols);
        var blocked = WashSaleGuard.BlockedPurchases(blockedKeys, securities.Values, market.Identical);
        return RebalancePlanner.Plan(inputs, securities, prices, blocked, replacements, market.Risk, today, market.Settings);
    }
}
