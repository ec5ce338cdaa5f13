namespace Households.Domain.Monitoring;

/// <summary>How far an account's prices may move before any of its flags can change: the incremental scan's proof that
/// skipping an account gives exactly what evaluating it would. After an evaluation at prices p₀ the account gets one slack
/// ε: while every held security's price stays within p₀(1 ± ε), no drift line, no tracking error and no lot can change its
/// flag. A position above its harvest price at p₀ has no lot that can be harvested until it falls to that price; one at or
/// below it has lots on both sides of their thresholds. The scan compares ε with the largest move of any security since p₀
/// (<see cref="IncrementalScan"/>), so skipping an account reads nothing of it but its entry. The few positions whose lots
/// sit closest to their thresholds would hold ε down for the whole account; their bands of prices are kept instead and
/// checked against the batch's prices one by one (<see cref="AccountSlack.Tight"/>).
/// <para>Drift line L with line value N = Cₙ + Sₙ (cash, securities) and the rest of the account R = Cᵣ + Sᵣ: under moves
/// of at most ε its weight w = N/(N + R) stays within [(N − Sₙε)/(N − Sₙε + R + Sᵣε), (N + Sₙε)/(N + Sₙε + R − Sᵣε)]
/// (w rises with N and falls with R, and N, R depend on disjoint positions), so w ≤ U holds while
/// ε ≤ (U·R − (1 − U)·N) / (Sₙ(1 − U) + U·Sᵣ) and w ≥ L while ε ≤ (N(1 − L) − L·R) / (Sₙ(1 − L) + L·Sᵣ).
/// A tracking error is a seminorm of the active weights; each moves by at most g·w with g = 2ε/(1 − ε), so it moves by at
/// most g·K, K the tracking error of the weights themselves with loadings taken absolute. A lot is harvestable exactly
/// below its threshold price (the lot rule is monotone in the price).</para>
/// <para>Each bound keeps a margin (a thousandth of the slack, nothing within 10⁻⁹ of a threshold), far above the kernel's
/// rounding, so the proof holds for the floating-point kernel, not only for exact arithmetic.</para></summary>
public static class PriceSlack
{
    /// <summary>The largest slack granted: the bounds need 1 − ε well above zero, and a move of a third re-evaluates anyway.</summary>
    public const double Max = 0.3;
    private const double Margin = 1e-3;
    private const double Near = 1e-9;
    /// <summary>How many positions' harvest bands an account keeps to check one by one: the ones whose lots sit closest to
    /// their thresholds, which would otherwise hold the whole account's slack down.</summary>
    public const int TightBands = 4;

    /// <summary>The slack of <paramref name="s"/> and its tightest harvest bands, just evaluated at <paramref name="prices"/> (<see cref="TriggerKernel.Evaluate"/>
    /// returned true with these <paramref name="lineWeights"/>, <paramref name="flags"/> and <paramref name="marketValue"/>);
    /// slack 0 when the account must be evaluated at every batch (negative cash or shares, or a flag at its threshold).
    /// The bands are written into <paramref name="reuse"/> when it has their number: an account keeps the same array from
    /// batch to batch, so the monitor's long-lived entries are not handed a new object at each evaluation (each such
    /// reference is a card a young collection scans in the old generation: 93 % of its mark time at 1M accounts).</summary>
    public static AccountSlack Of(AccountSnapshot s, double[] prices, ReadOnlySpan<double> lineWeights, ReadOnlySpan<byte> flags, double marketValue,
        PriceBand[]? reuse = null)
    {
        var cash = s.Cash;
        if (!(cash >= 0) || !(marketValue > 0)) return default;
        var slack = Max;
        var positions = s.Positions;
        for (var p = 0; p < positions.Length; p++)
            if (positions[p].Quantity < 0) return default;

        var lines = s.Lines;
        for (var l = 0; l < lines.Length; l++)
        {
            if (l == s.TrackingLine) continue;
            var w = lineWeights[l];
            var upper = lines[l].Target + lines[l].Tolerance;
            var lower = lines[l].Target - lines[l].Tolerance;
            var cashIn = (l == s.CashLine ? cash : 0) + (l == s.CashSecurityLine ? cash : 0);
            var n = w * marketValue;
            var r = marketValue - n;
            var sn = Math.Max(0, n - cashIn);
            var sr = Math.Max(0, r - (cash - cashIn));
            double bound, distance;
            if (flags[l] == 0)
            {
                distance = Math.Min(upper - w, w - lower);
                bound = Math.Min(StaysAtMost(upper, n, sn, r, sr), StaysAtLeast(lower, n, sn, r, sr));
            }
            else if (w > upper)
            {
                distance = w - upper;
                bound = StaysAtLeast(upper, n, sn, r, sr);
            }
            else
            {
                distance = lower - w;
                bound = StaysAtMost(lower, n, sn, r, sr);
            }
            if (!(distance >= Near)) return default;
            slack = Math.Min(slack, bound);
        }

        if (s.TrackingLine >= 0)
        {
            var te = lineWeights[s.TrackingLine];
            var tolerance = lines[s.TrackingLine].Tolerance;
            var distance = Math.Abs(te - tolerance);
            if (!(distance >= Near)) return default;
            var k = TriggerKernel.TrackingNorm(s, lineWeights, reach: true);
            if (k > 0)
            {
                var g = distance / k;
                slack = Math.Min(slack, g / (2 + g));
            }
        }

        if (!s.HarvestEnabled) return new(slack * (1 - Margin), null);

        // Harvesting: each position's band of prices within which none of its lots changes its flag. A position above its
        // harvest price keeps every lot down until it falls to that price; one at or below it keeps its lots as they are
        // between the highest threshold of a lot that is down and the lowest of a lot that is up. The tightest few bands are
        // kept and checked exactly against the batch's price; the rest bound the slack.
        var positionCount = positions.Length;
        Span<double> above = positionCount <= 512 ? stackalloc double[positionCount] : new double[positionCount];
        Span<double> atMost = positionCount <= 512 ? stackalloc double[positionCount] : new double[positionCount];
        above.Fill(double.NegativeInfinity);
        atMost.Fill(double.PositiveInfinity);
        var cost = 1 + s.HarvestCostRate;
        var lineCount = s.LineCount;
        for (var i = 0; i < s.LotCount; i++)
        {
            var p = s.LotPositions[i];
            ref readonly var row = ref positions[p];
            if (!(prices[row.Ordinal] <= row.HarvestPrice)) continue;
            var quantity = s.LotQuantities[i];
            if (!(quantity > 0)) continue;
            var basis = s.LotBasis[i];
            var threshold = (basis - Math.Max(0, Math.Max(s.HarvestMinDollars, s.HarvestMinPercent * basis))) / (quantity * cost);
            if (!(threshold > 0)) continue; // never harvestable at a positive price
            if (flags[lineCount + i] != 0) atMost[p] = Math.Min(atMost[p], threshold * (1 - Near));
            else above[p] = Math.Max(above[p], threshold * (1 + Near));
        }
        Span<(double Room, PriceBand Band)> tightest = stackalloc (double, PriceBand)[TightBands + 1];
        var kept = 0;
        for (var p = 0; p < positionCount; p++)
        {
            ref readonly var row = ref positions[p];
            if (row.Quantity == 0 || float.IsNegativeInfinity(row.HarvestPrice)) continue;
            var price = prices[row.Ordinal];
            var band = price > row.HarvestPrice
                ? new PriceBand(row.Ordinal, row.HarvestPrice, double.PositiveInfinity)
                : new PriceBand(row.Ordinal, above[p], atMost[p]);
            var room = Math.Min(1 - band.Above / price, band.AtMost / price - 1);
            if (!(room >= Near)) return new(0, null);
            if (room >= slack) continue;
            // Keep the TightBands + 1 tightest, ascending: the last of them bounds the slack for every band not kept.
            if (kept == TightBands + 1 && room >= tightest[TightBands].Room) continue;
            var at = kept == TightBands + 1 ? TightBands : kept++;
            for (; at > 0 && tightest[at - 1].Room > room; at--) tightest[at] = tightest[at - 1];
            tightest[at] = (room, band);
        }
        if (kept > TightBands) slack = Math.Min(slack, tightest[TightBands].Room);
        var checkedBands = Math.Min(kept, TightBands);
        var tight = checkedBands == 0 ? null : reuse?.Length == checkedBands ? reuse : new PriceBand[checkedBands];
        for (var k = 0; k < checkedBands; k++) tight![k] = tightest[k].Band;
        return new(slack * (1 - Margin), tight);
    }

    /// <summary>True when the batch's price of every band's security is inside it.</summary>
    public static bool Inside(PriceBand[]? bands, double[] prices)
    {
        if (bands is null) return true;
        foreach (var band in bands)
        {
            var price = band.Ordinal < prices.Length ? prices[band.Ordinal] : double.NaN;
            if (!(price > band.Above && price <= band.AtMost)) return false;
        }
        return true;
    }

    /// <summary>The largest relative move of any security from <paramref name="reference"/> to <paramref name="prices"/>,
    /// max |p/p₀ − 1|; ∞ when a security priced in either is unpriced in the other (a skip then proves nothing).</summary>
    public static double Reach(double[] reference, double[] prices)
    {
        var reach = 0.0;
        var common = Math.Min(reference.Length, prices.Length);
        for (var o = 0; o < common; o++)
        {
            var before = reference[o];
            var now = prices[o];
            if (double.IsNaN(before) && double.IsNaN(now)) continue;
            var move = Math.Abs(now / before - 1);
            if (!(move <= reach)) reach = double.IsNaN(move) ? double.PositiveInfinity : move;
        }
        for (var o = common; o < prices.Length; o++)
            if (!double.IsNaN(prices[o])) return double.PositiveInfinity;
        return reach;
    }

    // Largest ε with w_hi ≤ upper (see the class summary); ∞ when no move can lift w above it.
    private static double StaysAtMost(double upper, double n, double sn, double r, double sr)
    {
        if (upper >= 1) return double.PositiveInfinity;
        var room = upper * r - (1 - upper) * n;
        var pace = sn * (1 - upper) + upper * sr;
        if (!(room > 0)) return 0;
        return pace > 0 ? room / pace : double.PositiveInfinity;
    }

    // Largest ε with w_lo ≥ lower.
    private static double StaysAtLeast(double lower, double n, double sn, double r, double sr)
    {
        if (lower <= 0) return double.PositiveInfinity;
        var room = n * (1 - lower) - lower * r;
        var pace = sn * (1 - lower) + lower * sr;
        if (!(room > 0)) return 0;
        return pace > 0 ? room / pace : double.PositiveInfinity;
    }
}

/// <summary>Prices of one security within which none of an account's lots in it changes its flag: above
/// <see cref="Above"/> and at most <see cref="AtMost"/>.</summary>
public readonly record struct PriceBand(int Ordinal, double Above, double AtMost);

/// <summary>What <see cref="PriceSlack.Of"/> proves of an account: every flag holds while no security moves more than
/// <see cref="Uniform"/> from the evaluated prices and each of <see cref="Tight"/>'s securities stays inside its band.</summary>
public readonly record struct AccountSlack(double Uniform, PriceBand[]? Tight);
