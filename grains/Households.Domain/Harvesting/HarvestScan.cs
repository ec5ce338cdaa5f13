using Households.Contracts;
using Households.Domain.Lots;

namespace Households.Domain.Harvesting;

/// <summary>
/// Finds the lots of one account worth harvesting now. A lot crosses the thresholds when its unrealized loss is at
/// least <see cref="HarvestPolicy.MinLossPercent"/> of its basis AND at least <see cref="HarvestPolicy.MinLossDollars"/>
/// (the same rule as the live monitor's <c>TriggerKernel</c>). It is then a candidate unless
/// <list type="bullet">
/// <item>its wash-sale key is in one of the household's buy blackouts (a loss of the same security is still open,
/// so the household is in the middle of a harvest of it), or</item>
/// <item>shares of the same key were bought in the household in the last 30 days (the sale would be a wash sale
/// against them; pass those keys as <c>recentlyBought</c>), or</item>
/// <item>the estimated round-trip cost is at least the tax benefit.</item>
/// </list>
/// The tax benefit is the loss times the rate it offsets: short-term losses at the short-term rate, long-term losses
/// at the long-term rate (the household is assumed to have gains or income of that character to offset).
/// Pure: it reads its inputs and changes nothing.
/// </summary>
public static class HarvestScan
{
    /// <summary>The threshold test on doubles (the monitor's and the backtest's hot path):
    /// loss per share ≥ percent × basis per share and loss ≥ dollars.</summary>
    public static bool CrossesThresholds(double basisPerShare, double price, double quantity, double minPercent, double minDollars)
    {
        var lossPerShare = basisPerShare - price;
        return lossPerShare > 0 && lossPerShare * quantity >= minDollars && lossPerShare >= minPercent * basisPerShare;
    }

    /// <summary>Scans <paramref name="lots"/> of <paramref name="account"/> at <paramref name="prices"/> on
    /// <paramref name="date"/>. Candidates come best net benefit first (ties by lot id).</summary>
    /// <param name="blackouts">the household's buy blackouts for this account (<c>WashSaleLedger.BuyBlackouts</c>).</param>
    /// <param name="recentlyBought">wash-sale keys bought anywhere in the household in the last 30 days.</param>
    /// <param name="washSaleKey">symbol → wash-sale key, the same keys as the blackouts' (the ledger's
    /// <c>SubstantiallyIdentical.KeyOf</c>); default: the symbol itself.</param>
    public static HarvestScanResult Scan(string account, IEnumerable<TaxLot> lots, IReadOnlyDictionary<string, decimal> prices,
        HarvestPolicy policy, DateOnly date, TaxRates rates, HarvestCosts? costs = null,
        IReadOnlyCollection<BuyBlackout>? blackouts = null, IReadOnlyCollection<string>? recentlyBought = null,
        Func<string, string>? washSaleKey = null)
    {
        ArgumentNullException.ThrowIfNull(lots);
        ArgumentNullException.ThrowIfNull(prices);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(rates);
        costs ??= HarvestCosts.None;
        washSaleKey ??= s => s;
        var candidates = new List<HarvestCandidate>();
        var skipped = new List<HarvestSkip>();
        if (!policy.Enabled) return new HarvestScanResult([], []);
        var blocked = new HashSet<string>(StringComparer.Ordinal);
        if (blackouts is not null)
            foreach (var b in blackouts)
                if (b.WashesThrough >= date) blocked.Add(b.WashSaleKey);
        var recent = recentlyBought is null ? null : new HashSet<string>(recentlyBought, StringComparer.Ordinal);

        foreach (var lot in lots)
        {
            if (lot.Quantity <= 0) continue;
            if (!prices.TryGetValue(lot.Symbol, out var price))
            {
                skipped.Add(new HarvestSkip(account, lot.Id, lot.Symbol, 0m, HarvestSkipReason.NoPrice));
                continue;
            }
            var value = lot.Quantity * price;
            var loss = lot.Basis - value;
            if (loss <= 0 || lot.Basis <= 0) continue;
            if (loss < policy.MinLossDollars || loss < policy.MinLossPercent * lot.Basis) continue;

            var key = washSaleKey(lot.Symbol);
            if (blocked.Contains(key))
            {
                skipped.Add(new HarvestSkip(account, lot.Id, lot.Symbol, loss, HarvestSkipReason.BuyBlackout));
                continue;
            }
            if (recent is not null && recent.Contains(key))
            {
                skipped.Add(new HarvestSkip(account, lot.Id, lot.Symbol, loss, HarvestSkipReason.RecentPurchase));
                continue;
            }
            var term = HoldingPeriod.TermOf(lot.HoldingSince, date);
            var rate = term == HoldingTerm.Short ? rates.ShortTerm : rates.LongTerm;
            var benefit = loss * rate;
            var cost = costs.RoundTrip(lot.Quantity, value);
            if (cost >= benefit)
            {
                skipped.Add(new HarvestSkip(account, lot.Id, lot.Symbol, loss, HarvestSkipReason.CostExceedsBenefit));
                continue;
            }
            candidates.Add(new HarvestCandidate(account, lot, price, loss, loss / lot.Basis, term, rate, benefit, cost, benefit - cost));
        }
        candidates.Sort((a, b) => b.NetBenefit != a.NetBenefit
            ? b.NetBenefit.CompareTo(a.NetBenefit)
            : string.CompareOrdinal(a.Lot.Id, b.Lot.Id));
        return new HarvestScanResult([.. candidates], [.. skipped]);
    }
}
