using System.Collections.Immutable;

namespace Households.Contracts;

/// <summary>What a correction of record does to an account's books. None is a trade: no proceeds, no realized gain or loss,
/// nothing for Form 8949.</summary>
[GenerateSerializer]
public enum BookCorrectionKind
{
    /// <summary>Shares arrive from outside (another custodian, a gift, an inheritance) as a lot with the basis and acquisition
    /// date the custodian reports.</summary>
    TransferIn = 0,
    /// <summary>Shares leave without a sale: the named lot, or the account's default relief order.</summary>
    TransferOut = 1,
    /// <summary>A lot is set to the custodian's quantity and basis; a lot we lack is added, a quantity of 0 removes it.</summary>
    SetLot = 2,
    /// <summary>A position without lots is brought to the custodian's quantity and total basis: shares added as one lot or
    /// relieved in the account's relief order, then every lot's basis scaled to the total.</summary>
    SetPosition = 3,
    /// <summary>Cash is set to the custodian's.</summary>
    SetCash = 4,
}

/// <summary>A correction of record to one account's books: a transfer of shares in or out, or the custodian's figures accepted
/// in a reconciliation. <see cref="Key"/> makes it apply once per account; <see cref="Source"/> names where it comes from
/// (the custodian transaction, the reconciliation) for the journal. <see cref="Quantity"/> and <see cref="Basis"/> are the
/// shares and total basis moved (transfers) or the figures to reach (SetLot, SetPosition); <see cref="Cash"/> the cash to reach
/// (SetCash).</summary>
[GenerateSerializer, Immutable, Alias("BookCorrection")]
public sealed record BookCorrection(
    [property: Id(0)] string Key,
    [property: Id(1)] BookCorrectionKind Kind,
    [property: Id(2)] DateOnly Date,
    [property: Id(3)] string Source,
    [property: Id(4)] string? Symbol = null,
    [property: Id(5)] string? LotId = null,
    [property: Id(6)] decimal Quantity = 0m,
    [property: Id(7)] decimal Basis = 0m,
    [property: Id(8)] DateOnly? Acquired = null,
    [property: Id(9)] decimal Cash = 0m);

/// <summary>What a correction did to one account: its lots of the symbol before and after, and the cash it moved. Stored by the
/// account under the correction's key: applying it again answers this, marked replayed.</summary>
[GenerateSerializer, Immutable, Alias("BookCorrectionEffect")]
public sealed record BookCorrectionEffect(
    [property: Id(0)] string AccountId,
    [property: Id(1)] BookCorrection Correction,
    ImmutableArray<LotPiece> Before,
    ImmutableArray<LotPiece> After,
    decimal CashDelta,
    decimal CashAfter,
    bool Replayed = false)
{
    [Id(2)] public ImmutableArray<LotPiece> Before { get => field.OrEmpty(); init; } = Before;
    [Id(3)] public ImmutableArray<LotPiece> After { get => field.OrEmpty(); init; } = After;
    [Id(4)] public decimal CashDelta { get; init; } = CashDelta;
    [Id(5)] public decimal CashAfter { get; init; } = CashAfter;
    [Id(6)] public bool Replayed { get; init; } = Replayed;
}

/// <summary>The kinds of row in a custodian's transaction file (docs/formats.md §17).</summary>
[GenerateSerializer]
public enum CustodianTransactionType
{
    Buy = 0,
    Sell = 1,
    Dividend = 2,
    Interest = 3,
    Fee = 4,
    TransferIn = 5,
    TransferOut = 6,
    Journal = 7,
}

/// <summary>One row of a custodian's transaction file, checked. <see cref="Amount"/> is the signed cash effect on the account
/// (negative out); <see cref="Symbol"/> is null for a cash row (interest, fee, a cash transfer or journal).</summary>
[GenerateSerializer, Immutable, Alias("CustodianTransaction")]
public sealed record CustodianTransaction(
    [property: Id(0)] int Line,
    [property: Id(1)] string Id,
    [property: Id(2)] string Account,
    [property: Id(3)] DateOnly TradeDate,
    [property: Id(4)] DateOnly SettleDate,
    [property: Id(5)] CustodianTransactionType Type,
    [property: Id(6)] string? Symbol,
    [property: Id(7)] string? Cusip,
    [property: Id(8)] decimal Quantity,
    [property: Id(9)] decimal Price,
    [property: Id(10)] decimal? Amount,
    [property: Id(11)] string? LotId,
    [property: Id(12)] DateOnly? Acquired,
    [property: Id(13)] decimal? CostBasis,
    [property: Id(14)] string? Description);

/// <summary>How one row of a transaction file came out.</summary>
[GenerateSerializer]
public enum CustodianTransactionStatus
{
    Applied = 0,
    /// <summary>The account applied this transaction id before (an earlier import of the file): nothing applied again.</summary>
    AlreadyApplied = 1,
    /// <summary>The row cannot apply (unknown account or security, not enough shares or cash, out of date order): nothing
    /// from the file is applied.</summary>
    Error = 2,
    /// <summary>The row was fine, but another row of the file has an error, so nothing was applied.</summary>
    NotApplied = 3,
}

/// <summary>One row's outcome: what it did to the books (<see cref="Detail"/>) or why it cannot apply.</summary>
[GenerateSerializer, Immutable, Alias("CustodianTransactionOutcome")]
public sealed record CustodianTransactionOutcome(
    [property: Id(0)] int Line,
    [property: Id(1)] string Id,
    [property: Id(2)] string Account,
    [property: Id(3)] CustodianTransactionType? Type,
    [property: Id(4)] CustodianTransactionStatus Status,
    [property: Id(5)] string Detail);

/// <summary>A transaction file's report: one outcome per row in file order, and the counts.</summary>
[GenerateSerializer, Immutable, Alias("CustodianTransactionReport")]
public sealed record CustodianTransactionReport(
    [property: Id(0)] int Applied,
    [property: Id(1)] int AlreadyApplied,
    [property: Id(2)] int Errors,
    ImmutableArray<CustodianTransactionOutcome> Rows)
{
    [Id(3)] public ImmutableArray<CustodianTransactionOutcome> Rows { get => field.OrEmpty(); init; } = Rows;
}
