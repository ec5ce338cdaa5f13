using Households.Simulation.Market;
using Households.Domain;
using Households.Contracts;
using Households.Domain.Lots;

namespace Households.Simulation.Backtesting;

/// <summary>How often a strategy looks for losses to harvest. Intervals are in trading days: weekly 5, monthly 21,
/// quarterly 63, annual 252; <see cref="Never"/> is the no-harvest twin every other strategy is measured against.</summary>
public enum HarvestFrequency
{
    Daily = 0,
    Weekly = 1,
    Monthly = 2,
    Quarterly = 3,
    Annual = 4,
    Never = 5,
}

public static class HarvestFrequencies
{
    public static IReadOnlyList<HarvestFrequency> All { get; } =
        [HarvestFrequency.Daily, HarvestFrequency.Weekly, HarvestFrequency.Monthly, HarvestFrequency.Quarterly, HarvestFrequency.Annual, HarvestFrequency.Never];

    /// <summary>Trading days between harvest checks (0 for never).</summary>
    public static int IntervalDays(this HarvestFrequency f) => f switch
    {
        HarvestFrequency.Daily => 1,
        HarvestFrequency.Weekly => 5,
        HarvestFrequency.Monthly => 21,
        HarvestFrequency.Quarterly => 63,
        HarvestFrequency.Annual => 252,
        _ => 0,
    };

    public static string Name(this HarvestFrequency f) => f.ToString().ToLowerInvariant();
}

/// <summary>How backtest accounts start: <see cref="Cash"/> buys the target at the start (one lot per security at the
/// first day's price, as in the published studies); <see cref="Legacy"/> keeps the generated firm's lots (bought up to
/// four years before, mixed gains and losses).</summary>
public enum BacktestFunding
{
    Cash = 0,
    Legacy = 1,
}

/// <summary>Configuration of a <see cref="Backtest"/>. Every figure is reproducible from <see cref="Seed"/>.</summary>
public sealed record BacktestOptions
{
    /// <summary>Direct-indexing accounts (the <c>DI300</c>-like model of <see cref="DirectIndexStocks"/> stocks). Six: every
    /// account sees the same price path, so a few give the firm's figures, and each harvest decision runs the optimizer
    /// (the default run is about 5,000 decisions, a few minutes on two cores).</summary>
    public int Accounts { get; init; } = 6;
    /// <summary>Fund-model accounts (taxable), harvested through the firm's fund substitute table.</summary>
    public int ModelAccounts { get; init; }
    public int Years { get; init; } = 10;
    public int Seed { get; init; } = 7;
    /// <summary>A <c>*.RET.csv</c> return series to replay (<see cref="ReplayMarket"/>) instead of simulating.</summary>
    public string? ReplayFile { get; init; }
    public TaxRates Rates { get; init; } = TaxRates.Default;
    public HarvestPolicy Policy { get; init; } = HarvestPolicy.Default;
    /// <summary>Trading cost per leg in basis points: the broker's slippage and the optimizer's transaction cost.</summary>
    public decimal CostBps { get; init; } = 5m;
    /// <summary>Harvest a security that has no allowed replacement into cash for 31 days (the firm's
    /// <see cref="Decisions.DecisionSettings.HarvestIntoCash"/>; off: such a loss is not harvested).</summary>
    public bool HarvestIntoCash { get; init; }
    public BacktestFunding Funding { get; init; } = BacktestFunding.Cash;
    /// <summary>A direct-index account's tracking-error band (annualised, to its index): the monitor raises a drift trigger
    /// above it and the engine plans within <see cref="Optimization.BandPenalty.Aim"/> of it. The live default.</summary>
    public decimal TrackingBand { get; init; } = AccountSpec.DefaultTrackingErrorBand;
    /// <summary>Stocks in the generated universe (the direct index holds the largest <see cref="DirectIndexStocks"/>).</summary>
    public int Stocks { get; init; } = 1_000;
    public int DirectIndexStocks { get; init; } = 300;
    /// <summary>Replacements come from the largest <see cref="ReplacementPool"/> stocks (and all funds).</summary>
    public int ReplacementPool { get; init; } = 600;
    public bool FatTails { get; init; } = true;
    public bool Regimes { get; init; } = true;
    public int MaxParallelism { get; init; } = Environment.ProcessorCount;
    public DateOnly Start { get; init; } = new(2026, 1, 2);
    public IReadOnlyList<HarvestFrequency> Frequencies { get; init; } = HarvestFrequencies.All;

    public const int TradingDaysPerYear = 252;

    public int Days => Years * TradingDaysPerYear;

    /// <summary>Throws <see cref="BadInputException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        if (Accounts < 0 || ModelAccounts < 0 || Accounts + ModelAccounts == 0)
            throw new BadInputException("accounts: need at least one direct-indexing or model account");
        if (Accounts + ModelAccounts > 1_000_000) throw new BadInputException("accounts: at most 1,000,000");
        if (Years is < 1 or > 50) throw new BadInputException("years: must be between 1 and 50");
        if (Rates.ShortTerm is < 0 or >= 1 || Rates.LongTerm is < 0 or >= 1)
            throw new BadInputException("short-rate/long-rate: must be between 0 and 1");
        if (Policy.MinLossPercent is < 0 or >= 1 || Policy.MinLossDollars < 0)
            throw new BadInputException("min-loss-percent/min-loss-dollars: percent in [0, 1), dollars >= 0");
        if (CostBps is < 0 or > 1000) throw new BadInputException("cost-bps: must be between 0 and 1000");
        if (TrackingBand is <= 0 or >= 1) throw new BadInputException("tracking-band: must be above 0 and below 1");
        if (DirectIndexStocks < 10 || DirectIndexStocks > Stocks) throw new BadInputException("direct-index-stocks: between 10 and the universe's stocks");
        if (Stocks is < 50 or > 10_000) throw new BadInputException("stocks: between 50 and 10,000");
        if (ReplacementPool < DirectIndexStocks) throw new BadInputException("replacement-pool: at least the direct index's stocks");
        if (MaxParallelism < 1) throw new BadInputException("parallelism: at least 1");
        if (Frequencies.Count == 0 || !Frequencies.Contains(HarvestFrequency.Never))
            throw new BadInputException("strategies: the never-harvest twin is required");
    }
}
