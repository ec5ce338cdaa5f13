using System.Collections.Immutable;

namespace Households.Contracts;

/// <summary>One defect the compliance audit found: where (household, account), which journal entry shows it (its id
/// and idempotency key) and one sentence saying what is wrong.</summary>
[GenerateSerializer, Immutable, Alias("AuditFinding")]
public sealed record AuditFinding(
    [property: Id(0)] string HouseholdId,
    [property: Id(1)] string? AccountId,
    [property: Id(2)] long EntryId,
    [property: Id(3)] string? EntryKey,
    [property: Id(4)] string Explanation);

/// <summary>One category of the audit: the exact <see cref="Count"/> and the first findings (the list is capped, the
/// count is not).</summary>
[GenerateSerializer, Immutable, Alias("AuditCategory")]
public sealed record AuditCategory(
    [property: Id(0)] int Count,
    ImmutableArray<AuditFinding> Findings)
{
    [Id(1)] public ImmutableArray<AuditFinding> Findings { get => field.OrEmpty(); init; } = Findings;

    /// <summary>A category with nothing found.</summary>
    public static AuditCategory None { get; } = new(0, []);
}

/// <summary>The compliance audit of a journal (a firm's or one household's, optionally within [<see cref="From"/>,
/// <see cref="To"/>)): decision defects counted with their first findings, plus information that is not a defect
/// (permanent self-washes among the self-washed sales, decisions that relaxed a rule, harvests deferred by an engine purchase
/// made while the lot was not at or near a harvestable loss — the market fell afterwards —, and, where the audit runs on a
/// live silo, the accounts its monitor watches and how many are out of tolerance now (null until it has scanned a price batch); the accounts whose books were loaded
/// in bulk, which the journal cannot replay; the client events recorded — cash movements, restrictions and policies set —,
/// each of which must become a decision's cause). <see cref="Clean"/> when every
/// defect count is 0.</summary>
[GenerateSerializer, Immutable, Alias("AuditReport")]
public sealed record AuditReport(
    [property: Id(0)] string? HouseholdId,
    [property: Id(1)] DateTimeOffset? From,
    [property: Id(2)] DateTimeOffset? To,
    [property: Id(3)] decimal MinTrade,
    [property: Id(4)] long EntriesScanned,
    [property: Id(5)] int Households,
    [property: Id(6)] int EngineFills,
    [property: Id(7)] int Decisions,
    [property: Id(8)] AuditCategory SelfWashedSales,
    [property: Id(9)] int PermanentSelfWashedSales,
    [property: Id(10)] AuditCategory SelfBlockedHarvests,
    [property: Id(11)] AuditCategory DustFills,
    [property: Id(12)] AuditCategory FractionalOrders,
    [property: Id(13)] AuditCategory FrozenDecisions,
    [property: Id(14)] int RelaxedDecisions,
    [property: Id(15)] AuditCategory UnpaidWithdrawals,
    [property: Id(16)] AuditCategory UnreadableEntries,
    [property: Id(17)] int HarvestsDeferredByEarlierPurchases = 0,
    [property: Id(18)] int? AccountsMonitored = null,
    [property: Id(19)] int? AccountsOutOfTolerance = null,
    [property: Id(20)] AuditCategory? TriggersDecidedTwice = null,
    [property: Id(21)] int AccountsLoadedInBulk = 0,
    [property: Id(22)] int ClientEvents = 0,
    [property: Id(23)] AuditCategory? ClientEventsNotDecided = null)
{
    /// <summary>Every defect category, by name, in report order.</summary>
    public IEnumerable<(string Name, AuditCategory Category)> Defects() =>
    [
        ("self-washed sales", SelfWashedSales),
        ("self-blocked harvests", SelfBlockedHarvests),
        ("dust fills", DustFills),
        ("fractional orders", FractionalOrders),
        ("frozen decisions", FrozenDecisions),
        ("unpaid withdrawals with cash on hand", UnpaidWithdrawals),
        ("unreadable entries", UnreadableEntries),
        ("triggers decided twice", TriggersDecidedTwice ?? AuditCategory.None),
        ("client events never decided", ClientEventsNotDecided ?? AuditCategory.None),
    ];

    /// <summary>True when no defect was found (information counts do not matter).</summary>
    public bool Clean => Defects().All(d => d.Category.Count == 0);
}
