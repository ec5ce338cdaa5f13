using Households.Contracts;
using Households.Domain.Market;
using Households.Domain;
using Households.Grains.Securities;
using Households.Grains.Silo;
using Households.Grains;
using Households.Simulation.Market;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Core.Internal;
using Households.Persistence.Journal;
using Xunit;
using static Households.Tests.Cluster.TestFirm;

namespace Households.Tests.Cluster;

/// <summary>A cluster whose business clock the tests set (December 2026, NYSE calendar) and whose decisions trade only in
/// trading hours (<c>Market:EnforceTradingHours</c>).</summary>
public sealed class TradingHoursFixture : ClusterFixture
{
    public SteppedClock Clock { get; } = new() { Now = new DateTimeOffset(2026, 12, 7, 15, 0, 0, TimeSpan.Zero) };

    protected override void ConfigureSilo(ISiloBuilder silo)
    {
        silo.Services.AddKeyedSingleton<TimeProvider>(BusinessClock.Key, Clock);
        silo.Services.Configure<MarketOptions>(o => o.EnforceTradingHours = true);
    }
}

[CollectionDefinition(Name)]
public sealed class TradingHoursCollection : ICollectionFixture<TradingHoursFixture>
{
    public const string Name = "trading-hours";
}

/// <summary>Outside the session the monitor still records triggers but the household holds them and decides at the open; a
/// withdrawal funded by a sale waits for the proceeds to settle T+1 and is paid at the settlement day's open.</summary>
[Collection(TradingHoursCollection.Name)]
public sealed class TradingHoursTests(TradingHoursFixture fixture)
{
    private static readonly DateTimeOffset SaturdayNoon = new(2026, 12, 5, 17, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset MondayAfterTheOpen = new(2026, 12, 7, 14, 31, 0, TimeSpan.Zero); // 09:31 EST
    private static readonly DateTimeOffset MondayMidday = new(2026, 12, 7, 17, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset MondayAfterTheClose = new(2026, 12, 7, 21, 30, 0, TimeSpan.Zero); // 16:30 EST
    private static readonly DateTimeOffset TuesdayAfterTheOpen = new(2026, 12, 8, 14, 31, 0, TimeSpan.Zero);
    private static readonly DateOnly Monday = new(2026, 12, 7);
    private IClusterClient Client => fixture.Client;

    private static Task<T> Eventually<T>(Func<Task<T>> read, Func<T, bool> ok) => ClusterFixture.Eventually(read, ok, 20_000);

    private async Task<IHouseholdGrain> Household(string prefix, AccountType type, bool discretionary = true)
    {
        await Client.GetGrain<IUniverseGrain>(UniverseGrain.Key).Upsert([Fund($"{prefix}EQ", "US Equity"), Fund($"{prefix}BD", "US Bonds")]);
        await Client.GetGrain<IModelGrain>($"{prefix}M").Define(TwoFundModel($"{prefix}M", $"{prefix}EQ", $"{prefix}BD", 0.5m, new DriftBand(0.05m, 0)));
        var account = Account($"{prefix}ACC", $"{prefix}HH", type, $"{prefix}M") with { Harvest = HarvestPolicy.Off, Discretionary = discretionary };
        var household = Client.GetGrain<IHouseholdGrain>($"{prefix}HH");
        await household.Create(new HouseholdSpec($"{prefix}HH", "Trading hours household", "ADV17", [account.Id]),
            [new AccountOpening(account, 0m, [Lot($"{prefix}L1", $"{prefix}EQ", 100, 80m, new DateOnly(2024, 1, 2)), Lot($"{prefix}L2", $"{prefix}BD", 100, 100m, new DateOnly(2024, 1, 2))])]);
        await fixture.PublishAndScan(($"{prefix}EQ", 100m), ($"{prefix}BD", 100m));
        return household;
    }

    [Fact]
    public async Task A_trigger_on_Saturday_waits_in_the_inbox_and_is_decided_at_Mondays_open()
    {
        fixture.Clock.Now = SaturdayNoon;
        var household = await Household("TH", AccountType.Ira);

        await Client.GetGrain<IAccountGrain>("THACC").RecordCash(new CashMovement("th-dep", CashKind.Deposit, 10_000m, new DateOnly(2026, 12, 5), null));

        var events = await Eventually(() => household.GetEvents(0), e => e.Events.Any(x => x.Kind == "waiting"));
        Assert.Contains(events.Events, e => e.Kind == "waiting" && e.Summary == "market closed: 1 triggers wait for the open");
        Assert.Empty(await household.GetProposals());
        Assert.Contains((await Client.GetGrain<IAccountGrain>("THACC").GetTriggers()), t => t.Kind == TriggerKind.Cash); // the account recorded it
        var refused = await Assert.ThrowsAsync<BadInputException>(() => household.Rebalance([]));
        Assert.Equal("the market is closed: a rebalance trades in trading hours; the next session opens 2026-12-07 14:30 UTC", refused.Message);

        fixture.Clock.Now = MondayAfterTheOpen; // the session gate nudges the household
        var executed = Assert.Single(await Eventually(household.GetProposals, p => p.Any(x => x.Status == ProposalStatus.Executed)));
        Assert.Contains(executed.Causes, c => c.Kind == TriggerKind.Cash && c.Subject == "deposit");
        Assert.NotEmpty(executed.Fills);
        Assert.All(executed.Fills, f => Assert.Equal(Monday, f.Request.TradeDate));
        Assert.True((await Client.GetGrain<IAccountGrain>("THACC").GetView()).Cash < 10_000m); // the deposit was invested
    }

    /// <summary>A client's deposit waits in the household's inbox for the open; the household and the account then lose their
    /// memory, as when their silos die (the inbox and the account's held copy live in memory). The account stored the
    /// event's trigger with the deposit and sends it again when it comes back: the deposit is decided at the open, once.</summary>
    [Fact]
    public async Task A_deposit_waiting_for_the_open_is_decided_after_its_household_and_account_lost_their_memory()
    {
        fixture.Clock.Now = SaturdayNoon;
        var household = await Household("TK", AccountType.Ira);
        var account = Client.GetGrain<IAccountGrain>("TKACC");
        await account.RecordCash(new CashMovement("tk-dep", CashKind.Deposit, 10_000m, new DateOnly(2026, 12, 5), null));
        await Eventually(() => household.GetEvents(0), e => e.Events.Any(x => x.Kind == "waiting"));

        await household.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        await account.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        await Task.Delay(300);
        await account.GetSpec(); // the account comes back (after a silo's death: the firm's watchdog activates it)

        fixture.Clock.Now = MondayAfterTheOpen;
        var executed = Assert.Single(await Eventually(household.GetProposals, p => p.Any(x => x.Status == ProposalStatus.Executed)));
        Assert.Contains(executed.Causes, c => c.Kind == TriggerKind.Cash && c.Subject == "deposit");
        Assert.True((await account.GetView()).Cash < 10_000m); // invested

        // A deposit of $10 is decided with nothing to trade (no proposal names it). Confirmed decided, neither is stored any
        // more: the account coming back again sends nothing (a stored copy of the $10 would reach the household again).
        var journal = fixture.SiloService<IJournal>();
        async Task<int> Deposits() => (await journal.Query(new JournalQuery("TKHH", "TKACC", null, null, JournalKind.Trigger, 100, null)))
            .Count(e => e.IdempotencyKey!.StartsWith("trigger:Cash:deposit:", StringComparison.Ordinal));
        await account.RecordCash(new CashMovement("tk-dep-2", CashKind.Deposit, 10m, new DateOnly(2026, 12, 7), null));
        Assert.Equal(2, await Eventually(Deposits, n => n > 1));
        var awaiting = fixture.SiloService<AccountsAwaitingHousehold>();
        await Eventually(() => Task.FromResult(awaiting.Holds("TKACC")), held => !held);
        Assert.Single(await household.GetProposals());
        var cursor = (await household.GetEvents(0)).Latest;
        await account.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        await Task.Delay(300);
        await account.GetSpec();
        await Task.Delay(1_000);
        Assert.DoesNotContain((await household.GetEvents(cursor)).Events, e => e.Kind == "trigger");
        Assert.False(awaiting.Holds("TKACC"));
    }

    /// <summary>The household's own change (a tax profile set on Saturday) is stored with the trigger that asks for a decision
    /// under it; a new activation puts that trigger back in its inbox, so the change is decided at the open, once.</summary>
    [Fact]
    public async Task A_tax_profile_set_on_Saturday_is_decided_at_the_open_after_the_household_lost_its_memory()
    {
        fixture.Clock.Now = SaturdayNoon;
        var household = await Household("TP", AccountType.Ira);   // at its model: the change is decided with nothing to trade
        await household.SetTaxProfile(new TaxProfile(FilingStatus.Single, TaxableIncome: 250_000m));
        await Eventually(() => household.GetEvents(0), e => e.Events.Any(x => x.Kind == "waiting"));

        await household.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        await Task.Delay(300);
        await household.GetSpec(); // a new activation, as on a survivor after its silo died

        var journal = fixture.SiloService<IJournal>();
        async Task<int> Decided() => (await journal.Query(new JournalQuery("TPHH", null, null, null, JournalKind.Trigger, 100, null)))
            .Count(e => e.IdempotencyKey!.StartsWith("trigger:Policy:tax profile:", StringComparison.Ordinal));
        Assert.Equal(0, await Decided());
        fixture.Clock.Now = MondayAfterTheOpen;
        Assert.Equal(1, await Eventually(Decided, n => n > 0));

        // Decided, the change is no longer stored undecided: an activation after the close has nothing waiting for the open
        // (a stored copy would be put in its inbox and wait: "market closed: 1 triggers wait for the open").
        Assert.Empty(await household.GetProposals());
        await Task.Delay(300);
        fixture.Clock.Now = MondayAfterTheClose;
        await household.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        await Task.Delay(300);
        await household.GetSpec();
        await Task.Delay(1_000);
        Assert.DoesNotContain((await household.GetEvents(0)).Events, e => e.Kind == "waiting");
        Assert.Equal(1, await Decided());
    }

    [Fact]
    public async Task A_withdrawal_funded_by_a_Monday_sale_waits_for_Tuesdays_settlement()
    {
        fixture.Clock.Now = MondayMidday;
        var household = await Household("TS", AccountType.Ira);
        var account = Client.GetGrain<IAccountGrain>("TSACC");

        await account.RecordCash(new CashMovement("ts-wd", CashKind.Withdrawal, 5_000m, Monday, null));

        var executed = Assert.Single(await Eventually(household.GetProposals, p => p.Any(x => x.Status == ProposalStatus.Executed)));
        Assert.Contains("TSACC: withdrawal of 5000.00 waits for the sale proceeds to settle on 2026-12-08", executed.Note);
        Assert.Equal(5_000m, (await account.GetDecisionInput()).CashToRaise);
        var view = await account.GetView();
        Assert.NotEmpty(view.Unsettled!.Value); // a sale's proceeds each
        Assert.All(view.Unsettled!.Value, u => Assert.Equal((Monday, new DateOnly(2026, 12, 8)), (u.TradeDate, u.SettlesOn)));
        Assert.Equal(view.Cash - view.Unsettled!.Value.Sum(u => u.Amount), view.SettledCash);
        Assert.True(view.SettledCash < 5_000m);
        Assert.True(view.Cash >= 5_000m);

        fixture.Clock.Now = TuesdayAfterTheOpen;
        await Eventually(account.GetDecisionInput, i => i.CashToRaise == 0m);
        var paid = await account.GetView();
        Assert.Equal(view.Cash - 5_000m, paid.Cash);
        Assert.Empty(paid.Unsettled!);
        Assert.Equal(paid.Cash, paid.SettledCash);
    }

    [Fact]
    public async Task An_approval_after_the_close_is_refused_naming_the_next_open_and_executes_when_approved_in_the_session()
    {
        fixture.Clock.Now = MondayMidday;
        var household = await Household("TA", AccountType.Ira, discretionary: false);
        await Client.GetGrain<IAccountGrain>("TAACC").RecordCash(new CashMovement("ta-dep", CashKind.Deposit, 10_000m, Monday, null));
        var pending = Assert.Single(await Eventually(household.GetProposals, p => p.Any(x => x.Status == ProposalStatus.Pending)));

        fixture.Clock.Now = new DateTimeOffset(2026, 12, 7, 21, 30, 0, TimeSpan.Zero); // 16:30 EST, after the close
        var refused = await Assert.ThrowsAsync<BadInputException>(() => household.Approve(pending.Id, Approver.System));
        Assert.Equal("the market is closed: an approved proposal executes in trading hours; the next session opens 2026-12-08 14:30 UTC", refused.Message);
        Assert.Equal(ProposalStatus.Pending, Assert.Single(await household.GetProposals()).Status); // nothing changed

        fixture.Clock.Now = TuesdayAfterTheOpen;
        var done = await household.Approve(pending.Id, Approver.System);
        Assert.Equal(ProposalStatus.Executed, done.Status);
        Assert.All(done.Fills, f => Assert.Equal(new DateOnly(2026, 12, 8), f.Request.TradeDate));
    }
}
