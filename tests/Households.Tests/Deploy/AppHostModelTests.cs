using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Households.AppHost;
using Households.Silo.Access;
using Households.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Households.Tests.Deploy;

/// <summary>deploy/aspire/Households.AppHost's application model, built by the AppHost's own entry point through
/// Aspire's testing builder and never started: this machine has no container runtime, so the AppHost cannot run
/// PostgreSQL here (docs/deploy.md). What is checked: the resources (PostgreSQL server and database, three silo projects),
/// each silo's ports and the environment it is given, and that the silo reads that environment as its PostgreSQL
/// profile with the cluster's ports and signing key.</summary>
public sealed class AppHostModelTests
{
    // Parameters given on the command line, so building the model generates no secret and writes none to the AppHost's
    // user secrets. 64 letters and digits: base64 for 48 bytes, what the AppHost would generate.
    private const string SigningKey = "AppHostModelTestSigningKey0123456789abcdefghijklmnopqrstuvwxyzAB";
    private const string ExistingServer = "Host=127.0.0.1;Port=55999;Username=postgres;Database=households_aspire";
    private static readonly string[] ContainerArgs = [$"--Parameters:signing-key={SigningKey}", "--Parameters:postgres-password=model-test"];
    private static readonly string[] ExistingServerArgs = [$"--Parameters:signing-key={SigningKey}", $"--ConnectionStrings:households={ExistingServer}"];

    private static Task<IDistributedApplicationTestingBuilder> Model(string[] args) =>
        DistributedApplicationTestingBuilder.CreateAsync<Projects.Households_AppHost>(args);

    private static ProjectResource[] Silos(IDistributedApplicationTestingBuilder model) =>
        [.. model.Resources.OfType<ProjectResource>().OrderBy(p => p.Name, StringComparer.Ordinal)];

    private static async Task<IReadOnlyDictionary<string, string>> Environment(IResource resource, DistributedApplicationExecutionContext context)
    {
        var result = await ExecutionConfigurationBuilder.Create(resource).WithEnvironmentVariablesConfig()
            .BuildAsync(context, NullLogger.Instance, CancellationToken.None);
        Assert.Null(result.Exception);
        return result.EnvironmentVariables.ToDictionary(kv => kv.Key, kv => kv.Value);
    }

    private static EndpointAnnotation Endpoint(IResource resource, string name) =>
        Assert.Single(resource.Annotations.OfType<EndpointAnnotation>(), e => e.Name == name);

    [Fact]
    public async Task The_model_is_a_postgres_server_with_the_households_database_and_three_silo_projects_waiting_for_it()
    {
        await using var model = await Model(ContainerArgs);

        var server = Assert.Single(model.Resources.OfType<PostgresServerResource>());
        Assert.Equal("postgres", server.Name);
        // The firm survives a restart of the AppHost: the server's data directory is a named volume.
        Assert.Contains(server.Annotations.OfType<ContainerMountAnnotation>(), m => m.Type == ContainerMountType.Volume && m.Target.StartsWith("/var/lib/postgresql", StringComparison.Ordinal));
        var database = Assert.Single(model.Resources.OfType<PostgresDatabaseResource>());
        Assert.Equal(("households", "households"), (database.Name, database.DatabaseName));
        Assert.Same(server, database.Parent);
        // PostgreSQL is the only container: the silos run as processes.
        Assert.Equal([server], model.Resources.OfType<ContainerResource>().Cast<IResource>().ToList());

        var silos = Silos(model);
        Assert.Equal(["silo0", "silo1", "silo2"], silos.Select(s => s.Name));
        foreach (var silo in silos)
        {
            var project = silo.GetProjectMetadata().ProjectPath.Replace('\\', '/');
            Assert.EndsWith("/silo/Households.Silo.csproj", project);
            Assert.Contains(silo.Annotations.OfType<WaitAnnotation>(), w => ReferenceEquals(w.Resource, database));
            // Clustering, storage and reminders all name the database; the silo references it once.
            Assert.Single(silo.Annotations.OfType<ResourceRelationshipAnnotation>(), r => r.Type == "Reference" && ReferenceEquals(r.Resource, database));
            // Ready when the silo says so: its anonymous /health/ready (cluster and PostgreSQL answer).
            Assert.Single(silo.Annotations.OfType<HealthCheckAnnotation>());
        }
        var key = Assert.Single(model.Resources.OfType<ParameterResource>(), p => p.Name == "signing-key");
        Assert.True(key.Secret);
    }

    [Fact]
    public async Task Each_silo_gets_the_database_its_own_ports_and_the_shared_key_in_the_silos_own_configuration_keys()
    {
        await using var model = await Model(ContainerArgs);
        var database = Assert.Single(model.Resources.OfType<PostgresDatabaseResource>());
        var publish = new DistributedApplicationExecutionContext(DistributedApplicationOperation.Publish);

        foreach (var (silo, i) in Silos(model).Select((s, i) => (s, i)))
        {
            // The ports of loadtest/multisilo.sh, not proxied: a silo advertises its own address to the others.
            foreach (var (name, port) in new[] { ("http", 5500 + i), ("orleans-silo", 11500 + i), ("orleans-gateway", 30500 + i) })
            {
                var endpoint = Endpoint(silo, name);
                Assert.Equal((port, port, false), (endpoint.Port, endpoint.TargetPort, endpoint.IsProxied));
            }

            var env = await Environment(silo, publish);
            // ConnectionStrings:Households selects the silo's PostgreSQL profile: clustering, storage and reminders on the database.
            Assert.Equal($"{{{database.Name}.connectionString}}", env["ConnectionStrings__Households"]);
            Assert.Equal($"{{{silo.Name}.bindings.orleans-silo.targetPort}}", env["Orleans__SiloPort"]);
            Assert.Equal($"{{{silo.Name}.bindings.orleans-gateway.targetPort}}", env["Orleans__GatewayPort"]);
            Assert.Equal($"{{{silo.Name}.bindings.http.scheme}}://localhost:{{{silo.Name}.bindings.http.targetPort}}", env["ASPNETCORE_URLS"]);
            Assert.Equal("{signing-key.value}", env["Auth__SigningKey"]);
            Assert.Equal(("households", "households"), (env["Orleans__ClusterId"], env["Orleans__ServiceId"]));
            // Orleans' own configuration reader builds a provider for any Orleans:{section}:ProviderType at start, and it knows
            // no "PostgresDatabase" provider: the silo configures its PostgreSQL providers itself, so no such key may reach it.
            Assert.DoesNotContain(env.Keys, k => k.EndsWith("__ProviderType", StringComparison.Ordinal) || k.EndsWith("__ServiceKey", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task On_an_existing_server_the_silos_read_their_environment_as_one_postgres_cluster_with_three_port_sets()
    {
        await using var model = await Model(ExistingServerArgs);
        // Nothing to run in a container: this form needs no container runtime.
        Assert.Empty(model.Resources.OfType<ContainerResource>());
        Assert.Empty(model.Resources.OfType<PostgresServerResource>());

        var profiles = new List<HostingProfile>();
        foreach (var (silo, i) in Silos(model).Select((s, i) => (s, i)))
        {
            // The values the silo process would get, read through the silo's own configuration code.
            var env = await Environment(silo, model.ExecutionContext);
            var config = new ConfigurationBuilder()
                .AddInMemoryCollection(env.Select(kv => KeyValuePair.Create(kv.Key.Replace("__", ":"), (string?)kv.Value)))
                .Build();
            var profile = HostingProfile.From(config);
            Assert.True(profile.UsesPostgres);
            Assert.Equal(ExistingServer, profile.PostgresConnectionString);
            Assert.Equal(("households", "households", 11500 + i, 30500 + i),
                (profile.ClusterId, profile.ServiceId, profile.SiloPort, profile.GatewayPort));
            Assert.Equal($"http://localhost:{5500 + i}", config["ASPNETCORE_URLS"]);
            var (key, source) = SigningKeySource.Resolve(config, profile);
            Assert.Equal(Convert.FromBase64String(SigningKey), key);
            Assert.Equal("configuration (Auth:SigningKey)", source);
            profiles.Add(profile);
        }
        Assert.Equal(3, profiles.Select(p => (p.SiloPort, p.GatewayPort)).Distinct().Count());
        // The grain storage the Orleans resource names is the one the silo's grains persist to.
        Assert.Equal(HostingProfile.StorageName, HouseholdsCluster.GrainStorageName);
    }
}
