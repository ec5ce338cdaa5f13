using Households.Contracts;
using Households.Grains.Securities;
using Households.Grains;
using Households.Grains.Silo;
using Orleans.Core.Internal;
using Households.Persistence.Journal;
using Households.Tests.Reliability;
using Xunit;
using static Households.Tests.Cluster.TestFirm;

namespace Households.Tests.Cluster;

/// <summary>The gap between an account's write and its household's: a fill the account applied but the household never
/// recorded (its write failed or the silo died, and nobody retried) is caught up from the account.</summary>
[Collection(ClusterCollection.Name)]
public sealed class CatchUpTests(ClusterFixture fixture)
{
    /// <summary>A household <c>{prefix}HH</c> with one taxable account <c>{prefix}A1</c>: $10,000 and 100 shares of
    /// <c>{prefix}EQ</c> (lot <c>{prefix}L1</c>, $50 a share, held since 2025-01-02).</summary>
    private async Task<IHouseholdGrain> Household(string prefix, string name)
    {
        var client = fixture.Client;
        await client.GetGrain<IUniverseGrain>(UniverseGrain.Key).Upsert([Fund($"{prefix}EQ", "US Equity")]);
        var household = client.GetGrain<IHouseholdGrain>($"{prefix}HH");
        await household.Create(new HouseholdSpec($"{prefix}HH", name, "ADV1", [$"{prefix}A1"]),
            [new AccountOpening(Account($"{prefix}A1", $"{prefix}HH", AccountType.Taxable, null), 10_000m, [Lot($"{prefix}L1", $"{prefix}EQ", 100, 50m, new DateOnly(2025, 1, 2))])]);
        return household;
    }

    [Fact]
    public async Task A_fill_the_household_never_recorded_is_caught_up_into_ledger_and_journal()
    {
        var client = fixture.Client;
        var household = await Household("CU", "Catch-up");
        await household.RecordTrade("CUA1", new TradeRequest("cu-1", new DateOnly(2026, 2, 2), "CUEQ", TradeSide.Buy, 10, 60m, null, null, 1m));

        // The account applies a fill (as RecordTrade does first); the household's half never happens.
        var orphan = new TradeRequest("cu-2", new DateOnly(2026, 2, 3), "CUEQ", TradeSide.Sell, 40, 70m, "CUL1", null, 0m);
        await client.GetGrain<IAccountGrain>("CUA1").ApplyTrade(orphan);
        var journal = fixture.SiloService<IJournal>();
        var gap = await LiveReconciliation.Differences(client, journal, ["CUHH"]);
        Assert.Contains(gap, d => d.Contains("trade cu-2", StringComparison.Ordinal));
        Assert.Contains(gap, d => d.Contains("cash", StringComparison.Ordinal));

        Assert.Equal(["CUA1/cu-2"], await household.CatchUp());
        Assert.Empty(await household.CatchUp());
        Assert.Empty(await LiveReconciliation.Differences(client, journal, ["CUHH"]));
        // The ledger has the sale: 40 shares of CUL1 (held over a year) at 70 against 50 a share: 800 long-term gain.
        var view = await household.GetView();
        Assert.Equal(800m, view.Tax.YearToDate.LongTerm);
        // A retry of the orphan is a replay now, through the household.
        Assert.True((await household.RecordTrade("CUA1", orphan)).Replayed);
        // Cash: 10,000 - 601 + 2,800.
        Assert.Equal(12_199m, (await client.GetGrain<IAccountGrain>("CUA1").GetLedger()).Cash);
    }
    /// <summary>A household that died between its accounts' write of a fill and its own is asked to catch up when membership
    /// declares a silo dead, wherever its accounts live: each account holds the fills its household has not confirmed
    /// recording, and the survivors' resend (<see cref="AccountsAwaitingHousehold.ResendAll"/>, called here as the watchdog
    /// calls it) asks their households. Before, one whose accounts all lived on survivors caught up at its next activation.</summary>
    [Fact]
    public async Task A_fill_the_household_never_recorded_reaches_the_journal_when_a_silo_dies_and_is_held_by_its_account_until_then()
    {
        var client = fixture.Client;
        var household = await Household("CV", "Catch-up after a death");
        var awaiting = fixture.SiloService<AccountsAwaitingHousehold>();
        bool HoldsFills() => (awaiting.Held("CVA1") & HeldForHousehold.Fills) != 0;

        // A fill recorded through the household: the account held it until the household confirmed it.
        await household.RecordTrade("CVA1", new TradeRequest("cv-1", new DateOnly(2026, 2, 2), "CVEQ", TradeSide.Buy, 10, 60m, null, null, 1m));
        Assert.False(await ClusterFixture.Eventually(() => Task.FromResult(HoldsFills()), held => !held));

        // The account applies a fill and the household's half never happens (it died): the account holds it.
        await client.GetGrain<IAccountGrain>("CVA1").ApplyTrade(new TradeRequest("cv-2", new DateOnly(2026, 2, 3), "CVEQ", TradeSide.Sell, 40, 70m, "CVL1", null, 0m));
        await Task.Delay(500);
        Assert.True(HoldsFills());
        var journal = fixture.SiloService<IJournal>();
        Assert.Contains(await LiveReconciliation.Differences(client, journal, ["CVHH"]), d => d.Contains("trade cv-2", StringComparison.Ordinal));

        // A silo is declared dead: the account asks its household to catch up; the fill reaches the ledger and the journal,
        // and the account stops holding it.
        Assert.True(awaiting.ResendAll(client, "a test's silo death") >= 1);
        Assert.Empty(await ClusterFixture.Eventually(() => LiveReconciliation.Differences(client, journal, ["CVHH"]), d => d.Count == 0));
        Assert.False(await ClusterFixture.Eventually(() => Task.FromResult(HoldsFills()), held => !held));
        Assert.Empty(await household.CatchUp());
        // The ledger has the sale: 40 shares of CVL1 (held over a year) at 70 against 50 a share: 800 long-term gain.
        Assert.Equal(800m, (await household.GetView()).Tax.YearToDate.LongTerm);
    }
    /// <summary>An account that deactivates still holding a fill its household never confirmed recording asks the household
    /// to catch up: what it held in memory is not lost with it.</summary>
    [Fact]
    public async Task An_account_deactivating_with_a_fill_its_household_never_recorded_asks_the_household_to_catch_up()
    {
        var client = fixture.Client;
        var household = await Household("CW", "Catch-up at deactivation");
        var account = client.GetGrain<IAccountGrain>("CWA1");
        await account.ApplyTrade(new TradeRequest("cw-1", new DateOnly(2026, 2, 3), "CWEQ", TradeSide.Sell, 40, 70m, "CWL1", null, 0m));
        var journal = fixture.SiloService<IJournal>();
        Assert.Contains(await LiveReconciliation.Differences(client, journal, ["CWHH"]), d => d.Contains("trade cw-1", StringComparison.Ordinal));

        await account.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        Assert.Empty(await ClusterFixture.Eventually(() => LiveReconciliation.Differences(client, journal, ["CWHH"]), d => d.Count == 0));
        Assert.Equal(800m, (await household.GetView()).Tax.YearToDate.LongTerm);
    }
}
