using Households.Contracts;

namespace Households.Domain.Lots;

/// <summary>MinTax relief: lots ranked by the tax a share of each would cost at the given rates, cheapest
/// first (largest loss per share first, then smallest gain). Ties: earlier purchase, then book order.</summary>
public static class MinTaxOrder
{
    public static IReadOnlyList<TaxLot> Rank(IEnumerable<TaxLot> lots, decimal price, DateOnly date, TaxRates rates, Func<TaxLot, long> sequence) =>
        lots.OrderBy(l => TaxPerShare(l, price, date, rates)).ThenBy(l => l.Purchased).ThenBy(sequence).ToList();

    public static decimal TaxPerShare(TaxLot lot, decimal price, DateOnly date, TaxRates rates)
    {
        var gain = price - lot.BasisPerShare;
        var rate = HoldingPeriod.TermOf(lot.HoldingSince, date) == HoldingTerm.Long ? rates.LongTerm : rates.ShortTerm;
        return gain * rate;
    }
}
