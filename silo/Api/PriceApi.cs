using Households.Contracts;
using Households.Domain.Monitoring;
using Households.Grains.Prices;
using Households.Grains.Silo;
using Households.Silo.Access;
using Households.Silo.Hosting;
using Microsoft.Extensions.Options;

namespace Households.Silo.Api;

/// <summary><c>/api/prices</c>: a price batch published by hand (admins), the securities gone stale, and the feed adapter's
/// status.</summary>
public static class PriceApi
{
    public static IEndpointRouteBuilder MapPriceApi(this IEndpointRouteBuilder api)
    {
        var prices = api.MapGroup("/prices");
        prices.MapPost("", Inject).WithName("InjectPrices").RequireAdmin();
        prices.MapGet("/stale", Stale).WithName("StalePrices")
            .WithSummary("Securities not priced for longer than PriceFeed:StaleAfter (business time); held out of decisions while a feed is configured");
        prices.MapGet("/feed", (PriceFeedAdapter adapter) => Results.Ok(adapter.Status)).WithName("PriceFeedStatus")
            .WithSummary("The price feed adapter: lines read, skipped (with line numbers and reasons), batches published");
        return api;
    }

    private static async Task<IResult> Inject(PriceInjectionRequest request, IGrainFactory grains)
    {
        PriceFeedGrain.Validate(request.Quotes);
        var sequence = await grains.GetGrain<IPriceFeedGrain>(PriceFeedGrain.Key).Publish(request.Quotes!);
        return Results.Accepted(value: new { sequence });
    }

    private static IResult Stale(PriceBoard board, IOptions<PriceFeedOptions> feed, [FromKeyedServices(BusinessClock.Key)] TimeProvider clock)
    {
        var o = feed.Value;
        var now = clock.GetUtcNow();
        var stale = o.StaleAfter > TimeSpan.Zero ? board.Priced.Stale(now, o.StaleAfter) : [];
        return Results.Ok(new { asOf = now, staleAfterMinutes = o.StaleAfter.TotalMinutes, held = o.HoldsStale, count = stale.Count, symbols = stale });
    }
}
