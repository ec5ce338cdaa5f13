using Households.Contracts;
using Households.Domain;
using Households.Domain.Advisors;
using Households.Grains.Silo;
using Microsoft.Extensions.Logging;

namespace Households.Grains.Advisors;

[GenerateSerializer]
public sealed class BulkDecisionState
{
    [Id(0)] public BulkDecision[]? Request { get; set; }
    /// <summary>The results so far, in the request's order; complete when there is one per decision.</summary>
    [Id(1)] public List<BulkDecisionResult> Results { get; set; } = [];
    [Id(2)] public Approver? DecidedBy { get; set; }
}

/// <summary>One bulk request (key "{subject}/{requestId}"): each proposal is decided by its household exactly as a single
/// approval or rejection, and each result is stored before the next decision, so a retry after a crash resumes where the
/// first attempt stopped and a completed request answers its stored results.</summary>
public sealed class BulkDecisionGrain([PersistentState("bulkdecision", "households")] IPersistentState<BulkDecisionState> state,
    ILogger<BulkDecisionGrain> log) : Grain, IBulkDecisionGrain
{
    public const int MaxDecisions = 200;

    public static string KeyOf(string subject, string requestId) => $"{subject}/{requestId}";

    // Retried whole on the state read again: it resumes after the last stored result, each household answering a
    // decision it already made with its first result.
    public Task<BulkDecisionResponse> Decide(BulkDecision[] decisions, Approver by, string? advisorScope)
    {
        BulkDecisions.Check(decisions, MaxDecisions);
        return state.WriteWithRetryAsync(() => DecideAll(decisions, by, advisorScope), log, this.GetPrimaryKeyString());
    }

    private async Task<BulkDecisionResponse> DecideAll(BulkDecision[] decisions, Approver by, string? advisorScope)
    {
        var requestId = this.GetPrimaryKeyString();
        if (state.State.Request is { } first && !first.SequenceEqual(decisions))
            throw new BadInputException($"request id {requestId[(requestId.IndexOf('/') + 1)..]} was already used for a different request");
        state.State.Request ??= decisions;
        state.State.DecidedBy ??= by;
        for (var i = state.State.Results.Count; i < decisions.Length; i++)
        {
            state.State.Results.Add(await DecideOne(decisions[i], state.State.DecidedBy, advisorScope));
            await state.WriteStateAsync();
        }
        return new BulkDecisionResponse(requestId[(requestId.IndexOf('/') + 1)..], state.State.DecidedBy, [.. state.State.Results]);
    }

    private async Task<BulkDecisionResult> DecideOne(BulkDecision d, Approver by, string? advisorScope)
    {
        var household = GrainFactory.GetGrain<IHouseholdGrain>(d.HouseholdId);
        var spec = await household.GetSpec();
        if (spec is null || (advisorScope is not null && (advisorScope.Length == 0 || !string.Equals(spec.AdvisorId, advisorScope, StringComparison.Ordinal))))
            return BulkDecisions.NotFound(d, $"household {d.HouseholdId} does not exist");
        if (!(await household.GetProposals()).Any(p => p.Id == d.ProposalId))
            return BulkDecisions.NotFound(d, $"proposal {d.ProposalId} does not exist in household {d.HouseholdId}");
        try
        {
            var result = d.Decision == BulkDecisionKind.Approve
                ? await household.Approve(d.ProposalId, by)
                : await household.Reject(d.ProposalId, d.Note, by);
            return BulkDecisions.Outcome(d, result);
        }
        catch (BadInputException ex) { return BulkDecisions.Refused(d, ex.Message); }
    }
}
