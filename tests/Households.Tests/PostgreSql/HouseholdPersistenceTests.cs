using Households.Contracts;
using Households.Grains.Household;
using Households.Grains.Securities;
using Households.Grains.Silo;
using Households.Grains;
using Households.Persistence;
using Households.Silo.Hosting;
using Households.Tests.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;
using static Households.Tests.Cluster.TestFirm;

namespace Households.Tests.PostgreSql;

/// <summary>The product's PostgreSQL profile end to end: households, accounts and trades written by one silo
/// are read back by a fresh silo on the same database.</summary>
public sealed class HouseholdPersistenceTests(PostgresFixture db) : IClassFixture<PostgresFixture>
{
    private Task<IHost> StartSilo(string clusterId) => PostgresSilo.Start(db.ConnectionString, clusterId, "households-pg-test");

    [Fact]
    public async Task Household_accounts_and_trades_survive_a_fresh_cluster()
    {
        await PostgresSchema.ApplyAsync(db.ConnectionString);
        var clusterId = $"pg-{Guid.NewGuid():N}";
        var bought = new DateOnly(2025, 3, 3);
        TradeResult firstResult;
        await using (var first = (IAsyncDisposable)await StartSilo(clusterId))
        {
            var grains = ((IHost)first).Services.GetRequiredService<IGrainFactory>();
            await grains.GetGrain<IUniverseGrain>(UniverseGrain.Key).Upsert([Fund("PGEQ", "US Equity"), Fund("PGBD", "US Bonds")]);
            await grains.GetGrain<IModelGrain>("PGM").Define(TwoFundModel("PGM", "PGEQ", "PGBD", 0.6m, DriftBand.Default));
            var spec = new HouseholdSpec("PGHH", "Persisted household", "ADV07", ["PGA1"]);
            await grains.GetGrain<IHouseholdGrain>("PGHH").Create(spec,
                [new AccountOpening(Account("PGA1", "PGHH", AccountType.Taxable, "PGM"), 5000m,
                    [Lot("PGL1", "PGEQ", 60, 100m, bought), Lot("PGL2", "PGBD", 40, 100m, bought)])]);
            firstResult = await grains.GetGrain<IHouseholdGrain>("PGHH").RecordTrade("PGA1",
                new TradeRequest("pg-key-1", new DateOnly(2026, 2, 2), "PGEQ", TradeSide.Buy, 10, 110m, null, null, 0m));
            await ((IHost)first).StopAsync();
        }

        await using var second = (IAsyncDisposable)await StartSilo(clusterId);
        var again = ((IHost)second).Services.GetRequiredService<IGrainFactory>();
        var household = await again.GetGrain<IHouseholdGrain>("PGHH").GetSpec();
        Assert.NotNull(household);
        Assert.Equal("ADV07", household.AdvisorId);
        var view = await again.GetGrain<IAccountGrain>("PGA1").GetView();
        Assert.Equal(5000m - 1100m, view.Cash);
        var equity = Assert.Single(view.Holdings, h => h.Symbol == "PGEQ");
        Assert.Equal(70m, equity.Quantity);
        Assert.Contains(equity.Lots, l => l.Lot.Id == "T-pg-key-1" && l.Lot.Basis == 1100m && l.Lot.Purchased == new DateOnly(2026, 2, 2));
        Assert.Equal("PGM", (await again.GetGrain<IModelGrain>("PGM").Get())!.Id);
        Assert.Equal(1, (await again.GetGrain<IFirmDirectoryGrain>(FirmDirectoryGrain.Key).List(0, 10)).Total);

        // The retry after the restart is answered from storage, not applied again.
        var retry = await again.GetGrain<IHouseholdGrain>("PGHH").RecordTrade("PGA1", firstResult.Request);
        Assert.True(retry.Replayed);
        Assert.Equal(firstResult.CashAfter, retry.CashAfter);
        Assert.Equal(3900m, (await again.GetGrain<IAccountGrain>("PGA1").GetView()).Cash);
        await ((IHost)second).StopAsync();
    }
}
