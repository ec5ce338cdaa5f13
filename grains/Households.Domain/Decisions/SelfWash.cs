using Households.Contracts;
using Households.Domain.Accounts;
using Households.Domain.WashSales;

namespace Households.Domain.Decisions;

/// <summary>The last guard of IRC §1091 inside one plan: a sale in a taxable account that could fill at a loss after
/// slippage is never paired with a purchase of a substantially identical security in any account of the same taxpayer;
/// the purchase is left out (the sale realizes its loss; the sleeve is refilled by a substitute or after 30 days).</summary>
public static class SelfWash
{
    public static OptimizedTrade[] Remove(OptimizedTrade[] trades, IReadOnlyList<AccountDecisionInput> accounts, IReadOnlyDictionary<string, decimal> prices,
        SubstantiallyIdentical identical, DecisionSettings settings, List<string>? notes = null)
    {
        var byId = accounts.ToDictionary(a => a.Spec.Id, StringComparer.Ordinal);
        bool InScope(string account) => byId.TryGetValue(account, out var a) && !a.Spec.SeparateTaxpayer;
        var lossKeys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in trades.Where(t => t.Side == TradeSide.Sell && InScope(t.Account) && TaxTreatment.IsTaxable(byId[t.Account].Spec.Type)))
        {
            if (!prices.TryGetValue(t.Symbol, out var p)) continue;
            var fill = SimulatedBroker.FillPrice(TradeSide.Sell, p, settings.SlippageBps);
            if (t.Lots.Any(l => fill * l.Quantity < l.Lot.BasisPerShare * l.Quantity)) lossKeys.Add(identical.KeyOf(t.Symbol));
        }
        if (lossKeys.Count == 0) return trades;
        var kept = trades.Where(t => t.Side != TradeSide.Buy || !InScope(t.Account) || !lossKeys.Contains(identical.KeyOf(t.Symbol))).ToArray();
        if (kept.Length < trades.Length && notes is not null)
            notes.Add($"purchases of {string.Join(", ", trades.Except(kept).Select(t => t.Symbol).Distinct())} left out: they would wash the household's own loss sales");
        return kept;
    }
}
