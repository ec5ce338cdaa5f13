using Households.Contracts;
using Households.Domain;
using Households.Domain.CorporateActions;
using Households.Silo.Access;

namespace Households.Silo.Api;

/// <summary><c>/api/corporate-actions</c>: applying a corporate action to every account holding the security (admins;
/// idempotent by id), and its report.</summary>
public static class CorporateActionApi
{
    public static IEndpointRouteBuilder MapCorporateActionApi(this IEndpointRouteBuilder api)
    {
        var actions = api.MapGroup("/corporate-actions");
        actions.MapPost("", Apply).WithName("ApplyCorporateAction").RequireAdmin()
            .WithSummary("Apply a corporate action (split, ticker change, merger, spin-off, cash dividend, return of capital) to every account holding the security; idempotent by id");
        actions.MapGet("/{actionId}", Get).WithName("GetCorporateAction")
            .WithSummary("A corporate action's report: the households and accounts it changed");
        return api;
    }

    private static async Task<IResult> Apply(CorporateAction action, IGrainFactory grains)
    {
        CorporateActionRules.Check(action);
        var report = await grains.GetGrain<ICorporateActionGrain>(action.Id).Apply(action);
        return report.Replayed ? Results.Ok(report) : Results.Created($"/api/corporate-actions/{action.Id}", report);
    }

    private static async Task<IResult> Get(string actionId, IGrainFactory grains) =>
        await grains.GetGrain<ICorporateActionGrain>(InputRules.Id(actionId, "id", 64)).Get() is { } report ? Results.Ok(report)
            : NotFoundProblem.For("corporate action", actionId);
}
