using System.Collections.Immutable;

namespace Households.Contracts;

/// <summary>How an account's decided trades reach the market: <see cref="Simulated"/> fills them at once at the board's
/// price (the simulated broker); <see cref="Orders"/> sends orders to the trading desk or custodian and books the fills it
/// reports (<c>POST /api/fills</c>).</summary>
[GenerateSerializer]
public enum ExecutionMode
{
    Simulated = 0,
    Orders = 1,
}

/// <summary>An order's life: open → partially filled → filled, or canceled / rejected / expired (the remaining quantity
/// released).</summary>
[GenerateSerializer]
public enum OrderStatus
{
    Open = 0,
    PartiallyFilled = 1,
    Filled = 2,
    Canceled = 3,
    Rejected = 4,
    Expired = 5,
}

[GenerateSerializer]
public enum OrderType
{
    Market = 0,
    Limit = 1,
}

/// <summary>What an execution report says: a <see cref="Fill"/> (the order is done when its cumulative quantity reaches the
/// order's) or <see cref="Partial"/> fill, or the rest of the order <see cref="Canceled"/> or <see cref="Rejected"/>.</summary>
[GenerateSerializer]
public enum ExecutionType
{
    Fill = 0,
    Partial = 1,
    Canceled = 2,
    Rejected = 3,
}

/// <summary>A lot a sell order relieves, and how many of its shares, as the engine chose them (specific identification).</summary>
[GenerateSerializer, Immutable, Alias("OrderLot")]
public sealed record OrderLot(
    [property: Id(0)] string LotId,
    [property: Id(1)] decimal Quantity);

/// <summary>An order sent for one trade of a proposal in an orders-mode account. <see cref="ClientOrderId"/> is
/// <c>{proposal id}-{n}</c> (n from 1 in the proposal's order: sells, then buys). Time in force is always DAY
/// (<see cref="TradeDate"/>); <see cref="ReferencePrice"/> is the board's price the order was sized at.
/// <see cref="FilledQuantity"/> and <see cref="AveragePrice"/> are cumulative; <see cref="Pieces"/> counts the fills booked
/// (each lot a sell fill relieves is one piece, keyed <c>{clientOrderId}:{piece}</c>).</summary>
[GenerateSerializer, Immutable, Alias("BrokerOrder")]
public sealed record BrokerOrder(
    [property: Id(0)] string ClientOrderId,
    [property: Id(1)] string HouseholdId,
    [property: Id(2)] string ProposalId,
    [property: Id(3)] string AccountId,
    [property: Id(4)] string Symbol,
    [property: Id(5)] TradeSide Side,
    [property: Id(6)] decimal Quantity,
    [property: Id(7)] OrderType Type,
    [property: Id(8)] decimal? LimitPrice,
    [property: Id(9)] decimal ReferencePrice,
    [property: Id(10)] DateOnly TradeDate,
    [property: Id(11)] DateTimeOffset CreatedAt,
    ImmutableArray<OrderLot> Lots,
    OrderStatus Status,
    decimal FilledQuantity,
    decimal AveragePrice,
    int Pieces,
    DateTimeOffset? ClosedAt,
    string? Reason)
{
    [Id(12)] public ImmutableArray<OrderLot> Lots { get => field.OrEmpty(); init; } = Lots;
    [Id(13)] public OrderStatus Status { get; init; } = Status;
    [Id(14)] public decimal FilledQuantity { get; init; } = FilledQuantity;
    [Id(15)] public decimal AveragePrice { get; init; } = AveragePrice;
    [Id(16)] public int Pieces { get; init; } = Pieces;
    [Id(17)] public DateTimeOffset? ClosedAt { get; init; } = ClosedAt;
    [Id(18)] public string? Reason { get; init; } = Reason;

    public const string TimeInForce = "DAY";

    public decimal RemainingQuantity => Status is OrderStatus.Open or OrderStatus.PartiallyFilled ? Quantity - FilledQuantity : 0m;

    public bool IsOpen => Status is OrderStatus.Open or OrderStatus.PartiallyFilled;
}

/// <summary>One execution report from the desk or custodian. <see cref="ExecutionId"/> is theirs and unique: a report
/// sent again applies nothing twice and answers its first result.</summary>
[GenerateSerializer, Immutable, Alias("OrderExecution")]
public sealed record OrderExecution(
    [property: Id(0)] string ExecutionId,
    [property: Id(1)] string ClientOrderId,
    [property: Id(2)] ExecutionType Type,
    [property: Id(3)] decimal Quantity,
    [property: Id(4)] decimal Price,
    [property: Id(5)] DateTimeOffset Time,
    [property: Id(6)] string? Reason,
    [property: Id(7)] decimal Commission);

/// <summary>What an execution report did: the order after it and the fills booked (one per lot a sell relieved; none for a
/// cancel or reject). <see cref="Refused"/>: the account's books refused the fill (for example a buy beyond the cash); the
/// order is unchanged. <see cref="Replayed"/>: the execution id was applied before and this is its first result.</summary>
[GenerateSerializer, Immutable, Alias("ExecutionResult")]
public sealed record ExecutionResult(
    [property: Id(0)] string ExecutionId,
    [property: Id(1)] BrokerOrder Order,
    ImmutableArray<TradeResult> Fills,
    string? Refused,
    bool Replayed)
{
    [Id(2)] public ImmutableArray<TradeResult> Fills { get => field.OrEmpty(); init; } = Fills;
    [Id(3)] public string? Refused { get; init; } = Refused;
    [Id(4)] public bool Replayed { get; init; } = Replayed;
}
