using Households.Contracts;

namespace Households.Domain.Monitoring;

/// <summary>The monitor's inner loop over one account: value positions at the board's prices, measure every
/// drift line against its band, and test every lot against the harvest thresholds. Allocation-free; the
/// same code serves the silo monitor, the account's own view and the load test's bare loop.</summary>
public static class TriggerKernel
{
    /// <summary>Evaluates <paramref name="s"/>. <paramref name="lineWeights"/> gets each line's weight;
    /// <paramref name="flags"/> (length lines + lots) gets 1 where a line is out of band or a lot is harvestable.
    /// Returns false (and touches nothing) when a needed price is missing or the account has no value.</summary>
    public static bool Evaluate(AccountSnapshot s, double[] prices, Span<double> lineWeights, Span<byte> flags, out double marketValue)
    {
        marketValue = s.Cash;
        var ordinals = s.PositionOrdinals;
        var quantities = s.PositionQuantities;
        for (var p = 0; p < ordinals.Length; p++)
        {
            var o = ordinals[p];
            var price = o < prices.Length ? prices[o] : double.NaN;
            if (double.IsNaN(price)) { if (quantities[p] != 0) return false; continue; }
            marketValue += quantities[p] * price;
        }
        if (marketValue <= 0) return false;

        var lines = s.LineCount;
        lineWeights[..lines].Clear();
        for (var p = 0; p < ordinals.Length; p++)
        {
            if (quantities[p] == 0) continue;
            var value = quantities[p] * prices[ordinals[p]];
            if (s.PositionSecurityLine[p] >= 0) lineWeights[s.PositionSecurityLine[p]] += value;
            if (s.PositionClassLine[p] >= 0) lineWeights[s.PositionClassLine[p]] += value;
        }
        if (s.CashLine >= 0) lineWeights[s.CashLine] += s.Cash;
        if (s.CashSecurityLine >= 0) lineWeights[s.CashSecurityLine] += s.Cash;

        var inverse = 1.0 / marketValue;
        var targets = s.LineTargets;
        var tolerances = s.LineTolerances;
        for (var l = 0; l < lines; l++)
        {
            var w = lineWeights[l] * inverse;
            lineWeights[l] = w;
            flags[l] = Math.Abs(w - targets[l]) > tolerances[l] ? (byte)1 : (byte)0;
        }

        var lots = s.LotCount;
        if (!s.HarvestEnabled) { flags.Slice(lines, lots).Clear(); return true; }
        for (var i = 0; i < lots; i++)
        {
            // Per lot in dollars: loss = basis − value − round trip; the percent test is loss ≥ min% × basis.
            var basis = s.LotBasis[i];
            var quantity = s.LotQuantities[i];
            var loss = basis - quantity * prices[ordinals[s.LotPositions[i]]] * (1 + s.HarvestCostRate);
            flags[lines + i] = loss > 0 && quantity > 0 && loss >= s.HarvestMinDollars && loss >= s.HarvestMinPercent * basis ? (byte)1 : (byte)0;
        }
        return true;
    }

    /// <summary>The account's drift lines at these prices, for views and the API.</summary>
    public static DriftLine[] DriftLines(AccountSnapshot s, double[] prices)
    {
        var weights = new double[s.LineCount];
        var flags = new byte[s.LineCount + s.LotCount];
        if (!Evaluate(s, prices, weights, flags, out _)) return [];
        var result = new DriftLine[s.LineCount];
        for (var l = 0; l < result.Length; l++)
            result[l] = new DriftLine(s.LineLevels[l], s.LineKeys[l], weights[l], s.LineTargets[l], weights[l] - s.LineTargets[l],
                s.LineTolerances[l], flags[l] == 1);
        return result;
    }

    /// <summary>Lot <paramref name="lot"/>'s loss in dollars net of the estimated round-trip cost (basis − value × (1 + cost
    /// rate)), the figure the harvest test compares with the thresholds; negative for a gain.</summary>
    public static double HarvestLoss(AccountSnapshot s, int lot, double[] prices) =>
        s.LotBasis[lot] - s.LotQuantities[lot] * prices[s.PositionOrdinals[s.LotPositions[lot]]] * (1 + s.HarvestCostRate);

    /// <summary>Turns the flags that newly went up (0 before, 1 now) into triggers.</summary>
    public static void Crossings(AccountSnapshot s, ReadOnlySpan<double> lineWeights, ReadOnlySpan<byte> before, ReadOnlySpan<byte> now,
        double[] prices, long sequence, DateTimeOffset publishedAt, DateTimeOffset detectedAt, List<Trigger> into)
    {
        for (var l = 0; l < s.LineCount; l++)
        {
            if (now[l] == 0 || before[l] == 1) continue;
            into.Add(new Trigger(TriggerKind.Drift, s.AccountId, s.LineKeys[l], lineWeights[l], s.LineTargets[l],
                s.LineTolerances[l], sequence, publishedAt, detectedAt));
        }
        for (var i = 0; i < s.LotCount; i++)
        {
            var f = s.LineCount + i;
            if (now[f] == 0 || before[f] == 1) continue;
            into.Add(new Trigger(TriggerKind.Harvest, s.AccountId, s.PositionSymbols[s.LotPositions[i]],
                HarvestLoss(s, i, prices), 0, s.HarvestMinDollars, sequence, publishedAt, detectedAt));
        }
    }
}
