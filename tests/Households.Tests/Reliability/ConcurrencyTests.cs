using Households.Contracts;
using Households.Grains.Securities;
using Households.Grains.Silo;
using Households.Grains;
using Households.Persistence.Journal;
using Households.Persistence;
using Households.Silo.Hosting;
using Households.Tests.PostgreSql;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Xunit;
using static Households.Tests.Cluster.TestFirm;

namespace Households.Tests.Reliability;

/// <summary>Writes on PostgreSQL: concurrent operations on one household are serialized, and a storage version (ETag)
/// conflict between two writers of one grain is retried on fresh state so neither write is lost.</summary>
[Collection(RealProcessCollection.Name)]
public sealed class ConcurrencyTests(PostgresFixture db) : IClassFixture<PostgresFixture>
{
    private readonly ConflictCounter _conflicts = new();

    private async Task<IHost> StartSilo(string clusterId)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Error);
        builder.Logging.AddFilter<ConflictCounter>("Households", LogLevel.Warning);
        builder.Logging.AddProvider(_conflicts);
        var profile = new HostingProfile(db.ConnectionString, clusterId, "households-etag-test", RealSilo.FreePort(), RealSilo.FreePort());
        builder.UseOrleans(silo => silo.ConfigureHouseholds(profile));
        builder.Services.Configure<MarketOptions>(o => { o.Simulate = false; o.EnforceTradingHours = false; });
        builder.Services.Configure<WatchdogOptions>(o => o.Enabled = false);
        var host = builder.Build();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await host.StartAsync(timeout.Token);
        return host;
    }

    private static TradeRequest Buy(string key, decimal quantity, decimal price) =>
        new(key, new DateOnly(2026, 3, 2), "ETEQ", TradeSide.Buy, quantity, price, null, null, 1m);

    [Fact]
    public async Task Two_writers_of_one_household_conflict_retry_on_fresh_state_and_lose_no_write()
    {
        await PostgresSchema.ApplyAsync(db.ConnectionString);
        // Two clusters on one database: each activates the same household and account, so each holds its own copy
        // and its own storage version: the situation a duplicate activation during a membership change creates.
        var x = await StartSilo($"etag-x-{Guid.NewGuid():N}");
        var y = await StartSilo($"etag-y-{Guid.NewGuid():N}");
        try
        {
            var gx = x.Services.GetRequiredService<IGrainFactory>();
            var gy = y.Services.GetRequiredService<IGrainFactory>();
            await gx.GetGrain<IUniverseGrain>(UniverseGrain.Key).Upsert([Fund("ETEQ", "US Equity")]);
            await gx.GetGrain<IHouseholdGrain>("ETHH").Create(new HouseholdSpec("ETHH", "Two writers", "ADV1", ["ETA1"]),
                [new AccountOpening(Account("ETA1", "ETHH", AccountType.Taxable, null), 100_000m, [])]);
            Assert.NotNull(await gy.GetGrain<IHouseholdGrain>("ETHH").GetSpec());
            Assert.NotNull(await gy.GetGrain<IAccountGrain>("ETA1").GetSpec());

            // Alternate writers: every write after the first meets a stored version its writer has not seen.
            var results = new List<TradeResult>();
            for (var i = 0; i < 6; i++)
            {
                var grains = i % 2 == 0 ? gx : gy;
                results.Add(await grains.GetGrain<IHouseholdGrain>("ETHH").RecordTrade("ETA1", Buy($"et-{i}", 10 + i, 100m + i)));
            }
            Assert.All(results, r => Assert.False(r.Replayed));
            // The conflicts happened (account and household of every write after the first) and were retried.
            Assert.True(_conflicts.Count >= 5, $"{_conflicts.Count} version conflicts seen");
            // Each writer saw the other's fills before applying its own: cash after each is the running total.
            decimal cash = 100_000m;
            for (var i = 0; i < 6; i++)
            {
                cash -= (10 + i) * (100m + i) + 1m;
                Assert.Equal(cash, results[i].CashAfter);
            }

            // Both writers answer every key as a replay of the original.
            foreach (var (grains, i) in new[] { gx, gy }.SelectMany(g => Enumerable.Range(0, 6).Select(i => (g, i))))
            {
                var again = await grains.GetGrain<IHouseholdGrain>("ETHH").RecordTrade("ETA1", Buy($"et-{i}", 10 + i, 100m + i));
                Assert.True(again.Replayed);
                Assert.Equal(results[i].CashAfter, again.CashAfter);
            }
        }
        finally
        {
            await x.StopAsync();
            await y.StopAsync();
            x.Dispose();
            y.Dispose();
        }

        // A fresh cluster reads all six fills from storage, once each, and the books equal the journal.
        var z = await StartSilo($"etag-z-{Guid.NewGuid():N}");
        try
        {
            var gz = z.Services.GetRequiredService<IGrainFactory>();
            var ledger = await gz.GetGrain<IAccountGrain>("ETA1").GetLedger();
            Assert.Equal(Enumerable.Range(0, 6).Select(i => $"et-{i}"), ledger.TradeKeys);
            Assert.Equal(6, ledger.Lots.Length);
            Assert.Equal(100_000m - Enumerable.Range(0, 6).Sum(i => (10 + i) * (100m + i) + 1m), ledger.Cash);
            Assert.Empty(await gz.GetGrain<IHouseholdGrain>("ETHH").CatchUp());
            var journal = new PostgresJournal(NpgsqlDataSource.Create(db.ConnectionString));
            Assert.Empty(await LiveReconciliation.Differences(gz, journal, ["ETHH"]));
        }
        finally
        {
            await z.StopAsync();
            z.Dispose();
        }
    }

    [Fact]
    public async Task Concurrent_trades_on_one_household_are_serialized()
    {
        await PostgresSchema.ApplyAsync(db.ConnectionString);
        var host = await StartSilo($"serial-{Guid.NewGuid():N}");
        try
        {
            var grains = host.Services.GetRequiredService<IGrainFactory>();
            await grains.GetGrain<IUniverseGrain>(UniverseGrain.Key).Upsert([Fund("ETEQ", "US Equity")]);
            await grains.GetGrain<IHouseholdGrain>("SEHH").Create(new HouseholdSpec("SEHH", "Serial", "ADV1", ["SEA1", "SEA2"]),
                [new AccountOpening(Account("SEA1", "SEHH", AccountType.Taxable, null), 50_000m, []),
                 new AccountOpening(Account("SEA2", "SEHH", AccountType.Ira, null), 50_000m, [])]);
            // 40 buys at once across both accounts: each result's cash is one step of its account's running total,
            // so no two trades interleaved inside the household.
            var trades = Enumerable.Range(0, 40).Select(i => (Account: i % 2 == 0 ? "SEA1" : "SEA2", Request: Buy($"se-{i}", 1 + i % 5, 100m))).ToList();
            var results = await Task.WhenAll(trades.Select(t => grains.GetGrain<IHouseholdGrain>("SEHH").RecordTrade(t.Account, t.Request)));
            foreach (var account in new[] { "SEA1", "SEA2" })
            {
                var mine = results.Where(r => r.AccountId == account).OrderByDescending(r => r.CashAfter).ToList();
                var cash = 50_000m;
                foreach (var r in mine)
                {
                    cash -= r.Request.Quantity * 100m + 1m;
                    Assert.Equal(cash, r.CashAfter);
                }
                Assert.Equal(cash, (await grains.GetGrain<IAccountGrain>(account).GetLedger()).Cash);
            }
            var journal = new PostgresJournal(NpgsqlDataSource.Create(db.ConnectionString));
            Assert.Empty(await LiveReconciliation.Differences(grains, journal, ["SEHH"]));
        }
        finally
        {
            await host.StopAsync();
            host.Dispose();
        }
    }
}

/// <summary>Counts the grains' "storage version conflict" warnings.</summary>
internal sealed class ConflictCounter : ILoggerProvider, ILogger
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (formatter(state, exception).Contains("storage version conflict", StringComparison.Ordinal)) Interlocked.Increment(ref _count);
    }

    public void Dispose() { }
}
