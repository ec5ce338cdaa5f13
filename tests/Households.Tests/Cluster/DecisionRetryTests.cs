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
        var household = await TwoFundHousehold("DR");

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
        var household = await TwoFundHousehold("DX");
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

    /// <summary>A household <c>{prefix}HH</c> with one taxable account <c>{prefix}TAX</c> on a 50/50 model of two funds at $100,
    /// harvesting off: 100 shares bought at $50 long ago, 100 at $150 100 days ago (the loss lot <c>{prefix}LOSS</c>), 200 of
    /// the bond fund at $100.</summary>
    private async Task<IHouseholdGrain> TwoFundHousehold(string prefix)
    {
        var client = fixture.Client;
        await client.GetGrain<IUniverseGrain>(UniverseGrain.Key).Upsert([Fund($"{prefix}EQ", "US Equity"), Fund($"{prefix}BD", "US Bonds")]);
        await client.GetGrain<IModelGrain>($"{prefix}M").Define(new TargetModel($"{prefix}M", $"{prefix}M",
            [new ModelSleeve(SleeveKind.Security, $"{prefix}EQ", 0.5m, new DriftBand(0.05m, 0)), new ModelSleeve(SleeveKind.Security, $"{prefix}BD", 0.5m, new DriftBand(0.05m, 0))], false));
        await fixture.PublishAndScan(($"{prefix}EQ", 100m), ($"{prefix}BD", 100m));
        var household = client.GetGrain<IHouseholdGrain>($"{prefix}HH");
        await household.Create(new HouseholdSpec($"{prefix}HH", "Retry household", "ADV06", [$"{prefix}TAX"]),
        [
            new AccountOpening(Account($"{prefix}TAX", $"{prefix}HH", AccountType.Taxable, $"{prefix}M") with { Harvest = HarvestPolicy.Off }, 0m,
            [
                Lot($"{prefix}GAIN", $"{prefix}EQ", 100, 50m, Today.AddDays(-800)),
                Lot($"{prefix}LOSS", $"{prefix}EQ", 100, 150m, Today.AddDays(-100)),
                Lot($"{prefix}B", $"{prefix}BD", 200, 100m, Today.AddDays(-800)),
            ]),
        ]);
        return household;
    }
}
