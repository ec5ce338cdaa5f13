using System.Collections.Immutable;

namespace Households.Contracts;

/// <summary>Tax treatment of an account. <see cref="Trust"/> is a grantor trust (the household taxpayer's)
/// unless the account is marked as a separate taxpayer.</summary>
[GenerateSerializer]
public enum AccountType
{
    Taxable = 0,
    Ira = 1,
    Roth = 2,
    Trust = 3,
    Education529 = 4,
}

/// <summary>What a restriction forbids: <see cref="Exclude"/> sells and never buys (ESG, restricted list),
/// <see cref="NoBuy"/> keeps what is held but buys no more, <see cref="Hold"/> neither buys nor sells.</summary>
[GenerateSerializer]
public enum RestrictionKind
{
    Exclude = 0,
    NoBuy = 1,
    Hold = 2,
}

/// <summary>A client or firm restriction on one security or on a whole sector.</summary>
[GenerateSerializer, Immutable, Alias("Restriction")]
public sealed record Restriction(
    [property: Id(0)] RestrictionKind Kind,
    [property: Id(1)] string? Symbol,
    [property: Id(2)] string? Sector,
    [property: Id(3)] string Reason);

/// <summary>Thresholds an account's harvest trigger uses: a lot qualifies when its unrealized loss, net of the
/// estimated round-trip cost of selling it and buying a replacement, exceeds both the percentage of its basis
/// and the dollar amount.</summary>
[GenerateSerializer, Immutable, Alias("HarvestPolicy")]
public sealed record HarvestPolicy(
    [property: Id(0)] bool Enabled,
    [property: Id(1)] decimal MinLossPercent,
    [property: Id(2)] decimal MinLossDollars,
    [property: Id(3)] decimal EstimatedCostBps = 10m)
{
    public static HarvestPolicy Default { get; } = new(true, 0.05m, 250m);
    public static HarvestPolicy Off { get; } = new(false, 0m, 0m);
}

/// <summary>An account's standing settings. <see cref="SeparateTaxpayer"/> removes it from the
/// household's wash-sale scope (for example a non-grantor trust). <see cref="FractionalShares"/>: the custodian
/// trades fractions of a share (otherwise orders are whole shares, except the sale of a whole fractional lot);
/// <see cref="MinTrade"/> overrides the firm's minimum order value for this account; <see cref="TrackingErrorBand"/> is a
/// direct-index account's tolerance (annualised tracking error to its index, default 1.5 %). <see cref="ReinvestDividends"/>: cash dividends buy more of the security (a purchase for the wash-sale rule) instead of
/// staying in cash. <see cref="Execution"/>: simulated fills or orders out and fills in; null follows the firm's
/// <c>Execution:Mode</c>.</summary>
[GenerateSerializer, Immutable, Alias("AccountSpec")]
public sealed record AccountSpec(
    [property: Id(0)] string Id,
    [property: Id(1)] string HouseholdId,
    [property: Id(2)] string Name,
    [property: Id(3)] AccountType Type,
    [property: Id(4)] bool Discretionary,
    [property: Id(5)] string? ModelId,
    ImmutableArray<Restriction> Restrictions,
    bool SeparateTaxpayer,
    LotRelief DefaultRelief,
    HarvestPolicy Harvest,
    bool FractionalShares = false,
    decimal? MinTrade = null,
    decimal? TrackingErrorBand = null,
    bool ReinvestDividends = false,
    InvestmentPolicy? Policy = null,
    ExecutionMode? Execution = null)
{
    [Id(6)] public ImmutableArray<Restriction> Restrictions { get => field.OrEmpty(); init; } = Restrictions;
    [Id(7)] public bool SeparateTaxpayer { get; init; } = SeparateTaxpayer;
    [Id(8)] public LotRelief DefaultRelief { get; init; } = DefaultRelief;
    [Id(9)] public HarvestPolicy Harvest { get; init; } = Harvest;
    [Id(10)] public bool FractionalShares { get; init; } = FractionalShares;
    [Id(11)] public decimal? MinTrade { get; init; } = MinTrade;
    [Id(12)] public decimal? TrackingErrorBand { get; init; } = TrackingErrorBand;
    [Id(13)] public bool ReinvestDividends { get; init; } = ReinvestDividends;
    [Id(14)] public InvestmentPolicy? Policy { get; init; } = Policy;
    [Id(15)] public ExecutionMode? Execution { get; init; } = Execution;

    /// <summary>The tracking-error band of a direct-index account when none is set: 1.5 % a year. A replacement stock adds
    /// about 0.25 % of specific risk per swap at the demo index's weights, so a 1 % band allows a dozen harvest swaps and
    /// halved the crisis harvests of the demo firm (docs/stress.md); real direct-indexing mandates run 1–2 %.</summary>
    public const decimal DefaultTrackingErrorBand = 0.015m;

    /// <summary>The annualised tracking error to its index a direct-index account may drift to before it is rebalanced.</summary>
    public decimal TrackingBand => TrackingErrorBand ?? DefaultTrackingErrorBand;
}

/// <summary>An account as opened: settings, cash and the lots it starts with.</summary>
[GenerateSerializer, Immutable, Alias("AccountOpening")]
public sealed record AccountOpening(
    [property: Id(0)] AccountSpec Spec,
    [property: Id(1)] decimal Cash,
    ImmutableArray<TaxLot> Lots)
{
    [Id(2)] public ImmutableArray<TaxLot> Lots { get => field.OrEmpty(); init; } = Lots;
}

/// <summary>A household: one taxpayer and spouse, their accounts, and the advisor who serves them.</summary>
[GenerateSerializer, Immutable, Alias("HouseholdSpec")]
public sealed record HouseholdSpec(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string AdvisorId,
    ImmutableArray<string> AccountIds,
    TaxProfile? Tax = null,
    InvestmentPolicy? Policy = null)
{
    [Id(3)] public ImmutableArray<string> AccountIds { get => field.OrEmpty(); init; } = AccountIds;
    [Id(4)] public TaxProfile? Tax { get; init; } = Tax;
    [Id(5)] public InvestmentPolicy? Policy { get; init; } = Policy;
}
