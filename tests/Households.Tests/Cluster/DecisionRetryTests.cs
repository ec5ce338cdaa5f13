using Households.Contracts;
using Households.Grains;
using Households.Grains.Securities;
using Households.Persistence.Journal;
using Xunit;
using static Households.Tests.Cluster.TestFirm;

namespace Households.Tests.Cluster;

/// <summary>A decision that fails for a reason outside the request (here its proposal's write) gives its triggers back and
/// is tried again: a client's withdrawal is not dropped with it, and it is decided once.</summary>
public sealed class DecisionRetryTests(CountingStorageFixture fixture) : IClassFixture<CountingStorageFixture>
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);

    [Fact]
    public async Task A_withdrawal_whose_decision_failed_to_store_its_proposal_is_decided_again_once()
    {
        var client = fixture.Client;
        await client.GetGrain<IUniverseGrain>(UniverseGrain.Key).Upsert([Fund("DREQ", "US Equity"), Fund("DRBD", "US Bonds")]);
        await client.GetGrain<IModelGrain>("DRM").Define(new TargetModel("DRM", "DRM",
            [new ModelSleeve(SleeveKind.Security, "DREQ", 0.5m, new DriftBand(0.05m, 0)), new ModelSleeve(SleeveKind.Security, "DRBD", 0.5m, new DriftBand(0.05m, 0))], false));
        await fixture.PublishAndScan(("DREQ", 100m), ("DRBD", 100m));
        var household = client.GetGrain<IHouseholdGrain>("DRHH");
        await household.Create(new HouseholdSpec("DRHH", "Retry household", "ADV06", ["DRTAX"]),
        [
            new AccountOpening(Account("DRTAX", "DRHH", AccountType.Taxable, "DRM") with { Harvest = HarvestPolicy.Off }, 0m,
            [
                Lot("DRGAIN", "DREQ", 100, 50m, Today.AddDays(-800)),
                Lot("DRLOSS", "DREQ", 100, 150m, Today.AddDays(-100)),
                Lot("DRB", "DRBD", 200, 100m, Today.AddDays(-800)),
            ]),
        ]);

        // The household's next write (the decision's proposal) fails; the account's (the withdrawal itself) does not.
        fixture.Storage.FailNextWrite("household", "DRHH");
        await client.GetGrain<IAccountGrain>("DRTAX").RecordCash(new CashMovement("dr-1", CashKind.Withdrawal, 5_000m, Today, null));

        var executed = Assert.Single(await ClusterFixture.Eventually(household.GetProposals, p => p.Any(x => x.Status == ProposalStatus.Executed), 20_000));
        Assert.Equal(ProposalStatus.Executed, executed.Status);
        Assert.Equal(1, fixture.Storage.InjectedFailures);
        Assert.Contains(executed.Causes, c => c.Kind == TriggerKind.Cash && c.Subject == "withdrawal");
        // The first attempt filed nothing (its proposal was never stored, and memory went back to what was): the retry's
        // proposal is the household's first, and the $5,000 is raised from the loss lot once.
        Assert.Equal("DRHH-P00001", executed.Id);
        var sold = executed.Trades.Where(t => t.Side == TradeSide.Sell).SelectMany(t => t.Lots).ToList();
        Assert.Contains(sold, l => l.Lot.Id == "DRLOSS");
        Assert.Equal(executed.Trades.Length, executed.Fills.Length);
        Assert.Equal(5_000m, (await client.GetGrain<IAccountGrain>("DRTAX").GetDecisionInput()).CashToRaise);
        var journal = fixture.SiloService<IJournal>();
        Assert.Equal(executed.Fills.Length, (await journal.History("DRHH")).Count(e => e.Kind == JournalKind.Fill));
        // Both attempts journaled the withdrawal as their cause; the entry is keyed, so it is there once.
        Assert.Single(await journal.History("DRHH"), e => e.Kind == JournalKind.Trigger && e.IdempotencyKey is { } key && key.StartsWith("trigger:Cash:withdrawal:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_discretionary_proposal_whose_execution_failed_is_executed_when_the_decision_is_tried_again()
    {
        var client = fixture.Client;
        await client.GetGrain<IUniverseGrain>(UniverseGrain.Key).Upsert([Fund("DXEQ", "US Equity"), Fund("DXBD", "US Bonds")]);
        await client.GetGrain<IModelGrain>("DXM").Define(new TargetModel("DXM", "DXM",
            [new ModelSleeve(SleeveKind.Security, "DXEQ", 0.5m, new DriftBand(0.05m, 0)), new ModelSleeve(SleeveKind.Security, "DXBD", 0.5m, new DriftBand(0.05m, 0))], false));
        await fixture.PublishAndScan(("DXEQ", 100m), ("DXBD", 100m));
        var household = client.GetGrain<IHouseholdGrain>("DXHH");
        await household.Create(new HouseholdSpec("DXHH", "Execution retry household", "ADV06", ["DXTAX"]),
        [
            new AccountOpening(Account("DXTAX", "DXHH", AccountType.Taxable, "DXM") with { Harvest = HarvestPolicy.Off }, 0m,
            [
                Lot("DXGAIN", "DXEQ", 100, 50m, Today.AddDays(-800)),
                Lot("DXLOSS", "DXEQ", 100, 150m, Today.AddDays(-100)),
                Lot("DXB", "DXBD", 200, 100m, Today.AddDays(-800)),
            ]),
        ]);
        var injectedBefore = fixture.Storage.InjectedFailures;

        // The account's first write (the withdrawal) goes through; its second, the decision's fills, fails after the
        // proposal was filed: the proposal is stored, not executed.
        fixture.Storage.FailNextWrite("account", "DXTAX", skip: 1);
        await client.GetGrain<IAccountGrain>("DXTAX").RecordCash(new CashMovement("dx-1", CashKind.Withdrawal, 5_000m, Today, null));

        var executed = Assert.Single(await ClusterFixture.Eventually(household.GetProposals, p => p.Any(x => x.Status == ProposalStatus.Executed), 20_000));
        Assert.Equal(injectedBefore + 1, fixture.Storage.InjectedFailures);
        // The one filed proposal executed when tried again (prices held: as proposed, not re-optimized), its withdrawal raised
        // from the loss lot once.
        Assert.Equal("DXHH-P00001", executed.Id);
        Assert.StartsWith("discretionary, executed when tried again; DXTAX: w", executed.Note); // then the withdrawal's settlement
        Assert.Contains(executed.Causes, c => c.Kind == TriggerKind.Cash && c.Subject == "withdrawal");
        Assert.Contains(executed.Trades.Where(t => t.Side == TradeSide.Sell).SelectMany(t => t.Lots), l => l.Lot.Id == "DXLOSS");
        Assert.Equal(executed.Trades.Length, executed.Fills.Length);
        var journal = fixture.SiloService<IJournal>();
        Assert.Equal(executed.Fills.Length, (await journal.History("DXHH")).Count(e => e.Kind == JournalKind.Fill));
        Assert.Equal(5_000m, (await client.GetGrain<IAccountGrain>("DXTAX").GetDecisionInput()).CashToRaise);
    }
}
