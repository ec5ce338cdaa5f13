using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using Orleans.Runtime;

namespace Households.Silo.Access;

/// <summary>Ready when the silo answers a management call through its own cluster client (the path every API call takes).</summary>
public sealed class OrleansHealthCheck(IGrainFactory grains) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            var hosts = await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(TimeSpan.FromSeconds(5), ct);
            return hosts.Count > 0 ? HealthCheckResult.Healthy($"{hosts.Count} active silo(s)") : HealthCheckResult.Unhealthy("no active silo");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("cluster not reachable: " + ex.GetType().Name);
        }
    }
}

/// <summary>Ready when storage answers: <c>SELECT 1</c> on PostgreSQL; the embedded profile's memory storage always answers.</summary>
public sealed class StorageHealthCheck(IServiceProvider services) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default) =>
        services.GetService<NpgsqlDataSource>() is { } db ? Check(db, ct) : Task.FromResult(HealthCheckResult.Healthy("in-memory storage"));

    public static async Task<HealthCheckResult> Check(NpgsqlDataSource db, CancellationToken ct)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await using var command = db.CreateCommand("SELECT 1");
            var answer = await command.ExecuteScalarAsync(timeout.Token);
            return answer is 1 ? HealthCheckResult.Healthy("PostgreSQL answers") : HealthCheckResult.Unhealthy("PostgreSQL gave an unexpected answer");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // The exception type only: messages can carry host names, never worth leaking to an anonymous caller.
            return HealthCheckResult.Unhealthy("PostgreSQL not reachable: " + ex.GetType().Name);
        }
    }
}

/// <summary>A small JSON body: overall status and each check's status and description.</summary>
public static class HealthResponse
{
    public static Task Write(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, JsonSerializerOptions.Web));
    }
}
