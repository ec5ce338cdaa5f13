using Households.Domain;
using System.Text.Json.Serialization;
using Households.Domain.Lots;

namespace Households.Simulation.Stress;

/// <summary>Options of a stress run.</summary>
public sealed record StressOptions
{
    /// <summary>Worker threads (households are independent).</summary>
    public int MaxParallelism { get; init; } = Environment.ProcessorCount;
    /// <summary>Trading days between checkpoints of a multi-day scenario; 0 = daily up to 30 days, else every 21.</summary>
    public int StepDays { get; init; }
    /// <summary>Per-household rows: every household when the run has at most this many, else the worst ones.</summary>
    public int AllHouseholdsUpTo { get; init; } = 500;
    /// <summary>How many worst households (largest account drift after the shock) the report lists otherwise.</summary>
    public int WorstHouseholds { get; init; } = 20;
    /// <summary>Keep each account's drift before and after (for the chart); off for the largest runs if memory is short.</summary>
    public bool KeepDrift { get; init; } = true;
    /// <summary>Firm-wide optimizer decisions allowed per checkpoint (0 = no limit), like the live firm-wide trigger
    /// budget; triggered households beyond it are counted as deferred (their triggers and wash-sale holds still count).</summary>
    public int MaxDecisionsPerCheckpoint { get; init; }
    /// <summary>As the live monitor: an account still out of tolerance or harvestable this long after it was last reported
    /// is reported again (zero: crossings only).</summary>
    public TimeSpan Reminder { get; init; } = TimeSpan.FromDays(1);

    public void Validate()
    {
        if (MaxParallelism < 1) throw new BadInputException("parallelism must be >= 1");
        if (StepDays < 0) throw new BadInputException("stepDays must be >= 0");
        if (WorstHouseholds < 0) throw new BadInputException("worst must be >= 0");
        if (MaxDecisionsPerCheckpoint < 0) throw new BadInputException("maxDecisions must be >= 0");
        if (Reminder < TimeSpan.Zero) throw new BadInputException("reminder must be >= 0");
    }
}

/// <summary>Figures of a stress run for the firm or one household (see docs/stress.md). Money in dollars; "before" is at
/// the prices before the shock, "after" at the end of the scenario on the books as they were (the raw shock),
/// "after trades" on the books after the simulated decisions.</summary>
public sealed record StressFigures(
    int Households,
    int Accounts,
    long Lots,
    decimal MarketValueBefore,
    decimal MarketValueAfter,
    int AccountsOutOfBandBefore,
    int AccountsOutOfBandAfter,
    int AccountsOutOfBandAfterTrades,
    decimal HarvestableLossesBefore,
    decimal HarvestableLossesAfter,
    int DriftTriggers,
    int HarvestTriggers,
    int HouseholdsDecided,
    int Decisions,
    int DecisionsDeferred,
    int OptimizerFailures,
    int ProposedTrades,
    int TradesAwaitingApproval,
    int Fills,
    int OrdersRefused,
    decimal TradedValue,
    double Turnover,
    decimal CashNeeded,
    decimal CashShortfall,
    decimal RealizedShortTerm,
    decimal RealizedLongTerm,
    decimal HarvestedLosses,
    decimal Tax,
    int WashSaleConflictsAvoided,
    double OptimizerMilliseconds,
    double ElapsedMilliseconds,
    int SelfWashedSales = 0,
    int SelfBlockedHarvests = 0,
    int DustFills = 0,
    int DecisionsRelaxed = 0,
    int HarvestsDeferredByOwnPurchases = 0,
    double MaxCheckpointTurnover = 0,
    int HoldingPeriodBreaches = 0);

/// <summary>One household's figures and its largest account drift before and after the shock.</summary>
public sealed record StressHouseholdRow(string Household, double MaxDriftBefore, double MaxDriftAfter, StressFigures Figures);

/// <summary>Accounts by their largest |weight − target| in bins of <see cref="BinWidth"/> (the last bin holds everything
/// beyond).</summary>
public sealed record DriftHistogram(double BinWidth, long[] Before, long[] After);

/// <summary>The stress report: the scenario, how it was run, firm-wide figures, households (all or the worst), the drift
/// distribution and how long it took.</summary>
public sealed record StressReport(
    string Scenario,
    string Description,
    int Days,
    int[] Checkpoints,
    DateOnly AsOf,
    decimal ShortTermRate,
    decimal LongTermRate,
    int Parallelism,
    StressFigures Firm,
    bool AllHouseholds,
    StressHouseholdRow[] Households,
    DriftHistogram Drift,
    double ElapsedSeconds);

/// <summary>A report plus each account's largest drift before and after the shock (for the chart; not serialized).</summary>
public sealed record StressResult(StressReport Report, [property: JsonIgnore] double[] DriftBefore, [property: JsonIgnore] double[] DriftAfter)
{
    public static TaxRates RatesOf(StressReport r) => new(r.ShortTermRate, r.LongTermRate);
}
