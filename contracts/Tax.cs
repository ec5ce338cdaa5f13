using System.Collections.Immutable;

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

/// <summary>One lot (or piece of a lot) relieved by a sale, before any wash-sale adjustment: what an account sends its
/// household's wash-sale ledger. <see cref="Root"/> is the id of the purchase the piece comes from (a split piece
/// <c>L.2</c> has root <c>L</c>); <see cref="Lot"/> is the lot as it was before the sale.</summary>
[GenerateSerializer, Immutable, Alias("LotSale")]
public sealed record LotSale(
    [property: Id(0)] TaxLot Lot,
    [property: Id(1)] string Root,
    [property: Id(2)] decimal Quantity,
    [property: Id(3)] decimal Proceeds,
    [property: Id(4)] decimal Basis,
    [property: Id(5)] HoldingTerm Term)
{
    public decimal Gain => Proceeds - Basis;
}

/// <summary>A lot of a lot book with the purchase it comes from (persisted form of a <c>LotBook</c>).</summary>
[GenerateSerializer, Immutable, Alias("LotPiece")]
public sealed record LotPiece(
    [property: Id(0)] TaxLot Lot,
    [property: Id(1)] string Root);

/// <summary>An account as the wash-sale ledger knows it.</summary>
[GenerateSerializer, Immutable, Alias("WashSaleAccount")]
public sealed record WashSaleAccount(
    [property: Id(0)] string Account,
    [property: Id(1)] AccountType Type,
    [property: Id(2)] bool SeparateTaxpayer);

/// <summary>Shares of a recent purchase still held: a candidate replacement (or, when <see cref="Used"/>, shares that
/// already absorbed a loss).</summary>
[GenerateSerializer, Immutable, Alias("WashSaleHolding")]
public sealed record WashSaleHolding(
    [property: Id(0)] string Account,
    [property: Id(1)] string LotId,
    [property: Id(2)] string Root,
    [property: Id(3)] string Key,
    [property: Id(4)] DateOnly Purchased,
    [property: Id(5)] decimal Quantity,
    [property: Id(6)] bool Used);

/// <summary>A loss sale of the last 30 days not fully matched yet.</summary>
[GenerateSerializer, Immutable, Alias("OpenWashSaleLoss")]
public sealed record OpenWashSaleLoss(
    [property: Id(0)] long LossId,
    [property: Id(1)] string Account,
    [property: Id(2)] string Key,
    [property: Id(3)] string SoldLotId,
    [property: Id(4)] string SoldRoot,
    [property: Id(5)] DateOnly SaleDate,
    [property: Id(6)] DateOnly HoldingSince,
    [property: Id(7)] decimal Quantity,
    [property: Id(8)] decimal Loss,
    [property: Id(9)] decimal Matched,
    [property: Id(10)] decimal Disallowed);

/// <summary>Persisted form of a household's wash-sale ledger. <see cref="TakenIds"/> are the lot ids split pieces
/// must not reuse.</summary>
[GenerateSerializer, Immutable, Alias("WashSaleLedgerState")]
public sealed record WashSaleLedgerState(
    ImmutableArray<WashSaleAccount> Accounts,
    ImmutableArray<WashSaleHolding> Holdings,
    ImmutableArray<OpenWashSaleLoss> Losses,
    ImmutableArray<string> TakenIds,
    long NextLossId,
    DateOnly? Today)
{
    [Id(0)] public ImmutableArray<WashSaleAccount> Accounts { get => field.OrEmpty(); init; } = Accounts;
    [Id(1)] public ImmutableArray<WashSaleHolding> Holdings { get => field.OrEmpty(); init; } = Holdings;
    [Id(2)] public ImmutableArray<OpenWashSaleLoss> Losses { get => field.OrEmpty(); init; } = Losses;
    [Id(3)] public ImmutableArray<string> TakenIds { get => field.OrEmpty(); init; } = TakenIds;
    [Id(4)] public long NextLossId { get; init; } = NextLossId;
    [Id(5)] public DateOnly? Today { get; init; } = Today;
}

/// <summary>What fills changed in a household's wash-sale ledger, stored instead of the ledger whole (issue #18 goal 2): the
/// recent purchases and open losses put (new or changed) and the ones no longer held, by key (a holding by account and lot id,
/// a loss by its id), the lot ids reserved and released, and the ledger's accounts, next loss id and date after the fills.</summary>
[GenerateSerializer, Immutable, Alias("WashSaleLedgerChange")]
public sealed record WashSaleLedgerChange(
    ImmutableArray<WashSaleAccount> Accounts,
    ImmutableArray<WashSaleHolding> HoldingsPut,
    ImmutableArray<string> HoldingsRemoved,
    ImmutableArray<OpenWashSaleLoss> LossesPut,
    ImmutableArray<long> LossesRemoved,
    ImmutableArray<string> TakenAdded,
    ImmutableArray<string> TakenRemoved,
    long NextLossId,
    DateOnly? Today)
{
    [Id(0)] public ImmutableArray<WashSaleAccount> Accounts { get => field.OrEmpty(); init; } = Accounts;
    [Id(1)] public ImmutableArray<WashSaleHolding> HoldingsPut { get => field.OrEmpty(); init; } = HoldingsPut;
    [Id(2)] public ImmutableArray<string> HoldingsRemoved { get => field.OrEmpty(); init; } = HoldingsRemoved;
    [Id(3)] public ImmutableArray<OpenWashSaleLoss> LossesPut { get => field.OrEmpty(); init; } = LossesPut;
    [Id(4)] public ImmutableArray<long> LossesRemoved { get => field.OrEmpty(); init; } = LossesRemoved;
    [Id(5)] public ImmutableArray<string> TakenAdded { get => field.OrEmpty(); init; } = TakenAdded;
    [Id(6)] public ImmutableArray<string> TakenRemoved { get => field.OrEmpty(); init; } = TakenRemoved;
    [Id(7)] public long NextLossId { get; init; } = NextLossId;
    [Id(8)] public DateOnly? Today { get; init; } = Today;
}

/// <summary>One (sale, lot sold) entry of a realized-gains ledger, with the disallowances it has received.
/// <see cref="Acquired"/> is the lot's purchase date (null in entries recorded before it was kept).</summary>
[GenerateSerializer, Immutable, Alias("RealizedEntry")]
public sealed record RealizedEntry(
    [property: Id(0)] DateOnly Date,
    [property: Id(1)] string Account,
    [property: Id(2)] string Symbol,
    [property: Id(3)] string LotId,
    [property: Id(4)] decimal Quantity,
    [property: Id(5)] decimal Proceeds,
    [property: Id(6)] decimal Basis,
    [property: Id(7)] HoldingTerm Term,
    [property: Id(8)] bool Taxable,
    [property: Id(9)] decimal Disallowed,
    [property: Id(10)] decimal PermanentDisallowed,
    [property: Id(11)] decimal PermanentQuantity,
    [property: Id(12)] long? LossId,
    [property: Id(13)] DateOnly? Acquired = null);

/// <summary>Answer to "would selling this lot now be a wash sale, and which purchases in which accounts cause it?"</summary>
[GenerateSerializer, Immutable, Alias("WashSaleCheck")]
public sealed record WashSaleCheck(
    [property: Id(0)] string AccountId,
    [property: Id(1)] string LotId,
    [property: Id(2)] decimal Quantity,
    [property: Id(3)] DateOnly Date,
    [property: Id(4)] decimal WashedQuantity,
    ImmutableArray<ReplacementShares> Replacements)
{
    [Id(5)] public ImmutableArray<ReplacementShares> Replacements { get => field.OrEmpty(); init; } = Replacements;

    /// <summary>The lot checked, as it stood, when a refusal of its harvest is journaled: the audit judges the refusal by the
    /// lot's basis and purchase date without replaying the books (a firm loaded in bulk has no opening entries).</summary>
    [Id(6)] public TaxLot? Lot { get; init; }

    public bool IsWashSale => WashedQuantity > 0;
}
