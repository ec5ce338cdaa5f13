using Households.Contracts;

namespace Households.Domain.Monitoring;

/// <summary>The monitor's inner loop over one account: value positions at the board's prices, measure every
/// drift line against its band, and test every lot against the harvest thresholds. Allocation-free; the
/// same code serves the silo monitor, the account's own view and the load test's bare loop.</summary>
public static class TriggerKernel
{
    /// <summary>Evaluates <paramref name="s"/>. <paramref name="lineWeights"/> gets each line's weight;
    /// <paramref name="flags"/> (length lines + lots) gets 1 where a line is out of band or a lot is harvestable.
    /// Returns false (flags untouched) when a needed price is missing or the account has no value.</summary>
    public static bool Evaluate(AccountSnapshot s, double[] prices, Span<double> lineWeights, Span<byte> flags, out double marketValue)
    {
        // One pass over the positions: value, line weights and whether any position is at or below its harvest price.
        marketValue = s.Cash;
        var positions = s.Positions;
        var lines = s.LineCount;
        lineWeights[..lines].Clear();
        var anyNear = false;
        for (var p = 0; p < positions.Length; p++)
        {
            ref readonly var row = ref positions[p];
            var o = row.Ordinal;
            var price = o < prices.Length ? prices[o] : double.NaN;
            if (double.IsNaN(price)) { if (row.Quantity != 0) return false; continue; }
            if (row.Quantity == 0) continue;
            var value = row.Quantity * price;
            marketValue += value;
            if (row.SecurityLine >= 0) lineWeights[row.SecurityLine] += value;
            if (row.ClassLine >= 0) lineWeights[row.ClassLine] += value;
            anyNear |= price <= row.HarvestPrice;
        }
        if (marketValue <= 0) return false;
        if (s.CashLine >= 0) lineWeights[s.CashLine] += s.Cash;
        if (s.CashSecurityLine >= 0) lineWeights[s.CashSecurityLine] += s.Cash;

        var inverse = 1.0 / marketValue;
        var lineRows = s.Lines;
        for (var l = 0; l < lines; l++)
        {
            var w = lineWeights[l] * inverse;
            lineWeights[l] = w;
            flags[l] = Math.Abs(w - lineRows[l].Target) > lineRows[l].Tolerance ? (byte)1 : (byte)0;
        }
        if (s.TrackingLine >= 0)
        {
            var te = TrackingError(s, lineWeights);
            lineWeights[s.TrackingLine] = te;
            flags[s.TrackingLine] = te > lineRows[s.TrackingLine].Tolerance ? (byte)1 : (byte)0;
        }

        var lots = s.LotCount;
        var lotFlags = flags.Slice(lines, lots);
        lotFlags.Clear();
        // Most positions are above every lot's harvest price (−∞ when harvesting is off): their lots are never read.
        if (!anyNear) return true;
        var lotPositions = s.LotPositions;
        for (var i = 0; i < lots; i++)
        {
            ref readonly var row = ref positions[lotPositions[i]];
            var price = prices[row.Ordinal];
            if (!(price <= row.HarvestPrice)) continue;
            // Per lot in dollars: loss = basis − value − round trip; the percent test is loss ≥ min% × basis.
            var basis = s.LotBasis[i];
            var quantity = s.LotQuantities[i];
            var loss = basis - quantity * price * (1 + s.HarvestCostRate);
            lotFlags[i] = loss > 0 && quantity > 0 && loss >= s.HarvestMinDollars && loss >= s.HarvestMinPercent * basis ? (byte)1 : (byte)0;
        }
        return true;
    }

    /// <summary>A direct index's annualised tracking error from its normalized line weights: each position's active weight
    /// a (its line's weight less target; a direct index has one line per security) through the shared factor rows,
    /// √(Σ_k f_k (Σ_i a_i b_ik)² + Σ_i d_i a_i²) — the optimizer's (w − b)ᵀ(B F Bᵀ + D)(w − b) with F diagonal.</summary>
    private static double TrackingError(AccountSnapshot s, Span<double> lineWeights) => TrackingNorm(s, lineWeights, reach: false);

    /// <summary>√(Σ_k f_k (Σ_i a_i b_ik)² + Σ_i d_i a_i²) over the positions' lines: with a_i the active weight (line weight less
    /// target) the tracking error; with <paramref name="reach"/>, a_i the line weight itself and every loading taken absolute,
    /// the most a move of every weight by a share g of itself can change the tracking error, divided by g (a seminorm's
    /// triangle inequality: <see cref="PriceSlack"/>).</summary>
    internal static double TrackingNorm(AccountSnapshot s, ReadOnlySpan<double> lineWeights, bool reach)
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
            var a = reach ? Math.Abs(lineWeights[line]) : lineWeights[line] - s.Lines[line].Target;
            if (a == 0) continue;
            var loadings = row.Loadings;
            if (reach) for (var k = 0; k < exposure.Length; k++) exposure[k] += a * Math.Abs(loadings[k]);
            else for (var k = 0; k < exposure.Length; k++) exposure[k] += a * loadings[k];
            specific += a * a * row.Specific;
        }
        var variance = specific;
        for (var k = 0; k < exposure.Length; k++) variance += fv[k] * exposure[k] * exposure[k];
        return Math.Sqrt(Math.Max(0, variance));
    }

    /// <summary>The account's drift lines at these prices, for views and the API.</summary>
    public static DriftLine[] DriftLines(AccountSnapshot s, double[] prices)
    {
        var weights = new double[s.LineCount];
        var flags = new byte[s.LineCount + s.LotCount];
        if (!Evaluate(s, prices, weights, flags, out _)) return [];
        var result = new DriftLine[s.LineCount];
        for (var l = 0; l < result.Length; l++)
            result[l] = new DriftLine(s.LineLevels[l], s.LineKeys[l], weights[l], s.Lines[l].Target, weights[l] - s.Lines[l].Target,
                s.Lines[l].Tolerance, flags[l] == 1);
        return result;
    }

    /// <summary>What one evaluation's weights and flags say about the account: lines out of band, the largest
    /// |weight − target|, harvestable lots and their loss net of the estimated round trip (as the harvest trigger counts
    /// it). Shared by the live figures and the stress test.</summary>
    public static AccountMeasure Measure(AccountSnapshot s, ReadOnlySpan<double> lineWeights, ReadOnlySpan<byte> flags, double[] prices)
    {
        int outOfBand = 0, harvestable = 0;
        double largest = 0, loss = 0;
        for (var l = 0; l < s.LineCount; l++)
        {
            if (flags[l] != 0) outOfBand++;
            largest = Math.Max(largest, Math.Abs(lineWeights[l] - s.Lines[l].Target));
        }
        for (var i = 0; i < s.LotCount; i++)
        {
            if (flags[s.LineCount + i] == 0) continue;
            harvestable++;
            loss += HarvestLoss(s, i, prices);
        }
        return new AccountMeasure(outOfBand, largest, harvestable, loss);
    }

    /// <summary>Lot <paramref name="lot"/>'s loss in dollars net of the estimated round-trip cost (basis − value × (1 + cost
    /// rate)), the figure the harvest test compares with the thresholds; negative for a gain.</summary>
    public static double HarvestLoss(AccountSnapshot s, int lot, double[] prices) =>
        s.LotBasis[lot] - s.LotQuantities[lot] * prices[s.Positions[s.LotPositions[lot]].Ordinal] * (1 + s.HarvestCostRate);

    /// <summary>Turns the flags that newly went up (0 before, up now) into triggers: one per drift line, and one per
    /// position with a newly harvestable lot, observing the loss of all its lots harvestable now (the household plans
    /// a harvest by security, and one notice per lot would repeat the subject).</summary>
    public static void Crossings(AccountSnapshot s, ReadOnlySpan<double> lineWeights, ReadOnlySpan<byte> before, ReadOnlySpan<byte> now,
        double[] prices, long sequence, DateTimeOffset publishedAt, DateTimeOffset detectedAt, List<Trigger> into)
    {
        for (var l = 0; l < s.LineCount; l++)
        {
            if (now[l] == 0 || before[l] != 0) continue;
            into.Add(new Trigger(TriggerKind.Drift, s.AccountId, s.LineKeys[l], lineWeights[l], s.Lines[l].Target,
                s.Lines[l].Tolerance, sequence, publishedAt, detectedAt));
        }
        var positions = s.PositionCount;
        Span<double> loss = positions <= 256 ? stackalloc double[positions] : new double[positions];
        Span<bool> rose = positions <= 256 ? stackalloc bool[positions] : new bool[positions];
        loss.Clear();
        rose.Clear();
        var any = false;
        for (var i = 0; i < s.LotCount; i++)
        {
            var f = s.LineCount + i;
            if (now[f] == 0) continue;
            var p = s.LotPositions[i];
            loss[p] += HarvestLoss(s, i, prices);
            if (before[f] == 0) rose[p] = any = true;
        }
        if (!any) return;
        for (var p = 0; p < positions; p++)
            if (rose[p])
                into.Add(new Trigger(TriggerKind.Harvest, s.AccountId, s.PositionSymbols[p], loss[p], 0, s.HarvestMinDollars,
                    sequence, publishedAt, detectedAt));
    }
}

/// <summary>See <see cref="TriggerKernel.Measure"/>.</summary>
public readonly record struct AccountMeasure(int OutOfBand, double LargestDrift, int HarvestableLots, double HarvestableLoss);
