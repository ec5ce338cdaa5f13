using Households.Contracts;
using Households.Domain.Decisions;
using Households.Domain;
using Households.Domain.Audit;
using Households.Domain.Tax;
using Xunit;
using static Households.Tests.Audit.AuditJournal;

namespace Households.Tests.Audit;

/// <summary>The compliance audit on worked journals written in the grains' own formats: each defect counted exactly,
/// each finding naming the lot and accounts involved, and look-alikes (a client's own trade, a whole-lot sale, a decision
/// that planned) not counted.</summary>
public sealed class JournalAuditTests
{
    private static readonly AuditSettings Firm = new(MinTrade: 50m);

    /// <summary>HH1-TAX holds lot L1: 100 XYZ bought at 100 on 2025-06-02; HH1-IRA holds 20,000 cash.</summary>
    private static AuditJournal TaxAndIra() => new AuditJournal()
        .Open(Account("HH1-TAX", AccountType.Taxable), 0m, Lot("L1", "XYZ", 100, 100m, new DateOnly(2025, 6, 2)))
        .Open(Account("HH1-IRA", AccountType.Ira), 20_000m);

    [Fact]
    public void An_engine_loss_sale_washed_by_an_engine_buy_in_the_IRA_is_one_permanent_self_wash()
    {
        var journal = TaxAndIra();
        // The engine sells L1 at 80 (a 2,000 loss) and, the same day, buys XYZ in the IRA: the loss is gone for good.
        journal.Trade("HH1-TAX", "HH1-P00001:0", TradeSide.Sell, "XYZ", 100, 80m, "L1");
        var buy = journal.Trade("HH1-IRA", "HH1-P00001:1", TradeSide.Buy, "XYZ", 100, 80m);
        var adjustment = Assert.Single(buy.WashSales);
        Assert.True(adjustment.Permanent);

        var report = JournalAudit.Run(journal.Entries, Firm);

        Assert.Equal(1, report.SelfWashedSales.Count);
        Assert.Equal(1, report.PermanentSelfWashedSales);
        var finding = Assert.Single(report.SelfWashedSales.Findings);
        Assert.Equal(("HH1", "HH1-IRA", "wash:HH1-IRA:HH1-P00001:1:0"), (finding.HouseholdId, finding.AccountId, finding.EntryKey));
        Assert.Equal(
            "Engine order HH1-P00001:0 sold lot L1 at a loss in HH1-TAX on 2026-03-02 and engine order HH1-P00001:1 bought its replacement "
            + "(lot T-HH1-P00001:1) in HH1-IRA on 2026-03-02: 2000.00 disallowed permanently.", finding.Explanation);
        Assert.Equal((2, 1, 0), (report.EngineFills, report.Households, report.UnreadableEntries.Count));
        Assert.False(report.Clean);
    }

    [Fact]
    public void A_replacement_split_by_an_earlier_wash_is_found_through_its_root_lot()
    {
        var journal = new AuditJournal()
            .Open(Account("HH1-TAX", AccountType.Taxable), 0m,
                Lot("L1", "XYZ", 100, 100m, new DateOnly(2025, 6, 2)), Lot("L2", "XYZ", 50, 100m, new DateOnly(2025, 6, 2)))
            .Open(Account("HH1-IRA", AccountType.Ira), 20_000m);
        journal.Trade("HH1-TAX", "HH1-P00001:0", TradeSide.Sell, "XYZ", 100, 80m, "L1");
        // 150 shares bought: 100 replace L1's loss; the other 50 are split off and later replace L2's.
        journal.Trade("HH1-IRA", "HH1-P00001:1", TradeSide.Buy, "XYZ", 150, 80m);
        var second = Assert.Single(journal.Trade("HH1-TAX", "HH1-P00002:0", TradeSide.Sell, "XYZ", 50, 80m, "L2").WashSales);
        Assert.Equal("T-HH1-P00001:1.2", second.LotId);

        var report = JournalAudit.Run(journal.Entries, Firm);

        Assert.Equal((2, 2), (report.SelfWashedSales.Count, report.PermanentSelfWashedSales));
        Assert.Contains("sold lot L2 at a loss in HH1-TAX", report.SelfWashedSales.Findings[1].Explanation);
        Assert.Contains("bought its replacement (lot T-HH1-P00001:1.2) in HH1-IRA", report.SelfWashedSales.Findings[1].Explanation);
        Assert.Equal("T-HH1-P00001:1", JournalAudit.RootLotId(second.LotId));
    }

    [Fact]
    public void A_wash_caused_by_the_clients_own_buy_is_not_the_engines()
    {
        var journal = TaxAndIra();
        journal.Trade("HH1-TAX", "HH1-P00001:0", TradeSide.Sell, "XYZ", 100, 80m, "L1");
        var buy = journal.Trade("HH1-IRA", "client-order-77", TradeSide.Buy, "XYZ", 100, 80m);
        Assert.Single(buy.WashSales);

        var report = JournalAudit.Run(journal.Entries, Firm);

        Assert.Equal((0, 0), (report.SelfWashedSales.Count, report.PermanentSelfWashedSales));
        Assert.Equal(1, report.EngineFills);
        Assert.True(report.Clean);
    }

    [Fact]
    public void A_client_sale_washed_by_an_engine_buy_is_not_a_self_wash_either()
    {
        var journal = TaxAndIra();
        journal.Trade("HH1-TAX", "manual-sell-1", TradeSide.Sell, "XYZ", 100, 80m, "L1");
        journal.Trade("HH1-IRA", "HH1-P00002:0", TradeSide.Buy, "XYZ", 100, 80m);

        Assert.Equal(0, JournalAudit.Run(journal.Entries, Firm).SelfWashedSales.Count);
    }

    [Fact]
    public void A_harvest_refused_because_of_the_engines_own_purchase_is_self_blocked()
    {
        // The engine bought XYZ in the IRA on 2026-03-02; three days later L1 is at a loss and its harvest is refused.
        var journal = TaxAndIra();
        journal.Trade("HH1-IRA", "HH1-P00001:0", TradeSide.Buy, "XYZ", 10, 90m);
        var refusal = Assert.Single(journal.HoldWashingLosses("HH1-TAX", 85m, Day.AddDays(3)));
        Assert.Equal("L1", refusal.Lot.Id);

        var report = JournalAudit.Run(journal.Entries, Firm);

        var finding = Assert.Single(report.SelfBlockedHarvests.Findings);
        Assert.Equal(1, report.SelfBlockedHarvests.Count);
        Assert.Equal(("HH1-TAX", "refused:L1:20260305"), (finding.AccountId, finding.EntryKey));
        Assert.Equal("Harvest of lot L1 in HH1-TAX refused on 2026-03-05 because engine order HH1-P00001:0 bought 10 replacement shares "
            + "(lot T-HH1-P00001:0) in HH1-IRA on 2026-03-02.", finding.Explanation);
    }

    [Fact]
    public void A_refusal_carries_its_lot_so_books_loaded_without_opening_entries_are_judged_by_the_lots_own_basis()
    {
        // As a firm loaded in bulk: the journal holds no opening of HH1-TAX, only the refusals and the engine's fills.
        static List<JournalEntry> Loaded(AuditJournal journal) => [.. journal.Entries.Where(e => e.Kind != JournalKind.AccountOpened)];
        // The engine bought XYZ at 99 while L1 (basis 100) was 100 down: far from its 375 protection (three quarters of 5 % of
        // 10,000), so the refusal three days later only deferred the harvest of a later fall.
        var early = TaxAndIra();
        early.Trade("HH1-IRA", "HH1-P00001:0", TradeSide.Buy, "XYZ", 10, 99m);
        var refusal = Assert.Single(early.HoldWashingLosses("HH1-TAX", 85m, Day.AddDays(3)));
        Assert.Equal(0, JournalAudit.Run(Loaded(early), Firm).SelfBlockedHarvests.Count);
        // The same refusal journaled before refusals carried their lot: the lot is unknown and judged a defect.
        var old = Loaded(early).Select(e => e.IdempotencyKey?.StartsWith(JournalKeys.RefusedHarvest, StringComparison.Ordinal) == true
            ? e with { Payload = JournalFormat.Payload(refusal.Check) } : e).ToList();
        Assert.Null(refusal.Check.Lot);
        Assert.Equal(1, JournalAudit.Run(old, Firm).SelfBlockedHarvests.Count);

        // Bought at 90, L1 was 1,000 down, past its protection: a self-blocked harvest, journal openings or not.
        var late = TaxAndIra();
        late.Trade("HH1-IRA", "HH1-P00001:0", TradeSide.Buy, "XYZ", 10, 90m);
        Assert.Single(late.HoldWashingLosses("HH1-TAX", 85m, Day.AddDays(3)));
        Assert.Equal(1, JournalAudit.Run(Loaded(late), Firm).SelfBlockedHarvests.Count);
    }

    [Fact]
    public void Accounts_loaded_in_bulk_are_named_not_their_entries_called_unreadable()
    {
        var journal = TaxAndIra();
        journal.Trade("HH1-TAX", "HH1-P00001:0", TradeSide.Sell, "XYZ", 100, 80m, "L1");
        // As `households db load` writes it: no opening of HH1-TAX or HH1-IRA, one BooksLoaded entry naming them.
        var loaded = Households.Domain.Reliability.JournalReplay.BooksLoaded("HH1", ["HH1-TAX", "HH1-IRA"], journal.Entries[0].OccurredAt) with { Id = 1 };
        var entries = journal.Entries.Where(e => e.Kind != JournalKind.AccountOpened).Select(e => e with { Id = e.Id + 1 }).Prepend(loaded).ToList();

        var report = JournalAudit.Run(entries, Firm);
        Assert.Equal((0, 2, 1), (report.UnreadableEntries.Count, report.AccountsLoadedInBulk, report.EngineFills));
        Assert.True(report.Clean);
        var replay = Households.Domain.Reliability.JournalReplay.Replay(entries);
        Assert.Equal((0, 1), (replay.Problems.Count, replay.EntriesNotReplayed));

        // Without the BooksLoaded entry the same journal cannot be replayed: the fill is unreadable.
        Assert.Equal(1, JournalAudit.Run(entries.Skip(1).ToList(), Firm).UnreadableEntries.Count);
    }

    [Fact]
    public void A_harvest_refused_because_of_a_client_purchase_is_not_self_blocked()
    {
        var journal = TaxAndIra();
        journal.Trade("HH1-IRA", "client-buy-3", TradeSide.Buy, "XYZ", 10, 90m);
        Assert.Single(journal.HoldWashingLosses("HH1-TAX", 85m, Day.AddDays(3)));

        var report = JournalAudit.Run(journal.Entries, Firm);

        Assert.Equal(0, report.SelfBlockedHarvests.Count);
        Assert.True(report.Clean);
    }

    [Fact]
    public void A_tiny_fractional_engine_buy_is_dust_and_a_fractional_order()
    {
        var journal = new AuditJournal().Open(Account("HH1-TAX", AccountType.Taxable), 1_000m);
        journal.Trade("HH1-TAX", "HH1-P00003:0", TradeSide.Buy, "XYZ", 0.08m, 250m); // $20

        var report = JournalAudit.Run(journal.Entries, Firm);

        Assert.Equal((1, 1), (report.DustFills.Count, report.FractionalOrders.Count));
        Assert.Equal("Engine order HH1-P00003:0 bought 0.08 XYZ in HH1-TAX worth 20.00, below the minimum trade of 50.00.",
            report.DustFills.Findings[0].Explanation);
        Assert.Equal("Engine order HH1-P00003:0 bought 0.08 XYZ in HH1-TAX, a fraction of a share, but the account trades whole shares only.",
            report.FractionalOrders.Findings[0].Explanation);
        Assert.Equal(("HH1-TAX", "fill:HH1-P00003:0"), (report.DustFills.Findings[0].AccountId, report.DustFills.Findings[0].EntryKey));
    }

    [Fact]
    public void The_accounts_own_minimum_and_fractional_custody_replace_the_firms_rules()
    {
        var journal = new AuditJournal()
            .Open(Account("HH1-FRAC", AccountType.Taxable, fractional: true, minTrade: 10m), 1_000m)
            .Open(Account("HH1-BIG", AccountType.Taxable, fractional: true, minTrade: 500m), 1_000m);
        journal.Trade("HH1-FRAC", "HH1-P00003:0", TradeSide.Buy, "XYZ", 0.08m, 250m); // $20 ≥ 10, fractions allowed
        journal.Trade("HH1-BIG", "HH1-P00003:1", TradeSide.Buy, "XYZ", 1, 250m);      // $250 < 500

        var report = JournalAudit.Run(journal.Entries, Firm);

        Assert.Equal((1, 0), (report.DustFills.Count, report.FractionalOrders.Count));
        Assert.Contains("in HH1-BIG worth 250.00, below the minimum trade of 500.00", report.DustFills.Findings[0].Explanation);
    }

    [Fact]
    public void Selling_an_entire_fractional_lot_is_neither_dust_nor_fractional()
    {
        var journal = new AuditJournal().Open(Account("HH1-TAX", AccountType.Taxable), 0m, Lot("F1", "XYZ", 0.08m, 240m, new DateOnly(2025, 1, 6)));
        journal.Trade("HH1-TAX", "HH1-P00004:0", TradeSide.Sell, "XYZ", 0.08m, 250m, "F1");

        var report = JournalAudit.Run(journal.Entries, Firm);

        Assert.Equal((1, 0, 0), (report.EngineFills, report.DustFills.Count, report.FractionalOrders.Count));
        Assert.True(report.Clean);
    }

    [Fact]
    public void Selling_part_of_a_lot_in_fractions_is_both()
    {
        var journal = new AuditJournal().Open(Account("HH1-TAX", AccountType.Taxable), 0m, Lot("F1", "XYZ", 1.5m, 24m, new DateOnly(2025, 1, 6)));
        journal.Trade("HH1-TAX", "HH1-P00004:0", TradeSide.Sell, "XYZ", 0.5m, 25m, "F1");

        var report = JournalAudit.Run(journal.Entries, Firm);

        Assert.Equal((1, 1), (report.DustFills.Count, report.FractionalOrders.Count));
    }

    [Fact]
    public void A_decision_that_found_no_plan_is_frozen_and_relaxations_are_information()
    {
        var journal = new AuditJournal().Open(Account("HH1-TAX", AccountType.Taxable), 1_000m);
        journal.Decision(new DecisionRecord("HH1", DecisionOutcome.NoPlan, ["tracking"], [], "the cash floor cannot be met.", 0));
        journal.Decision(new DecisionRecord("HH1", DecisionOutcome.Planned, ["wash-sale consistency"], [], null, 3, "HH1-P00005"));
        journal.Decision(new DecisionRecord("HH1", DecisionOutcome.NothingToTrade, [], [], "everything is dust", 0));

        var report = JournalAudit.Run(journal.Entries, Firm);

        Assert.Equal((3, 1, 2), (report.Decisions, report.FrozenDecisions.Count, report.RelaxedDecisions));
        var finding = Assert.Single(report.FrozenDecisions.Findings);
        Assert.Equal("Decision for HH1 found no plan: the cash floor cannot be met.", finding.Explanation);
        Assert.Equal(2, finding.EntryId);
    }

    [Fact]
    public void A_pending_withdrawal_the_cash_covers_is_unpaid_and_a_paid_or_uncovered_one_is_not()
    {
        var journal = new AuditJournal()
            .Open(Account("HH1-TAX", AccountType.Taxable), 5_000m)
            .Open(Account("HH1-IRA", AccountType.Ira), 5_000m)
            .Open(Account("HH1-ROTH", AccountType.Roth), 5_000m);
        journal.Cash("HH1-TAX", new CashMovement("w1", CashKind.Withdrawal, 1_000m, Day, null));
        var paid = new CashMovement("w2", CashKind.Withdrawal, 1_000m, Day, null);
        journal.Cash("HH1-IRA", paid);
        journal.Cash("HH1-IRA", paid, paid: true);
        journal.Cash("HH1-ROTH", new CashMovement("w3", CashKind.Withdrawal, 6_000m, Day, null)); // more than the cash: waits for a sale

        var report = JournalAudit.Run(journal.Entries, Firm);

        var finding = Assert.Single(report.UnpaidWithdrawals.Findings);
        Assert.Equal(1, report.UnpaidWithdrawals.Count);
        Assert.Equal(("HH1-TAX", 4L, "cash:w1"), (finding.AccountId, finding.EntryId, finding.EntryKey));
        Assert.Equal("Withdrawal w1 of 1000.00 from HH1-TAX is still unpaid although the account holds 5000.00 cash.", finding.Explanation);
    }

    [Fact]
    public void A_withdrawal_waiting_for_its_sale_to_settle_is_not_unpaid_and_is_the_day_after()
    {
        // Monday 2 March 2026: $5,000 withdrawal requested, funded by a $6,000 sale the same day that settles Tuesday (T+1).
        var journal = new AuditJournal().Open(Account("HH1-TAX", AccountType.Taxable), 0m, Lot("L1", "XYZ", 100, 50m, new DateOnly(2025, 1, 2)));
        journal.Cash("HH1-TAX", new CashMovement("w1", CashKind.Withdrawal, 5_000m, Day, null));
        journal.Trade("HH1-TAX", "s1", TradeSide.Sell, "XYZ", 100, 60m);

        Assert.Equal(0, JournalAudit.Run(journal.Entries, Firm).UnpaidWithdrawals.Count);

        var tuesday = Firm with { To = new DateTimeOffset(2026, 3, 3, 20, 0, 0, TimeSpan.Zero) };
        journal.At = new DateTimeOffset(2026, 3, 3, 19, 0, 0, TimeSpan.Zero);
        journal.Cash("HH1-TAX", new CashMovement("d1", CashKind.Deposit, 1m, new DateOnly(2026, 3, 3), null)); // the journal goes on into Tuesday
        var finding = Assert.Single(JournalAudit.Run(journal.Entries, tuesday).UnpaidWithdrawals.Findings);
        Assert.Equal("Withdrawal w1 of 5000.00 from HH1-TAX is still unpaid although the account holds 6001.00 cash.", finding.Explanation);
    }

    [Fact]
    public void A_clean_journal_is_clean_and_its_totals_are_counted()
    {
        var journal = TaxAndIra();
        journal.Trade("HH1-IRA", "HH1-P00001:0", TradeSide.Buy, "XYZ", 10, 90m);
        journal.Trade("HH1-TAX", "client-sell-1", TradeSide.Sell, "XYZ", 10, 120m, "L1");
        journal.Decision(new DecisionRecord("HH1", DecisionOutcome.Planned, [], [], null, 1, "HH1-P00001"));
        var other = new AuditJournal("HH2").Open(Account("HH2-TAX", AccountType.Taxable), 100m);
        other.Add(new JournalEntry(0, "HH2", "HH2-TAX", JournalKind.Trigger, other.At, "trigger:x", "drift", "{}"));

        var report = JournalAudit.Run([.. journal.Entries, .. other.Entries], Firm);

        Assert.True(report.Clean);
        Assert.Equal((7L, 2, 1, 1), (report.EntriesScanned, report.Households, report.EngineFills, report.Decisions));
        Assert.All(report.Defects(), d => Assert.Equal(AuditCategory.None, d.Category));
    }

    [Fact]
    public void Entries_before_the_window_are_context_and_after_it_are_ignored()
    {
        var journal = TaxAndIra();
        journal.Trade("HH1-TAX", "HH1-P00001:0", TradeSide.Sell, "XYZ", 100, 80m, "L1"); // before the window
        journal.At = journal.At.AddDays(1);
        journal.Trade("HH1-IRA", "HH1-P00001:1", TradeSide.Buy, "XYZ", 100, 80m);        // in it: fill and wash entry
        journal.At = journal.At.AddDays(1);
        journal.Trade("HH1-IRA", "HH1-P00002:0", TradeSide.Buy, "XYZ", 0.1m, 80m);       // after it: dust, not seen

        var report = JournalAudit.Run(journal.Entries, Firm with { From = journal.At.AddDays(-1), To = journal.At });

        Assert.Equal((2L, 1, 1, 0), (report.EntriesScanned, report.EngineFills, report.SelfWashedSales.Count, report.DustFills.Count));
        Assert.Equal(journal.At, report.To);
    }

    [Fact]
    public void Counts_stay_exact_when_findings_are_capped()
    {
        var journal = new AuditJournal().Open(Account("HH1-TAX", AccountType.Taxable), 1_000m);
        for (var i = 0; i < 5; i++) journal.Trade("HH1-TAX", $"HH1-P00007:{i}", TradeSide.Buy, "XYZ", 1, 10m);

        var report = JournalAudit.Run(journal.Entries, Firm with { MaxFindings = 2 });

        Assert.Equal(5, report.DustFills.Count);
        Assert.Equal(["fill:HH1-P00007:0", "fill:HH1-P00007:1"], report.DustFills.Findings.Select(f => f.EntryKey));
    }

    [Fact]
    public void Unreadable_payloads_and_journals_that_cannot_be_replayed_are_reported_not_thrown()
    {
        var journal = new AuditJournal().Open(Account("HH1-TAX", AccountType.Taxable), 1_000m);
        journal.Add(new JournalEntry(0, "HH1", null, JournalKind.Decision, journal.At, "decision:bad", "?", "[1,2]"));
        journal.Add(new JournalEntry(0, "HH1", "HH1-GONE", JournalKind.Cash, journal.At, "cash:w9", "?",
            Households.Domain.Tax.JournalFormat.Payload(new CashMovement("w9", CashKind.Deposit, 10m, Day, null))));

        var report = JournalAudit.Run(journal.Entries, Firm);

        Assert.Equal(2, report.UnreadableEntries.Count);
        Assert.Contains("is not a readable DecisionRecord", report.UnreadableEntries.Findings[0].Explanation);
        Assert.Contains("account HH1-GONE has no opening entry", report.UnreadableEntries.Findings[1].Explanation);
        Assert.False(report.Clean);
    }

    [Theory]
    [InlineData("HH1", "HH1-P00001:0", true)]
    [InlineData("HH1", "HH1-P123456:12", true)]
    [InlineData("HH-GARCIA", "HH-GARCIA-P00042:3", true)]
    [InlineData("HH1", "HH1-P0001:0", false)]
    [InlineData("HH1", "HH2-P00001:0", false)]
    [InlineData("HH1", "HH1-P00001:", false)]
    [InlineData("HH1", "HH1-P00001:0x", false)]
    [InlineData("HH1", "client-HH1-P00001:0", false)]
    public void Engine_orders_are_recognized_by_the_brokers_keys(string household, string key, bool engine) =>
        Assert.Equal(engine, SimulatedBroker.IsOrderKey(household, key));

    [Fact]
    public void Bad_settings_are_refused()
    {
        Assert.Equal("minTrade must be >= 0", Assert.Throws<BadInputException>(() => JournalAudit.Run([], new AuditSettings(-1m))).Message);
        var at = DateTimeOffset.UnixEpoch;
        Assert.Equal("to must not be before from",
            Assert.Throws<BadInputException>(() => JournalAudit.Run([], Firm with { From = at, To = at.AddDays(-1) })).Message);
    }

    private static Trigger Harvest(string subject, DateTimeOffset detected, long batch = 7) =>
        new(TriggerKind.Harvest, "HH1-TAX", subject, 900, 0, 250, batch, detected.AddMilliseconds(-300), detected);

    private static RebalanceProposal Proposal(string id, DateTimeOffset created, ProposalStatus status, Trigger[] causes, string? supersededBy = null) =>
        new(id, "HH1", status, created, created.AddDays(1), [.. causes], [], 0.01, 0.005, 0m, 0m, 7, null, null, [], supersededBy);

    [Fact]
    public void A_trigger_in_the_causes_of_two_decisions_is_decided_twice_but_siblings_re_optimizations_and_reminders_are_not()
    {
        var journal = TaxAndIra();
        var t0 = journal.At;
        var xyz = Harvest("XYZ", t0);
        var abc = Harvest("ABC", t0);
        void File(RebalanceProposal p) => journal.Add(ProposalJournal.Proposal(p, JournalKind.Proposal, p.CreatedAt));
        // One decision files two proposals at once (the non-discretionary accounts' and the discretionary ones'): one decision.
        File(Proposal("HH1-P00001", t0, ProposalStatus.Pending, [xyz, abc]));
        File(Proposal("HH1-P00002", t0, ProposalStatus.Executed, [xyz, abc]));
        // The pending one, approved after prices moved, is re-optimized with its own causes: the same decision continued.
        File(Proposal("HH1-P00001", t0, ProposalStatus.Superseded, [xyz, abc], supersededBy: "HH1-P00003"));
        File(Proposal("HH1-P00003", t0.AddMinutes(20), ProposalStatus.Executed, [xyz, abc]));
        // The monitor reports XYZ again a day later (a reminder: detected anew): a new trigger, decided once.
        File(Proposal("HH1-P00004", t0.AddDays(1), ProposalStatus.Executed, [Harvest("XYZ", t0.AddDays(1))]));
        Assert.Equal(0, JournalAudit.Run(journal.Entries, Firm).TriggersDecidedTwice!.Count);

        // A later decision that lists the first decision's ABC trigger again decided it twice.
        File(Proposal("HH1-P00005", t0.AddMinutes(40), ProposalStatus.Executed, [abc, Harvest("DEF", t0.AddMinutes(40))]));
        var report = JournalAudit.Run(journal.Entries, Firm);
        var finding = Assert.Single(report.TriggersDecidedTwice!.Findings);
        Assert.Equal(1, report.TriggersDecidedTwice.Count);
        Assert.Equal(("HH1", "HH1-TAX", "Proposal:HH1-P00005:Executed"), (finding.HouseholdId, finding.AccountId, finding.EntryKey));
        Assert.Equal("The harvest trigger on ABC in HH1-TAX detected 2026-03-02T15:00:00.0000000+00:00 was decided at 2026-03-02T15:00:00.0000000+00:00 "
            + "and again by proposal HH1-P00005 at 2026-03-02T15:40:00.0000000+00:00.", finding.Explanation);
        Assert.False(report.Clean);
    }
    [Fact]
    public void A_client_event_whose_trigger_was_never_decided_is_a_defect_once_its_account_sent_a_later_one()
    {
        var journal = TaxAndIra();
        var t0 = journal.At;
        var tax = Account("HH1-TAX", AccountType.Taxable);
        var ira = Account("HH1-IRA", AccountType.Ira);
        Trigger Event(string account, TriggerKind kind, string subject, DateTimeOffset at) => new(kind, account, subject, 0, 0, 0, 7, at, at);
        void Decided(Trigger t) => journal.Add(ProposalJournal.Trigger("HH1", t, t.DetectedAt.AddSeconds(1)));
        void Record(JournalEntry e) => journal.Add(e);

        // A deposit decided; a withdrawal never, though a later harvest trigger of its account was: one defect.
        journal.At = t0.AddMinutes(1);
        journal.Cash("HH1-IRA", new CashMovement("d1", CashKind.Deposit, 5_000m, Day, null));
        Decided(Event("HH1-IRA", TriggerKind.Cash, ClientEvents.CashSubject(CashKind.Deposit), t0.AddMinutes(1)));
        journal.At = t0.AddMinutes(2);
        journal.Cash("HH1-TAX", new CashMovement("w1", CashKind.Withdrawal, 1_000m, Day, null));
        // Restrictions set with no trigger decided, and only the household's own order resolution after: it may still wait.
        Record(ClientEvents.RestrictionsSet(ira, [new Restriction(RestrictionKind.Exclude, "XOM", null, "ESG")], t0.AddMinutes(3)));
        // The household's tax profile, decided (its trigger names the first account and what was set).
        Record(ClientEvents.HouseholdPolicySet("HH1", "tax profile", new { rate = 0.37 }, t0.AddMinutes(4)));
        Decided(Event("HH1-TAX", TriggerKind.Policy, "tax profile", t0.AddMinutes(4)));
        Decided(Harvest("XYZ", t0.AddMinutes(5)));
        Decided(Event("HH1-IRA", TriggerKind.OrderResolved, "orders", t0.AddMinutes(6)));
        // An account's policy set last, nothing after it: waiting, not a defect.
        Record(ClientEvents.PolicySet(tax, new InvestmentPolicy(TaxSensitivity: 0.5), t0.AddMinutes(7)));

        var report = JournalAudit.Run(journal.Entries, Firm);
        Assert.Equal(5, report.ClientEvents);
        var finding = Assert.Single(report.ClientEventsNotDecided!.Findings);
        Assert.Equal(("HH1", "HH1-TAX", "cash:w1"), (finding.HouseholdId, finding.AccountId, finding.EntryKey));
        Assert.Equal("Withdrawal of 1000.00 in HH1-TAX at 2026-03-02T15:02:00.0000000+00:00 never became a decision's cause, though the household "
            + "decided the harvest trigger on XYZ in HH1-TAX detected after it, at 2026-03-02T15:05:00.0000000+00:00.", finding.Explanation);
        Assert.False(report.Clean);

        // Two deposits and one deposit trigger after both: one is not decided. A later drift trigger of the IRA is decided,
        // so its restrictions change, never decided, is counted now too.
        journal.At = t0.AddMinutes(8);
        journal.Cash("HH1-IRA", new CashMovement("d2", CashKind.Deposit, 2_000m, Day, null));
        journal.At = t0.AddMinutes(9);
        journal.Cash("HH1-IRA", new CashMovement("d3", CashKind.Deposit, 3_000m, Day, null));
        Decided(Event("HH1-IRA", TriggerKind.Cash, ClientEvents.CashSubject(CashKind.Deposit), t0.AddMinutes(9)));
        Decided(new Trigger(TriggerKind.Drift, "HH1-IRA", "US_EQ", 0.08, 0.05, 0.02, 8, t0.AddMinutes(10), t0.AddMinutes(10)));
        report = JournalAudit.Run(journal.Entries, Firm);
        Assert.Equal(7, report.ClientEvents);
        Assert.Equal(3, report.ClientEventsNotDecided!.Count);
        var restrictions = journal.Entries.Single(e => e.Kind == JournalKind.Restriction).IdempotencyKey!;
        Assert.StartsWith("restrictions:", restrictions);
        Assert.Equal(["cash:w1", restrictions, "cash:d3"], report.ClientEventsNotDecided.Findings.Select(f => f.EntryKey));
    }

    [Fact]
    public void A_model_change_an_account_heard_is_a_client_event_its_household_must_decide()
    {
        var journal = TaxAndIra();
        var t0 = journal.At;
        var ira = Account("HH1-IRA", AccountType.Ira);
        Trigger Heard(string model, DateTimeOffset at) => new(TriggerKind.ModelChange, "HH1-IRA", model, 2, 0, 0, 7, at, at);
        void Decided(Trigger t) => journal.Add(ProposalJournal.Trigger("HH1", t, t.DetectedAt.AddSeconds(1)));

        // Version 2 of M60 heard and decided; version 3 heard, then a drift trigger of the same account decided: one defect.
        journal.Add(ClientEvents.ModelChanged(ira, new ModelChangeHeard("M60", 2), t0.AddMinutes(1)));
        Decided(Heard("M60", t0.AddMinutes(1)));
        journal.Add(ClientEvents.ModelChanged(ira, new ModelChangeHeard("M60", 3), t0.AddMinutes(2)));
        var report = JournalAudit.Run(journal.Entries, Firm);
        Assert.Equal((2, 0), (report.ClientEvents, report.ClientEventsNotDecided!.Count));

        Decided(new Trigger(TriggerKind.Drift, "HH1-IRA", "US_EQ", 0.08, 0.05, 0.02, 8, t0.AddMinutes(3), t0.AddMinutes(3)));
        report = JournalAudit.Run(journal.Entries, Firm);
        var finding = Assert.Single(report.ClientEventsNotDecided!.Findings);
        Assert.Equal(("HH1", "HH1-IRA"), (finding.HouseholdId, finding.AccountId));
        Assert.StartsWith("model:", finding.EntryKey);
        Assert.Equal("Model M60 of HH1-IRA changed (version 3) at 2026-03-02T15:02:00.0000000+00:00 never became a decision's cause, though the household "
            + "decided the drift trigger on US_EQ in HH1-IRA detected after it, at 2026-03-02T15:03:00.0000000+00:00.", finding.Explanation);
    }
}
