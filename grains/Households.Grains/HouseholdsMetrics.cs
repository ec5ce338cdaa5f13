using System.Diagnostics.Metrics;
using Households.Contracts;

namespace Households.Grains;

/// <summary>The product's meter <c>Households</c>: defined once, recorded grain-side (monitor, household grain),
/// exported by the silo's OpenTelemetry pipeline (Prometheus names: <c>households_*</c>). Instruments cost nothing
/// when no listener is attached.</summary>
public static class HouseholdsMetrics
{
    public const string MeterName = "Households";

    private static readonly Meter Meter = new(MeterName, "1.0");

    private static readonly Counter<long> PriceBatches = Meter.CreateCounter<long>(
        "households.price_batches", "{batch}", "Price batches scanned by the silo's monitor");

    private static readonly Counter<long> PositionEvaluations = Meter.CreateCounter<long>(
        "households.position_evaluations", "{position}", "Positions evaluated against their trigger thresholds");

    private static readonly Counter<long> Triggers = Meter.CreateCounter<long>(
        "households.triggers", "{trigger}", "Triggers raised by the monitor");

    private static readonly Counter<long> Proposals = Meter.CreateCounter<long>(
        "households.proposals", "{proposal}", "Proposals by outcome: pending, executed, failed, rejected, superseded, expired");

    private static readonly Counter<long> Fills = Meter.CreateCounter<long>(
        "households.fills", "{fill}", "Trades filled for the engine's executed proposals");

    private static readonly Counter<double> HarvestedLosses = Meter.CreateCounter<double>(
        "households.harvested_losses", "USD", "Recognized losses realized by trades the engine executed");

    private static readonly Histogram<double> OptimizerSolveTime = Meter.CreateHistogram<double>(
        "households.optimizer.solve_time", "ms", "Optimizer solve time per household decision",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000] });

    /// <summary>One monitor scan: a batch, its evaluated positions and the triggers it raised.</summary>
    public static void Scanned(long positions, long triggers)
    {
        PriceBatches.Add(1);
        PositionEvaluations.Add(positions);
        Triggers.Add(triggers);
    }

    public static void Proposal(ProposalStatus outcome) =>
        Proposals.Add(1, new KeyValuePair<string, object?>("outcome", outcome.ToString().ToLowerInvariant()));

    /// <summary>An executed proposal: its fills, and the recognized losses (as a positive dollar figure) among the lots they sold.</summary>
    public static void Executed(IReadOnlyCollection<TradeResult> fills)
    {
        if (fills.Count > 0) Fills.Add(fills.Count);
        Executed(fills.SelectMany(f => f.Realized));
    }

    /// <summary>The recognized losses (as a positive dollar figure) among the lots an executed trade sold.</summary>
    public static void Executed(IEnumerable<RealizedLot> realized)
    {
        var loss = realized.Where(r => r.Recognized < 0).Sum(r => -r.Recognized);
        if (loss > 0) HarvestedLosses.Add((double)loss);
    }

    public static void Solved(double milliseconds, OptimizationStatus status) =>
        OptimizerSolveTime.Record(milliseconds, new KeyValuePair<string, object?>("status", status.ToString().ToLowerInvariant()));
}
