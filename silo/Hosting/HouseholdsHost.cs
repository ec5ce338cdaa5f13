using System.Text.Json.Serialization;
using Households.Grains.Silo;
using Households.Silo.Access;

namespace Households.Silo.Hosting;

public static class HouseholdsHost
{
    /// <summary>Everything the silo process hosts: the Orleans silo for the configured profile, the API's JSON and
    /// problem-details conventions, OpenAPI and the demo firm.</summary>
    public static WebApplicationBuilder AddHouseholds(this WebApplicationBuilder builder)
    {
        var profile = HostingProfile.From(builder.Configuration);
        // The schema is the project's own and idempotent; every silo applies it before Orleans reads its queries.
        if (profile.UsesPostgres && builder.Configuration.GetValue("Households:ApplySchema", true))
            Households.Persistence.PostgresSchema.ApplyAsync(profile.PostgresConnectionString!).GetAwaiter().GetResult();
        // Graceful shutdown (SIGTERM from Kubernetes or Ctrl+C): the silo hands its grains over and deactivates them, which
        // writes their state, before the host's deadline. The pod's terminationGracePeriodSeconds must exceed it.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = builder.Configuration.GetValue("Households:ShutdownTimeout", TimeSpan.FromSeconds(45)));
        builder.Services.Configure<MarketOptions>(builder.Configuration.GetSection("Market"));
        builder.Services.Configure<DemoOptions>(builder.Configuration.GetSection("Demo"));
        // The demo firm belongs to the embedded profile only: under PostgreSQL the firm's own books are there, and a
        // Demo:Enabled left on must not build or seed the simulated firm beside them (seeder, risk model, console, clients).
        builder.Services.PostConfigure<DemoOptions>(o => o.Enabled &= !profile.UsesPostgres);
        builder.Services.Configure<DecisionOptions>(builder.Configuration.GetSection("Decisions"));
        builder.Services.Configure<ExecutionOptions>(builder.Configuration.GetSection("Execution"));
        builder.Services.Configure<NotificationOptions>(builder.Configuration.GetSection("Notifications"));
        builder.Services.Configure<WatchdogOptions>(builder.Configuration.GetSection("Watchdog"));
        // Failure detection (probe timeouts, missed probes, votes) is tunable per deployment; docs/reliability.md.
        builder.Services.Configure<Orleans.Configuration.ClusterMembershipOptions>(builder.Configuration.GetSection("Orleans:Membership"));
        builder.Services.Configure<MonitorOptions>(builder.Configuration.GetSection("Monitor"));
        builder.Services.AddOptions<BooksOptions>().Bind(builder.Configuration.GetSection("Books"))
            .Validate(o => o.IdempotencyWindowDays >= 1, "Books:IdempotencyWindowDays must be at least 1").ValidateOnStart();
        builder.Services.Configure<RiskModelOptions>(builder.Configuration.GetSection("RiskModel"));
        // The demo's simulated market has its own factor model: estimate from the stream only where the firm is real, unless
        // configured either way.
        builder.Services.PostConfigure<RiskModelOptions>(o => o.Estimate ??= profile.UsesPostgres || !builder.Configuration.GetValue("Demo:Enabled", true));
        // The live optimizer's risk model: the firm's estimated or imported model, then — under the demo profile only — the demo
        // universe's factor model where it knows a security, then the asset-class model. A real firm never gets the simulator's.
        builder.Services.AddSingleton(sp => sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<DemoOptions>>().Value is { Enabled: true } demo
            ? new Households.Domain.Risk.SecurityRiskModels(Households.Simulation.Firms.DemoFirm.Build(demo.ToFirmOptions()).Universe)
            : new Households.Domain.Risk.SecurityRiskModels());
        builder.UseOrleans(silo => silo.ConfigureHouseholds(profile).AddHouseholdsDashboard(builder.Configuration));
        builder.AddHouseholdsSecurity(profile);
        builder.Services.AddHostedService<DemoFirmSeeder>();
        // After Orleans: the adapter publishes through the price feed grain.
        builder.Services.Configure<PriceFeedOptions>(builder.Configuration.GetSection("PriceFeed"));
        builder.Services.AddSingleton<PriceFeedAdapter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<PriceFeedAdapter>());
        builder.Services.AddHostedService<DemoClients>();
        // Last: the banner follows the other services' start-up lines.
        builder.Services.Configure<ConsoleOptions>(builder.Configuration.GetSection("Console"));
        builder.Services.AddHostedService<SiloConsole>();
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi();
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.CamelCase, allowIntegerValues: false));
            o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
            // Hostile bodies: a repeated property is ambiguous, and deep nesting only costs stack.
            o.SerializerOptions.AllowDuplicateProperties = false;
            o.SerializerOptions.MaxDepth = 32;
        });
        // Bad bodies and parameters throw in every environment, so BadInputMiddleware answers a problem naming them.
        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        return builder;
    }
}
