using Aspire.Hosting.Orleans;
using Microsoft.Extensions.Configuration;

namespace Households.AppHost;

/// <summary>The distributed application: a PostgreSQL server and its <c>households</c> database, the Orleans service
/// (cluster and service id, clustering, grain storage and reminders on that database) and three silos, each the silo
/// project under its PostgreSQL profile with its own HTTP, silo and gateway ports (the layout of loadtest/multisilo.sh).
/// Aspire's dashboard comes with the AppHost.</summary>
public static class HouseholdsCluster
{
    public const int Silos = 3;
    public const string DatabaseName = "households";
    /// <summary>The silo's grain storage name (<c>HostingProfile.StorageName</c>).</summary>
    public const string GrainStorageName = "households";
    public const string ClusterId = "households";
    public const string ServiceId = "households";
    // The ports of loadtest/multisilo.sh, so the two ways to run a cluster answer on the same addresses.
    public const int HttpBasePort = 5500, SiloBasePort = 11500, GatewayBasePort = 30500;

    public static string SiloName(int i) => $"silo{i}";

    public static IDistributedApplicationBuilder AddHouseholdsCluster(this IDistributedApplicationBuilder builder)
    {
        var database = AddDatabase(builder);
        var postgres = new SiloPostgres(database);
        var orleans = builder.AddOrleans("orleans")
            .WithClusterId(ClusterId)
            .WithServiceId(ServiceId)
            .WithClustering(postgres)
            .WithGrainStorage(GrainStorageName, postgres)
            .WithReminders(postgres);

        // Every silo signs and checks tokens with one key (the PostgreSQL profile requires it). Generated once and kept in the
        // AppHost's user secrets (Parameters:signing-key); 64 letters and digits are valid base64 for 48 bytes.
        var signingKey = builder.AddParameter("signing-key",
            new GenerateParameterDefault { MinLength = 64, Special = false }, secret: true, persist: true);

        for (var i = 0; i < Silos; i++)
        {
            var silo = builder.AddProject<Projects.Households_Silo>(SiloName(i))
                .WithReference(orleans)
                .WaitFor(database);
            // Aspire's Orleans reference adds the silo and gateway endpoints; fixed ports, not proxied (a silo advertises its
            // own address to the others), passed on in the silo's own keys Orleans:SiloPort and Orleans:GatewayPort.
            silo.WithEndpoint("orleans-silo", e => { e.Port = SiloBasePort + i; e.TargetPort = SiloBasePort + i; e.IsProxied = false; })
                .WithEndpoint("orleans-gateway", e => { e.Port = GatewayBasePort + i; e.TargetPort = GatewayBasePort + i; e.IsProxied = false; })
                .WithEnvironment("Orleans__SiloPort", silo.GetEndpoint("orleans-silo").Property(EndpointProperty.TargetPort))
                .WithEnvironment("Orleans__GatewayPort", silo.GetEndpoint("orleans-gateway").Property(EndpointProperty.TargetPort))
                .WithHttpEndpoint(port: HttpBasePort + i, name: "http", isProxied: false)
                .WithEnvironment("Auth__SigningKey", signingKey)
                // Ready once the cluster and PostgreSQL answer (the silo's own readiness probe, anonymous).
                .WithHttpHealthCheck("/health/ready")
                .WithUrl($"{silo.GetEndpoint("http")}/dashboard", "Orleans dashboard");
        }
        return builder;
    }

    /// <summary>The households database: on an existing server when the AppHost's configuration has
    /// <c>ConnectionStrings:households</c> (no container runtime needed for it), otherwise in a PostgreSQL container
    /// with a data volume, so the firm survives a restart of the AppHost.</summary>
    private static IResourceBuilder<IResourceWithConnectionString> AddDatabase(IDistributedApplicationBuilder builder)
    {
        if (!string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(DatabaseName)))
            return builder.AddConnectionString(DatabaseName);
        return builder.AddPostgres("postgres").WithDataVolume().AddDatabase(DatabaseName);
    }
}
