using System.Collections.Immutable;

using Orleans.Concurrency;

namespace Households.Contracts;

/// <summary>What kind of work a pending proposal is, for the advisor's queue (one rule: <c>ProposalKinds.Of</c>).</summary>
[GenerateSerializer]
public enum ProposalKind
{
    Rebalance = 0,
    Harvest = 1,
    Cash = 2,
    Restriction = 3,
    TransitionStep = 4,
}

/// <summary>One household's pending proposals as the advisor queue indexes them, with what a queue row needs and the
/// household does not otherwise publish: its marginal tax rates now, its taxable accounts and whether it is under a
/// transition plan. Sent whole (absolute, newest <see cref="At"/> wins), so a repeated or late notice does no harm.</summary>
[GenerateSerializer, Immutable, Alias("HouseholdPending")]
public sealed record HouseholdPending(
    [property: Id(0)] string HouseholdId,
    [property: Id(1)] string HouseholdName,
    [property: Id(2)] string AdvisorId,
    [property: Id(3)] MarginalTaxRates Rates,
    ImmutableArray<string> TaxableAccounts,
    bool InTransition,
    ImmutableArray<RebalanceProposal> Proposals,
    DateTimeOffset At)
{
    [Id(4)] public ImmutableArray<string> TaxableAccounts { get => field.OrEmpty(); init; } = TaxableAccounts;
    [Id(5)] public bool InTransition { get; init; } = InTransition;
    [Id(6)] public ImmutableArray<RebalanceProposal> Proposals { get => field.OrEmpty(); init; } = Proposals;
    [Id(7)] public DateTimeOffset At { get; init; } = At;
}

/// <summary>One row of the advisor's queue (docs/formats.md §18). Money in dollars; tracking error annualised, as a
/// fraction. <see cref="EstimatedTaxBenefit"/> is positive when the trades save tax; <see cref="ValueToClient"/> is
/// defined by <c>ProposalValue.Of</c>.</summary>
[GenerateSerializer, Immutable, Alias("QueueRow")]
public sealed record QueueRow(
    [property: Id(0)] string HouseholdId,
    [property: Id(1)] string HouseholdName,
    [property: Id(2)] string AdvisorId,
    [property: Id(3)] string ProposalId,
    ImmutableArray<string> Accounts,
    ProposalKind Kind,
    int Trades,
    decimal ShortTermGain,
    decimal LongTermGain,
    decimal EstimatedTaxBenefit,
    string RatesBasis,
    decimal TransactionCosts,
    decimal TrackingValue,
    decimal ValueToClient,
    double TrackingErrorBefore,
    double TrackingErrorAfter,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    bool PricesMoved)
{
    [Id(4)] public ImmutableArray<string> Accounts { get => field.OrEmpty(); init; } = Accounts;
    [Id(5)] public ProposalKind Kind { get; init; } = Kind;
    [Id(6)] public int Trades { get; init; } = Trades;
    [Id(7)] public decimal ShortTermGain { get; init; } = ShortTermGain;
    [Id(8)] public decimal LongTermGain { get; init; } = LongTermGain;
    [Id(9)] public decimal EstimatedTaxBenefit { get; init; } = EstimatedTaxBenefit;
    [Id(10)] public string RatesBasis { get; init; } = RatesBasis;
    [Id(11)] public decimal TransactionCosts { get; init; } = TransactionCosts;
    [Id(12)] public decimal TrackingValue { get; init; } = TrackingValue;
    [Id(13)] public decimal ValueToClient { get; init; } = ValueToClient;
    [Id(14)] public double TrackingErrorBefore { get; init; } = TrackingErrorBefore;
    [Id(15)] public double TrackingErrorAfter { get; init; } = TrackingErrorAfter;
    [Id(16)] public DateTimeOffset CreatedAt { get; init; } = CreatedAt;
    [Id(17)] public DateTimeOffset ExpiresAt { get; init; } = ExpiresAt;
    [Id(18)] public bool PricesMoved { get; init; } = PricesMoved;
}

/// <summary>A page of the advisor's queue.</summary>
[GenerateSerializer, Immutable, Alias("QueuePage")]
public sealed record QueuePage(
    [property: Id(0)] int Page,
    [property: Id(1)] int PageSize,
    [property: Id(2)] int Total,
    ImmutableArray<QueueRow> Items)
{
    [Id(3)] public ImmutableArray<QueueRow> Items { get => field.OrEmpty(); init; } = Items;
}

/// <summary>A shard of the firm's pending-proposal index (keys "firm/00" to "firm/63", by a hash of the household id;
/// "firm" is the single index a firm kept before the shards): households tell their shard their pending proposals
/// whenever the set changes and on activation, so reading the queue wakes no household. Persisted.</summary>
[Alias("IAdvisorQueueGrain")]
public interface IAdvisorQueueGrain : IGrainWithStringKey
{
    /// <summary>Replaces what the index holds for the household (an empty list removes it); an older notice than the one
    /// held is ignored. Stored before the next read answers; raises the "needs approval" notice for new proposals.</summary>
    [Alias("Report"), OneWay, AlwaysInterleave] Task Report(HouseholdPending pending);

    /// <summary>The indexed households with pending proposals: all of them, or only <paramref name="advisorId"/>'s.
    /// Proposals past their expiry are left out.</summary>
    [Alias("Pending"), AlwaysInterleave] Task<HouseholdPending[]> Pending(string? advisorId);

    /// <summary>(The firm's former single index) The households it holds that hash to the shard <paramref name="shardKey"/>;
    /// asked by each shard on its first activation, which stores them and then asks <see cref="Forget"/>.</summary>
    [Alias("HandOver")] Task<HouseholdPending[]> HandOver(string shardKey);

    /// <summary>(The firm's former single index) Drops the households that hash to the shard <paramref name="shardKey"/>,
    /// once that shard has stored them; returns after the write.</summary>
    [Alias("Forget")] Task Forget(string shardKey);
}

[GenerateSerializer]
public enum BulkDecisionKind
{
    Approve = 0,
    Reject = 1,
}

/// <summary>One decision of a bulk request.</summary>
[GenerateSerializer, Immutable, Alias("BulkDecision")]
public sealed record BulkDecision(
    [property: Id(0)] string HouseholdId,
    [property: Id(1)] string ProposalId,
    [property: Id(2)] BulkDecisionKind Decision,
    [property: Id(3)] string? Note);

[GenerateSerializer]
public enum BulkOutcome
{
    /// <summary>Approved, re-validated and executed as proposed.</summary>
    Executed = 0,
    /// <summary>Approved, but prices moved or a buy would now wash a loss: re-optimized (see the new proposal id).</summary>
    Reoptimized = 1,
    /// <summary>Not done: expired, no longer pending, or execution failed (the reason says which).</summary>
    Refused = 2,
    Rejected = 3,
    /// <summary>No such household or proposal, or not the caller's (indistinguishable, as elsewhere).</summary>
    NotFound = 4,
}

/// <summary>What became of one decision of a bulk request.</summary>
[GenerateSerializer, Immutable, Alias("BulkDecisionResult")]
public sealed record BulkDecisionResult(
    [property: Id(0)] string HouseholdId,
    [property: Id(1)] string ProposalId,
    [property: Id(2)] BulkOutcome Outcome,
    [property: Id(3)] string? NewProposalId,
    [property: Id(4)] ProposalStatus? Status,
    [property: Id(5)] string? Reason);

/// <summary>The answer to a bulk request: one result per decision, in the request's order.</summary>
[GenerateSerializer, Immutable, Alias("BulkDecisionResponse")]
public sealed record BulkDecisionResponse(
    [property: Id(0)] string RequestId,
    [property: Id(1)] Approver DecidedBy,
    ImmutableArray<BulkDecisionResult> Results)
{
    [Id(2)] public ImmutableArray<BulkDecisionResult> Results { get => field.OrEmpty(); init; } = Results;
}

/// <summary>One bulk request, keyed by the caller's subject and the client's request id: decides each proposal once and
/// stores the answer, so a retried request applies nothing twice and answers the same.</summary>
[Alias("IBulkDecisionGrain")]
public interface IBulkDecisionGrain : IGrainWithStringKey
{
    /// <summary>Decides each proposal on its own, exactly as a single approval or rejection by <paramref name="by"/>; a
    /// household outside <paramref name="advisorScope"/> (when not null) answers as not found. The answer is stored before
    /// it is returned; the same request again returns it, a different request under the same id is bad input.</summary>
    [Alias("Decide")] Task<BulkDecisionResponse> Decide(BulkDecision[] decisions, Approver by, string? advisorScope);
}

/// <summary>Something an advisor should know: a proposal needs approval, a proposal is about to expire, or a household's
/// harvest opportunity exceeds the firm's threshold. <see cref="DeliveryId"/> is stable across webhook retries.</summary>
[GenerateSerializer, Immutable, Alias("AdvisorNotice")]
public sealed record AdvisorNotice(
    [property: Id(0)] long Sequence,
    [property: Id(1)] string Kind,
    [property: Id(2)] string HouseholdId,
    [property: Id(3)] string AdvisorId,
    [property: Id(4)] string? ProposalId,
    [property: Id(5)] string Summary,
    [property: Id(6)] DateTimeOffset At,
    [property: Id(7)] string DeliveryId,
    [property: Id(8)] decimal? Amount);

/// <summary>Notices after a cursor; a new <see cref="Epoch"/> means the list restarted (the grain re-activated).</summary>
[GenerateSerializer, Immutable, Alias("AdvisorNotices")]
public sealed record AdvisorNotices(
    [property: Id(0)] string Epoch,
    [property: Id(1)] long Last,
    ImmutableArray<AdvisorNotice> Items)
{
    [Id(2)] public ImmutableArray<AdvisorNotice> Items { get => field.OrEmpty(); init; } = Items;
}

/// <summary>A webhook delivery waiting in the outbox: the notice's body (JSON, sent byte for byte on every attempt), the
/// endpoint's name, the attempts made and when the next is due.</summary>
[GenerateSerializer, Immutable, Alias("WebhookDelivery")]
public sealed record WebhookDelivery(
    [property: Id(0)] string DeliveryId,
    [property: Id(1)] string Endpoint,
    [property: Id(2)] string Body,
    [property: Id(3)] int Attempts,
    [property: Id(4)] DateTimeOffset NextAttemptAt,
    [property: Id(5)] DateTimeOffset? LeasedUntil);

/// <summary>The firm's advisor notices (key "firm"): a bounded in-memory list for the advisor event streams and a
/// persisted webhook outbox that silo dispatchers drain (signing, sending and retrying outside any household's turn).</summary>
[Alias("IAdvisorNotificationsGrain")]
public interface IAdvisorNotificationsGrain : IGrainWithStringKey
{
    /// <summary>Adds a notice (its sequence is assigned here) and, per configured webhook endpoint, a delivery to the
    /// persisted outbox, stored before it returns. A notice whose delivery id was seen before is ignored, so a repeated
    /// notice is streamed and sent once.</summary>
    [Alias("Notify"), AlwaysInterleave] Task Notify(AdvisorNotice notice);

    /// <summary>Notices after sequence <paramref name="after"/>, oldest first: all, or only <paramref name="advisorId"/>'s.</summary>
    [Alias("Since"), AlwaysInterleave] Task<AdvisorNotices> Since(long after, string? advisorId);

    /// <summary>Deliveries due at <paramref name="now"/>, leased to the caller until <paramref name="leaseUntil"/> so
    /// another dispatcher does not send them meanwhile.</summary>
    [Alias("TakeDue")] Task<WebhookDelivery[]> TakeDue(DateTimeOffset now, DateTimeOffset leaseUntil);

    /// <summary>Records an attempt: delivered (removed from the outbox), or failed (due again after the backoff, or
    /// dropped after the last attempt).</summary>
    [Alias("Attempted")] Task Attempted(string deliveryId, string endpoint, bool delivered, DateTimeOffset at);

    /// <summary>The outbox as stored (for operators and tests).</summary>
    [Alias("Outbox"), AlwaysInterleave] Task<WebhookDelivery[]> Outbox();
}
