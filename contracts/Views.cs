using System.Collections.Immutable;

namespace Households.Contracts;

/// <summary>A lot valued at the live price.</summary>
[GenerateSerializer, Immutable, Alias("LotView")]
public sealed record LotView(
    [property: Id(0)] TaxLot Lot,
    [property: Id(1)] decimal MarketValue,
    [property: Id(2)] decimal UnrealizedGain,
    [property: Id(3)] HoldingTerm Term);

[GenerateSerializer, Immutable, Alias("HoldingView")]
public sealed record HoldingView(
    [property: Id(0)] string Symbol,
    [property: Id(1)] string AssetClass,
    [property: Id(2)] decimal Quantity,
    [property: Id(3)] decimal Price,
    [property: Id(4)] decimal MarketValue,
    [property: Id(5)] double Weight,
    ImmutableArray<LotView> Lots)
{
    [Id(6)] public ImmutableArray<LotView> Lots { get => field.OrEmpty(); init; } = Lots;
}

/// <summary>Drift of one security or asset class against its target.</summary>
[GenerateSerializer, Immutable, Alias("DriftLine")]
public sealed record DriftLine(
    [property: Id(0)] DriftLevel Level,
    [property: Id(1)] string Key,
    [property: Id(2)] double Weight,
    [property: Id(3)] double Target,
    [property: Id(4)] double Drift,
    [property: Id(5)] double Tolerance,
    [property: Id(6)] bool OutOfBand);

[GenerateSerializer, Immutable, Alias("AccountView")]
public sealed record AccountView(
    [property: Id(0)] AccountSpec Spec,
    [property: Id(1)] decimal Cash,
    [property: Id(2)] decimal MarketValue,
    ImmutableArray<HoldingView> Holdings,
    ImmutableArray<DriftLine> Drift,
    ImmutableArray<Trigger> OpenTriggers,
    long PriceSequence,
    decimal? SettledCash = null,
    ImmutableArray<UnsettledCash>? Unsettled = null)
{
    [Id(3)] public ImmutableArray<HoldingView> Holdings { get => field.OrEmpty(); init; } = Holdings;
    [Id(4)] public ImmutableArray<DriftLine> Drift { get => field.OrEmpty(); init; } = Drift;
    [Id(5)] public ImmutableArray<Trigger> OpenTriggers { get => field.OrEmpty(); init; } = OpenTriggers;
    [Id(6)] public long PriceSequence { get; init; } = PriceSequence;
    [Id(7)] public decimal? SettledCash { get; init; } = SettledCash;
    [Id(8)] public ImmutableArray<UnsettledCash>? Unsettled { get; init; } = Unsettled;
}

[GenerateSerializer, Immutable, Alias("HouseholdView")]
public sealed record HouseholdView(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string AdvisorId,
    [property: Id(3)] decimal MarketValue,
    ImmutableArray<AccountView> Accounts,
    ImmutableArray<DriftLine> AssetClassDrift,
    HouseholdTaxView Tax,
    TaxProfile? TaxProfile = null,
    InvestmentPolicy? Policy = null)
{
    [Id(4)] public ImmutableArray<AccountView> Accounts { get => field.OrEmpty(); init; } = Accounts;
    [Id(5)] public ImmutableArray<DriftLine> AssetClassDrift { get => field.OrEmpty(); init; } = AssetClassDrift;
    [Id(6)] public HouseholdTaxView Tax { get; init; } = Tax;
    [Id(7)] public TaxProfile? TaxProfile { get; init; } = TaxProfile;
    [Id(8)] public InvestmentPolicy? Policy { get; init; } = Policy;
}

/// <summary>The household's realized-gains ledger for the year to date and each account's wash-sale windows.</summary>
[GenerateSerializer, Immutable, Alias("HouseholdTaxView")]
public sealed record HouseholdTaxView(
    [property: Id(0)] DateOnly AsOf,
    [property: Id(1)] GainsSummary YearToDate,
    ImmutableArray<AccountTaxView> Accounts,
    ImmutableArray<RealizedLot> RealizedYearToDate)
{
    [Id(2)] public ImmutableArray<AccountTaxView> Accounts { get => field.OrEmpty(); init; } = Accounts;
    [Id(3)] public ImmutableArray<RealizedLot> RealizedYearToDate { get => field.OrEmpty(); init; } = RealizedYearToDate;
}

/// <summary>One account's realized year to date and the securities it may not buy until the given dates
/// without washing a recent loss somewhere in the household.</summary>
[GenerateSerializer, Immutable, Alias("AccountTaxView")]
public sealed record AccountTaxView(
    [property: Id(0)] string AccountId,
    [property: Id(1)] GainsSummary YearToDate,
    ImmutableArray<BuyBlackout> BuyBlackouts)
{
    [Id(2)] public ImmutableArray<BuyBlackout> BuyBlackouts { get => field.OrEmpty(); init; } = BuyBlackouts;
}

[GenerateSerializer, Immutable, Alias("HouseholdSummary")]
public sealed record HouseholdSummary(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string AdvisorId,
    [property: Id(3)] int Accounts);
