using System.Net;
using System.Net.Sockets;
using Households.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans.Configuration;
using Xunit;

namespace Households.Tests.PostgreSql;

/// <summary>Test-only grain: one persisted state ("pgProbe" in store "households") and one reminder.</summary>
public interface IPgProbeGrain : IGrainWithStringKey
{
    Task SetAsync(string text, int number);
    Task<PgProbeState> GetAsync();
    Task RegisterReminderAsync();
    Task<bool> HasReminderAsync();
    Task UnregisterReminderAsync();
}

[GenerateSerializer]
public sealed class PgProbeState
{
    [Id(0)] public string Text { get; set; } = "";
    [Id(1)] public int Number { get; set; }
    [Id(2)] public int Writes { get; set; }
}

public sealed class PgProbeGrain(
    [PersistentState("pgProbe", "households")] IPersistentState<PgProbeState> state) : Grain, IPgProbeGrain, IRemindable
{
    private const string ReminderName = "pg-probe";

    public async Task SetAsync(string text, int number)
    {
        state.State.Text = text;
        state.State.Number = number;
        state.State.Writes++;
        await state.WriteStateAsync();
    }

    public Task<PgProbeState> GetAsync() => Task.FromResult(state.State);

    public Task RegisterReminderAsync() =>
        this.RegisterOrUpdateReminder(ReminderName, TimeSpan.FromHours(1), TimeSpan.FromHours(1));

    public async Task<bool> HasReminderAsync() => await this.GetReminder(ReminderName) is not null;

    public async Task UnregisterReminderAsync()
    {
        if (await this.GetReminder(ReminderName) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => Task.CompletedTask;
}

/// <summary>
/// End to end: a real Orleans 10 silo on AdoNet clustering, grain storage and reminders, on a
/// database installed by <see cref="PostgresSchema"/>. A second silo (new process incarnation)
/// reads back what the first wrote.
/// </summary>
public sealed class OrleansAdoNetSmokeTests(PostgresFixture db) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task Silo_PersistsGrainState_AndAFreshSiloReadsItBack()
    {
        await PostgresSchema.ApplyAsync(db.ConnectionString);
        var clusterId = "hh-test-" + Guid.NewGuid().ToString("N")[..8];
        const string serviceId = "households-test";
        var key = "probe-" + Guid.NewGuid().ToString("N");

        using (var first = await StartSiloAsync(clusterId, serviceId))
        {
            var grain = first.Services.GetRequiredService<IGrainFactory>().GetGrain<IPgProbeGrain>(key);
            await grain.SetAsync("first", 1);
            await grain.SetAsync("hello from silo 1", 42);
            await grain.RegisterReminderAsync();
            Assert.True(await grain.HasReminderAsync());
            await first.StopAsync();
        }

        Assert.Equal(1L, await ScalarAsync(
            "SELECT count(*) FROM OrleansStorage WHERE ServiceId = @service AND PayloadBinary IS NOT NULL AND Version = 2",
            ("service", serviceId)));
        Assert.Equal(1L, await ScalarAsync(
            "SELECT count(*) FROM OrleansRemindersTable WHERE ServiceId = @service", ("service", serviceId)));

        using (var second = await StartSiloAsync(clusterId, serviceId))
        {
            var grain = second.Services.GetRequiredService<IGrainFactory>().GetGrain<IPgProbeGrain>(key);
            var state = await grain.GetAsync();
            Assert.Equal("hello from silo 1", state.Text);
            Assert.Equal(42, state.Number);
            Assert.Equal(2, state.Writes);

            await grain.SetAsync("hello from silo 2", 43); // the ETag read back is accepted
            Assert.True(await grain.HasReminderAsync());
            await grain.UnregisterReminderAsync();
            Assert.False(await grain.HasReminderAsync());
            await second.StopAsync();
        }

        Assert.Equal(1L, await ScalarAsync(
            "SELECT count(*) FROM OrleansStorage WHERE ServiceId = @service AND Version = 3", ("service", serviceId)));
        Assert.Equal(0L, await ScalarAsync(
            "SELECT count(*) FROM OrleansRemindersTable WHERE ServiceId = @service", ("service", serviceId)));
        // Both silo incarnations registered in the membership table and left it cleanly (6 = Dead).
        Assert.Equal(2L, await ScalarAsync(
            "SELECT count(*) FROM OrleansMembershipTable WHERE DeploymentId = @cluster AND Status = 6",
            ("cluster", clusterId)));
    }

    private async Task<IHost> StartSiloAsync(string clusterId, string serviceId)
    {
        var connectionString = db.ConnectionString;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = serviceId;
            });
            silo.ConfigureEndpoints(IPAddress.Loopback, FreePort(), FreePort());
            silo.UseAdoNetClustering(o =>
            {
                o.Invariant = "Npgsql";
                o.ConnectionString = connectionString;
            });
            silo.AddAdoNetGrainStorage("households", o =>
            {
                o.Invariant = "Npgsql";
                o.ConnectionString = connectionString;
            });
            silo.UseAdoNetReminderService(o =>
            {
                o.Invariant = "Npgsql";
                o.ConnectionString = connectionString;
            });
        });
        var host = builder.Build();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await host.StartAsync(timeout.Token);
        return host;
    }

    private async Task<long> ScalarAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = await SchemaTests.OpenAsync(db.ConnectionString);
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return (long)(await command.ExecuteScalarAsync())!;
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
