using Households.Contracts;
using Households.Grains.Securities;
using Households.Grains.Silo;
using Households.Persistence;
using Households.Silo.Hosting;
using Households.Tests.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;
using static Households.Tests.Cluster.TestFirm;

namespace Households.Tests.PostgreSql;

/// <summary>Fills on the PostgreSQL profile (issue #18 goal 2): each is appended as what it changed to the account's books
/// and to the household's ledger, not written as the whole state; a grain that reads the state folds them in; the state is
/// stored whole as the grain deactivates; an append from a stale version is a conflict the grain re-reads and retries.</summary>
public sealed class AppendedFillsTests(PostgresFixture db) : IClassFixture<PostgresFixture>
{
    private Task<IHost> StartSilo(string clusterId) => PostgresSilo.Start(db.ConnectionString, clusterId, "households-pg-test");

    [Fact]
    public async Task Fills_are_appended_to_the_books_read_back_by_another_cluster_and_stored_whole_on_deactivation()
    {
        await PostgresSchema.ApplyAsync(db.ConnectionString);
        var bought = new DateOnly(2025, 3, 3);
        async Task<(long Changes, long Version, long Stamp)> Stored(string state = "account", string key = "PGF1")
        {
            await using var connection = new Npgsql.NpgsqlConnection(db.ConnectionString);
            await connection.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand("""
                SELECT (SELECT count(*) FROM households_state_changes WHERE state_name = $1 AND grain_key = $2),
                       etag, length(payload) FROM households_grain_state WHERE state_name = $1 AND grain_key = $2
                """, connection);
            command.Parameters.AddWithValue(state);
            command.Parameters.AddWithValue(key);
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt32(2));
        }
        var first = await StartSilo($"pg-{Guid.NewGuid():N}");
        var grains = first.Services.GetRequiredService<IGrainFactory>();
        await grains.GetGrain<IUniverseGrain>(UniverseGrain.Key).Upsert([Fund("PGFEQ", "US Equity"), Fund("PGFBD", "US Bonds")]);
        await grains.GetGrain<IModelGrain>("PGFM").Define(TwoFundModel("PGFM", "PGFEQ", "PGFBD", 0.6m, DriftBand.Default));
        await grains.GetGrain<IHouseholdGrain>("PGFH").Create(new HouseholdSpec("PGFH", "Appending household", "ADV07", ["PGF1"]),
            [new AccountOpening(Account("PGF1", "PGFH", AccountType.Taxable, "PGFM"), 5000m,
                [Lot("PGFL1", "PGFEQ", 60, 100m, bought), Lot("PGFL2", "PGFBD", 40, 100m, bought)])]);
        var opened = await Stored();
        var householdOpened = await Stored("household", "PGFH");

        // Three fills: a purchase of 10 at $110, a sale of 25 at $120 (FIFO from PGFL1, bought at $100: a gain, no wash
        // sale), another purchase of 5 at $90.
        var household = grains.GetGrain<IHouseholdGrain>("PGFH");
        await household.RecordTrade("PGF1", new TradeRequest("pgf-1", new DateOnly(2026, 2, 2), "PGFEQ", TradeSide.Buy, 10, 110m, null, null, 0m));
        await household.RecordTrade("PGF1", new TradeRequest("pgf-2", new DateOnly(2026, 2, 3), "PGFEQ", TradeSide.Sell, 25, 120m, null, LotRelief.Fifo, 0m));
        await household.RecordTrade("PGF1", new TradeRequest("pgf-3", new DateOnly(2026, 2, 4), "PGFBD", TradeSide.Buy, 5, 90m, null, null, 0m));
        var filled = await Stored();
        // The household's ledger appended the three fills too (results by key, the realized gain).
        Assert.Equal((3L, householdOpened.Version + 3, householdOpened.Stamp), await Stored("household", "PGFH"));
        Assert.Equal((3L, opened.Version + 3, opened.Stamp), filled); // the row's payload as opened; three changes under three versions
        var live = await grains.GetGrain<IAccountGrain>("PGF1").GetView();
        Assert.Equal(5000m - 1100m + 3000m - 450m, live.Cash);

        // Another cluster on the same database reads the snapshot with the three fills folded in, records a fill of its own
        // (2 more at $100) and, as it stops, compacts: the books stored whole under the version they have, the changes gone.
        await using (var other = (IAsyncDisposable)await StartSilo($"pg-{Guid.NewGuid():N}"))
        {
            var view = await ((IHost)other).Services.GetRequiredService<IGrainFactory>().GetGrain<IAccountGrain>("PGF1").GetView();
            Assert.Equal(live.Cash, view.Cash);
            Assert.Equal(Lots(live), Lots(view));
            Assert.Equal([("PGFL1", 35m, 3_500m), ("T-pgf-1", 10m, 1_100m)], Lots(view).Where(l => l.Symbol == "PGFEQ").Select(l => (l.Id, l.Quantity, l.Basis)));
            // Its household folds the ledger's fills: the sale's $500 gain (25 × ($120 − $100)), and the sale sent again
            // is answered from the results kept by key, not applied twice.
            var otherHousehold = ((IHost)other).Services.GetRequiredService<IGrainFactory>().GetGrain<IHouseholdGrain>("PGFH");
            var gain = Assert.Single((await otherHousehold.GetStressSnapshot()).Realized);
            Assert.Equal(("PGFL1", 25m, 3_000m, 2_500m), (gain.LotId, gain.Quantity, gain.Proceeds, gain.Basis));
            var again = await otherHousehold.RecordTrade("PGF1", new TradeRequest("pgf-2", new DateOnly(2026, 2, 3), "PGFEQ", TradeSide.Sell, 25, 120m, null, LotRelief.Fifo, 0m));
            Assert.True(again.Replayed);
            await otherHousehold.RecordTrade("PGF1", new TradeRequest("pgf-x", new DateOnly(2026, 2, 4), "PGFBD", TradeSide.Buy, 2, 100m, null, null, 0m));
            Assert.Equal((4L, filled.Version + 1), ((await Stored()).Changes, (await Stored()).Version));
            await ((IHost)other).StopAsync();
        }
        var compacted = await Stored();
        Assert.Equal((0L, filled.Version + 1), (compacted.Changes, compacted.Version));
        Assert.NotEqual(filled.Stamp, compacted.Stamp);
        Assert.Equal(0L, (await Stored("household", "PGFH")).Changes);

        // The first silo's account still holds the version before the other cluster's fill: its next fill's append is a
        // version conflict, re-read (the other's fill folded in) and appended again (4 more at $95).
        await household.RecordTrade("PGF1", new TradeRequest("pgf-4", new DateOnly(2026, 2, 5), "PGFBD", TradeSide.Buy, 4, 95m, null, null, 0m));
        Assert.Equal((1L, filled.Version + 2), ((await Stored()).Changes, (await Stored()).Version));
        var last = await grains.GetGrain<IAccountGrain>("PGF1").GetView();
        Assert.Equal(live.Cash - 200m - 380m, last.Cash);

        // The first silo stops: its account deactivates and compacts, keeping the version.
        await first.StopAsync();
        first.Dispose();
        Assert.Equal((0L, filled.Version + 2), ((await Stored()).Changes, (await Stored()).Version));
        await using var third = (IAsyncDisposable)await StartSilo($"pg-{Guid.NewGuid():N}");
        var reread = await ((IHost)third).Services.GetRequiredService<IGrainFactory>().GetGrain<IAccountGrain>("PGF1").GetView();
        Assert.Equal((last.Cash, Lots(last)), (reread.Cash, Lots(reread)), LotsComparer);
        await ((IHost)third).StopAsync();
    }

    [Fact]
    public async Task A_loss_sale_appended_as_a_ledger_change_washes_a_purchase_recorded_by_another_cluster()
    {
        await PostgresSchema.ApplyAsync(db.ConnectionString);
        Task<object[]> Changes() => StoredChangeRows.Read(db.ConnectionString, "household", "PGWH");
        var first = await StartSilo($"pg-{Guid.NewGuid():N}");
        var grains = first.Services.GetRequiredService<IGrainFactory>();
        await grains.GetGrain<IUniverseGrain>(UniverseGrain.Key).Upsert([Fund("PGWEQ", "US Equity"), Fund("PGWBD", "US Bonds")]);
        await grains.GetGrain<IModelGrain>("PGWM").Define(TwoFundModel("PGWM", "PGWEQ", "PGWBD", 0.6m, DriftBand.Default));
        await grains.GetGrain<IHouseholdGrain>("PGWH").Create(new HouseholdSpec("PGWH", "Washing household", "ADV07", ["PGW1"]),
            [new AccountOpening(Account("PGW1", "PGWH", AccountType.Taxable, "PGWM"), 1000m,
                [Lot("PGWL1", "PGWEQ", 50, 100m, new DateOnly(2025, 3, 3)), Lot("PGWL2", "PGWBD", 40, 100m, new DateOnly(2025, 3, 3))])]);

        // 50 PGWEQ bought at $100 sold at $80 on 2026-02-02: a $1,000 loss the ledger keeps open for 30 days. The household
        // appends what the sale changed in its ledger (the loss opened), not the ledger whole.
        await grains.GetGrain<IHouseholdGrain>("PGWH").RecordTrade("PGW1",
            new TradeRequest("pgw-1", new DateOnly(2026, 2, 2), "PGWEQ", TradeSide.Sell, 50, 80m, null, LotRelief.Fifo, 0m));
        var filled = Assert.IsType<Households.Grains.Household.HouseholdFilled>(Assert.Single(await Changes()));
        Assert.Null(filled.WashSales);
        var loss = Assert.Single(filled.WashSaleChange!.LossesPut);
        Assert.Equal(("PGW1", "PGWL1", 50m, 1_000m), (loss.Account, loss.SoldLotId, loss.Quantity, loss.Loss));

        // Another cluster reads the household (snapshot and the change folded in) and records a purchase of 50 at $82 eight
        // days later: the open loss washes it, all $1,000 disallowed and added to the new lot's basis (IRC §1091(a), (d)).
        await using (var other = (IAsyncDisposable)await StartSilo($"pg-{Guid.NewGuid():N}"))
        {
            var bought = await ((IHost)other).Services.GetRequiredService<IGrainFactory>().GetGrain<IHouseholdGrain>("PGWH").RecordTrade("PGW1",
                new TradeRequest("pgw-2", new DateOnly(2026, 2, 10), "PGWEQ", TradeSide.Buy, 50, 82m, null, null, 0m));
            var washed = Assert.Single(bought.WashSales);
            Assert.Equal((1_000m, 50m), (washed.Disallowed, washed.Quantity));
            // That purchase changed the loss's realized row (its disallowance): the household was stored whole, the change folded in.
            Assert.Empty(await Changes());
            await ((IHost)other).StopAsync();
        }
        await first.StopAsync();
        first.Dispose();
    }

    private static readonly IEqualityComparer<(decimal, List<TaxLot>)> LotsComparer =
        EqualityComparer<(decimal, List<TaxLot>)>.Create((a, b) => a.Item1 == b.Item1 && a.Item2.SequenceEqual(b.Item2));

    private static List<TaxLot> Lots(AccountView view) => [.. view.Holdings.SelectMany(h => h.Lots).Select(l => l.Lot).OrderBy(l => l.Id, StringComparer.Ordinal)];
}
