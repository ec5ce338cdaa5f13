using System.Collections.Immutable;
using Households.Contracts;
using Households.Domain.Accounts;
using Households.Domain.Tax;

namespace Households.Domain.Decisions;

/// <summary>What an advisor sees before calling a client: the engine's plan with its estimated tax and each account's tracking
/// error before and after, at the decision's prices. Nothing here files, journals or executes.</summary>
public static class PlanPreview
{
    public static HouseholdPreview Of(DecisionRequest request, DecisionMarket market, HouseholdPlan plan)
    {
        var rates = plan.Rates ?? TaxProfiles.Marginal(request.Profile, request.Tax.Gains.YearToDate(request.Today), market.Settings.Rates);
        var accounts = request.Accounts.Select(a => Account(a, plan.Trades.Where(t => t.Account == a.Spec.Id).ToList(), request.Price, market)).ToImmutableArray();
        return new HouseholdPreview(request.HouseholdId, request.Today, plan.Result, plan.Record, rates,
            EstimatedTax(plan.Trades, request.Accounts.Select(a => a.Spec), rates), accounts);
    }

    /// <summary>A plan's estimated tax at the marginal rates (negative: a saving), to the cent: each taxable account's realized
    /// gains by term at the gain rate, its losses at the loss rate. The preview and the client explanation both price here.</summary>
    public static decimal EstimatedTax(IEnumerable<OptimizedTrade> trades, IEnumerable<AccountSpec> accounts, MarginalTaxRates rates)
    {
        var taxable = accounts.Where(a => TaxTreatment.IsTaxable(a.Type)).Select(a => a.Id).ToHashSet(StringComparer.Ordinal);
        var tax = trades.Where(t => taxable.Contains(t.Account))
            .Sum(t => Taxed(t.ShortTermGain, rates.ShortTermGain, rates.ShortTermLoss) + Taxed(t.LongTermGain, rates.LongTermGain, rates.LongTermLoss));
        return Math.Round(tax, 2);
    }

    /// <summary>An account's shares by symbol and its cash once the trades are filled at their amounts.</summary>
    public static (Dictionary<string, decimal> Shares, decimal Cash) After(AccountDecisionInput a, IEnumerable<OptimizedTrade> trades)
    {
        var shares = a.Lots.GroupBy(l => l.Symbol, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(l => l.Quantity), StringComparer.Ordinal);
        var cash = a.Cash;
        foreach (var t in trades.Where(t => t.Account == a.Spec.Id))
        {
            var buy = t.Side == TradeSide.Buy;
            shares[t.Symbol] = shares.GetValueOrDefault(t.Symbol) + (buy ? t.Quantity : -t.Quantity);
            cash -= buy ? t.Amount : -t.Amount;
        }
        return (shares, cash);
    }

    /// <summary>Tax on a realized result: a gain at the gain rate, a loss (negative) saving at the loss rate.</summary>
    public static decimal Taxed(decimal gain, decimal gainRate, decimal lossRate) => gain >= 0 ? gain * gainRate : gain * lossRate;

    private static AccountPreview Account(AccountDecisionInput a, IReadOnlyList<OptimizedTrade> trades, Func<string, decimal?> price, DecisionMarket market)
    {
        var before = a.Lots.GroupBy(l => l.Symbol, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(l => l.Quantity), StringComparer.Ordinal);
        var (after, cash) = After(a, trades);
        var value = a.ValueAt(price);
        if (a.Target is null || value <= 0) return new(a.Spec.Id, a.Spec.Type, value, a.Cash, cash, 0, 0);
        var target = a.Target.Weights.Where(w => w.Level == DriftLevel.Security).ToDictionary(w => w.Key, w => (double)w.Weight, StringComparer.Ordinal);
        var symbols = before.Keys.Concat(after.Keys).Concat(target.Keys).Distinct(StringComparer.Ordinal)
            .Where(s => market.Find(s) is not null && price(s) is not null).Order(StringComparer.Ordinal).ToList();
        var model = market.Risk.For([.. symbols.Select(s => market.Find(s)!)]);
        double Tracking(IReadOnlyDictionary<string, decimal> quantities)
        {
            var active = new double[model.N];
            for (var i = 0; i < model.N; i++)
            {
                var s = model.Symbols[i];
                active[i] = (double)(quantities.GetValueOrDefault(s) * price(s)!.Value / value) - target.GetValueOrDefault(s);
            }
            return Math.Sqrt(Math.Max(0, model.Variance(active)));
        }
        return new(a.Spec.Id, a.Spec.Type, value, a.Cash, cash, Tracking(before), Tracking(after));
    }
}
