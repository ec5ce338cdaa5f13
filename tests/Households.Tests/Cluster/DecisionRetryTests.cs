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
}
