using System.Collections.Immutable;

using Orleans.Concurrency;

namespace Households.Contracts;

/// <summary>What one line of a reconciliation found.</summary>
[GenerateSerializer]
public enum ReconciliationKind
{
    /// <summary>Our lot (or position, or cash) and the custodian's agree.</summary>
    Matched = 0,
    /// <summary>Matched lots (or positions) whose quantities differ.</summary>
    QuantityBreak = 1,
    /// <summary>Matched lots with the same quantity whose basis differs beyond the tolerance.</summary>
    BasisBreak = 2,
    /// <summary>The custodian has the lot, our books do not.</summary>
    MissingLot = 3,
    /// <summary>Our books have the lot, the custodian does not.</summary>
    ExtraLot = 4,
    /// <summary>Our cash and the custodian's differ by more than a cent.</summary>
    CashBreak = 5,
}

/// <summary>How an account's reconciliation came out.</summary>
[GenerateSerializer]
public enum ReconciliationStatus
{
    Matched = 0,
    Breaks = 1,
    /// <summary>The file names an account the firm does not have (or the caller may not see).</summary>
    UnknownAccount = 2,
}

/// <summary>How a break was resolved.</summary>
[GenerateSerializer]
public enum ResolutionAction
{
    /// <summary>The custodian is right: the books are brought to the custodian's positions by corrections of record
    /// (<see cref="BookCorrection"/>, never a sale).</summary>
    AcceptCustodian = 0,
    /// <summary>Our books are right; a note says why.</summary>
    KeepOurs = 1,
}

/// <summary>One line of an account's reconciliation. <see cref="Difference"/> is theirs − ours in the unit the kind
/// compares: shares for quantity breaks, missing and extra lots; dollars for basis and cash breaks. <see cref="Lot"/> is
/// our lot id (the custodian's when we have none); <see cref="Symbol"/> is <c>CASH</c> on the cash line.</summary>
[GenerateSerializer, Immutable, Alias("ReconciliationLine")]
public sealed record ReconciliationLine(
    [property: Id(0)] ReconciliationKind Kind,
    [property: Id(1)] string Symbol,
    [property: Id(2)] string? Lot,
    [property: Id(3)] string? CustodianLot,
    [property: Id(4)] DateOnly? Acquired,
    [property: Id(5)] decimal? OurQuantity,
    [property: Id(6)] decimal? TheirQuantity,
    [property: Id(7)] decimal? OurBasis,
    [property: Id(8)] decimal? TheirBasis,
    [property: Id(9)] decimal Difference,
    [property: Id(10)] int? FileLine);

/// <summary>A break's resolution: the action, who resolved it, the note and when; <see cref="BooksChanged"/> says whether
/// the books were changed (accepting the custodian: by <see cref="Corrections"/> corrections of record, journaled under
/// <see cref="ReconciliationId"/>).</summary>
[GenerateSerializer, Immutable, Alias("ReconciliationResolution")]
public sealed record ReconciliationResolution(
    [property: Id(0)] string Account,
    [property: Id(1)] DateOnly AsOf,
    [property: Id(2)] ResolutionAction Action,
    [property: Id(3)] string? Note,
    [property: Id(4)] string? ResolvedBy,
    [property: Id(5)] DateTimeOffset ResolvedAt,
    [property: Id(6)] bool BooksChanged,
    [property: Id(7)] int Breaks,
    [property: Id(8)] string? ReconciliationId = null,
    [property: Id(9)] int Corrections = 0);

/// <summary>One account's reconciliation as of a day: every line, the count of breaks, cash both ways (null when the
/// file has no cash row for the account) and the resolution once there is one.</summary>
[GenerateSerializer, Immutable, Alias("AccountReconciliation")]
public sealed record AccountReconciliation(
    [property: Id(0)] string Account,
    [property: Id(1)] string? HouseholdId,
    [property: Id(2)] DateOnly AsOf,
    [property: Id(3)] ReconciliationStatus Status,
    ImmutableArray<ReconciliationLine> Lines,
    int Breaks,
    decimal? OurCash,
    decimal? TheirCash,
    ReconciliationResolution? Resolution = null)
{
    [Id(4)] public ImmutableArray<ReconciliationLine> Lines { get => field.OrEmpty(); init; } = Lines;
    [Id(5)] public int Breaks { get; init; } = Breaks;
    [Id(6)] public decimal? OurCash { get; init; } = OurCash;
    [Id(7)] public decimal? TheirCash { get; init; } = TheirCash;
    [Id(8)] public ReconciliationResolution? Resolution { get; init; } = Resolution;

    /// <summary>Breaks found and not yet resolved: the account is not traded while the firm blocks on breaks.</summary>
    public bool OpenBreak => Status == ReconciliationStatus.Breaks && Resolution is null;
}

/// <summary>A custodian file reconciled: one report per account in the file, in file order.</summary>
[GenerateSerializer, Immutable, Alias("ReconciliationReport")]
public sealed record ReconciliationReport(
    [property: Id(0)] DateOnly AsOf,
    ImmutableArray<AccountReconciliation> Accounts)
{
    [Id(1)] public ImmutableArray<AccountReconciliation> Accounts { get => field.OrEmpty(); init; } = Accounts;
}

/// <summary>The latest reconciliation of one account (keyed by account id).</summary>
[Alias("IReconciliationGrain")]
public interface IReconciliationGrain : IGrainWithStringKey
{
    /// <summary>Stores the account's latest reconciliation, replacing the previous one (and its resolution); persisted
    /// before returning.</summary>
    [Alias("Record")] Task Record(AccountReconciliation report);

    /// <summary>The latest reconciliation, or null when the account was never reconciled.</summary>
    [Alias("Get"), AlwaysInterleave] Task<AccountReconciliation?> Get();

    /// <summary>Resolves the latest reconciliation's breaks: persisted and journaled (<see cref="JournalKind.Reconciliation"/>)
    /// before returning. Accepting the custodian first brings the account's books to the custodian's figures through its
    /// household (<see cref="IHouseholdGrain.CorrectBooks"/>: one correction of record per break, journaled as
    /// <see cref="JournalKind.BookCorrection"/>, never a sale); a retry applies none twice. Bad input when there is nothing
    /// open to resolve, keeping ours has no note, or the books refuse a correction (then nothing is changed or recorded).</summary>
    [Alias("Resolve")] Task<AccountReconciliation> Resolve(ResolutionAction action, string? note, string? resolvedBy);
}
