using System.Collections.Concurrent;
using System.Diagnostics;
using Households.Contracts;
using Households.Persistence.Journal;
using Households.Tests.PostgreSql;
using Npgsql;
using Xunit;
using Xunit.Abstractions;
using static Households.Tests.Cluster.TestFirm;

namespace Households.Tests.Reliability;

/// <summary>Three real silos on loopback with AdoNet clustering and storage on PostgreSQL. Under trades and price batches,
/// one silo is killed with SIGKILL: membership declares it dead, its accounts reactivate on the survivors from storage
/// (the watchdog wakes the idle ones), the survivors' monitors scan them again within 60 seconds, and no account is lost.</summary>
[Collection(RealProcessCollection.Name)]
public sealed class ClusterFaultTests(PostgresFixture db, ITestOutputHelper output) : IClassFixture<PostgresFixture>
{
    /// <summary>Failure detection for the test (documented in docs/reliability.md): probe every 2 seconds, a silo missing
    /// three probes is suspected, two votes declare it dead; silos re-read the table every 2 seconds.</summary>
    public static readonly IReadOnlyDictionary<string, string> Membership = new Dictionary<string, string>
    {
        ["Orleans__Membership__ProbeTimeout"] = "00:00:02",
        ["Orleans__Membership__NumMissedProbesLimit"] = "3",
        ["Orleans__Membership__NumVotesForDeathDeclaration"] = "2",
        ["Orleans__Membership__TableRefreshTimeout"] = "00:00:02",
    };

    private const int Households = 30, BusyHouseholds = 10;

    /// <summary>This test's path: accounts created through the grains and the watchdog's sweep waking a dead silo's accounts
    /// (the books' warm start and its takeover are BooksTakeoverTests').</summary>
    private static readonly IReadOnlyDictionary<string, string> Settings = new Dictionary<string, string>(Membership) { ["Books__WarmStart"] = "false" };

    [Fact]
    public async Task Killing_one_of_three_silos_under_load_loses_no_account_and_monitoring_resumes_within_60_seconds()
    {
        var clusterId = $"fault-{Guid.NewGuid():N}"[..20];
        var silos = new List<RealSilo>();
        try
        {
            // The first silo applies the schema; the others start beside it.
            silos.Add(await RealSilo.Start("fault-1", db.ConnectionString, clusterId, Settings));
            silos.AddRange(await Task.WhenAll(RealSilo.Start("fault-2", db.ConnectionString, clusterId, Settings),
                RealSilo.Start("fault-3", db.ConnectionString, clusterId, Settings)));
            await using var client = await RealClient.Connect(db.ConnectionString, clusterId, TimeSpan.FromSeconds(30));
            var grains = client.Client;
            await grains.GetGrain<IUniverseGrain>("firm").Upsert([Fund("CFEQ", "US Equity"), Fund("CFBD", "US Bonds")]);
            var feed = grains.GetGrain<IPriceFeedGrain>("firm");
            var accounts = new List<string>();
            var ids = Enumerable.Range(0, Households).Select(h => $"CFH{h:D2}").ToList();
            await Parallel.ForEachAsync(Enumerable.Range(0, Households), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (h, _) =>
            {
                var id = $"CFH{h:D2}";
                var a = Account($"CFA{h:D2}", id, AccountType.Taxable, null) with { Harvest = HarvestPolicy.Off };
                var b = Account($"CFB{h:D2}", id, AccountType.Ira, null) with { Harvest = HarvestPolicy.Off };
                await grains.GetGrain<IHouseholdGrain>(id).Create(new HouseholdSpec(id, $"Fault {h}", "ADV1", [a.Id, b.Id]),
                    [new AccountOpening(a, 1_000_000m, [Lot($"CFL{h:D2}", "CFEQ", 100, 80m, new DateOnly(2025, 1, 6))]),
                     new AccountOpening(b, 10_000m, [Lot($"CFK{h:D2}", "CFBD", 200, 40m, new DateOnly(2025, 1, 6))])]);
            });
            foreach (var h in Enumerable.Range(0, Households)) accounts.AddRange([$"CFA{h:D2}", $"CFB{h:D2}"]);

            // Every account is monitored somewhere before the fault.
            var first = await PublishUntilScanned(grains, feed, accounts, TimeSpan.FromSeconds(60));
            var where = first.GroupBy(m => m.Silo).ToDictionary(g => g.Key, g => g.Count());
            output.WriteLine("before: " + string.Join(", ", where.Select(kv => $"{kv.Key}: {kv.Value} accounts")));

            // Load: price batches every 250 ms and a stream of trades on the busy households.
            using var stop = new CancellationTokenSource();
            var acked = new ConcurrentDictionary<string, TradeResult>();
            long lastSequence = 0, failedTrades = 0, failedBatches = 0, killedTicks = 0, firstBatchAfterKillTicks = 0;
            var load = new List<Task>
            {
                Task.Run(async () =>
                {
                    while (!stop.IsCancellationRequested)
                    {
                        try
                        {
                            Interlocked.Exchange(ref lastSequence, await feed.Publish([new PriceQuote("CFEQ", 100m), new PriceQuote("CFBD", 50m)]));
                            var killed = Interlocked.Read(ref killedTicks);
                            if (killed != 0 && DateTimeOffset.UtcNow.UtcTicks > killed) Interlocked.CompareExchange(ref firstBatchAfterKillTicks, DateTimeOffset.UtcNow.UtcTicks, 0);
                        }
                        catch (Exception) { Interlocked.Increment(ref failedBatches); }
                        try { await Task.Delay(250, stop.Token); } catch (OperationCanceledException) { }
                    }
                }),
            };
            load.AddRange(Enumerable.Range(0, BusyHouseholds).Select(h => Task.Run(async () =>
            {
                for (var t = 0; !stop.IsCancellationRequested; t++)
                {
                    var request = new TradeRequest($"cf-{h}-{t}", new DateOnly(2026, 3, 2), "CFEQ", TradeSide.Buy, 1, 100m, null, null, 0m);
                    try { acked[$"CFA{h:D2}/{request.IdempotencyKey}"] = await grains.GetGrain<IHouseholdGrain>($"CFH{h:D2}").RecordTrade($"CFA{h:D2}", request); }
                    catch (Exception) { Interlocked.Increment(ref failedTrades); }
                    try { await Task.Delay(20, stop.Token); } catch (OperationCanceledException) { }
                }
            })));
            await Task.Delay(TimeSpan.FromSeconds(3));

            // The victim: the silo monitoring the most idle accounts (only the watchdog wakes those after the fault).
            var idle = first.Where(m => string.CompareOrdinal(m.AccountId[3..5], BusyHouseholds.ToString("D2")) >= 0).ToList();
            var victim = silos.MaxBy(s => idle.Count(m => m.Silo.Contains($":{s.SiloPort}:", StringComparison.Ordinal)))!;
            var orphaned = idle.Where(m => m.Silo.Contains($":{victim.SiloPort}:", StringComparison.Ordinal)).Select(m => m.AccountId).ToList();
            Assert.NotEmpty(orphaned);
            var ackedBeforeKill = acked.Count;
            var clock = Stopwatch.StartNew();
            var killedAt = DateTimeOffset.UtcNow;
            Interlocked.Exchange(ref killedTicks, killedAt.UtcTicks);
            victim.Kill();
            output.WriteLine($"killed {victim.Name} (silo port {victim.SiloPort}) hosting {orphaned.Count} idle accounts; {ackedBeforeKill} trades acknowledged so far");

            // Membership: the victim's row turns Dead (6).
            var detected = await Until(async () => await MembershipStatus(clusterId, victim.SiloPort) == 6, TimeSpan.FromSeconds(60));
            output.WriteLine($"declared dead after {detected.TotalSeconds:0.0} s");
            // The watchdog on the oldest survivor sweeps the firm directory.
            var survivors = silos.Where(s => s != victim).ToList();
            var swept = await Until(() => Task.FromResult(survivors.Any(s => s.Log.Any(l => l.Contains("declared dead", StringComparison.Ordinal) && l.Contains("Watchdog sweep", StringComparison.Ordinal)))),
                TimeSpan.FromSeconds(60), clock);
            output.WriteLine($"watchdog sweep done after {swept.TotalSeconds:0.0} s: {survivors.SelectMany(s => s.Log).Last(l => l.Contains("Watchdog sweep", StringComparison.Ordinal))}");

            // Monitoring resumed: each orphaned account lives on a survivor (activated by the watchdog, not by this
            // test's first look) and its monitor has scanned a batch published after the kill.
            var firstLook = DateTimeOffset.UtcNow;
            var afterKill = Interlocked.Read(ref lastSequence);
            long sequenceAfter = 0;
            var resumed = await Until(async () =>
            {
                sequenceAfter = Interlocked.Read(ref lastSequence);
                if (sequenceAfter <= afterKill) return false;
                var now = await Task.WhenAll(orphaned.Select(a => grains.GetGrain<IAccountGrain>(a).GetMonitoring()));
                return now.All(m => m.Registered && m.ScannedThrough > afterKill && !m.Silo.Contains($":{victim.SiloPort}:", StringComparison.Ordinal));
            }, TimeSpan.FromSeconds(60), clock);
            var reactivated = await Task.WhenAll(orphaned.Select(a => grains.GetGrain<IAccountGrain>(a).GetMonitoring()));
            Assert.All(reactivated, m => Assert.True(m.ActivatedAt <= firstLook, $"{m.AccountId} activated at {m.ActivatedAt:O}, after the test first looked"));
            var lastActivation = reactivated.Max(m => m.ActivatedAt) - killedAt;
            var firstBatch = TimeSpan.FromTicks(Interlocked.Read(ref firstBatchAfterKillTicks) - killedAt.UtcTicks);
            output.WriteLine($"orphaned accounts reactivated within {lastActivation.TotalSeconds:0.0} s of the kill; first price batch published after the kill " +
                $"at {firstBatch.TotalSeconds:0.0} s; monitoring resumed (all scanned a post-kill batch) after {resumed.TotalSeconds:0.0} s");
            Assert.True(resumed < TimeSpan.FromSeconds(60), $"monitoring resumed after {resumed}");

            await Task.Delay(TimeSpan.FromSeconds(2));
            stop.Cancel();
            await Task.WhenAll(load);
            output.WriteLine($"trades acknowledged: {acked.Count} ({ackedBeforeKill} before the kill), failed or timed out: {failedTrades}; price batches failed: {failedBatches}");

            // No account lost: every account readable with its lots, every acknowledged trade present, books equal the journal.
            foreach (var a in accounts)
            {
                var ledger = await grains.GetGrain<IAccountGrain>(a).GetLedger();
                Assert.Contains(ledger.Lots, l => l.Lot.Id is ['C', 'F', 'L' or 'K', ..]);
            }
            var present = 0;
            foreach (var h in Enumerable.Range(0, BusyHouseholds))
            {
                var keys = (await grains.GetGrain<IAccountGrain>($"CFA{h:D2}").GetLedger()).TradeKeys.ToHashSet();
                foreach (var key in acked.Keys.Where(k => k.StartsWith($"CFA{h:D2}/", StringComparison.Ordinal))) Assert.Contains(key[6..], keys);
                present += keys.Count;
            }
            output.WriteLine($"trades present after the fault: {present} (acknowledged {acked.Count})");
            foreach (var h in ids) await grains.GetGrain<IHouseholdGrain>(h).CatchUp();
            var journal = new PostgresJournal(NpgsqlDataSource.Create(db.ConnectionString));
            var differences = await LiveReconciliation.Differences(grains, journal, ids);
            Assert.True(differences.Count == 0, string.Join('\n', differences));
            var after = await Task.WhenAll(accounts.Select(a => grains.GetGrain<IAccountGrain>(a).GetMonitoring()));
            output.WriteLine("after: " + string.Join(", ", after.GroupBy(m => m.Silo).Select(g => $"{g.Key}: {g.Count()} accounts")));
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

    private static async Task<AccountMonitoring[]> PublishUntilScanned(IGrainFactory grains, IPriceFeedGrain feed, List<string> accounts, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var sequence = await feed.Publish([new PriceQuote("CFEQ", 100m), new PriceQuote("CFBD", 50m)]);
            await Task.Delay(500);
            var now = await Task.WhenAll(accounts.Select(a => grains.GetGrain<IAccountGrain>(a).GetMonitoring()));
            if (now.All(m => m.Registered && m.ScannedThrough >= sequence)) return now;
            if (clock.Elapsed > limit) throw new TimeoutException($"{now.Count(m => m.ScannedThrough < sequence)} accounts never scanned");
        }
    }

    private async Task<int?> MembershipStatus(string clusterId, int port)
    {
        await using var connection = new NpgsqlConnection(db.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT status FROM orleansmembershiptable WHERE deploymentid = @c AND port = @p ORDER BY generation DESC LIMIT 1", connection);
        command.Parameters.AddWithValue("c", clusterId);
        command.Parameters.AddWithValue("p", port);
        return await command.ExecuteScalarAsync() as int?;
    }

    /// <summary>Polls (every <paramref name="interval"/>, 200 ms by default) until the condition holds; returns the time on
    /// <paramref name="clock"/> (or since the call).</summary>
    internal static async Task<TimeSpan> Until(Func<Task<bool>> condition, TimeSpan limit, Stopwatch? clock = null, TimeSpan? interval = null)
    {
        clock ??= Stopwatch.StartNew();
        var deadline = clock.Elapsed + limit;
        while (true)
        {
            try { if (await condition()) return clock.Elapsed; }
            catch (Exception) when (clock.Elapsed < deadline) { }
            if (clock.Elapsed > deadline) throw new TimeoutException($"condition not met within {limit}");
            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(200));
        }
    }
}
