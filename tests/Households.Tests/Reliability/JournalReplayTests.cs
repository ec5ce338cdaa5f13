using Households.Contracts;
using Households.Domain.Accounts;
using Households.Domain.Reliability;
using Households.Domain.Tax;
using Xunit;
using static Households.Tests.Cluster.TestFirm;

namespace Households.Tests.Reliability;

/// <summary>Journal replay on worked numbers: the books rebuilt from the journal alone, and every kind of difference
/// between them and live books reported.</summary>
public sealed class JournalReplayTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 2, 15, 0, 0, TimeSpan.Zero);
    private static readonly AccountSpec Spec = Account("JA1", "JH", AccountType.Taxable, null) with { DefaultRelief = LotRelief.Fifo };
    private long _id;

    private JournalEntry Entry(JournalKind kind, string? account, string key, string payload) => new(++_id, "JH", account, kind, At, key, kind.ToString(), payload);

    /// <summary>Opening 10,000 cash and 100 XYZ (basis 5,000); buy 10 XYZ at 50 + 1 commission; sell 50 XYZ FIFO at 60
    /// less 1; deposit 500; withdraw 200 (requested, then paid); withdraw 300 (requested, not paid); one proposal
    /// made then executed, another pending.</summary>
    private (List<JournalEntry> Journal, AccountBook Live, TradeResult Sell) Scenario()
    {
        var opening = new AccountOpening(Spec, 10_000m, [Lot("L1", "XYZ", 100, 50m, new DateOnly(2025, 1, 2))]);
        var book = new AccountBook(Spec, opening.Cash, opening.Lots.Select(l => new LotPiece(l, l.Id)));
        var buy = book.Apply(new TradeRequest("k1", new DateOnly(2026, 3, 2), "XYZ", TradeSide.Buy, 10, 50m, null, null, 1m));
        var sell = book.Apply(new TradeRequest("k2", new DateOnly(2026, 3, 2), "XYZ", TradeSide.Sell, 50, 60m, null, null, 1m));
        var deposit = new CashMovement("d1", CashKind.Deposit, 500m, new DateOnly(2026, 3, 2), null);
        var paid = new CashMovement("w1", CashKind.Withdrawal, 200m, new DateOnly(2026, 3, 2), null);
        var open = new CashMovement("w2", CashKind.Withdrawal, 300m, new DateOnly(2026, 3, 2), null);
        var proposal = new RebalanceProposal("JH-P00001", "JH", ProposalStatus.Pending, At, At.AddDays(1), [], [], 0.02, 0.01, 0, 0, 1, null, null, [], null);
        var journal = new List<JournalEntry>
        {
            Entry(JournalKind.AccountOpened, "JA1", "opened:JA1", JournalFormat.Payload(opening)),
            Entry(JournalKind.Fill, "JA1", "fill:k1", JournalFormat.Payload(buy)),
            Entry(JournalKind.Trigger, "JA1", "trigger:x", "{}"),
            Entry(JournalKind.Fill, "JA1", "fill:k2", JournalFormat.Payload(sell)),
            Entry(JournalKind.Cash, "JA1", "cash:d1", JournalFormat.Payload(deposit)),
            Entry(JournalKind.Cash, "JA1", "cash:w1", JournalFormat.Payload(paid)),
            Entry(JournalKind.Cash, "JA1", "paid:w1", JournalFormat.Payload(paid)),
            Entry(JournalKind.Cash, "JA1", "cash:w2", JournalFormat.Payload(open)),
            Entry(JournalKind.Proposal, null, "Proposal:P1:Pending", JournalFormat.Payload(proposal)),
            Entry(JournalKind.Approval, null, "Approval:P1:Pending", JournalFormat.Payload(proposal with { Note = "approved" })),
            Entry(JournalKind.Proposal, null, "Proposal:P1:Executed", JournalFormat.Payload(proposal with { Status = ProposalStatus.Executed })),
            Entry(JournalKind.Proposal, null, "Proposal:P2:Pending", JournalFormat.Payload(proposal with { Id = "JH-P00002" })),
        };
        return (journal, book, sell);
    }

    [Fact]
    public void Replay_rebuilds_cash_lots_withdrawals_and_proposals_on_worked_numbers()
    {
        var (journal, live, _) = Scenario();
        // Shuffled input: the replay orders by entry id.
        var replay = JournalReplay.Replay(journal.AsEnumerable().Reverse());
        Assert.Empty(replay.Problems);
        var a = replay.Accounts["JA1"];
        // 10,000 - 501 + (3,000 - 1) + 500 - 200.
        Assert.Equal(12_798m, a.Cash);
        Assert.Equal(300m, Assert.Single(a.PendingWithdrawals).Value);
        Assert.Equal(["k1", "k2"], a.TradeKeys.Order());
        // FIFO: the sale took 50 of L1 (basis 2,500); 50 remain at 2,500; the buy's lot T-k1 holds 10 at 501.
        Assert.Collection(a.Lots,
            l => { Assert.Equal("L1", l.Lot.Id); Assert.Equal(50m, l.Lot.Quantity); Assert.Equal(2_500m, l.Lot.Basis); },
            l => { Assert.Equal("T-k1", l.Lot.Id); Assert.Equal(10m, l.Lot.Quantity); Assert.Equal(501m, l.Lot.Basis); });
        Assert.Equal(live.Lots.Snapshot(), a.Lots);
        Assert.Equal(ProposalStatus.Executed, replay.Households["JH"].Proposals["JH-P00001"]);
        Assert.Equal(ProposalStatus.Pending, replay.Households["JH"].Proposals["JH-P00002"]);
        // Live books that match (cash after the deposit and the paid withdrawal) reconcile with no difference.
        Assert.Empty(Reconciliation.CompareAccount(a, "JA1", live.Cash + 500m - 200m, [.. live.Lots.Snapshot()],
            new Dictionary<string, decimal> { ["w2"] = 300m }, ["k1", "k2"]));
    }

    [Fact]
    public void Every_kind_of_disagreement_is_reported()
    {
        var (journal, live, _) = Scenario();
        var a = JournalReplay.Replay(journal).Accounts["JA1"];
        var lots = live.Lots.Snapshot().ToList();
        lots[0] = lots[0] with { Lot = lots[0].Lot with { Basis = 2_499m } };
        lots.RemoveAt(1);
        lots.Add(new LotPiece(Lot("X9", "XYZ", 1, 1m, new DateOnly(2026, 1, 1)), "X9"));
        var diffs = Reconciliation.CompareAccount(a, "JA1", 12_000m, lots, new Dictionary<string, decimal>(), ["k1", "k3"]);
        Assert.Equal(["cash", "lot L1", "lot T-k1", "lot X9", "pending withdrawal w2", "trade k2", "trade k3"], diffs.Select(d => d.What));
        Assert.Equal("12798", diffs[0].Journal);
        Assert.Equal("12000", diffs[0].Live);

        var proposals = JournalReplay.Replay(journal).Households["JH"];
        var liveProposals = new[] { new RebalanceProposal("JH-P00001", "JH", ProposalStatus.Pending, At, At, [], [], 0, 0, 0, 0, 1, null, null, [], null) };
        var p = Reconciliation.CompareProposals(proposals, "JH", liveProposals);
        Assert.Equal(["proposal JH-P00001: journal Executed, live Pending", "proposal JH-P00002: journal Pending, live absent"],
            p.Select(d => $"{d.What}: journal {d.Journal}, live {d.Live}"));
    }

    [Fact]
    public void A_fill_journaled_twice_or_without_an_opening_is_a_problem()
    {
        var (journal, _, sell) = Scenario();
        journal.Add(Entry(JournalKind.Fill, "JA1", "fill:k2-again", JournalFormat.Payload(sell)));
        journal.Add(Entry(JournalKind.Fill, "ZZ", "fill:z", JournalFormat.Payload(sell with { AccountId = "ZZ" })));
        var replay = JournalReplay.Replay(journal);
        Assert.Equal(2, replay.Problems.Count);
        Assert.Contains("trade k2 in JA1 journaled twice", replay.Problems[0]);
        Assert.Contains("account ZZ has no opening entry", replay.Problems[1]);
    }

    [Fact]
    public void Wash_sale_adjustments_replay_onto_the_replacement_lot()
    {
        var opening = new AccountOpening(Spec, 0m, [Lot("R1", "XYZ", 30, 10m, new DateOnly(2026, 2, 1))]);
        var adjustment = new WashSaleAdjustment(1, "JA0", new DateOnly(2026, 2, 10), "S1", "JA1", "R1", 10, 40m, new DateOnly(2025, 6, 1), false, "R1.2");
        var journal = new List<JournalEntry>
        {
            Entry(JournalKind.AccountOpened, "JA1", "opened:JA1", JournalFormat.Payload(opening)),
            Entry(JournalKind.WashSale, "JA1", "refused:R1:20260210", "{}"),
            Entry(JournalKind.WashSale, "JA1", "wash:JA0:s:0", JournalFormat.Payload(adjustment)),
        };
        var a = JournalReplay.Replay(journal).Accounts["JA1"];
        // 10 matched shares: basis 100 + 40 disallowed, holding period tacked; the other 20 become R1.2 at 200.
        Assert.Collection(a.Lots,
            l => Assert.Equal(new TaxLot("R1", "XYZ", 10, 140m, new DateOnly(2026, 2, 1), new DateOnly(2025, 6, 1)), l.Lot),
            l => Assert.Equal(new LotPiece(new TaxLot("R1.2", "XYZ", 20, 200m, new DateOnly(2026, 2, 1), new DateOnly(2026, 2, 1)), "R1"), l));
    }
}
