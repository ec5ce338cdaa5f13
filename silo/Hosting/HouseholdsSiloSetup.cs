using Households.Domain.Monitoring;
using Households.Grains.Prices;
using Households.Grains.Silo;
using Households.Persistence.Journal;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using Orleans.Configuration;

namespace Households.Silo.Hosting;

/// <summary>Which deployment profile a configuration selects: a PostgreSQL connection string
/// (<c>ConnectionStrings:Households</c>, e.g. env <c>ConnectionStrings__Households</c>) selects PostgreSQL.</summary>
public sealed record HostingProfile(string? PostgresConnectionString, string ClusterId, string ServiceId, int SiloPort, int GatewayPort,
    bool Kubernetes = false)
{
    public const string StorageName = "households";
    public bool UsesPostgres => !string.IsNullOrWhiteSpace(PostgresConnectionString);

    /// <summary>Never prints the connection string (it carries the database password).</summary>
    public override string ToString() =>
        $"HostingProfile {{ Storage = {(UsesPostgres ? "PostgreSQL" : "memory")}, ClusterId = {ClusterId}, ServiceId = {ServiceId}, SiloPort = {SiloPort}, GatewayPort = {GatewayPort}, Kubernetes = {Kubernetes} }}";

    public static HostingProfile From(IConfiguration config) => new(
        config.GetConnectionString("Households"),
        config["Orleans:ClusterId"] ?? "households",
        config["Orleans:ServiceId"] ?? "households",
        config.GetValue("Orleans:SiloPort", EndpointOptions.DEFAULT_SILO_PORT),
        config.GetValue("Orleans:GatewayPort", EndpointOptions.DEFAULT_GATEWAY_PORT),
        config.GetValue<bool?>("Orleans:Kubernetes") ?? InKubernetesPod());

    /// <summary>A pod of a Kubernetes cluster whose manifest gives the silo its own name and address (deploy/kubernetes).</summary>
    private static bool InKubernetesPod() =>
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST"))
        && !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("POD_IP"));
}

public static class HouseholdsSiloSetup
{
    /// <summary>Orleans providers for a profile: localhost clustering and memory storage (embedded default) or
    /// AdoNet clustering, storage and reminders on PostgreSQL.</summary>
    public static ISiloBuilder ConfigureHouseholds(this ISiloBuilder silo, HostingProfile profile)
    {
        if (profile.UsesPostgres)
        {
            var cs = profile.PostgresConnectionString!;
            if (profile.Kubernetes)
                // The pod's name, IP and the orleans/serviceId and orleans/clusterId labels (passed as environment variables)
                // name the silo; silos whose pods are gone are declared dead early. Membership stays in PostgreSQL.
                silo.Configure<EndpointOptions>(o => { o.SiloPort = profile.SiloPort; o.GatewayPort = profile.GatewayPort; })
                    .UseKubernetesHosting();
            else
                silo.Configure<ClusterOptions>(o => { o.ClusterId = profile.ClusterId; o.ServiceId = profile.ServiceId; })
                    .ConfigureEndpoints(System.Net.IPAddress.Loopback, profile.SiloPort, profile.GatewayPort, listenOnAnyHostAddress: false);
            silo.UseAdoNetClustering(o => { o.Invariant = "Npgsql"; o.ConnectionString = cs; })
                .UseAdoNetReminderService(o => { o.Invariant = "Npgsql"; o.ConnectionString = cs; });
            silo.Services.AddSingleton(_ => NpgsqlDataSource.Create(cs));
            silo.Services.AddSingleton<IJournal, PostgresJournal>();
            // Grain state in the project's own table, so a firm's books load with COPY and a silo reads them back in bulk.
            silo.Services.AddSingleton<PostgresGrainStorage>();
            silo.Services.AddKeyedSingleton<Orleans.Storage.IGrainStorage>(HostingProfile.StorageName, (sp, _) => sp.GetRequiredService<PostgresGrainStorage>());
            // A shock wakes tens of thousands of grains at once, and their state reads queue for the group commit: they
            // wait their turn (back-pressure) rather than be cancelled by the default activation timeout, which dropped
            // the notice that woke them (issue #18: tens of thousands of activations cancelled at 100,000 accounts).
            silo.Configure<GrainCollectionOptions>(o => o.ActivationTimeout = TimeSpan.FromMinutes(5));
            silo.Services.AddOptions<BooksOptions>();
            silo.Services.AddSingleton<BooksWarmStart>();
            silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<BooksWarmStart>());
            // Accounts watched from their books stay watched when their grains deactivate.
            silo.Services.AddOptions<MonitorOptions>().PostConfigure<Microsoft.Extensions.Options.IOptions<BooksOptions>>(
                (o, books) => o.KeepDeactivated |= books.Value.WarmStart);
        }
        else
        {
            silo.UseLocalhostClustering(profile.SiloPort, profile.GatewayPort, serviceId: profile.ServiceId, clusterId: profile.ClusterId)
                .AddMemoryGrainStorage(HostingProfile.StorageName)
                .UseInMemoryReminderService();
        }
        return silo.AddHouseholdsServices();
    }

    /// <summary>The silo-local services every profile and the test cluster share: price board, security master,
    /// monitor and the feed subscription.</summary>
    public static ISiloBuilder AddHouseholdsServices(this ISiloBuilder silo)
    {
        silo.Services.AddHouseholdsSiloServices();
        return silo;
    }

    public static IServiceCollection AddHouseholdsSiloServices(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        // The exchange's calendar: the embedded NYSE file, or the firm's (Market:Calendar).
        services.TryAddSingleton(sp => sp.GetService<Microsoft.Extensions.Options.IOptions<MarketOptions>>()?.Value.Calendar is { Length: > 0 } path
            ? CalendarFile.Load(path)
            : Households.Domain.Calendar.TradingCalendar.Nyse);
        // The business clock: the system clock, or with Market:FastClock the simulated market's pace through trading sessions.
        services.TryAddKeyedSingleton<TimeProvider>(BusinessClock.Key, (sp, _) =>
        {
            var real = sp.GetRequiredService<TimeProvider>();
            var market = sp.GetService<Microsoft.Extensions.Options.IOptions<MarketOptions>>()?.Value;
            return market is { SessionClockScale: > 1 }
                ? new Households.Domain.Calendar.SessionClock(real, market.SessionClockScale, sp.GetRequiredService<Households.Domain.Calendar.TradingCalendar>())
                : real;
        });
        services.TryAddSingleton<IJournal, InMemoryJournal>();
        services.AddStorageExceptionSerialization();
        services.AddSingleton<SecurityIndex>();
        services.AddSingleton<PriceBoard>();
        services.AddSingleton<SecurityMaster>();
        services.AddSingleton<AccountMonitor>();
        services.AddSingleton<AccountsAwaitingHousehold>();
        // Accounts activate on the silo that owns their books (the one that watches them parked); households by the same rule
        // over their id, on active silos only.
        services.AddPlacementDirector<BooksOwnerPlacement, BooksOwnerPlacementDirector>();
        services.AddSingleton<LiveStateBoard>();
        services.AddSingleton<TriggerLatency>();
        services.AddOptions<MonitorOptions>();
        services.AddHostedService(sp => sp.GetRequiredService<AccountMonitor>());
        services.AddSingleton<MonitorWatchdog>();
        services.AddHostedService(sp => sp.GetRequiredService<MonitorWatchdog>());
        services.AddOptions<WatchdogOptions>();
        services.AddSingleton<PriceBoardSubscription>();
        services.AddHostedService(sp => sp.GetRequiredService<PriceBoardSubscription>());
        services.AddOptions<MarketOptions>();
        services.AddOptions<DecisionOptions>();
        services.AddOptions<ExecutionOptions>();
        services.AddSingleton<OrderFileWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<OrderFileWriter>());
        services.AddOptions<PriceFeedOptions>();
        services.AddOptions<NotificationOptions>();
        services.AddHostedService<WebhookDispatcher>();
        services.AddSingleton<FirmTriggerBudget>();
        services.AddSingleton<DecisionLane>();
        services.AddSingleton<TradingSessionGate>();
        services.AddHostedService(sp => sp.GetRequiredService<TradingSessionGate>());
        services.AddSingleton<FirmFiguresReporter>();
        services.AddHostedService(sp => sp.GetRequiredService<FirmFiguresReporter>());
        services.AddSingleton<ScanSignal>();
        services.AddSingleton<Households.Silo.Api.LocalLiveReads>();
        services.TryAddSingleton(new Households.Domain.Risk.SecurityRiskModels());
        // Direct-index accounts are monitored by tracking error under the optimizer's own factor model.
        services.TryAddSingleton(sp => new Households.Domain.Monitoring.TrackingRisk(sp.GetRequiredService<Households.Domain.Risk.SecurityRiskModels>()));
        // Stock replacements rank the risk model's universe by exposure within each sector; fund replacements come
        // from the firm's substitute table.
        services.TryAddSingleton(sp =>
        {
            var universe = sp.GetRequiredService<Households.Domain.Risk.SecurityRiskModels>().Universe;
            var configured = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<DecisionOptions>>().Value.Substitutes;
            // Without a configured table, the simulated universe's funds use the built-in demo table.
            var table = configured.Count > 0 ? new Households.Domain.Harvesting.FundSubstitutes(configured.Select(kv => (kv.Key, kv.Value)))
                : universe is null ? Households.Domain.Harvesting.FundSubstitutes.Empty : Households.Domain.Harvesting.FundSubstitutes.Default;
            return universe is null
                ? new Households.Domain.Harvesting.ReplacementSelector([], [], table)
                : Households.Domain.Harvesting.ReplacementSelector.FromUniverse(universe, table);
        });
        // The firm's estimated or imported risk model: a daily-close history of the price stream, the service that
        // installs the firm's version on this silo and estimates when due, and the replacement selector over that model.
        services.AddOptions<RiskModelOptions>();
        services.TryAddSingleton(sp => new Households.Domain.Risk.DailyCloses(
            Math.Max(2, sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<RiskModelOptions>>().Value.Window + 1)));
        services.AddSingleton<RiskModelService>();
        services.AddHostedService(sp => sp.GetRequiredService<RiskModelService>());
        services.TryAddSingleton<LiveReplacements>();
        services.AddSingleton<IPriceSimulatorFactory, SimulatedMarketFactory>();
        return services;
    }
}
