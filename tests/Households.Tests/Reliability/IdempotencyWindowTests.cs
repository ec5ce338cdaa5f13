using Households.Contracts;
using Households.Domain.Accounts;
using Households.Domain.Lots;
using Households.Domain.Reliability;
using Households.Domain.Tax;
using Xunit;
using static Households.Tests.Cluster.TestFirm;

namespace Households.Tests.Reliability;

/// <summary>The idempotency window on worked dates: which fills' results a write drops, at the boundary, and how a
/// reconciliation leaves the dropped ones out.</summary>
public sealed class IdempotencyWindowTests
{
    private static readonly DateOnly First = new(2026, 1, 5);

    private static TradeResult Fill(string key, DateOnly date) =>
        new(key, "IA1", new TradeRequest(key, date, "XYZ", TradeSide.Buy, 1, 100m, null, null, 0m), null, [], 0m, false, [], []);

    /// <summary>Sixty daily fills, k00 on 5 January 2026 to k59 on 5 March 2026.</summary>
    private static Dictionary<string, TradeResult> Daily() =>
        Enumerable.Range(0, 60).ToDictionary(i => $"k{i:D2}", i => Fill($"k{i:D2}", First.AddDays(i)), StringComparer.Ordinal);

    [Fact]
    public void A_31_day_window_after_a_fill_on_5_March_keeps_the_fills_from_2_February_on()
    {
        var window = new IdempotencyWindow(31);
        // 5 March 2026 less 31 days: 2 February (February 2026 has 28 days).
        var since = window.KeptSince(new DateOnly(2026, 3, 5));
        Assert.Equal(new DateOnly(2026, 2, 2), since);

        var records = Daily();
        var dropped = IdempotencyWindow.Prune(records, since);
        // k00 (5 January) to k27 (1 February) go: 28 records; k28 (2 February, the boundary itself) to k59 stay: 32.
        Assert.Equal(Enumerable.Range(0, 28).Select(i => $"k{i:D2}"), dropped.Select(d => d.Key));
        Assert.Equal(32, records.Count);
        Assert.Equal(new DateOnly(2026, 2, 1), dropped[^1].Value.Request.TradeDate);
        Assert.Equal(new DateOnly(2026, 2, 2), records["k28"].Request.TradeDate);
        Assert.DoesNotContain("k27", records.Keys);
        // A trade dated on the boundary is inside the window, one a day earlier is not.
        Assert.False(IdempotencyWindow.Expired(new DateOnly(2026, 2, 2), since));
        Assert.True(IdempotencyWindow.Expired(new DateOnly(2026, 2, 1), since));
        // Nothing dropped yet: nothing has expired.
        Assert.False(IdempotencyWindow.Expired(new DateOnly(2000, 1, 1), null));
        // Pruning again with the same date drops nothing more.
        Assert.Empty(IdempotencyWindow.Prune(records, since));
    }

    [Fact]
    public void Keeping_a_movement_drops_those_older_than_a_month_of_its_date_but_not_a_waiting_withdrawal_nor_an_undated_record_and_undo_restores_them()
    {
        var window = new IdempotencyWindow(31);
        static CashMovement Deposit(string key, DateOnly date) => new(key, CashKind.Deposit, 10m, date, null);
        // c00 (5 January) to c39 (13 February) kept, w00 a withdrawal of 5 January still waiting.
        var records = Enumerable.Range(0, 40).ToDictionary(i => $"c{i:D2}", i => Deposit($"c{i:D2}", First.AddDays(i)), StringComparer.Ordinal);
        records["w00"] = new CashMovement("w00", CashKind.Withdrawal, 1_000m, First, null);
        var waiting = new HashSet<string>(["w00"], StringComparer.Ordinal);

        // A deposit of 10 March: kept from 7 February (10 March less 31 days), c33 on; a late one of 1 February is added.
        var (since, undo) = window.Keep(records, [new("c60", Deposit("c60", new DateOnly(2026, 3, 10))), new("late", Deposit("late", new DateOnly(2026, 2, 1)))],
            m => m.Date, new DateOnly(2026, 1, 12), waiting.Contains);
        Assert.Equal(new DateOnly(2026, 2, 7), since);
        Assert.Equal([.. Enumerable.Range(33, 7).Select(i => $"c{i:D2}"), "c60", "late", "w00"], records.Keys.Order(StringComparer.Ordinal));
        // The write failed: everything as before.
        undo();
        Assert.Equal(41, records.Count);
        Assert.Equal([.. Enumerable.Range(0, 40).Select(i => $"c{i:D2}"), "w00"], records.Keys.Order(StringComparer.Ordinal));

        // A record stored without a date is never dropped; a stored first date later than the new one stays.
        var effects = new Dictionary<string, DateOnly?>(StringComparer.Ordinal) { ["old"] = null, ["jan"] = First };
        var (kept, _) = window.Keep(effects, [new("mar", new DateOnly(2026, 3, 10))], d => d, new DateOnly(2026, 2, 20));
        Assert.Equal(new DateOnly(2026, 2, 20), kept);
        Assert.Equal(["mar", "old"], effects.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_first_kept_date_never_moves_back_and_the_window_is_at_least_a_day()
    {
        var window = new IdempotencyWindow(31);
        var stored = new DateOnly(2026, 2, 2);
        // A fill dated 10 February would keep from 10 January, but 2 February is stored: it stays.
        Assert.Equal(stored, window.KeptSince(new DateOnly(2026, 2, 10), stored));
        // A fill dated 10 March moves it on to 7 February.
        Assert.Equal(new DateOnly(2026, 2, 7), window.KeptSince(new DateOnly(2026, 3, 10), stored));
        // A one-day window keeps the latest date and the day before.
        Assert.Equal(new DateOnly(2026, 3, 9), new IdempotencyWindow(1).KeptSince(new DateOnly(2026, 3, 10)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new IdempotencyWindow(0));
        Assert.Equal(31, IdempotencyWindow.Default.Days);
    }

    [Fact]
    public void Reconciliation_leaves_out_journaled_fills_dated_before_what_the_account_keeps_and_reports_the_rest()
    {
        var spec = Account("IA1", "IH", AccountType.Taxable, null);
        var opening = new AccountOpening(spec, 10_000m, [Lot("L1", "XYZ", 10, 50m, new DateOnly(2025, 1, 2))]);
        var book = new AccountBook(spec, opening.Cash, opening.Lots.Select(l => new LotPiece(l, l.Id)));
        // Buys of 1 XYZ at 100 on 5 January, 1 February and 2 February.
        var fills = new[] { ("k1", new DateOnly(2026, 1, 5)), ("k2", new DateOnly(2026, 2, 1)), ("k3", new DateOnly(2026, 2, 2)) }
            .Select(f => book.Apply(new TradeRequest(f.Item1, f.Item2, "XYZ", TradeSide.Buy, 1, 100m, null, null, 0m))).ToList();
        var at = new DateTimeOffset(2026, 3, 5, 15, 0, 0, TimeSpan.Zero);
        long id = 0;
        var journal = new List<JournalEntry> { new(++id, "IH", "IA1", JournalKind.AccountOpened, at, "opened:IA1", "", JournalFormat.Payload(opening)) };
        journal.AddRange(fills.Select(f => new JournalEntry(++id, "IH", "IA1", JournalKind.Fill, at, TradeJournal.FillKeyPrefix + f.IdempotencyKey, "",
            JournalFormat.Payload(f))));
        var replayed = JournalReplay.Replay(journal).Accounts["IA1"];
        Assert.Equal(new DateOnly(2026, 2, 1), replayed.TradeDates!["k2"]);
        // 10,000 less three buys of 100.
        Assert.Equal(9_700m, replayed.Cash);
        var lots = book.Lots.Snapshot();
        var keptSince = new DateOnly(2026, 2, 2);

        // The live account keeps k3 only (from 2 February): no difference.
        Assert.Empty(Reconciliation.CompareAccount(replayed, "IA1", 9_700m, lots, null, ["k3"], keptSince));
        // Without the date, k1 and k2 are missing from the live books.
        Assert.Equal(["trade k1", "trade k2"], Reconciliation.CompareAccount(replayed, "IA1", 9_700m, lots, null, ["k3"]).Select(d => d.What));
        // A kept fill missing, and a live key the journal lacks, are still reported.
        Assert.Equal(["trade k3", "trade k4"], Reconciliation.CompareAccount(replayed, "IA1", 9_700m, lots, null, ["k4"], keptSince).Select(d => d.What));
    }
}
