namespace Households.Contracts;

/// <summary>Estimated round-trip trading cost of a harvest (sell the loss lot, buy the replacement):
/// <see cref="PerShare"/> dollars per share sold and <see cref="Bps"/> basis points of the proceeds, each charged
/// on both legs.</summary>
[GenerateSerializer, Immutable, Alias("HarvestCosts")]
public sealed record HarvestCosts(
    [property: Id(0)] decimal PerShare,
    [property: Id(1)] decimal Bps)
{
    public static HarvestCosts None { get; } = new(0m, 0m);

    /// <summary>Round-trip cost of selling <paramref name="quantity"/> shares for <paramref name="proceeds"/> and
    /// buying the same dollar amount of a replacement.</summary>
    public decimal RoundTrip(decimal quantity, decimal proceeds) => 2m * (PerShare * quantity + Bps / 10_000m * proceeds);
}

/// <summary>A lot worth harvesting now: its unrealized <see cref="Loss"/> (positive dollars) at
/// <see cref="Price"/>, the term the loss would have, the tax it saves at the rate it offsets
/// (<see cref="TaxRate"/>: short-term losses at the short-term rate, long-term at the long-term rate), the estimated
/// round-trip cost, and <see cref="NetBenefit"/> = <see cref="TaxBenefit"/> − <see cref="EstimatedCost"/>.</summary>
[GenerateSerializer, Immutable, Alias("HarvestCandidate")]
public sealed record HarvestCandidate(
    [property: Id(0)] string Account,
    [property: Id(1)] TaxLot Lot,
    [property: Id(2)] decimal Price,
    [property: Id(3)] decimal Loss,
    [property: Id(4)] decimal LossPercent,
    [property: Id(5)] HoldingTerm Term,
    [property: Id(6)] decimal TaxRate,
    [property: Id(7)] decimal TaxBenefit,
    [property: Id(8)] decimal EstimatedCost,
    [property: Id(9)] decimal NetBenefit);

/// <summary>Why a lot that crossed the loss thresholds is not a candidate.</summary>
[GenerateSerializer]
public enum HarvestSkipReason
{
    /// <summary>Its wash-sale key is in a buy blackout of the household: a loss of the same security is open.</summary>
    BuyBlackout = 0,
    /// <summary>Shares of the same key were bought in the last 30 days: the sale would wash against them.</summary>
    RecentPurchase = 1,
    /// <summary>The estimated round-trip cost is at least the tax benefit.</summary>
    CostExceedsBenefit = 2,
    /// <summary>No price for the security.</summary>
    NoPrice = 3,
}

/// <summary>A lot that crossed the thresholds but was left alone, and why.</summary>
[GenerateSerializer, Immutable, Alias("HarvestSkip")]
public sealed record HarvestSkip(
    [property: Id(0)] string Account,
    [property: Id(1)] string LotId,
    [property: Id(2)] string Symbol,
    [property: Id(3)] decimal Loss,
    [property: Id(4)] HarvestSkipReason Reason);

/// <summary>What a harvest scan found: the candidates, best net benefit first, and the skipped lots.</summary>
[GenerateSerializer, Immutable, Alias("HarvestScanResult")]
public sealed record HarvestScanResult(
    [property: Id(0)] HarvestCandidate[] Candidates,
    [property: Id(1)] HarvestSkip[] Skipped);

/// <summary>The replacement for a harvested security: <see cref="Symbol"/> null when none is allowed.
/// <see cref="Passed"/> lists the better-ranked choices passed over and <see cref="Reason"/> says why this one.</summary>
[GenerateSerializer, Immutable, Alias("ReplacementChoice")]
public sealed record ReplacementChoice(
    [property: Id(0)] string Sold,
    [property: Id(1)] string? Symbol,
    [property: Id(2)] string Reason,
    [property: Id(3)] string[] Passed,
    [property: Id(4)] double Distance);

