using Households.Domain.Risk;
using Households.Silo.Hosting;
using Households.Tests.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;

namespace Households.Tests.Layout;

/// <summary>The production host never builds the demo firm: under the PostgreSQL profile a <c>Demo:Enabled</c> left on
/// (its default is on) is overruled, so neither the seeder, the console, the demo clients nor the risk model build the
/// simulated firm; the embedded profile builds it when asked. The hosts are built, not started (no database needed).</summary>
public sealed class DemoProfileTests
{
    private static WebApplication Host(string? postgres)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Households"] = postgres,
            ["Households:ApplySchema"] = "false",
            ["Auth:SigningKey"] = Convert.ToBase64String(SiloFactory.SigningKey),
            ["Orleans:Kubernetes"] = "false",
            ["Demo:Enabled"] = "true",
        });
        builder.AddHouseholds();
        return builder.Build();
    }

    [Fact]
    public async Task The_postgres_profile_never_builds_the_demo_firm_even_when_demo_is_enabled()
    {
        await using var app = Host("Host=localhost;Database=households;Username=h;Password=p");
        Assert.False(app.Services.GetRequiredService<IOptions<DemoOptions>>().Value.Enabled);
        Assert.Null(app.Services.GetRequiredService<SecurityRiskModels>().Universe);
        Assert.True(app.Services.GetRequiredService<IOptions<Households.Grains.Silo.RiskModelOptions>>().Value.Estimate);
    }

    [Fact]
    public async Task The_embedded_profile_builds_the_demo_firm_when_demo_is_enabled()
    {
        await using var app = Host(null);
        Assert.True(app.Services.GetRequiredService<IOptions<DemoOptions>>().Value.Enabled);
        // The demo firm's universe: 500 stocks and the 39 named funds (Simulation/Market/README.md).
        Assert.Equal(539, app.Services.GetRequiredService<SecurityRiskModels>().Universe!.Count);
        Assert.False(app.Services.GetRequiredService<IOptions<Households.Grains.Silo.RiskModelOptions>>().Value.Estimate);
    }
}
