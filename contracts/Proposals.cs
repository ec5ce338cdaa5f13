using System.Collections.Immutable;

namespace Households.Contracts;

[GenerateSerializer]
public enum ProposalStatus
{
    /// <summary>Waiting for the client's approval (non-discretionary accounts).</summary>
    Pending = 0,
    Executed = 1,
    Rejected = 2,
    Expired = 3,
    /// <summary>Replaced by a re-optimized proposal (prices moved beyond tolerance before approval).</summary>
    Superseded = 4,
    /// <summary>Execution was refused (for example the wash-sale ledger or cash no longer allowed a trade).</summary>
    Failed = 5,
}

/// <summary>A household rebalance the system proposes and explains: the triggers that caused it, the trades with
/// their reasons, lots and tax effect, and tracking error before and after. Discretionary accounts' proposals
/// execute at once; others wait for approval until <see cref="ExpiresAt"/>. In orders-mode accounts executing sends
/// <see cref="Orders"/> (their state as they stand when read) and the fills arrive later.</summary>
[GenerateSerializer, Immutable, Alias("RebalanceProposal")]
public sealed record RebalanceProposal(
    [property: Id(0)] string Id,
    [property: Id(1)] string HouseholdId,
    [property: Id(2)] ProposalStatus Status,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] DateTimeOffset ExpiresAt,
    ImmutableArray<Trigger> Causes,
    ImmutableArray<OptimizedTrade> Trades,
    double TrackingErrorBefore,
    double TrackingErrorAfter,
    decimal ShortTermGain,
    decimal LongTermGain,
    long PriceSequence,
    DateTimeOffset? DecidedAt,
    string? Note,
    ImmutableArray<TradeResult> Fills,
    string? SupersededBy,
    Approver? DecidedBy = null,
    ImmutableArray<BrokerOrder>? Orders = null)
{
    [Id(5)] public ImmutableArray<Trigger> Causes { get => field.OrEmpty(); init; } = Causes;
    [Id(6)] public ImmutableArray<OptimizedTrade> Trades { get => field.OrEmpty(); init; } = Trades;
    [Id(7)] public double TrackingErrorBefore { get; init; } = TrackingErrorBefore;
    [Id(8)] public double TrackingErrorAfter { get; init; } = TrackingErrorAfter;
    [Id(9)] public decimal ShortTermGain { get; init; } = ShortTermGain;
    [Id(10)] public decimal LongTermGain { get; init; } = LongTermGain;
    [Id(11)] public long PriceSequence { get; init; } = PriceSequence;
    [Id(12)] public DateTimeOffset? DecidedAt { get; init; } = DecidedAt;
    [Id(13)] public string? Note { get; init; } = Note;
    [Id(14)] public ImmutableArray<TradeResult> Fills { get => field.OrEmpty(); init; } = Fills;
    [Id(15)] public string? SupersededBy { get; init; } = SupersededBy;
    [Id(16)] public Approver? DecidedBy { get; init; } = DecidedBy;
    [Id(19)] public ImmutableArray<BrokerOrder>? Orders { get; init; } = Orders;
}

/// <summary>Who approved or rejected a proposal: the token's subject, the advisor id it carries (null for an admin or
/// the system) and its role.</summary>
[GenerateSerializer, Immutable, Alias("Approver")]
public sealed record Approver(
    [property: Id(0)] string Subject,
    [property: Id(1)] string? AdvisorId,
    [property: Id(2)] string Role)
{
    /// <summary>The engine itself (demo clients, tests): no person decided.</summary>
    public static Approver System { get; } = new("system", null, "system");
}

[GenerateSerializer]
public enum CashKind
{
    Deposit = 0,
    Withdrawal = 1,
    Dividend = 2,
    /// <summary>Interest credited by the custodian (cash in).</summary>
    Interest = 3,
    /// <summary>A fee the custodian charged (cash out, at once; refused beyond the cash held).</summary>
    Fee = 4,
    /// <summary>Cash transferred in from outside the custodian.</summary>
    TransferIn = 5,
    /// <summary>Cash transferred out (at once; refused beyond the cash held).</summary>
    TransferOut = 6,
    /// <summary>Cash journaled in from another account at the custodian.</summary>
    JournalIn = 7,
    /// <summary>Cash journaled out to another account at the custodian (at once; refused beyond the cash held).</summary>
    JournalOut = 8,
}

/// <summary>Money into or out of an account. A withdrawal is a request: the household raises the cash
/// tax-efficiently (losses first, then the lowest-gain lots) and pays it out.</summary>
[GenerateSerializer, Immutable, Alias("CashMovement")]
public sealed record CashMovement(
    [property: Id(0)] string IdempotencyKey,
    [property: Id(1)] CashKind Kind,
    [property: Id(2)] decimal Amount,
    [property: Id(3)] DateOnly Date,
    [property: Id(4)] string? Symbol);

/// <summary>One account as its household sees it when deciding: settings, books, resolved target, and the cash it
/// must raise for pending withdrawal requests.</summary>
[GenerateSerializer, Immutable, Alias("AccountDecisionInput")]
public sealed record AccountDecisionInput(
    [property: Id(0)] AccountSpec Spec,
    [property: Id(1)] decimal Cash,
    ImmutableArray<TaxLot> Lots,
    ResolvedTarget? Target,
    decimal CashToRaise)
{
    [Id(2)] public ImmutableArray<TaxLot> Lots { get => field.OrEmpty(); init; } = Lots;
    [Id(3)] public ResolvedTarget? Target { get; init; } = Target;
    [Id(4)] public decimal CashToRaise { get; init; } = CashToRaise;

    /// <summary>The account's value at these prices: its cash and its lots (a lot without a price counts nothing).</summary>
    public decimal ValueAt(Func<string, decimal?> price) => Cash + Lots.Sum(l => (price(l.Symbol) ?? 0m) * l.Quantity);
}

/// <summary>What a household decision concluded.</summary>
[GenerateSerializer]
public enum DecisionOutcome
{
    /// <summary>Trades were planned (a proposal, executed or pending).</summary>
    Planned = 0,
    /// <summary>The best plan trades nothing (nothing worth its cost, or everything is dust).</summary>
    NothingToTrade = 1,
    /// <summary>No plan even after every relaxation the priority order allows; the reason says why.</summary>
    NoPlan = 2,
}

/// <summary>One household decision as the journal records it: the outcome, what was relaxed to reach it (in the
/// order of the priority ladder: tracking first, then tax rules; client restrictions and cash needs last), what the
/// engine protected or refused and why, and the reason when nothing was traded.</summary>
[GenerateSerializer, Immutable, Alias("DecisionRecord")]
public sealed record DecisionRecord(
    [property: Id(0)] string HouseholdId,
    [property: Id(1)] DecisionOutcome Outcome,
    ImmutableArray<string> Relaxed,
    ImmutableArray<string> Notes,
    string? Reason,
    int Trades,
    string? ProposalId = null)
{
    [Id(2)] public ImmutableArray<string> Relaxed { get => field.OrEmpty(); init; } = Relaxed;
    [Id(3)] public ImmutableArray<string> Notes { get => field.OrEmpty(); init; } = Notes;
    [Id(4)] public string? Reason { get; init; } = Reason;
    [Id(5)] public int Trades { get; init; } = Trades;
    [Id(6)] public string? ProposalId { get; init; } = ProposalId;
}
