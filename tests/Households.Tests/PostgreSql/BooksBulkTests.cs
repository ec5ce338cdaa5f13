using Households.Simulation.Firms;
using Households.Client.Commands;
using Households.Contracts;
using Households.Domain.Market;
using Households.Simulation.Scenarios;
using Households.Grains;
using Households.Grains.Prices;
using Households.Grains.Silo;
using Households.Silo.Hosting;
using Households.Tests.Cli;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Xunit;
using Xunit.Abstractions;

namespace Households.Tests.PostgreSql;

/// <summary>Issue #18's path at CI scale: a 10,000-account firm bulk-loaded into PostgreSQL with COPY, a silo that starts on
/// it and watches every account from its books without activating a grain, a one-batch 12 % equity shock decided and
/// persisted, and a second cluster on the same database that finds every decided trade in the books.</summary>
public sealed class BooksBulkTests(PostgresFixture db, ITestOutputHelper output) : IClassFixture<PostgresFixture>
{
    private const int Accounts = 10_000;
    private const int Seed = 7;

    // The shock is the subject: every admitted trigger may decide at once (no firm-wide pacing, no daily turnover cap).
    private Task<IHost> StartSilo(string clusterId) => PostgresSilo.Start(db.ConnectionString, clusterId, "households-books-test",
        services => services.Configure<DecisionOptions>(o => { o.FirmPerSecond = 10_000; o.FirmBurst = 10_000; o.DailyTurnover = 1; }));

    private async Task<long> Count(string sql)
    {
        // A generous connect timeout: the silo's shock keeps both cores busy, and a backend starts slowly then.
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(db.ConnectionString) { Timeout = 120 }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task A_firm_loaded_with_copy_is_watched_at_start_without_grains_and_a_shock_is_decided_and_kept()
    {
        var firm = SyntheticFirm.Build(Accounts, Seed);
        var lots = Enumerable.Range(0, firm.HouseholdCount).Sum(h => (long)firm.HouseholdAt(h).Accounts.Sum(a => a.Lots.Length));

        var (code, text, error) = CliRunner.Offline(DbCommand.Create(), "db", "load", "--connection", db.ConnectionString,
            "--accounts", Accounts.ToString(), "--seed", Seed.ToString());
        output.WriteLine(text + error);
        Assert.Equal(0, code);
        Assert.Contains($"loaded {firm.HouseholdCount:N0} households, 10,000 accounts, {lots:N0} lots", text);
        Assert.Equal(Accounts, await Count("SELECT count(*) FROM households_grain_state WHERE state_name = 'account'"));
        Assert.Equal(firm.HouseholdCount, await Count("SELECT count(*) FROM households_grain_state WHERE state_name = 'household'"));
        // A second load into books is refused and changes nothing.
        var (again, _, refusal) = CliRunner.Offline(DbCommand.Create(), "db", "load", "--connection", db.ConnectionString, "--accounts", "10");
        Assert.Equal(2, again);
        Assert.Contains("already holds", refusal);
        Assert.Equal(Accounts, await Count("SELECT count(*) FROM households_grain_state WHERE state_name = 'account'"));

        var decided = new Dictionary<string, (decimal Cash, LotPiece[] Lots)>(StringComparer.Ordinal);
        var tradedLater = new Dictionary<string, decimal>(StringComparer.Ordinal);
        await using (var first = (IAsyncDisposable)await StartSilo($"books-{Guid.NewGuid():N}"))
        {
            var services = ((IHost)first).Services;
            var warm = await services.GetRequiredService<BooksWarmStart>().Done.WaitAsync(TimeSpan.FromMinutes(3));
            output.WriteLine($"warm start: {warm}");
            Assert.Equal(Accounts, warm.Accounts);
            Assert.Equal(lots, warm.Lots);
            var monitor = services.GetRequiredService<AccountMonitor>();
            Assert.Equal(Accounts, monitor.ParkedAccounts); // watched from the books: no account grain woke

            // The firm's own prices, then the named shock in one batch.
            var grains = services.GetRequiredService<IGrainFactory>();
            var feed = grains.GetGrain<IPriceFeedGrain>(PriceFeedGrain.Key);
            var start = firm.Universe.InitialPrices.ToArray();
            await feed.Publish(Quotes(firm.Universe, start));
            await WaitFor(() => monitor.Status.Accounts == Accounts && monitor.Status.Scans > 0, "the first scan");

            // Every household's stored header was read with the books, so its live read needs no grain (goals 6 and 9):
            // the values are the books at the published prices, worked here from the firm's openings.
            Assert.Equal(firm.HouseholdCount, warm.Households);
            var reads = services.GetRequiredService<Households.Silo.Api.LocalLiveReads>();
            var priced = Quotes(firm.Universe, start).ToDictionary(q => q.Symbol, q => q.Price, StringComparer.Ordinal);
            // The first scan may already decide (an opening outside its band trades at the first prices, with slippage), so a
            // household that traded or holds a proposal since is left out: read first, then ask the journal, so a decision that
            // lands between the two is seen.
            var checkedHouseholds = 0;
            for (var h = 0; h < firm.HouseholdCount; h += firm.HouseholdCount / 40)
            {
                var opened = firm.HouseholdAt(h);
                var live = reads.Household(opened.Household.Id) ?? throw new Xunit.Sdk.XunitException($"no live read of {opened.Household.Id} from the board");
                var decidedSince = await Count($"SELECT count(*) FROM households_journal WHERE household_id = '{opened.Household.Id}' AND kind IN ('Fill', 'OrderSent', 'Proposal')");
                if (decidedSince > 0 || live.PendingProposals > 0 || live.Cash != opened.Accounts.Sum(a => a.Cash)) continue;
                checkedHouseholds++;
                var worth = opened.Accounts.Sum(a => a.Cash + a.Lots.Sum(l => l.Quantity * priced[l.Symbol]));
                Assert.InRange(live.MarketValue - worth, -0.01m * opened.Accounts.Count, 0.01m * opened.Accounts.Count); // each account in cents
                Assert.Equal(opened.Accounts.Sum(a => a.Cash), live.Cash);
                Assert.Equal((opened.Household.AdvisorId, 0), (live.AdvisorId, live.PendingProposals));
                Assert.Equal(opened.Accounts.Select(a => a.Spec.Id), live.Accounts.Select(a => a.AccountId));
            }
            output.WriteLine($"live reads checked against the openings: {checkedHouseholds} households");
            Assert.InRange(checkedHouseholds, 20, 41); // most of the sample had not traded yet
            var settledFills = await Count("SELECT count(*) FROM households_journal WHERE kind = 'Fill'");
            var shocked = ScenarioApplier.Shocked(ScenarioSet.Default["equities-12-1d"], firm.Universe, start);
            var sequence = await feed.Publish(Quotes(firm.Universe, shocked));
            await WaitFor(() => monitor.Status.BatchSequence >= sequence, "the shock's scan");
            Assert.True(monitor.Status.TotalTriggers > 0, "the shock crossed no threshold");

            // Decisions run (the first waits for households to wake and the optimizer to warm up) until the journal stops growing.
            long fills = settledFills;
            for (var waited = 0; fills == settledFills && waited < 180; waited += 2)
            {
                await Task.Delay(TimeSpan.FromSeconds(2));
                fills = await Count("SELECT count(*) FROM households_journal WHERE kind = 'Fill'");
            }
            for (var quiet = 0; quiet < 5;)
            {
                await Task.Delay(TimeSpan.FromSeconds(2));
                var now = await Count("SELECT count(*) FROM households_journal WHERE kind = 'Fill'");
                quiet = now == fills ? quiet + 1 : 0;
                fills = now;
            }
            await using (var connection = new NpgsqlConnection(db.ConnectionString))
            {
                await connection.OpenAsync();
                await using var kinds = new NpgsqlCommand("SELECT kind, count(*) FROM households_journal GROUP BY kind ORDER BY 2 DESC", connection);
                await using var reader = await kinds.ExecuteReaderAsync();
                while (await reader.ReadAsync()) output.WriteLine($"journal {reader.GetString(0)}: {reader.GetInt64(1):N0}");
            }
            output.WriteLine($"fills after settling {settledFills:N0}, after the shock {fills:N0}; triggers {monitor.Status.TotalTriggers:N0}; parked {monitor.ParkedAccounts:N0}");
            Assert.True(fills > settledFills, "the shock decided no trade");
            // Accounts that traded woke and took over their parked entries; the rest stayed parked.
            Assert.InRange(monitor.ParkedAccounts, 1, Accounts - 1);
            await using (var connection = new NpgsqlConnection(db.ConnectionString))
            {
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand("SELECT DISTINCT account_id FROM households_journal WHERE kind = 'Fill' ORDER BY 1 LIMIT 200", connection);
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync()) decided[reader.GetString(0)] = default;
            }
            foreach (var id in decided.Keys.ToList())
            {
                var view = await grains.GetGrain<IAccountGrain>(id).GetView();
                decided[id] = (view.Cash, await grains.GetGrain<IAccountGrain>(id).GetLots());
            }
            // A household still waking (its activation waits for storage rather than time out) may trade after the journal
            // went quiet, even while the silo stops: such an account is checked against its last journaled fill instead.
            var readAt = await Count("SELECT coalesce(max(id), 0) FROM households_journal");
            var budget = services.GetRequiredService<FirmTriggerBudget>().Pacing;
            output.WriteLine($"households deciding when read: {budget.Deciding}; notices held by the budget or backpressure: {monitor.NoticesHeldByBudget:N0}");
            await ((IHost)first).StopAsync();
            // Every household that counted itself among the silo's deciding ones stopped counting when it deactivated.
            Assert.Equal(0, budget.Deciding);
            await using (var connection = new NpgsqlConnection(db.ConnectionString))
            {
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand(
                    "SELECT DISTINCT ON (account_id) account_id, (payload->'record'->>'cashAfter')::numeric FROM households_journal " +
                    $"WHERE kind = 'Fill' AND account_id = ANY($1) AND account_id IN (SELECT account_id FROM households_journal WHERE kind = 'Fill' AND id > {readAt}) " +
                    "ORDER BY account_id, id DESC", connection);
                command.Parameters.Add(new NpgsqlParameter { Value = decided.Keys.ToArray() });
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync()) tradedLater[reader.GetString(0)] = reader.GetDecimal(1);
            }
            output.WriteLine($"{decided.Count} decided accounts read; {tradedLater.Count} traded again after the read");
        }
        Assert.NotEmpty(decided);

        // A new cluster on the same database: the warm start reads the decided books back, and each equals what was acknowledged.
        await using (var second = (IAsyncDisposable)await StartSilo($"books-{Guid.NewGuid():N}"))
        {
            var again2 = ((IHost)second).Services;
            var rewarm = await again2.GetRequiredService<BooksWarmStart>().Done.WaitAsync(TimeSpan.FromMinutes(3));
            Assert.Equal(Accounts, rewarm.Accounts);
            var factory = again2.GetRequiredService<IGrainFactory>();
            foreach (var (id, (cash, held)) in decided)
            {
                if (tradedLater.TryGetValue(id, out var journaled))
                {
                    Assert.Equal(journaled, (await factory.GetGrain<IAccountGrain>(id).GetView()).Cash);
                    continue;
                }
                Assert.Equal(cash, (await factory.GetGrain<IAccountGrain>(id).GetView()).Cash);
                Assert.Equal(held, await factory.GetGrain<IAccountGrain>(id).GetLots());
            }
            Assert.True(tradedLater.Count < decided.Count, "every decided account traded again after it was read: nothing was compared whole");
        }

        // Books loaded again with --replace start their journal over too: the new books number their proposals and fills
        // from the start, and beside the old entries those keys would be skipped as replays (the journal records nothing).
        var proposalKeys = await Count("SELECT count(*) FROM households_journal WHERE kind = 'Proposal' AND idempotency_key LIKE 'Proposal:HH%-P00001:%'");
        Assert.True(proposalKeys > 0, "the shock filed no first proposal whose key the new books would meet again");
        var replaced = SyntheticFirm.Build(30, Seed);
        var (reloaded, loadedText, loadError) = CliRunner.Offline(DbCommand.Create(), "db", "load", "--connection", db.ConnectionString,
            "--accounts", "30", "--seed", Seed.ToString(), "--replace");
        output.WriteLine(loadedText + loadError);
        Assert.Equal(0, reloaded);
        Assert.Equal(30, await Count("SELECT count(*) FROM households_grain_state WHERE state_name = 'account'"));
        Assert.Equal(0, await Count("SELECT count(*) FROM households_state_changes"));
        Assert.Equal(replaced.HouseholdCount, await Count("SELECT count(*) FROM households_journal"));
        Assert.Equal(replaced.HouseholdCount, await Count("SELECT count(*) FROM households_journal WHERE kind = 'BooksLoaded'"));
    }

    private static PriceQuote[] Quotes(SimulatedUniverse universe, IReadOnlyList<double> prices) =>
        [.. Enumerable.Range(0, universe.Count).Select(i => new PriceQuote(universe[i].Symbol, Math.Round((decimal)prices[i], 4)))];

    private static async Task WaitFor(Func<bool> condition, string what)
    {
        for (var waited = TimeSpan.Zero; !condition(); waited += TimeSpan.FromMilliseconds(200))
        {
            if (waited > TimeSpan.FromMinutes(2)) throw new TimeoutException($"waited 2 minutes for {what}");
            await Task.Delay(200);
        }
    }
}
