using Households.Contracts;
using Households.Domain;
using Households.Grains;
using Households.Grains.Accounts;
using Households.Grains.Household;
using Households.Grains.Securities;
using Households.Persistence.Journal;
using Households.Silo.Hosting;
using Households.Tests.Reliability;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Xunit;
using static Households.Tests.Cluster.TestFirm;

namespace Households.Tests.Cluster;

/// <summary>The idempotency window (31 days of trade dates, the default) through the grains: sixty daily fills keep a
/// month of results in the account's and the household's stored state; a retry inside the window replays from the state,
/// one after it from the journal, and neither applies anything; an account that stopped trading still holds a result the
/// household dropped, and catching up records nothing twice.</summary>
[Collection(ClusterCollection.Name)]
public sealed class IdempotencyWindowClusterTests(ClusterFixture fixture)
{
    private static readonly DateOnly First = new(2026, 1, 5);

    private static TradeRequest Buy(int i) => new($"iw-{i:D2}", First.AddDays(i), "IWEQ", TradeSide.Buy, 1, 100m, null, null, 0m);

    private Task<T> Stored<T>(string stateName, IAddressable grain) where T : new() => Stored<T>(fixture, stateName, grain);

    /// <summary>The state the silo's grain storage holds for <paramref name="grain"/> (what survives the activation).</summary>
    internal static async Task<T> Stored<T>(ClusterFixture fixture, string stateName, IAddressable grain) where T : new()
    {
        var storage = fixture.SiloService<IServiceProvider>().GetRequiredKeyedService<IGrainStorage>(HostingProfile.StorageName);
        var state = new GrainState<T>(new T());
        await storage.ReadStateAsync(stateName, grain.GetGrainId(), state);
        return state.State ?? throw new InvalidOperationException($"no {stateName} state stored");
    }

    [Fact]
    public async Task Sixty_daily_fills_keep_a_month_of_results_and_retries_before_or_after_the_window_apply_nothing()
    {
        var client = fixture.Client;
        await client.GetGrain<IUniverseGrain>(UniverseGrain.Key).Upsert([Fund("IWEQ", "US Equity")]);
        var household = client.GetGrain<IHouseholdGrain>("IWHH");
        await household.Create(new HouseholdSpec("IWHH", "Idempotency window", "ADV1", ["IWA1", "IWA2"]),
            [new AccountOpening(Account("IWA1", "IWHH", AccountType.Taxable, null), 100_000m, []),
             new AccountOpening(Account("IWA2", "IWHH", AccountType.Taxable, null), 10_000m, [])]);
        var a1 = client.GetGrain<IAccountGrain>("IWA1");
        var a2 = client.GetGrain<IAccountGrain>("IWA2");

        // iw-00 on 5 January 2026 to iw-59 on 5 March, one a day in IWA1; IWA2 buys once, on 6 January, and never again.
        var results = new List<TradeResult>();
        TradeResult? quiet = null;
        int maxAccount = 0, maxHousehold = 0;
        for (var i = 0; i < 60; i++)
        {
            results.Add(await household.RecordTrade("IWA1", Buy(i)));
            if (i == 0) quiet = await household.RecordTrade("IWA2", new TradeRequest("iw2-a", new DateOnly(2026, 1, 6), "IWEQ", TradeSide.Buy, 1, 100m, null, null, 0m));
            maxAccount = Math.Max(maxAccount, (await Stored<AccountState>("account", a1)).AppliedTrades.Count);
            maxHousehold = Math.Max(maxHousehold, (await Stored<HouseholdState>("household", household)).Trades.Count);
        }
        Assert.All(results, r => Assert.False(r.Replayed));
        // Fill i keeps fills i-31 to i: at most 32 in IWA1; the household also keeps iw2-a (6 January) until fill 33 (7 February).
        Assert.Equal(32, maxAccount);
        Assert.Equal(33, maxHousehold);

        // After iw-59 (5 March): kept from 2 February, iw-28 on; iw-27 (1 February) and older dropped.
        var stored = await Stored<HouseholdState>("household", household);
        Assert.Equal(new DateOnly(2026, 2, 2), stored.TradesKeptSince);
        Assert.Equal(Enumerable.Range(28, 32).Select(i => $"IWA1/iw-{i:D2}"), stored.Trades.Keys.Order(StringComparer.Ordinal));
        var ledger = await a1.GetLedger();
        Assert.Equal(new DateOnly(2026, 2, 2), ledger.TradesKeptSince);
        Assert.Equal(Enumerable.Range(28, 32).Select(i => $"iw-{i:D2}"), ledger.TradeKeys);
        // 100,000 less sixty buys of 100.
        Assert.Equal(94_000m, ledger.Cash);
        Assert.Equal(60, ledger.Lots.Length);
        // IWA2 has traded only on 6 January: it still keeps its result, which the household has dropped.
        var quietLedger = await a2.GetLedger();
        Assert.Equal("iw2-a", Assert.Single(quietLedger.TradeKeys));
        // 6 January less 31 days.
        Assert.Equal(new DateOnly(2025, 12, 6), quietLedger.TradesKeptSince);

        // Inside the window (iw-59, and iw-28 on the boundary): replays from the stored results.
        var last = await household.RecordTrade("IWA1", Buy(59));
        Assert.True(last.Replayed);
        Assert.Equal(94_000m, last.CashAfter);
        var boundary = await household.RecordTrade("IWA1", Buy(28));
        Assert.True(boundary.Replayed);
        // 100,000 less 29 buys.
        Assert.Equal(97_100m, boundary.CashAfter);

        // After the window (iw-27, and iw-00): replays of the journaled fill, its first result.
        var expired = await household.RecordTrade("IWA1", Buy(27));
        Assert.True(expired.Replayed);
        Assert.Equal(results[27] with { Replayed = true }, expired);
        Assert.Equal(97_200m, expired.CashAfter);
        Assert.Equal(results[0] with { Replayed = true }, await household.RecordTrade("IWA1", Buy(0)));
        // The household dropped iw2-a though IWA2 keeps it: answered from the journal, never sent to the account.
        Assert.Equal(quiet! with { Replayed = true }, await household.RecordTrade("IWA2", new TradeRequest("iw2-a", new DateOnly(2026, 1, 6), "IWEQ", TradeSide.Buy, 1, 100m, null, null, 0m)));

        // An expired key used for another trade, and a new key dated before the window: refused.
        var other = await Assert.ThrowsAsync<BadInputException>(() => household.RecordTrade("IWA1", Buy(27) with { Quantity = 2 }));
        Assert.Contains("already used for a different trade", other.Message);
        var old = await Assert.ThrowsAsync<BadInputException>(() => household.RecordTrade("IWA1", Buy(15) with { IdempotencyKey = "iw-late" }));
        Assert.Contains("not kept", old.Message);
        // The account itself refuses a dropped key sent straight to it: it might have been applied (it was).
        var direct = await Assert.ThrowsAsync<BadInputException>(() => a1.ApplyTrade(Buy(27)));
        Assert.Contains("is not kept", direct.Message);

        // Nothing applied twice: cash, lots and kept keys as before, one fill journaled per key, and the books equal the journal.
        var after = await a1.GetLedger();
        Assert.Equal(94_000m, after.Cash);
        Assert.Equal(60, after.Lots.Length);
        Assert.Equal(ledger.TradeKeys.ToArray(), after.TradeKeys.ToArray());
        Assert.Equal(9_900m, (await a2.GetLedger()).Cash);
        var journal = fixture.SiloService<IJournal>();
        var fills = await journal.Query(new JournalQuery("IWHH", null, null, null, JournalKind.Fill, 1000, null));
        Assert.Equal(61, fills.Count);
        Assert.Equal(61, fills.Select(f => (f.AccountId, f.IdempotencyKey)).Distinct().Count());
        Assert.Empty(await LiveReconciliation.Differences(client, journal, ["IWHH"]));
        // IWA2's result older than the household keeps is not a missed fill: catching up records nothing.
        Assert.Empty(await household.CatchUp());

        // A fill the account applies and the household misses, inside the window, is still caught up once.
        var orphan = new TradeRequest("iw-orphan", new DateOnly(2026, 3, 6), "IWEQ", TradeSide.Buy, 1, 100m, null, null, 0m);
        await a1.ApplyTrade(orphan);
        Assert.Equal(["IWA1/iw-orphan"], await household.CatchUp());
        Assert.Empty(await household.CatchUp());
        Assert.True((await household.RecordTrade("IWA1", orphan)).Replayed);
        Assert.Equal(93_900m, (await a1.GetLedger()).Cash);
        Assert.Empty(await LiveReconciliation.Differences(client, journal, ["IWHH"]));
    }
}
