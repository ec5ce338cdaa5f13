using Households.Contracts;
using Households.Grains.Securities;
using Households.Grains;
using Households.Persistence.Journal;
using Households.Silo.Hosting;
using Households.Tests.Reliability;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using System.Collections.Concurrent;
using Xunit;
using static Households.Tests.Cluster.TestFirm;

namespace Households.Tests.Cluster;

/// <summary>Storage in memory that counts each grain's writes and fails a write on request (a database that went away
/// between the account's write and the household's).</summary>
public sealed class CountingStorage(IGrainStorage inner) : IGrainStorage
{
    private readonly ConcurrentDictionary<(string State, string Key), int> _writes = new();
    // Per grain: how many writes to let through before the one that fails.
    private readonly ConcurrentDictionary<(string State, string Key), int> _failNext = new();

    public int Writes(string stateName, string key) => _writes.GetValueOrDefault((stateName, key));

    /// <summary>Fails the grain's next write, or the one after <paramref name="skip"/> more writes.</summary>
    public void FailNextWrite(string stateName, string key, int skip = 0) => _failNext[(stateName, key)] = skip;

    /// <summary>Writes failed on purpose so far.</summary>
    public int InjectedFailures => Volatile.Read(ref _injected);
    private int _injected;

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ReadStateAsync(stateName, grainId, grainState);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = (stateName, grainId.Key.ToString()!);
        if (_failNext.TryGetValue(key, out var skip))
        {
            if (skip > 0) _failNext[key] = skip - 1;
            else if (_failNext.TryRemove(key, out _) && Interlocked.Increment(ref _injected) > 0)
                throw new IOException($"injected: the write of {stateName} {key.Item2} failed");
        }
        _writes.AddOrUpdate(key, 1, (_, n) => n + 1);
        return inner.WriteStateAsync(stateName, grainId, grainState);
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ClearStateAsync(stateName, grainId, grainState);
}

/// <summary>The test cluster with its storage behind a <see cref="CountingStorage"/>.</summary>
public sealed class CountingStorageFixture : ClusterFixture
{
    private const string Inner = "households-memory";

    public CountingStorage Storage => (CountingStorage)SiloService<IServiceProvider>().GetRequiredKeyedService<IGrainStorage>(HostingProfile.StorageName);

    protected override void AddStorage(ISiloBuilder silo)
    {
        silo.AddMemoryGrainStorage(Inner);
        silo.Services.AddKeyedSingleton<IGrainStorage>(HostingProfile.StorageName, (sp, _) => new CountingStorage(sp.GetRequiredKeyedService<IGrainStorage>(Inner)));
    }
}

/// <summary>A proposal's fills are applied as a batch: each account applies its orders with one write, the household
/// clears them into its ledger with one write; a failure between the two is recovered on retry, each fill once.</summary>
public sealed class BatchFillTests(CountingStorageFixture fixture) : IClassFixture<CountingStorageFixture>
{
    private static readonly DateOnly Bought = new(2025, 1, 6);

    /// <summary>A household of one taxable account all in equity (five lots of 20 at 80, now 100, so every sale is a gain)
    /// on a 60/40 model, far out of band: rebalancing sells two or more lots and buys the bond fund.</summary>
    private async Task<IHouseholdGrain> AllEquity(string prefix, bool discretionary)
    {
        var (eq, bd) = ($"{prefix}EQ", $"{prefix}BD");
        await fixture.Client.GetGrain<IUniverseGrain>(UniverseGrain.Key).Upsert([Fund(eq, "US Equity"), Fund(bd, "US Bonds")]);
        await fixture.Client.GetGrain<IModelGrain>($"{prefix}M").Define(TwoFundModel($"{prefix}M", eq, bd, 0.6m, new DriftBand(0.05m, 0)));
        // Prices before the household exists: no later batch, so no trigger decides on its own while the test counts.
        await fixture.PublishAndScan((eq, 100m), (bd, 50m));
        var account = Account($"{prefix}A1", $"{prefix}HH", AccountType.Taxable, $"{prefix}M") with { Discretionary = discretionary, Harvest = HarvestPolicy.Off };
        var household = fixture.Client.GetGrain<IHouseholdGrain>($"{prefix}HH");
        await household.Create(new HouseholdSpec($"{prefix}HH", "Batch", "ADV1", [account.Id]),
            [new AccountOpening(account, 0m, [.. Enumerable.Range(1, 5).Select(i => Lot($"{prefix}L{i}", eq, 20, 80m, Bought))])]);
        return household;
    }

    [Fact]
    public async Task A_proposal_with_several_fills_is_one_account_write_and_one_household_write_for_the_fills()
    {
        var household = await AllEquity("BF", discretionary: true);
        var (accountWrites, householdWrites) = (fixture.Storage.Writes("account", "BFA1"), fixture.Storage.Writes("household", "BFHH"));

        var executed = Assert.Single(await household.Rebalance([]));
        Assert.Equal(ProposalStatus.Executed, executed.Status);
        var sells = executed.Fills.Where(f => f.Request.Side == TradeSide.Sell).ToList();
        Assert.True(sells.Count >= 2, $"{sells.Count} sells");
        Assert.Contains(executed.Fills, f => f.Request.Side == TradeSide.Buy && f.Request.Symbol == "BFBD");

        // The account: one write for every fill. The household: the proposal filed, its fills, its outcome.
        Assert.Equal(1, fixture.Storage.Writes("account", "BFA1") - accountWrites);
        Assert.Equal(3, fixture.Storage.Writes("household", "BFHH") - householdWrites);
        // Sells first, then the buy they fund, cleared in that order into one ledger.
        Assert.Equal(TradeSide.Buy, executed.Fills[^1].Request.Side);
        var view = await household.GetView();
        Assert.Equal(sells.Sum(f => f.Realized.Sum(r => r.Gain)), view.Tax.YearToDate.LongTerm);
        Assert.Empty(await LiveReconciliation.Differences(fixture.Client, fixture.SiloService<IJournal>(), ["BFHH"]));
    }

    [Fact]
    public async Task A_failure_between_the_account_write_and_the_household_write_is_cleared_once_on_retry()
    {
        var household = await AllEquity("BC", discretionary: false);
        var pending = Assert.Single(await household.Rebalance([]));
        Assert.Equal(ProposalStatus.Pending, pending.Status);
        var accountWrites = fixture.Storage.Writes("account", "BCA1");

        // The account applies and stores the batch; the household's write of the ledger fails.
        fixture.Storage.FailNextWrite("household", "BCHH");
        await Assert.ThrowsAnyAsync<Exception>(() => household.Approve(pending.Id, Approver.System));
        var applied = (await fixture.Client.GetGrain<IAccountGrain>("BCA1").GetLedger()).TradeKeys.Where(k => k.StartsWith(pending.Id, StringComparison.Ordinal)).ToList();
        Assert.True(applied.Count >= 3, string.Join(",", applied));
        Assert.Equal(1, fixture.Storage.Writes("account", "BCA1") - accountWrites);

        // The retry finds the account's stored results and clears them into the ledger; the account writes nothing more.
        var executed = await household.Approve(pending.Id, Approver.System);
        Assert.Equal(ProposalStatus.Executed, executed.Status);
        Assert.Equal(applied.Order(StringComparer.Ordinal), executed.Fills.Select(f => f.IdempotencyKey).Order(StringComparer.Ordinal));
        Assert.Equal(1, fixture.Storage.Writes("account", "BCA1") - accountWrites);
        Assert.Empty(await household.CatchUp());
        // Each sale realized once: the ledger's gains are the fills' gains, not twice them.
        var view = await household.GetView();
        Assert.Equal(executed.Fills.Sum(f => f.Realized.Sum(r => r.Gain)), view.Tax.YearToDate.LongTerm);
        Assert.True(view.Tax.YearToDate.LongTerm > 0);
        var journal = fixture.SiloService<IJournal>();
        var fills = (await journal.History("BCHH")).Where(e => e.Kind == JournalKind.Fill).Select(e => e.IdempotencyKey).ToList();
        Assert.Equal(applied.Count, fills.Count);
        Assert.Empty(await LiveReconciliation.Differences(fixture.Client, journal, ["BCHH"]));
    }
}
