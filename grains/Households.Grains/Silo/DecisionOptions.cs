using Microsoft.Extensions.DependencyInjection;
using Households.Domain.Decisions;
using Households.Domain.Lots;

namespace Households.Grains.Silo;

/// <summary>Firm settings for triggers, decisions and the simulated broker (configuration section "Decisions").</summary>
public sealed class DecisionOptions
{
    public TimeSpan Cooldown { get; set; } = TriggerPolicy.Default.Cooldown;
    public int PerAccountPerHour { get; set; } = TriggerPolicy.Default.PerAccountPerHour;
    public double FirmPerSecond { get; set; } = TriggerPolicy.Default.FirmPerSecond;
    public int FirmBurst { get; set; } = TriggerPolicy.Default.FirmBurst;
    /// <summary>Households of this silo that may have a decision waiting or running before the monitor holds further
    /// market notices back (backpressure: a silo wakes no more households than it can decide). 0: no limit.</summary>
    public int MaxHouseholdsDeciding { get; set; } = 64;
    /// <summary>Threads of the silo's <see cref="DecisionLane"/>, which then decides what the market causes (0, the default:
    /// no lane, a household decides on its own turn). A firm that wants its monitor to keep scanning through a shock on a
    /// small silo turns it on; the price is fewer decisions a second while the cores are full (docs/benchmarks.md).</summary>
    public int LaneThreads { get; set; }
    /// <summary>The nice value on Linux (0–19) of the decision lane's threads after its first: above the monitor scan's (5),
    /// so they decide only with the cycles the scan and the request threads leave. The first thread runs at the silo's
    /// priority, so decisions never wait behind the silo's own work.</summary>
    public int LaneNice { get; set; } = 15;
    public decimal ShortTermRate { get; set; } = TaxRates.Default.ShortTerm;
    public decimal LongTermRate { get; set; } = TaxRates.Default.LongTerm;
    public double TransactionCost { get; set; } = DecisionSettings.Default.TransactionCost;
    public decimal MinTrade { get; set; } = DecisionSettings.Default.MinTrade;
    public TimeSpan ProposalLifetime { get; set; } = DecisionSettings.Default.ProposalLifetime;
    /// <summary>On approval, re-optimize when a traded price moved more than this fraction.</summary>
    public double RevalidationTolerance { get; set; } = DecisionSettings.Default.RevalidationTolerance;
    public double SlippageBps { get; set; } = DecisionSettings.Default.SlippageBps;
    public decimal Commission { get; set; } = DecisionSettings.Default.Commission;
    /// <summary>The firm's substitute table: securities it treats as not substantially identical to the key, used
    /// to replace a harvested fund.</summary>
    public Dictionary<string, string[]> Substitutes { get; set; } = new(StringComparer.Ordinal);
    /// <summary>A loss position without an allowed replacement may be sold into cash for the 31-day window (off: it keeps
    /// its target weight until a replacement exists or the window passes).</summary>
    public bool HarvestIntoCash { get; set; }
    /// <summary>The share of a household's value (one way: sales, and purchases, each) that the decisions the market causes may
    /// trade in one day: the firm's turnover budget in a market-wide move. Decisions a client causes (cash, restrictions,
    /// a model change) are not held to it.</summary>
    public double DailyTurnover { get; set; } = DecisionSettings.Default.DailyTurnover;
    /// <summary>Days a lot the household bought is held: not sold, nor its position trimmed through older lots, unless at a
    /// harvestable loss or a client's exclusion or withdrawal needs it (0: off).</summary>
    public int HoldingDays { get; set; } = DecisionSettings.Default.HoldingDays;
    /// <summary>Optimize only the account whose triggers arrived, alone, instead of the whole household.</summary>
    public bool PlanEachAccountAlone { get; set; }
    /// <summary>Leave an account with an open (unresolved) custodian reconciliation break out of decisions until it is resolved.</summary>
    public bool BlockOnBreaks { get; set; }
    /// <summary>The firm's investment policy (<c>Decisions:Policy</c>): what every household's and account's policy falls
    /// through to (tracking-error weight, tax sensitivity, views, bands, tilts, location, objective).</summary>
    public Households.Contracts.InvestmentPolicy? Policy { get; set; }

    public TriggerPolicy Triggers => new(Cooldown, PerAccountPerHour, FirmPerSecond, FirmBurst);

    public DecisionSettings Settings => new(new TaxRates(ShortTermRate, LongTermRate), TransactionCost, MinTrade, ProposalLifetime,
        RevalidationTolerance, SlippageBps, Commission, HarvestIntoCash) { DailyTurnover = DailyTurnover, Policy = Policy, HoldingDays = HoldingDays };
}

/// <summary>The firm-wide trigger budget and backpressure of this silo (with several silos each holds its share), applied
/// by the monitor before it sends a notice of market triggers (<see cref="AccountMonitor"/>); households count themselves
/// while they have a decision to make (<see cref="Households.Domain.Monitoring.NoticePacing.Begin"/>).</summary>
public sealed class FirmTriggerBudget(Microsoft.Extensions.Options.IOptions<DecisionOptions> options, [FromKeyedServices(BusinessClock.Key)] TimeProvider clock)
{
    public Households.Domain.Monitoring.NoticePacing Pacing { get; } = new(options.Value.FirmPerSecond, options.Value.FirmBurst, clock.GetUtcNow(),
        options.Value.MaxHouseholdsDeciding);
}
