using Households.Contracts;
using Households.Grains.Securities;
using Households.Grains;
using Households.Silo.Access;

namespace Households.Silo.Api;

/// <summary><c>/api/securities</c>: one security's definition and latest quote; the security master's upsert (admins).</summary>
public static class SecurityApi
{
    public static IEndpointRouteBuilder MapSecurityApi(this IEndpointRouteBuilder api)
    {
        var securities = api.MapGroup("/securities");
        securities.MapGet("/{symbol}", Get).WithName("GetSecurity");
        securities.MapPost("", Upsert).WithName("UpsertSecurities").RequireAdmin();
        return api;
    }

    private static async Task<IResult> Get(string symbol, IGrainFactory grains)
    {
        var security = grains.GetGrain<ISecurityGrain>(symbol);
        var definition = await security.GetDefinition();
        var quote = await security.GetQuote();
        if (definition is null && quote is null) return NotFoundProblem.For("security", symbol);
        return Results.Ok(new { symbol, definition, price = quote?.Price, asOf = quote?.AsOf, batchSequence = quote?.BatchSequence });
    }

    private static async Task<IResult> Upsert(Security[] securities, IGrainFactory grains) =>
        Results.Ok(new { version = await grains.GetGrain<IUniverseGrain>(UniverseGrain.Key).Upsert(securities) });
}
