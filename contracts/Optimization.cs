using System.Collections.Immutable;

namespace Households.Contracts;

/// <summary>Why the optimizer placed a trade; a trade may have several reasons.</summary>
[Flags]
[GenerateSerializer]
public enum TradeReason
{
    None = 0,
    Drift = 1,
    Harvest = 2,
    Restriction = 4,
    Cash = 8,
    AssetLocation = 16,
    ModelChange = 32,
}

/// <summary>One trade the optimizer proposes, with its reasons and tax effect (realized gain by term; the lots
/// it sells). Weights are fractions of household value before and after.</summary>
[GenerateSerializer, Immutable, Alias("OptimizedTrade")]
public sealed record OptimizedTrade(
    [property: Id(0)] string Account,
    [property: Id(1)] string Symbol,
    [property: Id(2)] TradeSide Side,
    [property: Id(3)] decimal Quantity,
    [property: Id(4)] decimal Amount,
    [property: Id(5)] double WeightBefore,
    [property: Id(6)] double WeightAfter,
    [property: Id(7)] TradeReason Reasons,
    [property: Id(8)] decimal ShortTermGain,
    [property: Id(9)] decimal LongTermGain,
    ImmutableArray<LotSale> Lots)
{
    [Id(10)] public ImmutableArray<LotSale> Lots { get => field.OrEmpty(); init; } = Lots;
}

[GenerateSerializer]
public enum OptimizationStatus
{
    Optimal = 0,
    Infeasible = 1,
    NotConverged = 2,
}

/// <summary>A household rebalance: the trades, tracking error before and after, realized gains, and how the
/// solve went (objective, solver, wall time of the solves alone).</summary>
[GenerateSerializer, Immutable, Alias("RebalanceResult")]
public sealed record RebalanceResult(
    [property: Id(0)] OptimizationStatus Status,
    ImmutableArray<OptimizedTrade> Trades,
    double TrackingErrorBefore,
    double TrackingErrorAfter,
    decimal ShortTermGain,
    decimal LongTermGain,
    double Objective,
    string Solver,
    int Solves,
    double SolveMilliseconds)
{
    [Id(1)] public ImmutableArray<OptimizedTrade> Trades { get => field.OrEmpty(); init; } = Trades;
    [Id(2)] public double TrackingErrorBefore { get; init; } = TrackingErrorBefore;
    [Id(3)] public double TrackingErrorAfter { get; init; } = TrackingErrorAfter;
    [Id(4)] public decimal ShortTermGain { get; init; } = ShortTermGain;
    [Id(5)] public decimal LongTermGain { get; init; } = LongTermGain;
    [Id(6)] public double Objective { get; init; } = Objective;
    [Id(7)] public string Solver { get; init; } = Solver;
    [Id(8)] public int Solves { get; init; } = Solves;
    [Id(9)] public double SolveMilliseconds { get; init; } = SolveMilliseconds;
}
