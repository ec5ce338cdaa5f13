using Households.Contracts;
using Households.Domain;
using Households.Domain.Explanations;
using Households.Domain.Tax;

namespace Households.Silo.Api;

/// <summary>Client-ready explanations (issue #20): a proposal's, and a transition plan's, as a self-contained HTML page or a
/// PDF letter of one or two pages (docs/formats.md §19). Read routes under <c>/api/households/{id}</c>, so the ownership
/// middleware confines an advisor to their own households exactly as for reading the household; nothing is written.</summary>
public static class ExplanationApi
{
    public static IEndpointRouteBuilder MapExplanationApi(this IEndpointRouteBuilder api)
    {
        var household = api.MapGroup("/households/{id}");
        household.MapGet("/proposals/{proposalId}/explanation.html", ProposalHtml).WithName("ProposalExplanationHtml")
            .WithSummary("The proposal explained for the client: trades and why, the tax effect this year, wash-sale precautions, asset classes before, after and target (self-contained HTML)");
        household.MapGet("/proposals/{proposalId}/explanation.pdf", ProposalPdf).WithName("ProposalExplanationPdf")
            .WithSummary("The proposal explained for the client as a PDF letter of one or two pages");
        household.MapGet("/transition/explanation.html", TransitionHtml).WithName("TransitionExplanationHtml")
            .WithSummary("The transition plan explained for the client (same query as GET /transition), as self-contained HTML");
        household.MapGet("/transition/explanation.pdf", TransitionPdf).WithName("TransitionExplanationPdf")
            .WithSummary("The transition plan explained for the client (same query as GET /transition), as a PDF letter of one or two pages");
        return api;
    }

    private static Task<IResult> ProposalHtml(string id, string proposalId, [AsParameters] HouseholdPlanServices services) =>
        Proposal(id, proposalId, services, Html);

    private static Task<IResult> ProposalPdf(string id, string proposalId, [AsParameters] HouseholdPlanServices services) =>
        Proposal(id, proposalId, services, e => Pdf(e, $"proposal-{proposalId}"));

    private static Task<IResult> TransitionHtml(string id, decimal? budget, string? unit, int? years, [AsParameters] HouseholdPlanServices services, CancellationToken ct) =>
        Transition(id, budget, unit, years, services, Html, ct);

    private static Task<IResult> TransitionPdf(string id, decimal? budget, string? unit, int? years, [AsParameters] HouseholdPlanServices services, CancellationToken ct) =>
        Transition(id, budget, unit, years, services, e => Pdf(e, $"transition-{id}"), ct);

    private static async Task<IResult> Proposal(string id, string proposalId, HouseholdPlanServices services, Func<ClientExplanation, IResult> render)
    {
        InputRules.Id(proposalId, "proposal");
        var household = services.Grains.GetGrain<IHouseholdGrain>(id);
        if (await household.GetSpec() is null) return NotFoundProblem.Household(id);
        if ((await household.GetProposals()).FirstOrDefault(p => p.Id == proposalId) is not { } proposal)
            return NotFoundProblem.For("proposal", proposalId, $"in household {id}");
        await services.Master.EnsureLoaded(services.Grains);
        var snapshot = await household.GetStressSnapshot();
        return render(ClientExplanations.ForProposal(proposal, await Context(household, snapshot, services)));
    }

    private static async Task<IResult> Transition(string id, decimal? budget, string? unit, int? years, HouseholdPlanServices services,
        Func<ClientExplanation, IResult> render, CancellationToken ct)
    {
        if (await services.Plan(id, budget, unit, years, ct) is not { } planned) return NotFoundProblem.Household(id);
        var household = services.Grains.GetGrain<IHouseholdGrain>(id);
        return render(ClientExplanations.ForTransition(planned.Plan, await Context(household, planned.Snapshot, services)));
    }

    /// <summary>The household as the explanation reads it: accounts and targets from the snapshot, today's prices, the year's
    /// realized results and the firm's rates (for the marginal rates), and the buy blackouts each account has today.</summary>
    private static async Task<ExplanationContext> Context(IHouseholdGrain household, HouseholdStressSnapshot snapshot, HouseholdPlanServices services)
    {
        var today = services.Today;
        var blackouts = new List<(string, BuyBlackout)>();
        foreach (var account in snapshot.Accounts)
            blackouts.AddRange((await household.BuyBlackouts(account.Spec.Id, today)).Select(b => (account.Spec.Id, b)));
        return new ExplanationContext(snapshot.Spec, HouseholdPlanServices.DecisionInputs(snapshot), services.Master.Find, s => services.Board.QuoteOf(s)?.Price,
            RealizedGains.Restore(snapshot.Realized).YearToDate(today), services.Decisions.Value.Settings.Rates, blackouts, today);
    }

    private static IResult Html(ClientExplanation e) => Results.Content(ExplanationHtml.Render(e), "text/html; charset=utf-8");

    /// <summary>Inline, so a browser shows the letter; the file name for saving it.</summary>
    private static IResult Pdf(ClientExplanation e, string name) => new InlinePdf(ExplanationPdf.Render(e), $"{name}-explanation.pdf");

    private sealed class InlinePdf(byte[] body, string name) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            http.Response.Headers.ContentDisposition = $"inline; filename=\"{name}\"";
            return Results.Bytes(body, "application/pdf").ExecuteAsync(http);
        }
    }
}
