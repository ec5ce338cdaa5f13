using Households.Contracts;
using Households.Domain.Decisions;

namespace Households.Silo.Api;

/// <summary>A household's decisions, under <c>/api/households/{id}</c>: its proposals, deciding now (rebalance), the plan it
/// would make (preview), approving and rejecting a proposal, and the order file of pending proposals. The client
/// explanations of a proposal are in <see cref="ExplanationApi"/>.</summary>
public static class ProposalApi
{
    public static IEndpointRouteBuilder MapProposalApi(this IEndpointRouteBuilder api)
    {
        var household = api.MapGroup("/households/{id}");
        household.MapGet("/proposals", List).WithName("ListProposals")
            .WithSummary("The household's proposals, newest first, with trades, reasons, lots and tax effect");
        household.MapPost("/rebalance", Rebalance).WithName("Rebalance")
            .WithSummary("Decide now: discretionary trades execute, others become pending proposals");
        household.MapPost("/preview", Preview).WithName("PreviewHousehold")
            .WithSummary("The plan the engine would make now (trades, lots, tax effect at the household's marginal rates, tracking error before and after per account), without filing, journaling or executing anything");
        household.MapPost("/proposals/{proposalId}/approve", Approve).WithName("ApproveProposal")
            .WithSummary("Approve: re-validated against live prices and the wash-sale ledger (re-optimized if prices moved), then executed; repeating it returns the same result");
        household.MapPost("/proposals/{proposalId}/reject", Reject).WithName("RejectProposal");
        household.MapGet("/orders.csv", OrderFileCsv).WithName("ExportOrders")
            .WithSummary("Order file (CSV: proposal, account, symbol, side, quantity, lots, order type, reasons): pending proposals, or one proposal");
        return api;
    }

    private static async Task<IResult> List(string id, IGrainFactory grains) =>
        await HouseholdApi.Existing(grains, id) is { } h ? Results.Ok(await h.GetProposals()) : NotFoundProblem.Household(id);

    private static async Task<IResult> Rebalance(string id, IGrainFactory grains) =>
        await HouseholdApi.Existing(grains, id) is { } h ? Results.Ok(await h.Rebalance([])) : NotFoundProblem.Household(id);

    private static async Task<IResult> Preview(string id, IGrainFactory grains) =>
        await HouseholdApi.Existing(grains, id) is { } h ? Results.Ok(await h.Preview()) : NotFoundProblem.Household(id);

    private static async Task<IResult> Approve(string id, string proposalId, HttpContext http, IGrainFactory grains) =>
        await HouseholdApi.Existing(grains, id) is { } h ? Results.Ok(await h.Approve(proposalId, AdvisorApi.ApproverOf(http.User))) : NotFoundProblem.Household(id);

    private static async Task<IResult> Reject(string id, string proposalId, RejectionNote? body, HttpContext http, IGrainFactory grains) =>
        await HouseholdApi.Existing(grains, id) is { } h ? Results.Ok(await h.Reject(proposalId, body?.Note, AdvisorApi.ApproverOf(http.User))) : NotFoundProblem.Household(id);

    private static async Task<IResult> OrderFileCsv(string id, string? proposal, IGrainFactory grains)
    {
        if (await HouseholdApi.Existing(grains, id) is not { } h) return NotFoundProblem.Household(id);
        var proposals = (await h.GetProposals()).Where(p => proposal is null ? p.Status == ProposalStatus.Pending : p.Id == proposal).ToList();
        if (proposal is not null && proposals.Count == 0) return NotFoundProblem.For("proposal", proposal);
        return Results.Text(OrderFile.Csv(proposals), "text/csv");
    }
}
