using Households.Tests.PostgreSql;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Households.Tests.Api;

/// <summary>The real silo process (Orleans silo + API) in memory, on its own silo and gateway ports.
/// <paramref name="demo"/> seeds the demo firm and runs the simulator every 200 ms, as the embedded default does.</summary>
public abstract class SiloFactory(bool demo) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Orleans:SiloPort", OrleansAdoNetSmokeTests.FreePort().ToString());
        builder.UseSetting("Orleans:GatewayPort", OrleansAdoNetSmokeTests.FreePort().ToString());
        builder.UseSetting("Orleans:ClusterId", $"api-{Guid.NewGuid():N}");
        builder.UseSetting("Demo:Enabled", demo ? "true" : "false");
        builder.UseSetting("Market:Simulate", demo ? "true" : "false");
        builder.UseSetting("Market:Interval", "00:00:00.200");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        // The demo keeps trading while the factory shuts down; Orleans then warns about undeliverable messages.
        builder.UseSetting("Logging:LogLevel:Orleans", "Error");
    }
}

public sealed class ApiFactory() : SiloFactory(false);

public sealed class DemoApiFactory() : SiloFactory(true);
