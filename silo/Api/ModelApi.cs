using Households.Contracts;
using Households.Domain;
using Households.Silo.Access;

namespace Households.Silo.Api;

/// <summary><c>/api/models/{id}</c>: a target model as defined, and defining one (admins; answers it resolved).</summary>
public static class ModelApi
{
    public static IEndpointRouteBuilder MapModelApi(this IEndpointRouteBuilder api)
    {
        var model = api.MapGroup("/models/{id}");
        model.MapPut("", Define).WithName("DefineModel").RequireAdmin();
        model.MapGet("", Get).WithName("GetModel");
        return api;
    }

    private static async Task<IResult> Define(string id, TargetModel model, IGrainFactory grains)
    {
        if (model.Id != id) throw new BadInputException("id in the body must match the route");
        var grain = grains.GetGrain<IModelGrain>(id);
        await grain.Define(model);
        return Results.Ok(await grain.Resolve());
    }

    private static async Task<IResult> Get(string id, IGrainFactory grains) =>
        await grains.GetGrain<IModelGrain>(id).Get() is { } model ? Results.Ok(model) : NotFoundProblem.For("model", id);
}
