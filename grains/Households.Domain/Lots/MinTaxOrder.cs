using Households.Contracts;

namespace Households.Domain.Lots;

/// <summary>MinTax relief: lots ranked by the tax one share of each would cost when sold at
/// <c>price</c> on <c>date</c> — (price − adjusted basis per share) × the rate of the lot's term — cheapest
/// first: the largest tax saving per share (short-term losses at the short rate usually first), then long-term
/// losses, then the smallest tax per share of gain. Ties: higher basis per share, earlier purchase, book order.
/// Because the tax of a sale is linear in the shares taken from each lot, this greedy order minimizes the tax
/// due on the sale at the configured flat rates (it ignores netting limits and wash-sale effects).</summary>
public static class MinTaxOrder
{
    public static IReadOnlyList<TaxLot> Rank(IEnumerable<TaxLot> lots, decimal price, DateOnly date, TaxRates rates,
        Func<TaxLot, long> sequence, Func<TaxLot, int> piece) =>
        lots.OrderBy(l => TaxPerShare(l, price, date, rates))
            .ThenByDescending(l => l.BasisPerShare)
            .ThenBy(l => l.Purchased).ThenBy(sequence).ThenBy(piece).ToList();

    public static decimal TaxPerShare(TaxLot lot, decimal price, DateOnly date, TaxRates rates)
    {
        var gain = price - lot.BasisPerShare;
        var rate = HoldingPeriod.TermOf(lot.HoldingSince, date) == HoldingTerm.Long ? rates.LongTerm : rates.ShortTerm;
        return gain * rate;
    }
}
