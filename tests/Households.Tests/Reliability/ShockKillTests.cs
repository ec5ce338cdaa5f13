using System.Diagnostics;
using Households.Client.Commands;
using Households.Contracts;
using Households.Domain.Audit;
using Households.Domain.Tax;
using Households.Grains.Prices;
using Households.Grains.Silo;
using Households.Persistence.Journal;
using Households.Silo.Api;
using Households.Simulation.Firms;
using Households.Simulation.Scenarios;
using Households.Tests.Cli;
using Households.Tests.PostgreSql;
using Npgsql;
using Xunit;
using Xunit.Abstractions;

namespace Households.Tests.Reliability;

/// <summary>Issue #18 goal 7 at CI scale: three silos on a bulk-loaded firm decide a 12 % equity shock, and one is killed
/// while they decide. The survivors watch its accounts from the books and decide again (asserted within 60 s: 5-10 s in
/// the runs here), and its accounts' triggers are decided as the survivors' backlog drains;
/// ten of its accounts' clients deposit just before it dies, and each deposit is decided;
/// afterwards the compliance audit finds no trigger decided twice, no client event never decided (nor another defect it can
/// judge on loaded books), and
/// each account's applied trades are exactly the fills its journal holds (no acknowledged trade lost or applied twice).</summary>
[Collection(RealProcessCollection.Name)]
public sealed class ShockKillTests(PostgresFixture db, ITestOutputHelper output) : IClassFixture<PostgresFixture>
{
    private const int Accounts = 3_000, Seed = 13;

    // The scan's line names each survivor's deciding households and held notices: what a slow resumption shows first.
    private static readonly IReadOnlyDictionary<string, string> Settings = new Dictionary<string, string>(BooksTakeoverTests.Settings)
    {
        [$"Logging__LogLevel__{typeof(AccountMonitor).FullName}"] = "Debug",
    };

    [Fact]
    public async Task A_silo_killed_mid_shock_is_taken_over_and_no_trigger_is_decided_twice_nor_any_trade_lost()
    {
        var (code, text, error) = CliRunner.Offline(DbCommand.Create(), "db", "load", "--connection", db.ConnectionString,
            "--accounts", Accounts.ToString(), "--seed", Seed.ToString());
        Assert.True(code == 0, text + error);
        var firm = SyntheticFirm.Build(Accounts, Seed);
        var ids = Enumerable.Range(0, firm.HouseholdCount).SelectMany(h => firm.HouseholdAt(h).Accounts.Select(a => a.Spec.Id)).ToList();

        var clusterId = $"kill-{Guid.NewGuid():N}"[..20];
        var silos = new List<RealSilo>();
        using var stop = new CancellationTokenSource();
        Task? market = null;
        try
        {
            silos.Add(await RealSilo.Start("kill-1", db.ConnectionString, clusterId, Settings));
            silos.AddRange(await Task.WhenAll(RealSilo.Start("kill-2", db.ConnectionString, clusterId, Settings),
                RealSilo.Start("kill-3", db.ConnectionString, clusterId, Settings)));
            await ClusterFaultTests.Until(() => Task.FromResult(silos.Sum(BooksTakeoverTests.Parked) == Accounts && silos.All(s => BooksTakeoverTests.Parked(s) > 0)),
                TimeSpan.FromSeconds(120));
            var members = await BooksTakeoverTests.Members(db.ConnectionString, clusterId);
            var names = BooksOwnership.Names([.. members.Values]).Order(StringComparer.Ordinal).ToArray();

            // The market: the opening prices, then the shock's prices a batch a second (held notices go out with later scans).
            await using var client = await RealClient.Connect(db.ConnectionString, clusterId, TimeSpan.FromSeconds(60));
            var feed = client.Client.GetGrain<IPriceFeedGrain>(PriceFeedGrain.Key);
            var start = firm.Universe.InitialPrices.ToArray();
            await feed.Publish(BooksTakeoverTests.Quotes(firm.Universe, start));
            var shocked = BooksTakeoverTests.Quotes(firm.Universe, ScenarioApplier.Shocked(ScenarioSet.Default["equities-12-1d"], firm.Universe, start));
            long batches = 0, failedBatches = 0;
            // A feed keeps its cadence whatever happened to the last batch: a publish in flight to the feed grain when its silo
            // died hangs until the client's response timeout (20 s here, two or three of them: runs that awaited each publish
            // saw no batch for about a minute after the kill and took that for the survivors' stall).
            async Task PublishOnce()
            {
                try { await feed.Publish(shocked); Interlocked.Increment(ref batches); }
                catch (Exception) { Interlocked.Increment(ref failedBatches); } // the feed grain may have lived on the victim
            }
            market = Task.Run(async () =>
            {
                var inFlight = new List<Task>();
                while (!stop.IsCancellationRequested)
                {
                    inFlight.RemoveAll(t => t.IsCompleted);
                    inFlight.Add(PublishOnce());
                    try { await Task.Delay(1000, stop.Token); } catch (OperationCanceledException) { }
                }
                await Task.WhenAll(inFlight);
            });

            // Killed while it decides: once the firm has filed proposals, the silo that parks the most accounts dies.
            var deciding = await ClusterFaultTests.Until(async () => await Scalar<long>("SELECT count(*) FROM households_journal WHERE kind = 'Proposal'") >= 20,
                TimeSpan.FromSeconds(120));
            var victim = silos.MaxBy(BooksTakeoverTests.Parked)!;
            var victimName = members[victim.SiloPort].ToParsableString();
            var orphaned = ids.Where(id => BooksOwnership.Owns(id, names, Array.IndexOf(names, victimName))).ToArray();
            // Clients of ten of its accounts deposit just before it dies: each deposit acknowledged is stored with its trigger
            // and must become a decision's cause, whatever dies with the silo (the households' inboxes, the accounts' memory).
            var depositors = orphaned.Take(10).ToArray();
            var today = DateOnly.FromDateTime(DateTime.UtcNow);
            for (var i = 0; i < depositors.Length; i++)
                await client.Client.GetGrain<IAccountGrain>(depositors[i]).RecordCash(new CashMovement($"kill-dep-{i}", CashKind.Deposit, 1_000m, today, null));
            const string DepositTriggers = "SELECT count(DISTINCT account_id) FROM households_journal WHERE kind = 'Trigger' AND idempotency_key LIKE 'trigger:Cash:deposit:%'";
            var depositsDecidedBefore = await Scalar<long>(DepositTriggers);
            var before = await Scalar<long>("SELECT count(*) FROM households_journal WHERE kind = 'Proposal'");
            var killedAt = await Scalar<DateTime>("SELECT now()");
            var clock = Stopwatch.StartNew();
            victim.Kill();
            output.WriteLine($"{before} proposals filed {deciding.TotalSeconds:0.0} s into the shock; killed {victim.Name}, owner of {orphaned.Length} accounts");

            // Monitoring and decisions resume on the survivors: each has taken over its part of the dead silo's
            // accounts from the books (its share line), and a trigger a survivor detected after the kill has been decided.
            var survivors = silos.Where(s => s != victim).ToList();
            TimeSpan resumed;
            try { resumed = await ClusterFaultTests.Until(async () =>
                survivors.All(s => s.Log.Any(l => l.Contains("(3 to 2 active silos)", StringComparison.Ordinal))) && await Scalar<long>(
                    "SELECT count(*) FROM households_journal, jsonb_array_elements(payload->'record'->'causes') c " +
                    "WHERE kind = 'Proposal' AND (c->>'detectedAt')::timestamptz > @killed", ("killed", killedAt)) > 0,
                TimeSpan.FromSeconds(60), clock, TimeSpan.FromSeconds(1)); }
            catch (TimeoutException)
            {
                output.WriteLine($"after the kill at {killedAt:O}: {await Scalar<long>("SELECT count(*) FROM households_journal WHERE kind = 'Proposal' AND occurred_at > @k", ("k", killedAt))} proposals, " +
                    $"{await Scalar<long>("SELECT count(*) FROM households_journal WHERE kind = 'Trigger' AND occurred_at > @k", ("k", killedAt))} triggers journaled, the newest detected " +
                    $"{await Scalar<string>("SELECT coalesce(max(payload->'record'->>'detectedAt'), '-') FROM households_journal WHERE kind = 'Trigger'")}; now {await Scalar<DateTime>("SELECT now()"):O}");
                throw;
            }
            output.WriteLine($"the dead silo's accounts watched again and a trigger detected after the kill decided {resumed.TotalSeconds:0.0} s after the kill");
            // Issue #18 goal 7: within 60 s (5-10 s in the runs here). Runs that stalled about a minute were the market's: it
            // awaited each publish, and one in flight to the dead silo hung for the client's response timeout.
            Assert.True(resumed < TimeSpan.FromSeconds(60), $"monitoring and decisions resumed after {resumed}");
            // The dead silo's own accounts' triggers queue behind the survivors' held notices (first held, first sent again),
            // so they are decided as the backlog drains: while the market goes on, within three minutes of the kill here.
            var orphanDecided = await ClusterFaultTests.Until(async () => await Scalar<long>(
                "SELECT count(*) FROM households_journal, jsonb_array_elements(payload->'record'->'causes') c " +
                "WHERE kind = 'Proposal' AND (c->>'detectedAt')::timestamptz > @killed AND c->>'accountId' = ANY(@orphaned)", ("killed", killedAt), ("orphaned", orphaned)) > 0,
                TimeSpan.FromSeconds(180), clock, TimeSpan.FromSeconds(1));
            output.WriteLine($"a trigger of one of the dead silo's accounts decided {orphanDecided.TotalSeconds:0.0} s after the kill");

            // The market goes on a while, then stops; the decisions in flight finish.
            await Task.Delay(TimeSpan.FromSeconds(10));
            await stop.CancelAsync();
            await market;
            long last = -1, now;
            await ClusterFaultTests.Until(async () => { now = await Scalar<long>("SELECT coalesce(max(id), 0) FROM households_journal"); var quiet = now == last; last = now; return quiet; },
                TimeSpan.FromSeconds(120), interval: TimeSpan.FromSeconds(5));
            output.WriteLine($"journal quiet: {await BooksTakeoverTests.Kinds(db.ConnectionString)}; {batches} shock batches published, {failedBatches} failed");
            var depositsDecided = await Scalar<long>(DepositTriggers);
            output.WriteLine($"deposits into {depositors.Length} of the dead silo's accounts just before the kill: {depositsDecidedBefore} decided by the kill, {depositsDecided} in the end");
            Assert.Equal(depositors.Length, depositsDecided);
            // A household that died in the middle of an execution journals the fills its accounts applied when it catches up:
            // the survivors ask those of the accounts they took over that traded today (BooksWarmStart), and the accounts that
            // lived elsewhere ask theirs for the fills not confirmed recorded (AccountsAwaitingHousehold). The catch-up runs
            // here for every household, as its next activation would, and must find nothing: before the takeover asked, 1 and
            // 13 fills of the dead silo's accounts in two runs; before the accounts asked, once (CI) 8 fills of a household
            // whose accounts lived elsewhere.
            int caughtUpTakenOver = 0, caughtUpElsewhere = 0;
            var takenOver = orphaned.Select(a => a[..a.LastIndexOf('-')]).ToHashSet(StringComparer.Ordinal);
            foreach (var household in ids.Select(a => a[..a.LastIndexOf('-')]).Distinct(StringComparer.Ordinal))
            {
                var caught = (await client.Client.GetGrain<IHouseholdGrain>(household).CatchUp()).Length;
                if (takenOver.Contains(household)) caughtUpTakenOver += caught; else caughtUpElsewhere += caught;
            }
            output.WriteLine($"fills journaled by the households' catch-up after the journal was quiet: {caughtUpTakenOver} of households with an account " +
                $"the survivors took over, {caughtUpElsewhere} of households whose accounts all lived elsewhere");
            foreach (var s in silos.Where(s => s != victim))
                output.WriteLine($"{s.Name}: " + (s.Log.LastOrDefault(l => l.Contains("sent again to their households", StringComparison.Ordinal)) ?? "no resend line"));
            // Decisions that failed on calls to the dead silo's accounts gave their triggers back and were tried again; none
            // failed six times in a row and dropped them (DecisionRetry).
            var retried = survivors.Sum(s => s.Log.Count(l => l.Contains("undecided triggers tried again", StringComparison.Ordinal)));
            var dropped = survivors.SelectMany(s => s.Log).Where(l => l.Contains("undecided triggers dropped", StringComparison.Ordinal)).ToList();
            output.WriteLine($"decisions failed and tried again on the survivors: {retried}; triggers dropped: {dropped.Count}");
            // A household active on two survivors while the dead silo's directory is rebuilt: the one whose write met the
            // other's version reads the state again before it decides again (HouseholdTriggers), so none drops its triggers.
            var conflicts = survivors.SelectMany(s => s.Log).Count(l => l.Contains("undecided triggers tried again", StringComparison.Ordinal)
                && l.Contains("another activation", StringComparison.Ordinal));
            output.WriteLine($"of them after a version conflict: {conflicts}; inboxes that dropped triggers already decided: " +
                survivors.Sum(s => s.Log.Count(l => l.Contains("already decided dropped from the inbox", StringComparison.Ordinal))));
            Assert.True(dropped.Count == 0, string.Join('\n', dropped.Take(5)));

            // No trigger decided twice, no other defect: the compliance audit over the whole journal. The firm was loaded with
            // COPY: its books start at the journal's BooksLoaded entries, which the audit names rather than replays.
            var journal = new PostgresJournal(NpgsqlDataSource.Create(db.ConnectionString));
            var entries = await AuditApi.Entries(journal, [null], null, CancellationToken.None);
            var report = JournalAudit.Run(entries, AuditSettings.Default);
            output.WriteLine($"audit: {report.Decisions} decisions explained, {report.EngineFills} engine fills; " +
                string.Join(", ", report.Defects().Select(d => $"{d.Name} {d.Category.Count}")));
            foreach (var (name, category) in report.Defects())
                foreach (var f in category.Findings.Take(3)) output.WriteLine($"  {name}: {f.Explanation}");
            // A household decided twice: its proposals and decisions in journal order, and what the silos said of it.
            foreach (var household in (report.TriggersDecidedTwice ?? AuditCategory.None).Findings.Select(f => f.HouseholdId).Distinct().Take(2))
            {
                foreach (var (kind, row) in await Rows("SELECT kind, id || ' ' || to_char(occurred_at, 'HH24:MI:SS.MS') || ' ' || coalesce(payload->'record'->>'id', '') || ' ' || " +
                    "coalesce(payload->'record'->>'status', '') || ' superseded by ' || coalesce(payload->'record'->>'supersededBy', '-') || ' causes ' || " +
                    $"coalesce(jsonb_array_length(payload->'record'->'causes'), 0) FROM households_journal WHERE household_id = '{household}' AND kind IN ('Proposal', 'Decision') ORDER BY id"))
                    output.WriteLine($"  {household} {kind} {row}");
                foreach (var s in silos)
                    foreach (var line in s.Log.Where(l => l.Contains(household, StringComparison.Ordinal)).Take(20)) output.WriteLine($"  {s.Name}: {line}");
            }
            Assert.True(report.EngineFills > 0, "the shock made the firm trade");
            Assert.Equal(depositors.Length, report.ClientEvents);
            Assert.Equal(Accounts, report.AccountsLoadedInBulk);
            foreach (var (name, category) in report.Defects())
                Assert.True(category.Count == 0, $"{name}: {string.Join(" | ", category.Findings.Take(3).Select(f => f.Explanation))}");

            // No acknowledged trade lost or applied twice: each account's applied trades are exactly the fills its journal holds.
            var fills = (await Rows("SELECT account_id, idempotency_key FROM households_journal WHERE kind = 'Fill'"))
                .GroupBy(r => r.Item1, r => r.Item2[TradeJournal.FillKeyPrefix.Length..], StringComparer.Ordinal).ToList();
            var differences = new List<string>();
            foreach (var account in fills)
            {
                var applied = await client.Client.GetGrain<IAccountGrain>(account.Key).GetAppliedTradeKeysSince(null);
                var journaled = account.ToHashSet(StringComparer.Ordinal);
                if (!journaled.SetEquals(applied))
                    differences.Add($"{account.Key}: journal {journaled.Count} fills, books {applied.Length}; only in the journal: " +
                        string.Join(", ", journaled.Except(applied).Take(5)) + "; only in the books: " + string.Join(", ", applied.Except(journaled).Take(5)));
            }
            output.WriteLine($"{fills.Count} accounts traded ({fills.Sum(g => g.Count())} fills); books against journal: {differences.Count} differences");
            Assert.True(differences.Count == 0, string.Join('\n', differences.Take(20)));
            Assert.True(caughtUpTakenOver + caughtUpElsewhere == 0, $"fills journaled only by the catch-up after the journal was quiet: " +
                $"{caughtUpTakenOver} of households with an account the survivors took over, {caughtUpElsewhere} of households whose accounts all lived elsewhere");
        }
        catch
        {
            foreach (var s in silos)
                output.WriteLine($"--- {s.Name}: " + string.Join("\n", s.Log.Where(l => l.Contains("Books share", StringComparison.Ordinal) || l.Contains("sent again", StringComparison.Ordinal) || l.Contains("fail:", StringComparison.Ordinal) ||
                    l.Contains("Scan of batch", StringComparison.Ordinal) || l.Contains("the decision over", StringComparison.Ordinal)).TakeLast(20)) + $"\n{s.Tail(20)}");
            throw;
        }
        finally
        {
            await stop.CancelAsync();
            if (market is not null) await market;
            foreach (var s in silos) await s.DisposeAsync();
        }
    }

    private async Task<T> Scalar<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(db.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private async Task<List<(string, string)>> Rows(string sql)
    {
        await using var connection = new NpgsqlConnection(db.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string, string)>();
        while (await reader.ReadAsync()) rows.Add((reader.GetString(0), reader.GetString(1)));
        return rows;
    }
}
