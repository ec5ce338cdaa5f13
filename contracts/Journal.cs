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
    /// <summary>An account's restrictions set by its client (payload: the restrictions).</summary>
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

/// <summary>What an idempotency key names. A key names one event (a fill, a proposal's status, a trigger): an entry
/// appended again under it is the same entry retried (an outbox replayed after a crash) and lands once. Two keys name a
/// note kept once per lot and day instead: a harvest the wash-sale guard refused (IRC §1091) and one a client exclusion
/// overrode; a later decision that day refusing the same lot with other figures is not journaled again, by design.
/// Any other key met again with a different entry is a defect (keys reused, as a firm's books reloaded over its journal
/// once did): the journal drops the new entry, as it must to stay idempotent, and logs and counts it.</summary>
public static class JournalKeys
{
    /// <summary>The prefix of a refused harvest's key (<c>refused:{lot}:{yyyyMMdd}</c>), what the audit reads.</summary>
    public const string RefusedHarvest = "refused:";

    /// <summary>The prefix of an overridden harvest's key (<c>overridden:{lot}:{yyyyMMdd}</c>).</summary>
    public const string OverriddenHarvest = "overridden:";

    /// <summary>Whether <paramref name="key"/> names a daily note, which a different later entry may meet without a defect.</summary>
    public static bool NamesDailyNote(string key) =>
        key.StartsWith(RefusedHarvest, StringComparison.Ordinal) || key.StartsWith(OverriddenHarvest, StringComparison.Ordinal);

    /// <summary>Whether <paramref name="retried"/>, met under the key of <paramref name="stored"/>, is that entry again:
    /// the same kind, summary and record (the time may differ by a serializer's rounding, and means nothing here).</summary>
    public static bool SameEntry(JournalEntry stored, JournalEntry retried) =>
        stored.Kind == retried.Kind && stored.Summary == retried.Summary && stored.Payload == retried.Payload;
}

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
