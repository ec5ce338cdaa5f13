using System.Collections.Immutable;

using Orleans.Concurrency;

namespace Households.Contracts;

/// <summary>What one silo's monitor saw at its latest scan: the accounts it watches, their value at the board's
/// prices, how many are out of tolerance or hold a harvestable lot, its recent trigger rate, and the households
/// with at least one account watched there.</summary>
[GenerateSerializer, Immutable, Alias("SiloFigures")]
public sealed record SiloFigures(
    [property: Id(0)] string Silo,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] long PriceSequence,
    [property: Id(3)] int Accounts,
    [property: Id(4)] decimal AssetsUnderManagement,
    [property: Id(5)] int AccountsOutOfTolerance,
    [property: Id(6)] int AccountsHarvestable,
    [property: Id(7)] double TriggersPerMinute,
    [property: Id(8)] int Households);

/// <summary>A household's own figures for the firm summary, sent when they change (a harvest, a proposal filed or decided).</summary>
[GenerateSerializer, Immutable, Alias("HouseholdFigures")]
public sealed record HouseholdFigures(
    [property: Id(0)] string HouseholdId,
    [property: Id(1)] int Year,
    [property: Id(2)] decimal HarvestedLossesYearToDate,
    [property: Id(3)] int PendingProposals);

/// <summary>The firm at a glance (GET /api/firm/summary).</summary>
[GenerateSerializer, Immutable, Alias("FirmSummary")]
public sealed record FirmSummary(
    [property: Id(0)] DateTimeOffset AsOf,
    [property: Id(1)] long PriceSequence,
    [property: Id(2)] decimal AssetsUnderManagement,
    [property: Id(3)] int AccountsMonitored,
    [property: Id(4)] int HouseholdsMonitored,
    [property: Id(5)] int AccountsOutOfTolerance,
    [property: Id(6)] int AccountsHarvestable,
    [property: Id(7)] decimal HarvestedLossesYearToDate,
    [property: Id(8)] double TriggersPerMinute,
    [property: Id(9)] int PendingProposals,
    [property: Id(10)] int Silos);

/// <summary>The firm's running figures (key "firm"). Fed only by one-way notices: each silo's figures every few
/// seconds and each household's figures when they change, never per price tick or per account.</summary>
[Alias("IFirmStatsGrain")]
public interface IFirmStatsGrain : IGrainWithStringKey
{
    /// <summary>A silo's current figures; replaces that silo's last report (a silo silent for long drops out of the summary).
    /// One-way.</summary>
    [Alias("ReportSilo"), OneWay] Task ReportSilo(SiloFigures figures);

    /// <summary>A household's figures (harvested losses this year, pending proposals), absolute: replaces its last report (a
    /// household with neither drops out), so a lost or repeated notice does no harm. One-way.</summary>
    [Alias("ReportHousehold"), OneWay] Task ReportHousehold(HouseholdFigures figures);

    /// <summary>The firm's totals over the latest report of each silo heard from recently and each household, held in memory
    /// (refilled by the next reports after a reactivation).</summary>
    [Alias("GetSummary")] Task<FirmSummary> GetSummary();
}

/// <summary>Something that happened in a household, for its live stream: a trade, a proposal filed or decided, triggers.
/// <see cref="Sequence"/> counts up within one activation (<see cref="HouseholdEvents.Epoch"/>) of the household grain.</summary>
[GenerateSerializer, Immutable, Alias("HouseholdEvent")]
public sealed record HouseholdEvent(
    [property: Id(0)] long Sequence,
    [property: Id(1)] string Kind,
    [property: Id(2)] DateTimeOffset At,
    [property: Id(3)] string? AccountId,
    [property: Id(4)] string? ProposalId,
    [property: Id(5)] string Summary);

/// <summary>The household's recent events after a cursor. A different <see cref="Epoch"/> than the caller last saw
/// means the grain was re-activated and its in-memory event list restarted.</summary>
[GenerateSerializer, Immutable, Alias("HouseholdEvents")]
public sealed record HouseholdEvents(
    [property: Id(0)] string Epoch,
    [property: Id(1)] long Latest,
    ImmutableArray<HouseholdEvent> Events)
{
    [Id(2)] public ImmutableArray<HouseholdEvent> Events { get => field.OrEmpty(); init; } = Events;
}
