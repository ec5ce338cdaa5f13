using Households.Contracts;
using Households.Grains.Firm;
using Households.Grains.Silo;
using Households.Grains;
using Households.Silo.Access;
using Microsoft.Extensions.Options;

namespace Households.Silo.Api;

/// <summary><c>/api/firm</c>: the firm summary and its live stream. Firm-wide figures are for administrators and read-only
/// clients; an advisor sees only their households.</summary>
public static class FirmApi
{
    public static IEndpointRouteBuilder MapFirmApi(this IEndpointRouteBuilder api)
    {
        var firm = api.MapGroup("/firm").RequireAuthorization(SecuritySetup.MetricsPolicy);
        firm.MapGet("/summary", (IGrainFactory grains) => grains.GetGrain<IFirmStatsGrain>(FirmStatsGrain.Key).GetSummary())
            .WithName("FirmSummary")
            .WithSummary("Assets under management, accounts and households monitored, accounts out of tolerance and with harvest triggers, harvested losses year to date, triggers per minute, pending proposals");
        firm.MapGet("/events", (HttpContext http, IGrainFactory grains, ScanSignal signal, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json) =>
            LiveApi.Stream(http, signal, json.Value.SerializerOptions, async (writer, woke) =>
            {
                if (!woke) return;
                var summary = await grains.GetGrain<IFirmStatsGrain>(FirmStatsGrain.Key).GetSummary();
                await writer.Changed("summary", summary.PriceSequence.ToString(), summary with { AsOf = default }, summary);
            }))
            .WithName("FirmEvents").WithSummary("text/event-stream: the firm summary (event 'summary') whenever its figures change");
        return api;
    }
}
