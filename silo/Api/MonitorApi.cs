using Households.Grains.Silo;
using Households.Silo.Access;

namespace Households.Silo.Api;

/// <summary><c>/api/monitor</c>: this silo's account monitor and its tick-to-trigger latency (batch publication to the
/// account's notice), for administrators and readers; the load test resets the latency (admins) after the firm is live so
/// the figures cover the measured run only.</summary>
public static class MonitorApi
{
    public static IEndpointRouteBuilder MapMonitorApi(this IEndpointRouteBuilder api)
    {
        var monitor = api.MapGroup("/monitor");
        monitor.MapGet("", (AccountMonitor m) => Results.Ok(m.Status)).WithName("MonitorStatus").RequireAuthorization(SecuritySetup.MetricsPolicy);
        monitor.MapGet("/latency", (TriggerLatency latency) => Results.Ok(latency.Summary())).WithName("MonitorLatency").RequireAuthorization(SecuritySetup.MetricsPolicy);
        monitor.MapPost("/latency/reset", (TriggerLatency latency) => { latency.Reset(); return Results.NoContent(); }).WithName("ResetMonitorLatency").RequireAdmin();
        return api;
    }
}
