namespace Households.Contracts;

/// <summary>What the household's wash-sale ledger asks an account to do to one replacement lot (IRC §1091(d),
/// §1223(3); Treas. Reg. §1.1091-2): split off <see cref="Quantity"/> shares of lot <see cref="LotId"/> (the rest,
/// if any, becomes lot <see cref="RemainderLotId"/>), and unless <see cref="Permanent"/> add
/// <see cref="Disallowed"/> to that piece's basis and start its holding period at <see cref="HoldingSince"/>.
/// <see cref="LossId"/>, <see cref="LossAccount"/>, <see cref="SaleDate"/> and <see cref="SoldLotId"/> name the
/// loss sale whose realized row gains the disallowance.</summary>
[GenerateSerializer, Immutable, Alias("WashSaleAdjustment")]
public sealed record WashSaleAdjustment(
    [property: Id(0)] long LossId,
    [property: Id(1)] string LossAccount,
    [property: Id(2)] DateOnly SaleDate,
    [property: Id(3)] string SoldLotId,
    [property: Id(4)] string Account,
    [property: Id(5)] string LotId,
    [property: Id(6)] decimal Quantity,
    [property: Id(7)] decimal Disallowed,
    [property: Id(8)] DateOnly HoldingSince,
    [property: Id(9)] bool Permanent,
    [property: Id(10)] string? RemainderLotId);

/// <summary>Realized results over a period: recognized short- and long-term gains of taxable accounts (losses
/// negative), the wash-sale disallowed losses, and the part of those disallowed permanently (IRA, Roth IRA or 529
/// replacements, Rev. Rul. 2008-5).</summary>
[GenerateSerializer, Immutable, Alias("GainsSummary")]
public sealed record GainsSummary(
    [property: Id(0)] decimal ShortTerm,
    [property: Id(1)] decimal LongTerm,
    [property: Id(2)] decimal Disallowed,
    [property: Id(3)] decimal PermanentlyDisallowed)
{
    public static GainsSummary Zero { get; } = new(0m, 0m, 0m, 0m);
}

/// <summary>A security group (wash-sale key) an account should not buy through <see cref="WashesThrough"/>
/// (inclusive) because <see cref="UnmatchedQuantity"/> shares of recent losses are still open for matching.
/// <see cref="Permanent"/> is true when a purchase in that account would disallow the loss for good.</summary>
[GenerateSerializer, Immutable, Alias("BuyBlackout")]
public sealed record BuyBlackout(
    [property: Id(0)] string WashSaleKey,
    [property: Id(1)] DateOnly WashesThrough,
    [property: Id(2)] decimal UnmatchedQuantity,
    [property: Id(3)] bool Permanent);

/// <summary>Shares already held in the household that a loss sale would be matched with (pre-trade check).</summary>
[GenerateSerializer, Immutable, Alias("ReplacementShares")]
public sealed record ReplacementShares(
    [property: Id(0)] string Account,
    [property: Id(1)] string LotId,
    [property: Id(2)] decimal Quantity,
    [property: Id(3)] DateOnly Purchased,
    [property: Id(4)] bool Permanent);
