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

/// <summary>Crash safety on the PostgreSQL profile with real processes: SIGKILL the silo in the middle of a burst of
/// trades and approvals, restart it, and check that every acknowledged trade is there exactly once, the books equal a
/// replay of the journal, and no proposal is lost or duplicated.</summary>
[Collection(RealProcessCollection.Name)]
public sealed class CrashTests(PostgresFixture db, ITestOutputHelper output) : IClassFixture<PostgresFixture>
{
    private static readonly DateOnly Opened = new(2025, 1, 6);
    // Today (the silo's clock): approved proposals execute at today's date, and the household refuses a trade dated
    // before one it already recorded, so a fixed past date would refuse the burst after an approval fills.
    private static readonly DateOnly TradeDay = DateOnly.FromDateTime(DateTime.UtcNow);

    [Fact]
    public async Task Sigkill_mid_burst_loses_no_acknowledged_trade_and_books_equal_the_journal()
    {
        var clusterId = $"crash-{Guid.NewGuid():N}"[..20];
        const int households = 6, tradesPerHousehold = 40, proposalHouseholds = 4;
        var startClock = Stopwatch.StartNew();
        var silo = await RealSilo.Start("crash-1", db.ConnectionString, clusterId);
        output.WriteLine($"first start to ready: {startClock.Elapsed.TotalSeconds:0.0} s");
        RealSilo? restarted = null;
        try
        {
            var acked = new ConcurrentDictionary<string, (string Household, string Account, TradeResult Result)>();
            var requests = new List<(string Household, string Account, TradeRequest Request)>();
            var proposalsBefore = new Dictionary<string, RebalanceProposal[]>();
            var approvalsAcked = new ConcurrentDictionary<string, RebalanceProposal>();
            await using (var client = await RealClient.Connect(db.ConnectionString, clusterId, TimeSpan.FromSeconds(30)))
            {
                var grains = client.Client;
                await grains.GetGrain<IUniverseGrain>("firm").Upsert([Fund("CREQ", "US Equity"), Fund("CRBD", "US Bonds")]);
                await grains.GetGrain<IModelGrain>("CRM").Define(TwoFundModel("CRM", "CREQ", "CRBD", 0.6m, DriftBand.Default));
                var feed = grains.GetGrain<IPriceFeedGrain>("firm");
                await feed.Publish([new PriceQuote("CREQ", 100m), new PriceQuote("CRBD", 50m)]);
                for (var h = 0; h < households; h++)
                {
                    var id = $"CRH{h}";
                    // A: discretionary, no model (the burst's target); B: non-discretionary on the model, all equity
                    // (far out of band: the household proposes and waits for approval).
                    var a = Account($"CRA{h}", id, AccountType.Taxable, null) with { Harvest = HarvestPolicy.Off };
                    var b = Account($"CRB{h}", id, AccountType.Ira, "CRM") with { Discretionary = false, Harvest = HarvestPolicy.Off };
                    await grains.GetGrain<IHouseholdGrain>(id).Create(new HouseholdSpec(id, $"Crash {h}", "ADV1", [a.Id, b.Id]),
                        [new AccountOpening(a, 1_000_000m, [Lot($"CRL{h}", "CREQ", 500, 80m, Opened)]),
                         new AccountOpening(b, 1_000m, [Lot($"CRK{h}", "CREQ", 300, 90m, Opened)])]);
                    for (var t = 0; t < tradesPerHousehold; t++)
                    {
                        var side = t % 4 == 3 ? TradeSide.Sell : TradeSide.Buy;
                        requests.Add((id, a.Id, new TradeRequest($"crash-{h}-{t}", TradeDay, t % 2 == 0 ? "CREQ" : "CRBD", side,
                            side == TradeSide.Sell ? 3 : 5 + t % 3, side == TradeSide.Sell ? 101.25m : 99.5m + t, null, null, 1m)));
                    }
                }
                // Sells of CRBD need shares: every household first buys them (acknowledged before the burst).
                foreach (var h in Enumerable.Range(0, households))
                {
                    var seed = new TradeRequest($"crash-{h}-seed", TradeDay, "CRBD", TradeSide.Buy, 100, 50m, null, null, 0m);
                    acked[$"CRA{h}/{seed.IdempotencyKey}"] = ($"CRH{h}", $"CRA{h}", await grains.GetGrain<IHouseholdGrain>($"CRH{h}").RecordTrade($"CRA{h}", seed));
                    requests.Insert(0, ($"CRH{h}", $"CRA{h}", seed));
                }
                for (var h = 0; h < proposalHouseholds; h++)
                {
                    var made = await grains.GetGrain<IHouseholdGrain>($"CRH{h}").Rebalance([]);
                    Assert.Contains(made, p => p.Status == ProposalStatus.Pending);
                    proposalsBefore[$"CRH{h}"] = await grains.GetGrain<IHouseholdGrain>($"CRH{h}").GetProposals();
                }

                // The burst: every household's trades at once, plus approvals of half the pending proposals and price
                // batches (executions wait for the next batch); the silo is killed when a third is acknowledged.
                using var stopPrices = new CancellationTokenSource();
                var prices = Task.Run(async () =>
                {
                    while (!stopPrices.IsCancellationRequested)
                    {
                        try { await feed.Publish([new PriceQuote("CREQ", 100m), new PriceQuote("CRBD", 50m)]); } catch (Exception) { }
                        try { await Task.Delay(100, stopPrices.Token); } catch (OperationCanceledException) { }
                    }
                });
                var burst = requests.Where(r => !r.Request.IdempotencyKey.EndsWith("-seed", StringComparison.Ordinal)).ToList();
                var killAt = burst.Count / 3;
                var killed = new TaskCompletionSource();
                var killClock = new Stopwatch();
                var calls = burst.Select(async r =>
                {
                    try
                    {
                        var result = await grains.GetGrain<IHouseholdGrain>(r.Household).RecordTrade(r.Account, r.Request);
                        if (killed.Task.IsCompleted) return;
                        acked[$"{r.Account}/{r.Request.IdempotencyKey}"] = (r.Household, r.Account, result);
                        if (acked.Count - households >= killAt && killed.TrySetResult()) { killClock.Start(); silo.Kill(); }
                    }
                    catch (Exception) { /* not acknowledged */ }
                }).ToList();
                var approvals = proposalsBefore.Take(proposalHouseholds / 2).Select(async kv =>
                {
                    var pending = kv.Value.First(p => p.Status == ProposalStatus.Pending);
                    try { approvalsAcked[pending.Id] = await grains.GetGrain<IHouseholdGrain>(kv.Key).Approve(pending.Id, Approver.System); }
                    catch (Exception) { }
                }).ToList();
                await killed.Task.WaitAsync(TimeSpan.FromMinutes(2));
                await Task.WhenAll(calls.Concat(approvals)).WaitAsync(TimeSpan.FromMinutes(1));
                stopPrices.Cancel();
                await prices;
                output.WriteLine($"burst: {burst.Count} trades sent, {acked.Count - households} acknowledged before SIGKILL; " +
                    $"{approvalsAcked.Count} of {proposalHouseholds / 2} approvals acknowledged");
            }
            Assert.True(silo.HasExited);
            // The killed silo's accounts never deactivated: their fills since the last snapshot are appended changes, which
            // the restarted silo must fold into the books (issue #18 goal 2).
            await using (var changes = NpgsqlDataSource.Create(db.ConnectionString).CreateCommand(
                "SELECT count(*), count(DISTINCT grain_key) FROM households_state_changes WHERE state_name = 'account'"))
            await using (var counted = await changes.ExecuteReaderAsync())
            {
                await counted.ReadAsync();
                output.WriteLine($"after SIGKILL: {counted.GetInt64(0)} fills appended to {counted.GetInt64(1)} accounts' snapshots");
                Assert.True(counted.GetInt64(0) > 0, "no fill was appended: the books were written whole");
            }

            var restartClock = Stopwatch.StartNew();
            restarted = await RealSilo.Start("crash-2", db.ConnectionString, clusterId, ports: (silo.SiloPort, silo.GatewayPort));
            output.WriteLine($"restart to ready: {restartClock.Elapsed.TotalSeconds:0.0} s");
            await using var again = await RealClient.Connect(db.ConnectionString, clusterId);
            var g = again.Client;
            var ids = Enumerable.Range(0, households).Select(h => $"CRH{h}").ToList();
            var caughtUp = 0;
            foreach (var h in ids) caughtUp += (await g.GetGrain<IHouseholdGrain>(h).CatchUp()).Length;

            // 1. Every acknowledged trade is there, once; a retry of every key answers the original and applies nothing.
            var before = new Dictionary<string, AccountLedger>();
            foreach (var h in Enumerable.Range(0, households)) before[$"CRA{h}"] = await g.GetGrain<IAccountGrain>($"CRA{h}").GetLedger();
            foreach (var (key, (household, account, result)) in acked)
            {
                Assert.Contains(result.IdempotencyKey, before[account].TradeKeys);
                var retry = await g.GetGrain<IHouseholdGrain>(household).RecordTrade(account, result.Request);
                Assert.True(retry.Replayed, key);
                Assert.Equal(result.CashAfter, retry.CashAfter);
                Assert.Equal(result.CreatedLot?.Id, retry.CreatedLot?.Id);
            }
            foreach (var h in Enumerable.Range(0, households))
            {
                var now = await g.GetGrain<IAccountGrain>($"CRA{h}").GetLedger();
                Assert.Equal(before[$"CRA{h}"].Cash, now.Cash);
                Assert.Equal<LotPiece>(before[$"CRA{h}"].Lots, now.Lots); // item by item: an ImmutableArray equals only itself
            }
            var present = before.Values.Sum(l => l.TradeKeys.Length);
            var caughtUpOnActivation = restarted.Log.Count(l => l.Contains("missing from the ledger", StringComparison.Ordinal));
            output.WriteLine($"after restart: {acked.Count} acknowledged (with {households} seed buys), {present} present; fills caught up by " +
                $"households: {caughtUpOnActivation} on activation, {caughtUp} on request");
            Assert.True(present >= acked.Count);

            // 2. The books equal a replay of the journal; each fill journaled once.
            var journal = new PostgresJournal(NpgsqlDataSource.Create(db.ConnectionString));
            var differences = await LiveReconciliation.Differences(g, journal, ids);
            Assert.True(differences.Count == 0, string.Join('\n', differences));
            foreach (var h in ids)
            {
                var fills = (await journal.History(h)).Where(e => e.Kind == JournalKind.Fill).Select(e => e.AccountId + "/" + e.IdempotencyKey).ToList();
                Assert.Equal(fills.Count, fills.Distinct().Count());
            }

            // 3. No proposal lost or duplicated: every proposal from before the kill is still there; approved ones are
            // executed (or still pending when the kill came first), never twice.
            foreach (var (h, proposals) in proposalsBefore)
            {
                var now = await g.GetGrain<IHouseholdGrain>(h).GetProposals();
                Assert.Equal(now.Length, now.Select(p => p.Id).Distinct().Count());
                foreach (var p in proposals) Assert.Contains(now, q => q.Id == p.Id);
                foreach (var done in approvalsAcked.Values.Where(p => p.HouseholdId == h)) Assert.Equal(done.Status, Assert.Single(now, q => q.Id == done.Id).Status);
            }

            // 4. The unacknowledged trades, retried now, land at most once: afterwards every key is present exactly once.
            foreach (var r in requests)
            {
                try { await g.GetGrain<IHouseholdGrain>(r.Household).RecordTrade(r.Account, r.Request); }
                catch (Households.Domain.BadInputException ex) { output.WriteLine($"retry of {r.Request.IdempotencyKey} refused: {ex.Message}"); }
            }
            foreach (var r in requests) Assert.Contains(r.Request.IdempotencyKey, (await g.GetGrain<IAccountGrain>(r.Account).GetLedger()).TradeKeys);
            var final = await LiveReconciliation.Differences(g, journal, ids);
            Assert.True(final.Count == 0, string.Join('\n', final));
            foreach (var h in Enumerable.Range(0, households))
            {
                var ledger = await g.GetGrain<IAccountGrain>($"CRA{h}").GetLedger();
                Assert.Equal(tradesPerHousehold + 1, ledger.TradeKeys.Length);
            }
        }
        catch
        {
            output.WriteLine("first silo:\n" + silo.Tail(60));
            if (restarted is not null) output.WriteLine("restarted silo:\n" + restarted.Tail(60));
            throw;
        }
        finally
        {
            await silo.DisposeAsync();
            if (restarted is not null) await restarted.DisposeAsync();
        }
    }
}
