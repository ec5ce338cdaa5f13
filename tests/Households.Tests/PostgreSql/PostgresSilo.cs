using Households.Grains.Silo;
using Households.Silo.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Households.Tests.PostgreSql;

/// <summary>A silo of the product's PostgreSQL profile in the test process, on a test class's database: no simulated
/// market, trading hours not enforced; <paramref name="configure"/> adds the test's own settings.</summary>
internal static class PostgresSilo
{
    public static async Task<IHost> Start(string connectionString, string clusterId, string serviceId, Action<IServiceCollection>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var profile = new HostingProfile(connectionString, clusterId, serviceId, OrleansAdoNetSmokeTests.FreePort(), OrleansAdoNetSmokeTests.FreePort());
        builder.UseOrleans(silo => silo.ConfigureHouseholds(profile));
        builder.Services.Configure<MarketOptions>(o => { o.Simulate = false; o.EnforceTradingHours = false; });
        configure?.Invoke(builder.Services);
        var host = builder.Build();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await host.StartAsync(timeout.Token);
        return host;
    }
}
