using Households.Contracts;
using Households.Domain.Lots;

namespace Households.Domain.Optimization;

/// <summary>A yearly budget on one taxable account (<paramref name="account"/>), or on the household's taxable accounts
/// (null), counted in net realized gains or, with <paramref name="rates"/>, in estimated tax: what is already spent this
/// year plus this rebalance's net at most <paramref name="maximum"/> dollars. A loss counts at the rate of its own term, so
/// in tax dollars a harvested loss makes room for the gains it offsets (IRC §1222 netting, approximated lot by lot).</summary>
public sealed class GainBudget(decimal maximum, decimal spentYearToDate = 0, string? account = null, TaxRates? rates = null) : IConstraint
{
    public void AddTo(OptimizationContext ctx)
    {
        var st = ctx.State;
        int row = ctx.Model.AddRow(double.NegativeInfinity, (double)(maximum - spentYearToDate) / st.TotalValue);
        foreach (int a in ctx.AccountsIn(account))
        {
            if (!st.Accounts[a].IsTaxable) continue;
            for (int i = 0; i < st.N; i++)
                foreach (var s in ctx.Sells(a, i))
                    if (s.Lot is { Lot: not null } lot)
                        ctx.Model.AddRowTerm(row, s.Var, lot.GainRatio * (rates is null ? 1 : (double)(lot.Term == HoldingTerm.Short ? rates.ShortTerm : rates.LongTerm)));
        }
    }
}

/// <summary>Lots an account has set aside to give away (a gift carries its basis to the donee, IRC §1015, so selling it
/// first would realize the very gain the gift avoids): none of <paramref name="lotIds"/> is sold.</summary>
public sealed class GiftedLots(string account, IReadOnlyCollection<string> lotIds) : IConstraint
{
    public void AddTo(OptimizationContext ctx)
    {
        var st = ctx.State;
        int a = st.AccountIndex(account);
        for (int i = 0; i < st.N; i++)
            foreach (var s in ctx.Sells(a, i))
                if (s.Lot?.Lot is { } lot && lotIds.Contains(lot.Id)) ctx.Model.SetBounds(s.Var, 0, 0);
    }
}
