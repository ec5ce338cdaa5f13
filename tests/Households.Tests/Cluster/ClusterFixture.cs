using Households.Contracts;
using Households.Domain.Monitoring;
using Households.Grains.Prices;
using Households.Grains.Silo;
using Households.Silo.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using Xunit;

namespace Households.Tests.Cluster;

/// <summary>One in-process Orleans cluster (memory storage, simulator off) for the cluster test collection.
/// Prices come only from the tests, through the price feed grain, exactly as in production.</summary>
public class ClusterFixture : IAsyncLifetime
{
    public InProcessTestCluster Cluster { get; private set; } = null!;
    public IClusterClient Client => Cluster.Client;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            AddStorage(silo);
            silo.AddHouseholdsServices();
            // The tests run at any hour on the system clock: the trading-hours gate has its own fixture (TradingHoursFixture).
            silo.Services.Configure<MarketOptions>(o => { o.Simulate = false; o.EnforceTradingHours = false; });
            // The firm's substitute table for the harvest tests: HXALT tracks HXFUND's market but is not
            // substantially identical to it.
            silo.Services.Configure<DecisionOptions>(o =>
            {
                o.Substitutes["HXFUND"] = ["HXALT"];
                // RFALT may replace RFFUND: the refusal test's harvest is a real candidate that the wash-sale guard refuses.
                o.Substitutes["RFFUND"] = ["RFALT"];
                // The resend test's harvest (DecisionTests.A_trigger_sent_again_after_a_silo_died_is_decided_once).
                o.Substitutes["RSFUND"] = ["RSALT"];
                // The harvest tests decide one concentrated household each (a 56 % position harvested at once): no firm
                // turnover budget; the budget has its own domain tests.
                o.DailyTurnover = 1.0;
            });
            ConfigureSilo(silo);
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    /// <summary>A derived fixture's own silo settings, applied after the shared ones.</summary>
    protected virtual void ConfigureSilo(ISiloBuilder silo) { }

    /// <summary>The grains' storage: in memory.</summary>
    protected virtual void AddStorage(ISiloBuilder silo) => silo.AddMemoryGrainStorage(HostingProfile.StorageName);

    public T SiloService<T>() where T : notnull =>
        Cluster.GetSiloServiceProvider(Cluster.GetActiveSilos().First().SiloAddress).GetRequiredService<T>();

    /// <summary>Publishes quotes and waits until the silo's board and monitor have taken that batch.</summary>
    public async Task<long> PublishAndScan(params (string Symbol, decimal Price)[] quotes)
    {
        var feed = Client.GetGrain<IPriceFeedGrain>(PriceFeedGrain.Key);
        var board = SiloService<PriceBoard>();
        var monitor = SiloService<AccountMonitor>();
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var sequence = await feed.Publish(quotes.Select(q => new PriceQuote(q.Symbol, q.Price)).ToArray());
            for (var wait = 0; wait < 20; wait++)
            {
                if (board.Current.Sequence >= sequence && monitor.Status.BatchSequence >= sequence) return sequence;
                await Task.Delay(50);
            }
        }
        throw new TimeoutException("the silo's price board never received the batch");
    }

    /// <summary>Polls until <paramref name="condition"/> holds (grain notices are one-way and asynchronous).</summary>
    public static async Task<T> Eventually<T>(Func<Task<T>> read, Func<T, bool> condition, int timeoutMs = 10_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (true)
        {
            var value = await read();
            if (condition(value) || DateTime.UtcNow > deadline) return value;
            await Task.Delay(50);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
