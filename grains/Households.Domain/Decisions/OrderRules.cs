using Households.Contracts;
using Households.Domain.Accounts;

namespace Households.Domain.Decisions;

/// <summary>The order rules every plan obeys (no dust): each order at least the account's minimum trade in value, and
/// whole shares unless the account's custodian trades fractions (the sale of a whole fractional lot is allowed: it
/// is the only way to close it). Orders a restriction or a withdrawal forces are kept however small.</summary>
public static class OrderRules
{
    public static OptimizedTrade[] Clean(IEnumerable<OptimizedTrade> trades, IReadOnlyList<AccountDecisionInput> accounts, DecisionSettings settings, List<string>? notes = null)
    {
        var byId = accounts.ToDictionary(a => a.Spec.Id, StringComparer.Ordinal);
        var kept = new List<OptimizedTrade>();
        var dropped = 0;
        foreach (var t in trades)
        {
            if (!byId.TryGetValue(t.Account, out var a)) { kept.Add(t); continue; }
            var taxable = TaxTreatment.IsTaxable(a.Spec.Type);
            var concentrated = t.Side == TradeSide.Sell ? Concentrate(t, taxable) : t;
            var shaped = a.Spec.FractionalShares ? concentrated : WholeShares(concentrated, roundSalesUp: a.CashToRaise > 0, taxable);
            if (shaped is null || shaped.Quantity <= 0) { dropped++; continue; }
            var forced = (shaped.Reasons & TradeReason.Restriction) != 0 || (shaped.Side == TradeSide.Sell && a.CashToRaise > 0);
            var minimum = settings.MinTradeFor(a.Spec);
            // Judged at the fill price: a sale fills below the decision price by the slippage.
            var atFill = 1 - (decimal)settings.LossMargin;
            // Each lot relieved is one order: a partial piece below the minimum is left out (a whole small lot is not dust).
            if (!forced && shaped.Side == TradeSide.Sell)
                shaped = Rebuilt(shaped, [.. shaped.Lots.Where(l => l.Quantity == l.Lot.Quantity || l.Proceeds * atFill >= minimum)], taxable);
            if (shaped is null) { dropped++; continue; }
            var fillValue = shaped.Side == TradeSide.Sell ? shaped.Amount * atFill : shaped.Amount;
            if (!forced && fillValue < minimum) { dropped++; continue; }
            kept.Add(shaped);
        }
        if (dropped > 0 && notes is not null) notes.Add($"{dropped} order(s) below the minimum trade or smaller than one share left out");
        return [.. kept];
    }

    /// <summary>The sale made of <paramref name="lots"/> (each at the trade's price): quantity, amount and realized gain by
    /// term follow the lots (gains only in a taxable account); null when no lot is left. The trade itself when unchanged.</summary>
    private static OptimizedTrade? Rebuilt(OptimizedTrade t, IReadOnlyList<LotSale> lots, bool taxable)
    {
        if (lots.Count == 0) return null;
        if (lots.SequenceEqual(t.Lots)) return t;
        var quantity = lots.Sum(l => l.Quantity);
        return t with
        {
            Quantity = quantity, Amount = Math.Round(quantity * t.Amount / t.Quantity, 2), Lots = [.. lots],
            ShortTermGain = taxable ? lots.Where(l => l.Term == HoldingTerm.Short).Sum(l => l.Gain) : 0,
            LongTermGain = taxable ? lots.Where(l => l.Term == HoldingTerm.Long).Sum(l => l.Gain) : 0,
        };
    }

    /// <summary><paramref name="quantity"/> shares of the piece's lot at <paramref name="price"/>.</summary>
    private static LotSale Piece(LotSale l, decimal quantity, decimal price) =>
        quantity == l.Quantity ? l : l with { Quantity = quantity, Proceeds = Math.Round(quantity * price, 2), Basis = Math.Round(l.Lot.BasisPerShare * quantity, 2) };

    /// <summary>A sale spread over several lots (the solver splits it evenly among lots of the same tax character) drawn
    /// instead from as few of its lots as possible, highest basis first: each lot relieved is one order, and a share
    /// taken from each of nine lots is nine dust orders.</summary>
    private static OptimizedTrade Concentrate(OptimizedTrade t, bool taxable)
    {
        if (t.Lots.Length < 2) return t;
        var price = t.Amount / t.Quantity;
        var left = t.Lots.Sum(l => l.Quantity);
        var lots = new List<LotSale>();
        foreach (var l in t.Lots.OrderByDescending(l => l.Lot.BasisPerShare).ThenBy(l => l.Lot.Purchased).ThenBy(l => l.Lot.Id, StringComparer.Ordinal))
        {
            if (left <= 0) break;
            var q = Math.Min(left, l.Lot.Quantity);
            lots.Add(Piece(l, q, price));
            left -= q;
        }
        return lots.Count >= t.Lots.Length ? t : Rebuilt(t, lots, taxable)!;
    }

    /// <summary>The trade in whole shares: a buy rounds down; a sale keeps whole-lot sales exact and rounds partial ones
    /// down, or up (within the lot) when the account raises cash for a withdrawal.</summary>
    private static OptimizedTrade? WholeShares(OptimizedTrade t, bool roundSalesUp, bool taxable)
    {
        if (t.Side == TradeSide.Buy ? t.Quantity == decimal.Floor(t.Quantity)
            : t.Lots.All(l => l.Quantity == decimal.Floor(l.Quantity) || l.Quantity == l.Lot.Quantity)) return t;
        var price = t.Amount / t.Quantity;
        if (t.Side == TradeSide.Buy)
        {
            var q = decimal.Floor(t.Quantity);
            return q <= 0 ? null : t with { Quantity = q, Amount = Math.Round(q * price, 2) };
        }
        var lots = new List<LotSale>();
        foreach (var l in t.Lots)
        {
            var q = l.Quantity == l.Lot.Quantity ? l.Quantity
                : roundSalesUp ? Math.Min(l.Lot.Quantity, decimal.Ceiling(l.Quantity)) : decimal.Floor(l.Quantity);
            if (q > 0) lots.Add(Piece(l, q, price));
        }
        return Rebuilt(t, lots, taxable);
    }
}
