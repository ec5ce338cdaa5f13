using Households.Contracts;

namespace Households.Domain.Advisors;

/// <summary>The rules of a bulk decision request, and what each household's answer means for the advisor.</summary>
public static class BulkDecisions
{
    public const int MaxNote = 500;

    public static void Check(IReadOnlyList<BulkDecision>? decisions, int max)
    {
        if (decisions is null || decisions.Count == 0) throw new BadInputException("decisions must list at least one proposal");
        if (decisions.Count > max) throw new BadInputException($"at most {max} decisions per request");
        foreach (var d in decisions)
        {
            InputRules.Id(d.HouseholdId, "householdId");
            InputRules.Id(d.ProposalId, "proposalId");
            if (!Enum.IsDefined(d.Decision)) throw new BadInputException("decision must be approve or reject");
            InputRules.Text(d.Note, "note", required: false, maxLength: MaxNote);
        }
        if (decisions.GroupBy(d => (d.HouseholdId, d.ProposalId)).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new BadInputException($"proposal {twice.Key.ProposalId} of household {twice.Key.HouseholdId} is listed twice");
    }

    /// <summary>The household's answer: the proposal itself executed; another (the re-optimized one) executed or failed in
    /// its place; the proposal failed (refused with the execution's note); or rejected.</summary>
    public static BulkDecisionResult Outcome(BulkDecision d, RebalanceProposal answer)
    {
        var reoptimized = !string.Equals(answer.Id, d.ProposalId, StringComparison.Ordinal);
        var outcome = answer.Status switch
        {
            ProposalStatus.Rejected => BulkOutcome.Rejected,
            ProposalStatus.Executed when reoptimized => BulkOutcome.Reoptimized,
            ProposalStatus.Executed => BulkOutcome.Executed,
            _ when reoptimized => BulkOutcome.Reoptimized,
            _ => BulkOutcome.Refused,
        };
        var reason = outcome switch
        {
            BulkOutcome.Reoptimized => $"prices moved beyond the tolerance or a buy would wash a loss: re-optimized as {answer.Id} ({answer.Status.ToString().ToLowerInvariant()})",
            BulkOutcome.Refused => answer.Note ?? $"proposal is {answer.Status.ToString().ToLowerInvariant()}",
            _ => null,
        };
        return new(d.HouseholdId, d.ProposalId, outcome, reoptimized ? answer.Id : null, answer.Status, reason);
    }

    public static BulkDecisionResult Refused(BulkDecision d, string reason) => new(d.HouseholdId, d.ProposalId, BulkOutcome.Refused, null, null, reason);

    public static BulkDecisionResult NotFound(BulkDecision d, string reason) => new(d.HouseholdId, d.ProposalId, BulkOutcome.NotFound, null, null, reason);
}
