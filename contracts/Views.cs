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
    [property: Id(6)] LotView[] Lots);

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
    [property: Id(3)] HoldingView[] Holdings,
    [property: Id(4)] DriftLine[] Drift,
    [property: Id(5)] Trigger[] OpenTriggers,
    [property: Id(6)] long PriceSequence,
    [property: Id(7)] decimal? SettledCash = null,
    [property: Id(8)] UnsettledCash[]? Unsettled = null);

[GenerateSerializer, Immutable, Alias("HouseholdView")]
public sealed record HouseholdView(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string AdvisorId,
    [property: Id(3)] decimal MarketValue,
    [property: Id(4)] AccountView[] Accounts,
    [property: Id(5)] DriftLine[] AssetClassDrift,
    [property: Id(6)] HouseholdTaxView Tax,
    [property: Id(7)] TaxProfile? TaxProfile = null,
    [property: Id(8)] InvestmentPolicy? Policy = null);

/// <summary>The household's realized-gains ledger for the year to date and each account's wash-sale windows.</summary>
[GenerateSerializer, Immutable, Alias("HouseholdTaxView")]
public sealed record HouseholdTaxView(
    [property: Id(0)] DateOnly AsOf,
    [property: Id(1)] GainsSummary YearToDate,
    [property: Id(2)] AccountTaxView[] Accounts,
    [property: Id(3)] RealizedLot[] RealizedYearToDate);

/// <summary>One account's realized year to date and the securities it may not buy until the given dates
/// without washing a recent loss somewhere in the household.</summary>
[GenerateSerializer, Immutable, Alias("AccountTaxView")]
public sealed record AccountTaxView(
    [property: Id(0)] string AccountId,
    [property: Id(1)] GainsSummary YearToDate,
    [property: Id(2)] BuyBlackout[] BuyBlackouts);

[GenerateSerializer, Immutable, Alias("HouseholdSummary")]
public sealed record HouseholdSummary(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string AdvisorId,
    [property: Id(3)] int Accounts);
