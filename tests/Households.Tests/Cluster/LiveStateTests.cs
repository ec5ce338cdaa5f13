using Households.Contracts;
using Households.Grains.Securities;
using Households.Grains;
using Orleans.Core.Internal;
using Xunit;
using static Households.Tests.Cluster.TestFirm;

namespace Households.Tests.Cluster;

/// <summary>The household's live state: the same figures as the full view at the same prices, kept per price batch,
/// and cheap to wake for (no catch-up until the ledger is used).</summary>
[Collection(ClusterCollection.Name)]
public sealed class LiveStateTests(ClusterFixture fixture)
{
    private static readonly DateOnly Bought = new(2025, 6, 2);

    /// <summary>A taxable account on a 60/40 model (holding a lot bought high) and an IRA without a model; neither is
    /// discretionary, so triggers make proposals and no trade changes the books under the test.</summary>
    private async Task<IHouseholdGrain> Create(string p)
    {
        var client = fixture.Client;
        await client.GetGrain<IUniverseGrain>(UniverseGrain.Key).Upsert([Fund($"{p}EQ", "US Equity"), Fund($"{p}BD", "US Bonds")]);
        await client.GetGrain<IModelGrain>($"{p}M").Define(TwoFundModel($"{p}M", $"{p}EQ", $"{p}BD", 0.6m, DriftBand.Default));
        var household = client.GetGrain<IHouseholdGrain>($"{p}HH");
        await household.Create(new HouseholdSpec($"{p}HH", "Live household", "ADV05", [$"{p}A1", $"{p}A2"]),
        [
            new AccountOpening(Account($"{p}A1", $"{p}HH", AccountType.Taxable, $"{p}M") with { Discretionary = false }, 1000m,
                [Lot($"{p}L1", $"{p}EQ", 60, 100m, Bought), Lot($"{p}L2", $"{p}BD", 40, 100m, Bought), Lot($"{p}L3", $"{p}EQ", 10, 150m, Bought)]),
            new AccountOpening(Account($"{p}A2", $"{p}HH", AccountType.Ira, null) with { Discretionary = false }, 500m,
                [Lot($"{p}L4", $"{p}BD", 20, 100m, Bought)]),
        ]);
        return household;
    }

    [Fact]
    public async Task Live_state_has_the_full_views_figures_at_the_same_prices()
    {
        var household = await Create("LV");
        var sequence = await fixture.PublishAndScan(("LVEQ", 120m), ("LVBD", 95m));

        var live = (await household.GetLiveState())!;
        var view = await household.GetView();

        // 1,000 + 70 × 120 + 40 × 95 = 13,200 and 500 + 20 × 95 = 2,400.
        Assert.Equal(15_600m, view.MarketValue);
        Assert.InRange(live.MarketValue - view.MarketValue, -0.01m, 0.01m);
        Assert.Equal(1_500m, live.Cash);
        Assert.Equal(sequence, live.PriceSequence);
        Assert.Equal(("LVHH", "ADV05"), (live.HouseholdId, live.AdvisorId));
        foreach (var account in view.Accounts)
        {
            var figures = Assert.Single(live.Accounts, a => a.AccountId == account.Spec.Id);
            Assert.InRange(figures.MarketValue - account.MarketValue, -0.01m, 0.01m);
            Assert.Equal(account.Cash, figures.Cash);
            Assert.Equal(account.Drift.Count(d => d.OutOfBand), figures.DriftLinesOutOfBand);
            Assert.Equal(account.Drift.Select(d => Math.Abs(d.Drift)).DefaultIfEmpty(0).Max(), figures.LargestDrift, 12);
            Assert.Equal((account.Spec.Type, account.Spec.ModelId, account.PriceSequence), (figures.Type, figures.ModelId, figures.PriceSequence));
        }
        var taxable = Assert.Single(live.Accounts, a => a.AccountId == "LVA1");
        // Bonds at 3,800 / 13,200 = 0.288 against 0.40: out of band.
        Assert.True(taxable.DriftLinesOutOfBand >= 1);
        // L3 (10 bought at 150): 1,500 − 10 × 120 × 1.001 = 298.80 net of the round trip, above 250 and 5 % of basis.
        // L2 (40 at 100): 4,000 − 40 × 95 × 1.001 = 196.20, under 250. The IRA does not harvest.
        Assert.Equal(1, taxable.HarvestableLots);
        Assert.Equal(298.8, taxable.HarvestableLoss, 9);
        Assert.Equal(0, Assert.Single(live.Accounts, a => a.AccountId == "LVA2").HarvestableLots);

        // Triggers and proposals arrive one-way after the scan; the live state follows them without a new batch.
        var settled = await ClusterFixture.Eventually(async () =>
            (Live: (await household.GetLiveState())!,
             Triggers: (await fixture.Client.GetGrain<IAccountGrain>("LVA1").GetTriggers()).Length,
             Pending: (await household.GetProposals()).Count(p => p.Status == ProposalStatus.Pending)),
            x => x.Triggers > 0 && x.Pending > 0 && x.Live.PendingProposals == x.Pending
                && x.Live.Accounts.Single(a => a.AccountId == "LVA1").OpenTriggers == x.Triggers);
        Assert.True(settled.Triggers > 0);
        Assert.Equal(settled.Triggers, settled.Live.Accounts.Single(a => a.AccountId == "LVA1").OpenTriggers);
        Assert.Equal(settled.Pending, settled.Live.PendingProposals);
        Assert.Equal(sequence, settled.Live.PriceSequence);
    }

    [Fact]
    public async Task Live_state_is_kept_until_a_new_batch_or_a_change_in_the_household()
    {
        // An IRA without a model: no price makes a trigger, so nothing but the test changes the household.
        var client = fixture.Client;
        await client.GetGrain<IUniverseGrain>(UniverseGrain.Key).Upsert([Fund("LKBD", "US Bonds")]);
        await client.GetGrain<IHouseholdGrain>("LKHH").Create(new HouseholdSpec("LKHH", "Kept", "ADV05", ["LKA1"]),
            [new AccountOpening(Account("LKA1", "LKHH", AccountType.Ira, null), 500m, [Lot("LKL1", "LKBD", 20, 100m, Bought)])]);
        var first = await fixture.PublishAndScan(("LKBD", 95m));
        // Asked from inside the silo, an immutable answer is not copied: the kept object itself comes back.
        var household = fixture.SiloService<IGrainFactory>().GetGrain<IHouseholdGrain>("LKHH");

        // The answer is kept from the second read of a batch on (one read a batch keeps nothing).
        var once = (await household.GetLiveState())!;
        var a = (await household.GetLiveState())!;
        var b = await household.GetLiveState();
        Assert.NotSame(once, a);
        Assert.Same(a, b);
        Assert.Same(a, await household.GetLiveState());
        Assert.Equal((first, 2_400m), (a.PriceSequence, a.MarketValue));
        Assert.Equal((once.PriceSequence, once.MarketValue), (a.PriceSequence, a.MarketValue));

        var second = await fixture.PublishAndScan(("LKBD", 96m));
        var c = (await household.GetLiveState())!;
        Assert.NotSame(a, c);
        Assert.Equal((second, 2_420m), (c.PriceSequence, c.MarketValue));
        var kept = await household.GetLiveState();
        Assert.Same(kept, await household.GetLiveState());
        Assert.Equal(c.MarketValue, kept!.MarketValue);

        // A deposit changes the figures without a batch: the account tells the household, which asks again.
        await client.GetGrain<IAccountGrain>("LKA1").RecordCash(new CashMovement("lk-1", CashKind.Deposit, 100m, new DateOnly(2026, 11, 24), null));
        var d = (await ClusterFixture.Eventually(async () => (await household.GetLiveState())!, s => s.Cash == 600m))!;
        Assert.Equal((second, 600m, 2_520m), (d.PriceSequence, d.Cash, d.MarketValue));
        Assert.NotSame(kept, d);
    }

    [Fact]
    public async Task Unknown_household_has_no_live_state()
    {
        Assert.Null(await fixture.Client.GetGrain<IHouseholdGrain>("LV-NONE").GetLiveState());
    }

    [Fact]
    public async Task A_household_woken_for_its_live_state_catches_up_only_when_its_ledger_is_used()
    {
        var client = fixture.Client;
        await client.GetGrain<IUniverseGrain>(UniverseGrain.Key).Upsert([Fund("LCEQ", "US Equity")]);
        var household = client.GetGrain<IHouseholdGrain>("LCHH");
        await household.Create(new HouseholdSpec("LCHH", "Catch-up later", "ADV05", ["LCA1"]),
            [new AccountOpening(Account("LCA1", "LCHH", AccountType.Taxable, null), 10_000m, [Lot("LCL1", "LCEQ", 100, 50m, new DateOnly(2025, 1, 2))])]);
        var account = client.GetGrain<IAccountGrain>("LCA1");

        // A fill the account applied and the household never recorded; then the household goes to sleep.
        await account.ApplyTrade(new TradeRequest("lc-1", new DateOnly(2026, 2, 3), "LCEQ", TradeSide.Sell, 40, 70m, "LCL1", null, 0m));
        await Sleep(household);
        Assert.NotNull(await household.GetLiveState());
        Assert.Equal(["LCA1/lc-1"], await household.CatchUp()); // the live read left it for the ledger's first use

        await account.ApplyTrade(new TradeRequest("lc-2", new DateOnly(2026, 2, 4), "LCEQ", TradeSide.Sell, 10, 80m, "LCL1", null, 0m));
        await Sleep(household);
        var view = await household.GetView(); // the view reads the ledger: it catches up first
        Assert.Empty(await household.CatchUp());
        // 40 × (70 − 50) + 10 × (80 − 50) = 1,100 long-term gain.
        Assert.Equal(1_100m, view.Tax.YearToDate.LongTerm);
    }

    private static async Task Sleep(IHouseholdGrain household)
    {
        await household.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        await Task.Delay(300);
    }
}
