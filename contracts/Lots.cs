namespace Households.Contracts;

/// <summary>One tax lot. <see cref="Basis"/> is the lot's total adjusted basis in dollars;
/// <see cref="Purchased"/> the real trade date; <see cref="HoldingSince"/> the start of the (possibly
/// tacked, IRC §1223(3)) holding period.</summary>
[GenerateSerializer, Immutable, Alias("TaxLot")]
public sealed record TaxLot(
    [property: Id(0)] string Id,
    [property: Id(1)] string Symbol,
    [property: Id(2)] decimal Quantity,
    [property: Id(3)] decimal Basis,
    [property: Id(4)] DateOnly Purchased,
    [property: Id(5)] DateOnly HoldingSince)
{
    public decimal BasisPerShare => Quantity == 0 ? 0 : Basis / Quantity;
}

[GenerateSerializer]
public enum TradeSide
{
    Buy = 0,
    Sell = 1,
}

/// <summary>How a sale picks the lots it relieves.</summary>
[GenerateSerializer]
public enum LotRelief
{
    Fifo = 0,
    Lifo = 1,
    Hifo = 2,
    MinTax = 3,
    SpecificLot = 4,
}

[GenerateSerializer]
public enum HoldingTerm
{
    Short = 0,
    Long = 1,
}

/// <summary>One (sale, lot sold) pair: the unit a firm's compliance staff audits.
/// <c>Gain = Proceeds − Basis</c>; <c>Recognized = Gain + Disallowed</c> in taxable accounts.</summary>
[GenerateSerializer, Immutable, Alias("RealizedLot")]
public sealed record RealizedLot(
    [property: Id(0)] DateOnly Date,
    [property: Id(1)] string Account,
    [property: Id(2)] string Symbol,
    [property: Id(3)] string LotId,
    [property: Id(4)] decimal Quantity,
    [property: Id(5)] decimal Proceeds,
    [property: Id(6)] decimal Basis,
    [property: Id(7)] decimal Gain,
    [property: Id(8)] decimal Disallowed,
    [property: Id(9)] decimal Recognized,
    [property: Id(10)] HoldingTerm Term,
    [property: Id(11)] bool Permanent);
