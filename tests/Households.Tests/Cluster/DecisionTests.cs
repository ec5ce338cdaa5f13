using Households.Contracts;
using Households.Grains.Securities;
using Households.Grains;
using Households.Persistence.Journal;
using Xunit;
using static Households.Tests.Cluster.TestFirm;

namespace Households.Tests.Cluster;

/// <summary>The heartbeat, end to end with scripted prices: batch → monitor → account → household → optimizer →
/// proposal or execution → books, ledger and journal.</summary>
[Collection(ClusterCollection.Name)]
public sealed class DecisionTests(ClusterFixture fixture)
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);
    private IClusterClient Client => fixture.Client;

    private async Task Setup(string model, (string Symbol, string AssetClass)[] funds, params (string Symbol, decimal Weight)[] sleeves)
    {
        await Client.GetGrain<IUniverseGrain>(UniverseGrain.Key).Upsert(funds.Select(f => Fund(f.Symbol, f.AssetClass)).ToArray());
        await Client.GetGrain<IModelGrain>(model).Define(new TargetModel(model, model,
            [.. sleeves.Select(s => new ModelSleeve(SleeveKind.Security, s.Symbol, s.Weight, new DriftBand(0.05m, 0)))], false));
    }

    private static Task<T> Eventually<T>(Func<Task<T>> read, Func<T, bool> ok) => ClusterFixture.Eventually(read, ok, 20_000);

    [Fact]
    public async Task Price_drop_harvests_the_loss_in_a_discretionary_taxable_account_and_buys_the_replacement()
    {
        await Setup("HXM", [("HXFUND", "US Equity"), ("HXALT", "US Equity"), ("HXBOND", "US Bonds")], ("HXFUND", 0.6m), ("HXBOND", 0.4m));
        var spec = new HouseholdSpec("HXHH", "Harvest household", "ADV04", ["HXTAX"]);
        await Client.GetGrain<IHouseholdGrain>("HXHH").Create(spec,
            [new AccountOpening(Account("HXTAX", "HXHH", AccountType.Taxable, "HXM"), 0m,
                [Lot("HXL1", "HXFUND", 600, 100m, Today.AddDays(-200)), Lot("HXL2", "HXBOND", 400, 100m, Today.AddDays(-200))])]);
        await fixture.PublishAndScan(("HXFUND", 100m), ("HXALT", 100m), ("HXBOND", 100m));

        var decided = await fixture.PublishAndScan(("HXFUND", 85m), ("HXALT", 85m)); // a $9,000 loss on HXL1: 15%, beyond 5% and $250
        var household = Client.GetGrain<IHouseholdGrain>("HXHH");
        await Eventually(() => fixture.SiloService<IJournal>().Query(new JournalQuery("HXHH", null, null, null, JournalKind.Proposal, 10, null)), e => e.Count > 0);
        await fixture.PublishAndScan(("HXFUND", 85m), ("HXALT", 85m)); // the next batch: the broker fills at its prices

        var proposals = await Eventually(household.GetProposals, p => p.Any(x => x.Status == ProposalStatus.Executed));
        var executed = Assert.Single(proposals, p => p.Status == ProposalStatus.Executed);
        Assert.Contains(executed.Causes, c => c.Kind == TriggerKind.Harvest && c.Subject == "HXFUND");
        var sell = Assert.Single(executed.Trades, t => t.Symbol == "HXFUND" && t.Side == TradeSide.Sell);
        Assert.True(sell.Reasons.HasFlag(TradeReason.Harvest));
        Assert.Equal("HXL1", Assert.Single(sell.Lots).Lot.Id);
        var buy = Assert.Single(executed.Trades, t => t.Symbol == "HXALT" && t.Side == TradeSide.Buy);
        Assert.True(buy.Quantity > 500);
        // The swap trades factor-neutral specific risk for the tax benefit: √(0.56² × (0.03² + 0.03²)) ≈ 2.4% under the
        // coarse fund model, against $9,000 × 37% = $3,330 (3.7% of the household) saved.
        Assert.InRange(executed.TrackingErrorAfter, 0.015, 0.03);

        Assert.True(executed.PriceSequence >= decided);
        Assert.DoesNotContain("filled at the last price", executed.Note ?? "");
        var fill = Assert.Single(executed.Fills, f => f.Request.Symbol == "HXFUND");
        var row = Assert.Single(fill.Realized);
        Assert.Equal(0m, row.Disallowed); // nothing bought back: the loss is recognized
        Assert.True(row.Recognized < -8_900m);
        var view = await Client.GetGrain<IAccountGrain>("HXTAX").GetView();
        Assert.DoesNotContain(view.Holdings, h => h.Symbol == "HXFUND");
        // The broker fills at the price plus 5 bps slippage, so the buy is trimmed to the cash the sale raised.
        var bought = Assert.Single(executed.Fills, f => f.Request.Symbol == "HXALT").Request;
        Assert.Equal(85m * 1.0005m, bought.Price);
        Assert.InRange(bought.Quantity, buy.Quantity * 0.99m, buy.Quantity);
        Assert.Contains(view.Holdings, h => h.Symbol == "HXALT" && h.Quantity == bought.Quantity);
        Assert.True(view.Cash >= 0);
        // The replaced fund may not be bought for 30 days anywhere in the household.
        Assert.Equal(Today.AddDays(30), Assert.Single(await household.BuyBlackouts("HXTAX", Today), b => b.WashSaleKey == "HXFUND").WashesThrough);

        var journal = await fixture.SiloService<IJournal>().Query(new JournalQuery("HXHH", null, null, null, null, 100, null));
        Assert.Contains(journal, e => e.Kind == JournalKind.Trigger && e.Summary.Contains("Harvest trigger on HXFUND"));
        Assert.Contains(journal, e => e.Kind == JournalKind.Proposal && e.Summary.Contains("executed"));
        Assert.Contains(journal, e => e.Kind == JournalKind.Fill && e.Summary.Contains("Sold 600 HXFUND"));
    }

    /// <summary>Issue #18 goal 7: a household's inbox lives in memory, so after a silo dies its accounts send again the
    /// triggers it has not confirmed deciding. One it decided (a filed proposal names it) is dropped; the same condition
    /// detected anew is a new trigger and is decided.</summary>
    [Fact]
    public async Task A_trigger_sent_again_after_a_silo_died_is_decided_once()
    {
        await Setup("RSM", [("RSFUND", "US Equity"), ("RSALT", "US Equity"), ("RSBOND", "US Bonds")], ("RSFUND", 0.6m), ("RSBOND", 0.4m));
        await Client.GetGrain<IHouseholdGrain>("RSHH").Create(new HouseholdSpec("RSHH", "Resend household", "ADV04", ["RSTAX"]),
            [new AccountOpening(Account("RSTAX", "RSHH", AccountType.Taxable, "RSM"), 0m,
                [Lot("RSL1", "RSFUND", 600, 100m, Today.AddDays(-200)), Lot("RSL2", "RSBOND", 400, 100m, Today.AddDays(-200))])]);
        await fixture.PublishAndScan(("RSFUND", 100m), ("RSALT", 100m), ("RSBOND", 100m));
        await fixture.PublishAndScan(("RSFUND", 85m), ("RSALT", 85m));
        var household = Client.GetGrain<IHouseholdGrain>("RSHH");
        var journal = fixture.SiloService<IJournal>();
        await Eventually(() => journal.Query(new JournalQuery("RSHH", null, null, null, JournalKind.Proposal, 10, null)), e => e.Count > 0);
        await fixture.PublishAndScan(("RSFUND", 85m), ("RSALT", 85m));
        var proposals = await Eventually(household.GetProposals, p => p.Any(x => x.Status == ProposalStatus.Executed));
        var cause = proposals.SelectMany(p => p.Causes).FirstOrDefault(c => c.Kind == TriggerKind.Harvest && c.Subject == "RSFUND")
            ?? throw new InvalidOperationException("no harvest of RSFUND was decided");
        // The household confirmed the decision: the account holds nothing for a resend.
        var awaiting = fixture.SiloService<Households.Grains.Silo.AccountsAwaitingHousehold>();
        await Eventually(() => Task.FromResult(awaiting.Holds("RSTAX")), held => !held);
        Task<IReadOnlyList<JournalEntry>> Triggers() => journal.Query(new JournalQuery("RSHH", null, null, null, JournalKind.Trigger, 100, null));
        var before = (await Triggers()).Count;

        // Sent again as after a silo's death, with a trigger not yet decided beside it: the decided one is dropped, the other
        // joins the inbox (the household's event stream shows each trigger it takes) and is decided (journaled).
        var cursor = (await household.GetEvents(0)).Latest;
        async Task<string[]> TakenSince() => [.. (await household.GetEvents(cursor)).Events.Where(e => e.Kind == "trigger").Select(e => e.Summary)];
        var undecided = new Trigger(TriggerKind.Drift, "RSTAX", "RSBOND", 0.34, 0.4, 0.05, cause.BatchSequence, cause.BatchPublishedAt, cause.DetectedAt.AddSeconds(1));
        await household.OnAccountTriggersResent("RSTAX", [cause, undecided]);
        Assert.Equal(["Drift: RSBOND"], await Eventually(TakenSince, e => e.Length > 0));
        var after = await Eventually(Triggers, e => e.Count > before);
        Assert.Equal(before + 1, after.Count);
        Assert.Contains(after, e => e.IdempotencyKey == $"trigger:Drift:RSBOND:{cause.BatchSequence}:{undecided.DetectedAt.UtcTicks}");
        // The same harvest condition detected anew is a new trigger: taken and decided.
        var anew = cause with { DetectedAt = cause.DetectedAt.AddSeconds(2) };
        await household.OnAccountTriggersResent("RSTAX", [anew]);
        Assert.Equal(["Drift: RSBOND", "Harvest: RSFUND"], await Eventually(TakenSince, e => e.Length > 1));
        after = await Eventually(Triggers, e => e.Count > before + 1);
        Assert.Contains(after, e => e.IdempotencyKey == $"trigger:Harvest:RSFUND:{cause.BatchSequence}:{anew.DetectedAt.UtcTicks}");
        Assert.Equal(proposals.Length, (await household.GetProposals()).Length);
        // A client's withdrawal sent again (it waited in a dead silo's inbox, accounts hold events too): taken and decided.
        var withdrawal = new Trigger(TriggerKind.Cash, "RSTAX", "withdrawal", 100, 0, 0, cause.BatchSequence, cause.BatchPublishedAt, cause.DetectedAt.AddSeconds(3));
        await household.OnAccountTriggersResent("RSTAX", [withdrawal]);
        Assert.Equal(["Drift: RSBOND", "Harvest: RSFUND", "Cash: withdrawal"], await Eventually(TakenSince, e => e.Length > 2));
        after = await Eventually(Triggers, e => e.Count > before + 2);
        Assert.Contains(after, e => e.IdempotencyKey == $"trigger:Cash:withdrawal:{cause.BatchSequence}:{withdrawal.DetectedAt.UtcTicks}");
        // A deposit's trigger is held by its account until the household confirms deciding it, as a market trigger is.
        await Client.GetGrain<IAccountGrain>("RSTAX").RecordCash(new CashMovement("rs-dep-1", CashKind.Deposit, 250m, Today, null));
        await Eventually(Triggers, e => e.Any(x => x.IdempotencyKey!.StartsWith("trigger:Cash:deposit:", StringComparison.Ordinal)));
        Assert.False(await Eventually(() => Task.FromResult(awaiting.Holds("RSTAX")), held => !held));
    }

    [Fact]
    public async Task Harvest_is_refused_because_the_spouse_IRA_bought_the_security_10_days_earlier()
    {
        await Setup("RFM", [("RFFUND", "US Equity"), ("RFALT", "US Equity"), ("RFBOND", "US Bonds")], ("RFFUND", 0.6m), ("RFBOND", 0.4m));
        var spec = new HouseholdSpec("RFHH", "Refusal household", "ADV04", ["RFTAX", "RFSPIRA"]);
        var household = Client.GetGrain<IHouseholdGrain>("RFHH");
        await household.Create(spec,
        [
            new AccountOpening(Account("RFTAX", "RFHH", AccountType.Taxable, "RFM"), 0m,
                [Lot("RFL1", "RFFUND", 600, 100m, Today.AddDays(-200)), Lot("RFL2", "RFBOND", 400, 100m, Today.AddDays(-200))]),
            new AccountOpening(Account("RFSPIRA", "RFHH", AccountType.Ira, null), 20_000m, []),
        ]);
        await fixture.PublishAndScan(("RFFUND", 100m), ("RFBOND", 100m));
        await household.RecordTrade("RFSPIRA", new TradeRequest("spouse-buy", Today.AddDays(-10), "RFFUND", TradeSide.Buy, 100, 95m, null, null, 0m));

        await fixture.PublishAndScan(("RFFUND", 85m));

        var journal = fixture.SiloService<IJournal>();
        var entries = await Eventually(() => journal.Query(new JournalQuery("RFHH", null, null, null, JournalKind.WashSale, 100, null)),
            e => e.Any(x => x.Summary.Contains("refused")));
        var refusal = Assert.Single(entries, e => e.Summary.Contains("refused"));
        Assert.Equal("RFTAX", refusal.AccountId);
        Assert.Contains("Harvest of lot RFL1 (RFFUND) refused", refusal.Summary);
        Assert.Contains($"100 shares bought {Today.AddDays(-10):yyyy-MM-dd} in RFSPIRA", refusal.Summary);
        var view = await Client.GetGrain<IAccountGrain>("RFTAX").GetView();
        Assert.Equal(600m, Assert.Single(view.Holdings, h => h.Symbol == "RFFUND").Quantity);
        Assert.DoesNotContain((await household.GetView()).Tax.RealizedYearToDate, r => r.Account == "RFTAX");
    }

    private async Task<(IHouseholdGrain Household, RebalanceProposal Pending)> PendingProposal(string p)
    {
        await Setup($"{p}M", [($"{p}EQ", "US Equity"), ($"{p}BD", "US Bonds")], ($"{p}EQ", 0.6m), ($"{p}BD", 0.4m));
        var account = Account($"{p}IRA", $"{p}HH", AccountType.Ira, $"{p}M") with { Discretionary = false };
        var household = Client.GetGrain<IHouseholdGrain>($"{p}HH");
        await household.Create(new HouseholdSpec($"{p}HH", "Advisory household", "ADV05", [$"{p}IRA"]),
            [new AccountOpening(account, 0m, [Lot($"{p}L1", $"{p}EQ", 600, 100m, Today.AddDays(-900)), Lot($"{p}L2", $"{p}BD", 400, 100m, Today.AddDays(-900))])]);
        await fixture.PublishAndScan(($"{p}EQ", 100m), ($"{p}BD", 100m));
        await fixture.PublishAndScan(($"{p}EQ", 150m)); // 9,000 / 13,000 = 69%: beyond the 5-point band
        var proposals = await Eventually(household.GetProposals, x => x.Any(y => y.Status == ProposalStatus.Pending));
        return (household, Assert.Single(proposals, x => x.Status == ProposalStatus.Pending));
    }

    [Fact]
    public async Task Non_discretionary_account_gets_a_pending_proposal_that_executes_on_approval()
    {
        var (household, pending) = await PendingProposal("ND");
        var sell = Assert.Single(pending.Trades, t => t.Symbol == "NDEQ");
        Assert.Equal(TradeSide.Sell, sell.Side);
        Assert.True(sell.Reasons.HasFlag(TradeReason.Drift));
        Assert.True(pending.TrackingErrorAfter < pending.TrackingErrorBefore);
        Assert.Equal(600m, Assert.Single((await Client.GetGrain<IAccountGrain>("NDIRA").GetView()).Holdings, h => h.Symbol == "NDEQ").Quantity);
        var orders = Households.Domain.Decisions.OrderFile.Csv([pending]).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Households.Domain.Decisions.OrderFile.Header, orders[0]);
        Assert.StartsWith($"{pending.Id},NDIRA,NDEQ,sell,{sell.Quantity},NDL1:{sell.Quantity},market,Drift", orders[1]);

        var approved = await household.Approve(pending.Id, Approver.System);
        var again = await household.Approve(pending.Id, Approver.System);

        Assert.Equal(pending.Id, approved.Id);
        Assert.Equal(ProposalStatus.Executed, approved.Status);
        Assert.Equal((approved.Id, approved.Status, approved.Fills.Length, approved.DecidedAt), (again.Id, again.Status, again.Fills.Length, again.DecidedAt));
        var eq = Assert.Single((await Client.GetGrain<IAccountGrain>("NDIRA").GetView()).Holdings, h => h.Symbol == "NDEQ");
        Assert.Equal(600m - sell.Quantity, eq.Quantity);
        var journal = await fixture.SiloService<IJournal>().Query(new JournalQuery("NDHH", null, null, null, JournalKind.Approval, 10, null));
        Assert.Single(journal);
    }

    [Fact]
    public async Task Approval_re_optimizes_when_prices_moved_beyond_tolerance()
    {
        var (household, pending) = await PendingProposal("RO");
        await fixture.PublishAndScan(("ROEQ", 160m)); // +6.7% since the proposal priced it, beyond the 1% tolerance

        var executed = await household.Approve(pending.Id, Approver.System);

        Assert.NotEqual(pending.Id, executed.Id);
        Assert.Equal(ProposalStatus.Executed, executed.Status);
        var superseded = Assert.Single(await household.GetProposals(), p => p.Id == pending.Id);
        Assert.Equal(ProposalStatus.Superseded, superseded.Status);
        Assert.Equal(executed.Id, superseded.SupersededBy);
        var sell = Assert.Single(executed.Trades, t => t.Symbol == "ROEQ");
        Assert.Equal(160m, sell.Amount / sell.Quantity, 0);
        var again = await household.Approve(pending.Id, Approver.System);
        Assert.Equal((executed.Id, executed.Status, executed.Fills.Length), (again.Id, again.Status, again.Fills.Length));
    }

    [Fact]
    public async Task Withdrawal_raises_cash_from_the_loss_lot_first()
    {
        await Setup("WDM", [("WDEQ", "US Equity"), ("WDBD", "US Bonds")], ("WDEQ", 0.5m), ("WDBD", 0.5m));
        var account = Account("WDTAX", "WDHH", AccountType.Taxable, "WDM") with { Harvest = HarvestPolicy.Off };
        var household = Client.GetGrain<IHouseholdGrain>("WDHH");
        await household.Create(new HouseholdSpec("WDHH", "Withdrawal household", "ADV06", ["WDTAX"]),
        [
            new AccountOpening(account, 0m,
            [
                Lot("WDGAIN", "WDEQ", 100, 50m, Today.AddDays(-800)),   // $5,000 long-term gain at $100
                Lot("WDLOSS", "WDEQ", 100, 150m, Today.AddDays(-100)),  // $5,000 short-term loss at $100
                Lot("WDB", "WDBD", 200, 100m, Today.AddDays(-800)),
            ]),
        ]);
        await fixture.PublishAndScan(("WDEQ", 100m), ("WDBD", 100m));

        await Client.GetGrain<IAccountGrain>("WDTAX").RecordCash(new CashMovement("wd-1", CashKind.Withdrawal, 5_000m, Today, null));

        var executed = Assert.Single(await Eventually(household.GetProposals, p => p.Any(x => x.Status == ProposalStatus.Executed)));
        Assert.Contains(executed.Causes, c => c.Kind == TriggerKind.Cash && c.Subject == "withdrawal");
        var sold = executed.Trades.Where(t => t.Side == TradeSide.Sell).SelectMany(t => t.Lots).ToList();
        Assert.Contains(sold, l => l.Lot.Id == "WDLOSS");
        Assert.DoesNotContain(sold, l => l.Lot.Id == "WDGAIN");
        Assert.True(executed.ShortTermGain < 0);
        Assert.Equal(0m, executed.LongTermGain);
        // The sale's proceeds settle T+1: the withdrawal waits for them (TradingHoursTests pays it at the settlement day's open).
        var input = await Client.GetGrain<IAccountGrain>("WDTAX").GetDecisionInput();
        Assert.Equal(5_000m, input.CashToRaise);
        Assert.Contains($"WDTAX: withdrawal of 5000.00 waits for the sale proceeds to settle on {Households.Domain.Calendar.TradingCalendar.Nyse.SettlementDate(Today):yyyy-MM-dd}", executed.Note);
    }

    [Fact]
    public async Task Model_change_reaches_every_account_on_it_including_through_a_parent_model()
    {
        await Setup("MCM", [("MCA", "US Equity"), ("MCB", "US Bonds")], ("MCA", 0.5m), ("MCB", 0.5m));
        await Client.GetGrain<IModelGrain>("MCP").Define(new TargetModel("MCP", "Parent", [new ModelSleeve(SleeveKind.Model, "MCM", 1m, DriftBand.Default)], false));
        await fixture.PublishAndScan(("MCA", 100m), ("MCB", 100m));
        foreach (var (h, a, model) in new[] { ("MC1", "MC1-IRA", "MCM"), ("MC2", "MC2-IRA", "MCM"), ("MC3", "MC3-IRA", "MCP") })
        {
            await Client.GetGrain<IHouseholdGrain>(h).Create(new HouseholdSpec(h, h, "ADV07", [a]),
                [new AccountOpening(Account(a, h, AccountType.Ira, model) with { Discretionary = false }, 0m,
                    [Lot($"{a}-1", "MCA", 50, 100m, Today.AddDays(-400)), Lot($"{a}-2", "MCB", 50, 100m, Today.AddDays(-400))])]);
        }

        await Client.GetGrain<IModelGrain>("MCM").Define(new TargetModel("MCM", "MCM v2",
            [new ModelSleeve(SleeveKind.Security, "MCA", 0.7m, new DriftBand(0.05m, 0)), new ModelSleeve(SleeveKind.Security, "MCB", 0.3m, new DriftBand(0.05m, 0))], false));

        foreach (var (h, a) in new[] { ("MC1", "MC1-IRA"), ("MC2", "MC2-IRA"), ("MC3", "MC3-IRA") })
        {
            var view = await Eventually(() => Client.GetGrain<IAccountGrain>(a).GetView(),
                v => v.Drift.Any(d => d.Key == "MCA" && Math.Abs(d.Target - 0.7) < 1e-12));
            Assert.Equal(0.7, Assert.Single(view.Drift, d => d.Level == DriftLevel.Security && d.Key == "MCA").Target, 12);
            Assert.Contains(await Client.GetGrain<IAccountGrain>(a).GetTriggers(), t => t.Kind == TriggerKind.ModelChange);
            var proposals = await Eventually(Client.GetGrain<IHouseholdGrain>(h).GetProposals, p => p.Length > 0);
            Assert.Contains(proposals[0].Causes, c => c.Kind == TriggerKind.ModelChange);
            Assert.Equal(TradeSide.Buy, Assert.Single(proposals[0].Trades, t => t.Symbol == "MCA").Side);
        }
    }
}
