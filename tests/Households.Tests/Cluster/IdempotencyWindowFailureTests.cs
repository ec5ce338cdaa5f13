using Households.Contracts;
using Households.Grains;
using Households.Grains.Securities;
using Households.Persistence.Journal;
using Households.Tests.Reliability;
using Xunit;
using static Households.Tests.Cluster.TestFirm;

namespace Households.Tests.Cluster;

/// <summary>The idempotency window with the account/household gap: a fill whose household write fails after its account
/// dropped older results is still caught up once, and nothing acknowledged is lost.</summary>
public sealed class IdempotencyWindowFailureTests(CountingStorageFixture fixture) : IClassFixture<CountingStorageFixture>
{
    private static readonly DateOnly First = new(2026, 1, 5);

    private static TradeRequest Buy(int i) => new($"if-{i:D2}", First.AddDays(i), "IFEQ", TradeSide.Buy, 1, 100m, null, null, 0m);

    [Fact]
    public async Task A_sale_the_household_failed_to_record_after_the_account_dropped_old_results_is_caught_up_once()
    {
        var client = fixture.Client;
        await client.GetGrain<IUniverseGrain>(UniverseGrain.Key).Upsert([Fund("IFEQ", "US Equity")]);
        var household = client.GetGrain<IHouseholdGrain>("IFHH");
        await household.Create(new HouseholdSpec("IFHH", "Window and gap", "ADV1", ["IFA1"]),
            [new AccountOpening(Account("IFA1", "IFHH", AccountType.Taxable, null), 10_000m, [Lot("IFL1", "IFEQ", 100, 50m, new DateOnly(2025, 1, 2))])]);
        var account = client.GetGrain<IAccountGrain>("IFA1");
        // if-00 (5 January) to if-39 (13 February), a buy a day.
        for (var i = 0; i < 40; i++) Assert.False((await household.RecordTrade("IFA1", Buy(i))).Replayed);
        Assert.Equal(new DateOnly(2026, 1, 13), (await account.GetLedger()).TradesKeptSince);

        // 14 February: 10 of IFL1 sold at 70. The account applies it and drops if-00 (5 January); the household's write fails.
        var sale = new TradeRequest("if-sale", new DateOnly(2026, 2, 14), "IFEQ", TradeSide.Sell, 10, 70m, "IFL1", null, 0m);
        fixture.Storage.FailNextWrite("household", "IFHH");
        await Assert.ThrowsAnyAsync<Exception>(() => household.RecordTrade("IFA1", sale));
        var ledger = await account.GetLedger();
        // 14 February less 31 days: 14 January; if-09 (14 January) to if-39 and the sale kept: 32.
        Assert.Equal(new DateOnly(2026, 1, 14), ledger.TradesKeptSince);
        Assert.Equal(32, ledger.TradeKeys.Length);
        Assert.Contains("if-sale", ledger.TradeKeys);

        // The next fill (15 February) catches the sale up first, once.
        Assert.False((await household.RecordTrade("IFA1", Buy(41))).Replayed);
        Assert.Empty(await household.CatchUp());
        var retried = await household.RecordTrade("IFA1", sale);
        Assert.True(retried.Replayed);
        // 10 shares at 70 against 50: a long-term gain of 200, realized once.
        Assert.Equal(200m, (await household.GetView()).Tax.YearToDate.LongTerm);
        // 10,000 less 41 buys of 100, plus 700.
        Assert.Equal(6_600m, (await account.GetLedger()).Cash);
        var journal = fixture.SiloService<IJournal>();
        var fills = (await journal.History("IFHH")).Where(e => e.Kind == JournalKind.Fill).Select(e => e.IdempotencyKey).ToList();
        Assert.Equal(42, fills.Count);
        Assert.Equal(42, fills.Distinct().Count());
        Assert.Empty(await LiveReconciliation.Differences(client, journal, ["IFHH"]));
    }
}
