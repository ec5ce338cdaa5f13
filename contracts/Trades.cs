using System.Collections.Immutable;

namespace Households.Contracts;

/// <summary>A fill to record on an account. <see cref="IdempotencyKey"/> is the client's: a retried request
/// with the same key applies once and returns the first result.</summary>
[GenerateSerializer, Immutable, Alias("TradeRequest")]
public sealed record TradeRequest(
    [property: Id(0)] string IdempotencyKey,
    [property: Id(1)] DateOnly TradeDate,
    [property: Id(2)] string Symbol,
    [property: Id(3)] TradeSide Side,
    [property: Id(4)] decimal Quantity,
    [property: Id(5)] decimal Price,
    [property: Id(6)] string? LotId,
    [property: Id(7)] LotRelief? Relief,
    [property: Id(8)] decimal Commission);

/// <summary>What recording a trade did: the lots it created or relieved and the cash after it.</summary>
[GenerateSerializer, Immutable, Alias("TradeResult")]
public sealed record TradeResult(
    [property: Id(0)] string IdempotencyKey,
    [property: Id(1)] string AccountId,
    [property: Id(2)] TradeRequest Request,
    [property: Id(3)] TaxLot? CreatedLot,
    ImmutableArray<RealizedLot> Realized,
    decimal CashAfter,
    bool Replayed,
    ImmutableArray<LotSale> Sales,
    ImmutableArray<WashSaleAdjustment> WashSales)
{
    [Id(4)] public ImmutableArray<RealizedLot> Realized { get => field.OrEmpty(); init; } = Realized;
    [Id(5)] public decimal CashAfter { get; init; } = CashAfter;
    [Id(6)] public bool Replayed { get; init; } = Replayed;
    [Id(7)] public ImmutableArray<LotSale> Sales { get => field.OrEmpty(); init; } = Sales;
    [Id(8)] public ImmutableArray<WashSaleAdjustment> WashSales { get => field.OrEmpty(); init; } = WashSales;
}

/// <summary>What an account made of one order of a batch: the fill (<see cref="Applied"/>, a replay when the key was applied
/// before) or why its books refused it (<see cref="Refused"/>); exactly one is set.</summary>
[GenerateSerializer, Immutable, Alias("TradeOutcome")]
public sealed record TradeOutcome(
    [property: Id(0)] TradeResult? Applied,
    [property: Id(1)] string? Refused);
