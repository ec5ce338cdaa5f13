using Microsoft.Extensions.DependencyInjection;
using Households.Contracts;
using Households.Domain;
using Households.Domain.Decisions;
using Households.Domain.Monitoring;
using Households.Domain.Risk;
using Households.Domain.Tax;
using Households.Grains;
using Households.Grains.Silo;
using Microsoft.Extensions.Options;

namespace Households.Silo.Api;

/// <summary>The body of <c>PUT /api/households/{id}/tax-budget</c>: the yearly budget (null clears it), per-account budgets
/// and sell-down schedules (each replaced whole; omitted means none).</summary>
public sealed record TaxBudgetRequest(AnnualTaxBudget? Budget, AccountTaxBudget[]? AccountBudgets, SellDownSchedule[]? SellDowns);

/// <summary>A household's tax budget and its multi-year transition plan (issue #16). The plan is computed here, on a
/// read-only snapshot of the household (<see cref="IHouseholdGrain.GetStressSnapshot"/>), so the household's turn is never
/// held for the simulation; nothing is written.</summary>
public static class TransitionApi
{
    public static IEndpointRouteBuilder MapTransitionApi(this IEndpointRouteBuilder api)
    {
        var household = api.MapGroup("/households/{id}");
        household.MapGet("/tax-budget", GetTaxBudget).WithName("GetTaxBudget")
            .WithSummary("The household's yearly tax budget, per-account budgets and sell-down schedules");
        // Writers only (advisor or admin): the default policy refuses a reader's PUT, and an advisor is confined to their households.
        household.MapPut("/tax-budget", SetTaxBudget).WithName("SetTaxBudget")
            .WithSummary("Replace the household's yearly tax budget (net gains or tax dollars), per-account budgets and sell-down schedules");
        household.MapGet("/transition", GetTransition).WithName("GetTransition")
            .WithSummary("A multi-year transition toward the models under a yearly tax budget (the query's, else the stored one): per year gains realized by term, estimated tax, tracking error at year end and value still outside the model");
        return api;
    }

    private static async Task<IResult> GetTaxBudget(string id, IGrainFactory grains) =>
        await HouseholdApi.Existing(grains, id) is { } h ? Results.Ok(await h.GetTransitionPolicy()) : NotFoundProblem.Household(id);

    private static async Task<IResult> SetTaxBudget(string id, TaxBudgetRequest request, IGrainFactory grains)
    {
        if (await HouseholdApi.Existing(grains, id) is not { } household) return NotFoundProblem.Household(id);
        if (request is null) throw new BadInputException("a body is required");
        var policy = new TransitionPolicy(request.Budget, [.. request.AccountBudgets ?? []], [.. request.SellDowns ?? []]);
        return Results.Ok(await household.SetTransitionPolicy(policy));
    }

    private static async Task<IResult> GetTransition(string id, decimal? budget, string? unit, int? years, [AsParameters] HouseholdPlanServices services,
        CancellationToken ct) =>
        await services.Plan(id, budget, unit, years, ct) is { } planned ? Results.Ok(planned.Plan) : NotFoundProblem.Household(id);
}

/// <summary>What a transition plan or a client explanation is computed from: the household (through a read-only snapshot), the security master, the
/// silo's prices, the risk models, the firm's decision settings and the business clock.</summary>
public sealed record HouseholdPlanServices(IGrainFactory Grains, SecurityMaster Master, PriceBoard Board, SecurityRiskModels Risk,
    IOptions<DecisionOptions> Decisions, [FromKeyedServices(BusinessClock.Key)] TimeProvider Clock)
{
    public DateOnly Today => DateOnly.FromDateTime(Clock.GetUtcNow().UtcDateTime);

    /// <summary>The household's transition under the query's budget (else the stored one) over <paramref name="years"/> years,
    /// with the snapshot it was planned on; null when the household does not exist. Bad options are bad input.</summary>
    public async Task<(HouseholdSpec Spec, HouseholdStressSnapshot Snapshot, TransitionPlan Plan)?> Plan(string id, decimal? budget, string? unit, int? years,
        CancellationToken ct)
    {
        var household = Grains.GetGrain<IHouseholdGrain>(id);
        if (await household.GetSpec() is not { } spec) return null;
        var span = years ?? TransitionOptions.DefaultYears;
        if (span is < 1 or > TransitionOptions.MaxYears) throw new BadInputException($"years must be between 1 and {TransitionOptions.MaxYears}");
        var counts = unit?.ToLowerInvariant() switch
        {
            null or "gains" => TaxBudgetUnit.Gains,
            "tax" => TaxBudgetUnit.Tax,
            _ => throw new BadInputException("unit must be gains or tax"),
        };
        if (unit is not null && budget is null) throw new BadInputException("unit needs budget");
        // The snapshot carries the stored transition policy: one read gives the books and the budget they are planned under.
        var snapshot = await household.GetStressSnapshot();
        var policy = snapshot.Transition ?? TransitionPolicy.None;
        var annual = budget is { } amount ? new AnnualTaxBudget(amount, counts)
            : policy.Budget ?? throw new BadInputException("budget is required: the household has no stored tax budget");
        TransitionRules.Check(annual, "budget");
        await Master.EnsureLoaded(Grains);
        var accounts = DecisionInputs(snapshot);
        var today = Today;
        var plan = await Task.Run(() => TransitionPlanner.ForHousehold(spec, accounts, Master.Find, s => Board.QuoteOf(s)?.Price, Risk, Decisions.Value.Settings,
            policy, annual, today, RealizedGains.Restore(snapshot.Realized), new TransitionOptions(span)), ct);
        return (spec, snapshot, plan);
    }

    /// <summary>The snapshot's accounts as a decision sees them (books, target, cash to raise).</summary>
    public static AccountDecisionInput[] DecisionInputs(HouseholdStressSnapshot snapshot) =>
        [.. snapshot.Accounts.Select(a => new AccountDecisionInput(a.Spec, a.Cash, [.. a.Lots.Select(p => p.Lot)], a.Target, a.PendingWithdrawals))];
}
