namespace Households.Contracts;

/// <summary>What a journal entry records.</summary>
[GenerateSerializer]
public enum JournalKind
{
    Trigger = 0,
    Proposal = 1,
    Approval = 2,
    Rejection = 3,
    Expiry = 4,
    Fill = 5,
    WashSale = 6,
    Cash = 7,
    ModelChange = 8,
    Restriction = 9,
    /// <summary>An account opened with its settings, cash and lots: where a journal replay starts.</summary>
    AccountOpened = 10,
    /// <summary>What a household decision concluded when it did not simply plan: what it relaxed to find a plan, what it
    /// protected, or why it traded nothing (payload <see cref="DecisionRecord"/>).</summary>
    Decision = 11,
    /// <summary>A corporate action applied to one account (payload <see cref="CorporateActionEffect"/>).</summary>
    CorporateAction = 12,
    /// <summary>A household's or account's tax profile or investment policy set (payload: the new one).</summary>
    PolicyChange = 13,
    /// <summary>A reconciliation break resolved: custodian accepted or our books kept, with the note (payload
    /// <see cref="ReconciliationResolution"/>).</summary>
    Reconciliation = 14,
    /// <summary>An order sent to the desk (payload <see cref="BrokerOrder"/>).</summary>
    OrderSent = 20,
    /// <summary>An execution report that filled some of an order (payload <see cref="ExecutionResult"/>); the fills themselves
    /// are <see cref="Fill"/> entries keyed by the order id.</summary>
    OrderFilled = 21,
    /// <summary>An order canceled or rejected: its remaining quantity released (payload <see cref="ExecutionResult"/>).</summary>
    OrderCanceled = 22,
    /// <summary>A DAY order not done at the close of its trade date, expired (payload <see cref="BrokerOrder"/>).</summary>
    OrderExpired = 23,
    /// <summary>A decision that left accounts with open orders out until those orders resolve (payload: the account ids).</summary>
    OrderDeferred = 24,
    /// <summary>A correction of record to an account's lots or cash — shares transferred in or out, or a reconciliation's
    /// custodian figures accepted — never a sale: no realized gain or loss (payload <see cref="BookCorrectionEffect"/>).</summary>
    BookCorrection = 28,
    /// <summary>A household's books loaded in bulk (<c>households db load</c>; payload: its account ids): their settings,
    /// cash and lots are the books of record as loaded, with no opening entry, so a replay of the journal cannot rebuild
    /// them and reads their entries past (the audit names such accounts rather than calling each entry unreadable).</summary>
    BooksLoaded = 29,
}

/// <summary>One line of the append-only audit journal: what happened, to which household and account, when, why
/// (<see cref="Summary"/>) and the full record (<see cref="Payload"/>, JSON). <see cref="IdempotencyKey"/> makes a
/// retried append land once.</summary>
[GenerateSerializer, Immutable, Alias("JournalEntry")]
public sealed record JournalEntry(
    [property: Id(0)] long Id,
    [property: Id(1)] string HouseholdId,
    [property: Id(2)] string? AccountId,
    [property: Id(3)] JournalKind Kind,
    [property: Id(4)] DateTimeOffset OccurredAt,
    [property: Id(5)] string? IdempotencyKey,
    [property: Id(6)] string Summary,
    [property: Id(7)] string Payload);

/// <summary>A journal query: any combination of household, account, time range [From, To) and kind, newest first.</summary>
[GenerateSerializer, Immutable, Alias("JournalQuery")]
public sealed record JournalQuery(
    [property: Id(0)] string? HouseholdId,
    [property: Id(1)] string? AccountId,
    [property: Id(2)] DateTimeOffset? From,
    [property: Id(3)] DateTimeOffset? To,
    [property: Id(4)] JournalKind? Kind,
    [property: Id(5)] int Limit,
    [property: Id(6)] long? BeforeId);
