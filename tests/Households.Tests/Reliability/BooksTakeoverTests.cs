using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Households.Client.Commands;
using Households.Contracts;
using Households.Domain;
using Households.Domain.Market;
using Households.Domain.Tax;
using Households.Grains.Prices;
using Households.Grains.Silo;
using Households.Simulation.Firms;
using Households.Simulation.Scenarios;
using Households.Tests.Cli;
using Households.Tests.PostgreSql;
using Npgsql;
using Xunit;
using Xunit.Abstractions;

namespace Households.Tests.Reliability;

/// <summary>Issue #18 goal 7 on the books' path at CI scale: a firm bulk-loaded into PostgreSQL, three silo processes that
/// each watch the accounts they own from the books (no grain activated), one killed: the survivors watch its accounts from
/// the books within 60 seconds (each the ones it now owns, exactly the dead silo's share), and a shock after it reaches
/// those accounts' households.</summary>
[Collection(RealProcessCollection.Name)]
public sealed partial class BooksTakeoverTests(PostgresFixture db, ITestOutputHelper output) : IClassFixture<PostgresFixture>
{
    private const int Accounts = 3_000, Seed = 11;

    internal static readonly IReadOnlyDictionary<string, string> Settings = new Dictionary<string, string>(ClusterFaultTests.Membership)
    {
        // The shock is decided as it comes: no firm-wide pacing.
        ["Decisions__FirmPerSecond"] = "10000",
        ["Decisions__FirmBurst"] = "10000",
        ["Logging__LogLevel__Households.Grains.Silo.BooksWarmStart"] = "Warning",
    };

    [GeneratedRegex(@"Books warm start: ([\d,]+) accounts")]
    private static partial Regex WarmStartLine();

    [GeneratedRegex(@"\(([\d,]+) to ([\d,]+) active silos\): ([\d,]+) accounts .* now owned here .*; ([\d,]+) accounts parked here")]
    private static partial Regex ShareLine();

    private static int Number(string text) => int.Parse(text.Replace(",", ""), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The accounts a silo watches parked now, by its last warm-start or share line.</summary>
    internal static int Parked(RealSilo silo)
    {
        foreach (var line in silo.Log.AsEnumerable().Reverse())
        {
            if (ShareLine().Match(line) is { Success: true } share) return Number(share.Groups[4].Value);
            if (WarmStartLine().Match(line) is { Success: true } start) return Number(start.Groups[1].Value);
        }
        return 0;
    }

    [Fact]
    public async Task When_one_of_three_silos_watching_the_books_dies_the_survivors_watch_its_accounts_from_the_books_within_60_seconds()
    {
        var (code, text, error) = CliRunner.Offline(DbCommand.Create(), "db", "load", "--connection", db.ConnectionString,
            "--accounts", Accounts.ToString(), "--seed", Seed.ToString());
        output.WriteLine(text + error);
        Assert.Equal(0, code);
        var firm = SyntheticFirm.Build(Accounts, Seed);
        var ids = Enumerable.Range(0, firm.HouseholdCount).SelectMany(h => firm.HouseholdAt(h).Accounts.Select(a => a.Spec.Id)).ToList();
        Assert.Equal(Accounts, ids.Count);

        var clusterId = $"take-{Guid.NewGuid():N}"[..20];
        var silos = new List<RealSilo>();
        try
        {
            silos.Add(await RealSilo.Start("take-1", db.ConnectionString, clusterId, Settings));
            silos.AddRange(await Task.WhenAll(RealSilo.Start("take-2", db.ConnectionString, clusterId, Settings),
                RealSilo.Start("take-3", db.ConnectionString, clusterId, Settings)));
            // However the three starts interleaved, the shares settle: each silo parks what it owns, and together the firm once.
            await ClusterFaultTests.Until(() => Task.FromResult(silos.Sum(Parked) == Accounts && silos.All(s => Parked(s) > 0)), TimeSpan.FromSeconds(120));
            output.WriteLine("before: " + string.Join(", ", silos.Select(s => $"{s.Name} {Parked(s)}")));

            // The silos' names as ownership scores them, from the membership table: the test works out each one's share by the same rule.
            var members = await Members(db.ConnectionString, clusterId);
            Assert.Equal(3, members.Count);
            var names = BooksOwnership.Names([.. members.Values]).Order(StringComparer.Ordinal).ToArray();
            string NameOf(RealSilo s) => members[s.SiloPort].ToParsableString();
            foreach (var s in silos)
                Assert.Equal(ids.Count(id => BooksOwnership.Owns(id, names, Array.IndexOf(names, NameOf(s)))), Parked(s));

            var victim = silos.MaxBy(Parked)!;
            var orphaned = ids.Where(id => BooksOwnership.Owns(id, names, Array.IndexOf(names, NameOf(victim)))).ToHashSet(StringComparer.Ordinal);
            var survivors = silos.Where(s => s != victim).ToList();

            // A household that died between its account's write of a fill and its own, the account living on a survivor: the
            // account applies a sale its household never records (as when the household's silo dies in between). Nothing but
            // the death reaches the household: the account holds the fill and asks its household to catch up when the silo is
            // declared dead. Before, the fill stayed out of the ledger and the journal until the household next activated.
            await using var client = await RealClient.Connect(db.ConnectionString, clusterId, TimeSpan.FromSeconds(60));
            // A household whose accounts all live on survivors: its catch-up activates them (no longer parked), none of the dead silo's.
            var household = Enumerable.Range(0, firm.HouseholdCount).Select(firm.HouseholdAt)
                .First(h => h.Accounts.All(a => !orphaned.Contains(a.Spec.Id)) && h.Accounts[0].Lots.Length > 0);
            var unrecorded = household.Accounts[0];
            var lot = unrecorded.Lots[0];
            var sale = new TradeRequest("takeover-unrecorded", DateOnly.FromDateTime(DateTime.UtcNow), lot.Symbol, TradeSide.Sell, 1, Math.Round(lot.BasisPerShare, 2), lot.Id, null, 0m);
            Assert.NotNull((await client.Client.GetGrain<IAccountGrain>(unrecorded.Spec.Id).ApplyTrades([sale]))[0].Applied);
            Task<long> Journaled() => JournalCount(db.ConnectionString, $"kind = 'Fill' AND account_id = '{unrecorded.Spec.Id}' AND idempotency_key = '{TradeJournal.FillKeyPrefix}{sale.IdempotencyKey}'");
            Assert.Equal(0, await Journaled());

            var seen = survivors.ToDictionary(s => s, s => s.Log.Count);
            var clock = Stopwatch.StartNew();
            victim.Kill();
            output.WriteLine($"killed {victim.Name}, owner of {orphaned.Count} accounts");

            // Each survivor takes over from the books the dead silo's accounts it now owns; together all of them, none twice.
            int[] taken = [];
            var resumed = await ClusterFaultTests.Until(() =>
            {
                var lines = survivors.Select(s => s.Log.Skip(seen[s]).Select(l => ShareLine().Match(l)).LastOrDefault(m => m.Success && m.Groups[2].Value == "2")).ToList();
                if (lines.Any(m => m is null)) return Task.FromResult(false);
                taken = [.. lines.Select(m => Number(m!.Groups[3].Value))];
                // The account that applied the sale is watched by its active grain, and so are its household's other accounts
                // once the catch-up activated them: each leaves the parked count when its monitor next takes in registrations,
                // which may come before or after the survivors count what they park.
                var parked = survivors.Sum(Parked);
                return Task.FromResult(parked <= Accounts && parked >= Accounts - household.Accounts.Count);
            }, TimeSpan.FromSeconds(60), clock);
            output.WriteLine($"watched again after {resumed.TotalSeconds:0.0} s: " + string.Join(", ", survivors.Select((s, i) => $"{s.Name} took {taken[i]}, parks {Parked(s)}")));
            Assert.Equal(orphaned.Count, taken.Sum());
            Assert.All(taken, t => Assert.True(t > 0));
            Assert.True(resumed < TimeSpan.FromSeconds(60), $"watched again after {resumed}");

            // The household of the account on a survivor caught up the fill it never recorded, before anything else reached it.
            TimeSpan? caughtUp = null;
            try { caughtUp = await ClusterFaultTests.Until(async () => await Journaled() == 1, TimeSpan.FromSeconds(30), clock); }
            catch (TimeoutException) { }
            output.WriteLine($"the fill {unrecorded.Spec.Id} applied and its household never recorded: " + (caughtUp is { } after ? $"journaled {after.TotalSeconds:0.0} s after the kill" : "not journaled"));
            foreach (var s in survivors)
                foreach (var line in s.Log.Skip(seen[s]).Where(l => l.Contains("catch up", StringComparison.Ordinal) || l.Contains("Catch-up", StringComparison.Ordinal)))
                    output.WriteLine($"  {s.Name}: {line}");
            Assert.Equal(1, await Journaled());

            // Monitoring resumed: the firm's prices, then a 12 % equity shock, reach the dead silo's accounts, whose households
            // journal the triggers they decide on.
            var feed = client.Client.GetGrain<IPriceFeedGrain>(PriceFeedGrain.Key);
            var start = firm.Universe.InitialPrices.ToArray();
            await feed.Publish(Quotes(firm.Universe, start));
            var shocked = Quotes(firm.Universe, ScenarioApplier.Shocked(ScenarioSet.Default["equities-12-1d"], firm.Universe, start));
            var triggered = 0L;
            try
            {
                // A batch a second, as a feed sends them: notices the silo held back while its households were busy deciding go
                // out with a later scan (the dead silo's accounts are scanned after the others, so theirs are the ones held).
                var reached = await ClusterFaultTests.Until(async () =>
                {
                    await feed.Publish(shocked);
                    triggered = await TriggeredAmong(orphaned);
                    return triggered > 0;
                }, TimeSpan.FromSeconds(90), interval: TimeSpan.FromSeconds(1));
                output.WriteLine($"triggers journaled in the dead silo's accounts {reached.TotalSeconds:0.0} s after the shock: {triggered}");
            }
            finally
            {
                output.WriteLine("journal: " + await Kinds(db.ConnectionString));
                var byOwner = (await TriggeredAccounts()).GroupBy(id => names[StableShare.Owner(id, names)] == NameOf(victim) ? "the dead silo's" : "the survivors'");
                output.WriteLine("accounts with triggers journaled: " + string.Join(", ", byOwner.Select(g => $"{g.Count()} of {g.Key}")));
            }
        }
        catch
        {
            foreach (var s in silos) output.WriteLine($"--- {s.Name}:\n{s.Tail(40)}");
            throw;
        }
        finally
        {
            foreach (var s in silos) await s.DisposeAsync();
        }
    }

    internal static PriceQuote[] Quotes(SimulatedUniverse universe, IReadOnlyList<double> prices) =>
        [.. Enumerable.Range(0, universe.Count).Select(i => new PriceQuote(universe[i].Symbol, Math.Round((decimal)prices[i], 4)))];

    /// <summary>Active silos by silo port, from the membership table.</summary>
    internal static async Task<Dictionary<int, SiloAddress>> Members(string connectionString, string clusterId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT address, port, generation FROM orleansmembershiptable WHERE deploymentid = @c AND status = 3", connection);
        command.Parameters.AddWithValue("c", clusterId);
        var members = new Dictionary<int, SiloAddress>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            members[reader.GetInt32(1)] = SiloAddress.New(new IPEndPoint(IPAddress.Parse(reader.GetString(0)), reader.GetInt32(1)), reader.GetInt32(2));
        return members;
    }

    private async Task<List<string>> TriggeredAccounts()
    {
        await using var connection = new NpgsqlConnection(db.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT DISTINCT account_id FROM households_journal WHERE kind = 'Trigger' AND account_id IS NOT NULL", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<string>();
        while (await reader.ReadAsync()) ids.Add(reader.GetString(0));
        return ids;
    }

    /// <summary>The journal's rows matching <paramref name="where"/>.</summary>
    private static async Task<long> JournalCount(string connectionString, string where)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM households_journal WHERE {where}", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The journal's rows by kind, most first.
    internal static async Task<string> Kinds(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT kind, count(*) FROM households_journal GROUP BY kind ORDER BY 2 DESC", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var kinds = new List<string>();
        while (await reader.ReadAsync()) kinds.Add($"{reader.GetString(0)} {reader.GetInt64(1)}");
        return string.Join(", ", kinds);
    }

    private async Task<long> TriggeredAmong(IReadOnlySet<string> accounts) => (await TriggeredAccounts()).Count(accounts.Contains);
}
