using System.Net.Http.Headers;
using Households.Auth;
using Households.Tests.PostgreSql;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Households.Tests.Api;

/// <summary>The real silo process (Orleans silo + API) in memory, on its own silo and gateway ports.
/// <paramref name="demo"/> seeds the demo firm and runs the simulator every 200 ms, as the embedded default does.
/// <see cref="WebApplicationFactory{T}.CreateClient()"/> carries an admin token; <see cref="CreateClientFor"/> gives
/// other roles and <see cref="CreateAnonymousClient"/> none.</summary>
public abstract class SiloFactory(bool demo) : WebApplicationFactory<Program>
{
    /// <summary>The tests' signing key (fixed, so the factories never touch ~/.households).</summary>
    public static readonly byte[] SigningKey = [.. Enumerable.Range(1, 48).Select(i => (byte)(i * 7))];

    public static readonly TokenIssuer Tokens = new(SigningKey);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Auth:SigningKey", Convert.ToBase64String(SigningKey));
        // Exercised, but high enough that no functional test meets it (RateLimitTests configures a tiny bucket).
        builder.UseSetting("RateLimit:PermitsPerSecond", "100000");
        builder.UseSetting("RateLimit:Burst", "100000");
        // The dashboard profiles every grain call and polls the cluster each second: on only where it is tested.
        builder.UseSetting("Dashboard:Enabled", "false");
        builder.UseSetting("Orleans:SiloPort", OrleansAdoNetSmokeTests.FreePort().ToString());
        builder.UseSetting("Orleans:GatewayPort", OrleansAdoNetSmokeTests.FreePort().ToString());
        builder.UseSetting("Orleans:ClusterId", $"api-{Guid.NewGuid():N}");
        builder.UseSetting("Demo:Enabled", demo ? "true" : "false");
        builder.UseSetting("Market:Simulate", demo ? "true" : "false");
        builder.UseSetting("Market:Interval", "00:00:00.200");
        // The tests run at any hour on the system clock: the trading-hours gate has its own tests (TradingHoursTests).
        builder.UseSetting("Market:EnforceTradingHours", "false");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        // The demo keeps trading while the factory shuts down; Orleans then warns about undeliverable messages.
        builder.UseSetting("Logging:LogLevel:Orleans", "Error");
    }

    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Tokens.Mint(HouseholdsAuth.Admin, subject: "test-admin"));
    }

    /// <summary>A client whose token carries <paramref name="role"/> (and the advisor id for advisors).</summary>
    public HttpClient CreateClientFor(string role, string? advisor = null, bool allowRedirects = true)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = allowRedirects });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Tokens.Mint(role, advisor));
        return client;
    }

    /// <summary>A client without any token (and without following redirects, so a challenge is visible).</summary>
    public HttpClient CreateAnonymousClient()
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = null;
        return client;
    }
}

public sealed class ApiFactory() : SiloFactory(false);

public sealed class DemoApiFactory() : SiloFactory(true);
