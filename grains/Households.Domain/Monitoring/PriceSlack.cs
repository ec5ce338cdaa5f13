namespace Households.Domain.Monitoring;

/// <summary>How far an account's prices may move before any of its flags can change: the incremental scan's proof that
/// skipping an account gives exactly what evaluating it would. After an evaluation at prices p₀ the account gets one slack
/// ε: while every held security's price stays within p₀(1 ± ε), no drift line, no tracking error and no lot of a position
/// that was at or below its harvest price can change its flag. A position above its harvest price at p₀ has no lot that can
/// be harvested until it falls to that price, which the skip test checks by itself (no slack spent on it).
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

    /// <summary>The slack of <paramref name="s"/> just evaluated at <paramref name="prices"/> (<see cref="TriggerKernel.Evaluate"/>
    /// returned true with these <paramref name="lineWeights"/>, <paramref name="flags"/> and <paramref name="marketValue"/>);
    /// 0 when the account must be evaluated at every batch (negative cash or shares, or a flag at its threshold).</summary>
    public static double Of(AccountSnapshot s, double[] prices, ReadOnlySpan<double> lineWeights, ReadOnlySpan<byte> flags, double marketValue)
    {
        var cash = s.Cash;
        if (!(cash >= 0) || !(marketValue > 0)) return 0;
        var slack = Max;
        var positions = s.Positions;
        for (var p = 0; p < positions.Length; p++)
            if (positions[p].Quantity < 0) return 0;

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
            if (!(distance >= Near)) return 0;
            slack = Math.Min(slack, bound);
        }

        if (s.TrackingLine >= 0)
        {
            var te = lineWeights[s.TrackingLine];
            var tolerance = lines[s.TrackingLine].Tolerance;
            var distance = Math.Abs(te - tolerance);
            if (!(distance >= Near)) return 0;
            var k = TrackingReach(s, lineWeights);
            if (k > 0)
            {
                var g = distance / k;
                slack = Math.Min(slack, g / (2 + g));
            }
        }

        if (s.HarvestEnabled)
        {
            var cost = 1 + s.HarvestCostRate;
            var lineCount = s.LineCount;
            for (var i = 0; i < s.LotCount; i++)
            {
                ref readonly var row = ref positions[s.LotPositions[i]];
                var price = prices[row.Ordinal];
                if (!(price <= row.HarvestPrice)) continue; // above its harvest price: the skip test watches it directly
                var quantity = s.LotQuantities[i];
                if (!(quantity > 0)) continue;
                var basis = s.LotBasis[i];
                var threshold = (basis - Math.Max(0, Math.Max(s.HarvestMinDollars, s.HarvestMinPercent * basis))) / (quantity * cost);
                if (!(threshold > 0)) continue; // never harvestable at a positive price
                var room = flags[lineCount + i] != 0 ? threshold / price - 1 : 1 - threshold / price;
                if (!(room >= Near)) return 0;
                slack = Math.Min(slack, room);
            }
        }
        return slack * (1 - Margin);
    }

    /// <summary>True when every held position of <paramref name="s"/> is within <paramref name="slack"/> of its price in
    /// <paramref name="reference"/> and still above its harvest price if it was there: the flags at <paramref name="prices"/>
    /// are those at the reference. <paramref name="marketValue"/> gets the account's value at <paramref name="prices"/>, summed
    /// as the kernel sums it.</summary>
    public static bool Holds(AccountSnapshot s, double[] prices, double[] reference, double slack, out double marketValue)
    {
        marketValue = s.Cash;
        var low = 1 - slack;
        var high = 1 + slack;
        var positions = s.Positions;
        for (var p = 0; p < positions.Length; p++)
        {
            ref readonly var row = ref positions[p];
            if (row.Quantity == 0) continue;
            var o = row.Ordinal;
            if (o >= prices.Length || o >= reference.Length) return false;
            var price = prices[o];
            var before = reference[o];
            if (!(price >= before * low && price <= before * high)) return false;
            if (before > row.HarvestPrice && !(price > row.HarvestPrice)) return false;
            marketValue += row.Quantity * price;
        }
        return true;
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

    /// <summary>K: the tracking error of the line weights themselves with every loading taken absolute, √(Σ_k f_k (Σ_i w_i |b_ik|)²
    /// + Σ_i d_i w_i²); a move of at most ε changes the tracking error by at most K·2ε/(1 − ε).</summary>
    private static double TrackingReach(AccountSnapshot s, ReadOnlySpan<double> lineWeights)
    {
        var fv = s.FactorVariances;
        Span<double> exposure = stackalloc double[TrackingRisk.MaxFactors];
        exposure = exposure[..Math.Min(TrackingRisk.MaxFactors, fv.Length)];
        exposure.Clear();
        double specific = 0;
        var positions = s.Positions;
        var rows = s.TrackingRows;
        for (var p = 0; p < positions.Length; p++)
        {
            var line = positions[p].SecurityLine;
            if (line < 0 || rows[p] is not { } row) continue;
            var w = Math.Abs(lineWeights[line]);
            if (w == 0) continue;
            var loadings = row.Loadings;
            for (var k = 0; k < exposure.Length; k++) exposure[k] += w * Math.Abs(loadings[k]);
            specific += w * w * row.Specific;
        }
        var variance = specific;
        for (var k = 0; k < exposure.Length; k++) variance += fv[k] * exposure[k] * exposure[k];
        return Math.Sqrt(Math.Max(0, variance));
    }
}
