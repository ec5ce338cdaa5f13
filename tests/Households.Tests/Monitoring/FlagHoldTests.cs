using Households.Grains.Silo;
using Households.Contracts;
using Households.Domain.Monitoring;
using Xunit;

namespace Households.Tests.Monitoring;

/// <summary>The monitor's hold on reported flags: a lot hovering at its harvest threshold is reported once per
/// cooldown, not once per batch; a new condition is reported at once; the hold is the cooldown plus a minute.</summary>
public sealed class FlagHoldTests
{
    private static readonly DateOnly Day = new(2025, 1, 2);
    private static readonly DateTimeOffset Start = new(2026, 11, 24, 14, 0, 30, TimeSpan.Zero);

    private sealed class Clock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now = now;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static (MonitorEntry<string> Entry, SecurityIndex Index) Account()
    {
        var index = new SecurityIndex();
        Security Fund(string symbol) => new(symbol, symbol, "US Equity", "Diversified", null, SecurityKind.EquityFund);
        var securities = new Dictionary<string, Security> { ["EQ"] = Fund("EQ"), ["EQ2"] = Fund("EQ2") };
        // Harvest at 5% and $250 with no cost: EQ (60 sh, basis $6,000) qualifies at $95.00 or below, EQ2 likewise.
        var s = AccountSnapshot.Build("A", 1000m, [new TaxLot("A-L1", "EQ", 60, 6000, Day, Day), new TaxLot("A-L2", "EQ2", 60, 6000, Day, Day)],
            null, new HarvestPolicy(true, 0.05m, 250m, 0m), securities.GetValueOrDefault, index);
        return (new MonitorEntry<string>("A", s), index);
    }

    private static List<Trigger> Scan(MonitorEntry<string> entry, SecurityIndex index, Clock clock, FlagHold hold, double eq, double eq2 = 100)
    {
        var prices = new double[index.Count];
        prices[index.OrdinalOf("EQ")] = eq;
        prices[index.OrdinalOf("EQ2")] = eq2;
        var seen = new List<Trigger>();
        MonitorScan.Run<string>(new[] { entry }, new PriceVector(1, clock.Now, prices, []), clock, new ScanScratch(), (_, t) => seen.AddRange(t), hold);
        return seen;
    }

    [Fact]
    public void Hold_is_one_minute_longer_than_the_cooldown_and_capped_by_the_tag_range()
    {
        Assert.Equal(31, FlagHold.After(TimeSpan.FromMinutes(30)).Minutes);
        Assert.Equal(2, FlagHold.After(TimeSpan.FromSeconds(10)).Minutes);
        Assert.Equal(0, FlagHold.After(TimeSpan.Zero).Minutes);
        Assert.Equal(254, FlagHold.After(TimeSpan.FromDays(1)).Minutes);
        // Tags wrap every 255 minutes and are never 0 (0 means down).
        Assert.Equal(FlagHold.Tag(Start), FlagHold.Tag(Start.AddMinutes(255)));
        Assert.NotEqual(0, FlagHold.Tag(DateTimeOffset.UnixEpoch));
        Assert.True(new FlagHold(31).Releases(FlagHold.Tag(Start), FlagHold.Tag(Start.AddMinutes(31))));
        Assert.False(new FlagHold(31).Releases(FlagHold.Tag(Start), FlagHold.Tag(Start.AddMinutes(30))));
    }

    [Fact]
    public void A_lot_hovering_at_its_threshold_is_reported_once_per_hold()
    {
        var (entry, index) = Account();
        var clock = new Clock(Start);
        var hold = FlagHold.After(TimeSpan.FromMinutes(30));

        Assert.Empty(Scan(entry, index, clock, hold, 100)); // settles: nothing harvestable
        var first = Assert.Single(Scan(entry, index, clock, hold, 94.9));
        Assert.Equal(TriggerKind.Harvest, first.Kind);
        Assert.Equal(60 * (100 - 94.9), first.Observed, 9);
        // It flaps for 30 minutes, a batch every 10 s: no notice (the account's 30-minute cooldown would drop them).
        for (var k = 1; k <= 180; k++)
        {
            clock.Now = Start.AddSeconds(10 * k);
            Assert.Empty(Scan(entry, index, clock, hold, k % 2 == 0 ? 94.9 : 95.1));
        }
        // A different lot crossing meanwhile is reported at once.
        var other = Assert.Single(Scan(entry, index, clock, hold, 95.1, 94));
        Assert.Equal("EQ2", other.Subject);
        // 31 minutes after the rise the lapsed flag comes down; the next rise is reported again.
        clock.Now = Start.AddMinutes(31);
        Assert.Empty(Scan(entry, index, clock, hold, 95.1, 94));
        clock.Now = Start.AddMinutes(31).AddSeconds(10);
        Assert.Equal("EQ", Assert.Single(Scan(entry, index, clock, hold, 94.9, 94)).Subject);
    }

    [Fact]
    public void Without_a_hold_every_rise_is_reported()
    {
        var (entry, index) = Account();
        var clock = new Clock(Start);
        Scan(entry, index, clock, FlagHold.None, 100);
        var notices = 0;
        for (var k = 0; k < 10; k++) notices += Scan(entry, index, clock, FlagHold.None, k % 2 == 0 ? 94.9 : 95.1).Count;
        Assert.Equal(5, notices);
    }

    [Fact]
    public void A_held_flag_that_holds_again_does_not_count_as_a_new_crossing_but_the_tallies_are_current()
    {
        var (entry, index) = Account();
        var clock = new Clock(Start);
        var hold = new FlagHold(5);
        Scan(entry, index, clock, hold, 100);
        Assert.Single(Scan(entry, index, clock, hold, 90));
        var prices = new double[index.Count];
        prices[index.OrdinalOf("EQ")] = 96;
        prices[index.OrdinalOf("EQ2")] = 100;
        // The condition lapsed (held): the tally says no account is harvestable now.
        var counts = MonitorScan.Run<string>(new[] { entry }, new PriceVector(2, clock.Now, prices, []), clock, new ScanScratch(), (_, _) => { }, hold);
        Assert.Equal(0, counts.AccountsHarvestable);
        Assert.Equal(0, counts.Triggers);
    }
}

/// <summary>The firm-wide budget as the monitor applies it (<see cref="NoticePacing"/>): a notice of market triggers goes
/// with a token, one with a cash trigger always goes, and a held notice is reported again at the budget's pace.</summary>
public sealed class NoticePacingTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 7, 15, 0, 0, TimeSpan.Zero);

    private static Trigger Of(TriggerKind kind) => new(kind, "A", "EQ", 0, 0, 0, 1, Start, Start);

    [Fact]
    public void Held_notices_queue_behind_each_other_at_the_budgets_rate_from_a_minute_on()
    {
        // 2 a second, a burst of 3.
        var pacing = new NoticePacing(2, 3, Start);
        Trigger[] drift = [Of(TriggerKind.Drift)];
        for (var i = 0; i < 3; i++) Assert.True(pacing.TrySend(drift, Start, out _));
        // The bucket is empty: the next three wait, a minute out and then half a second apart (the budget's rate).
        var retries = new List<DateTimeOffset>();
        for (var i = 0; i < 3; i++)
        {
            Assert.False(pacing.TrySend([Of(TriggerKind.Harvest)], Start, out var at));
            retries.Add(at);
        }
        Assert.Equal([Start.AddSeconds(60), Start.AddSeconds(60.5), Start.AddSeconds(61)], retries);
        Assert.Equal(3, pacing.Held);
        // A cash trigger is an event: its notice goes whatever the budget says, and takes no token.
        Assert.True(pacing.TrySend([Of(TriggerKind.Drift), Of(TriggerKind.Cash)], Start, out _));
        // Half a second later one token is back.
        Assert.True(pacing.TrySend(drift, Start.AddSeconds(0.5), out _));
        Assert.False(pacing.TrySend(drift, Start.AddSeconds(0.5), out var next));
        Assert.Equal(Start.AddSeconds(61.5), next); // behind the queue, not a minute from now
        // A silo with as many households deciding as it allows holds a market notice without spending a token; an
        // event still goes.
        // It is reported again 2 s on, and the next held that way behind it at the budget's pace.
        var saturated = new NoticePacing(2, 1, Start, maxDeciding: 50);
        for (var i = 0; i < 50; i++) saturated.Begin();
        Assert.False(saturated.TrySend(drift, Start, out var backedOff));
        Assert.Equal(Start.AddSeconds(2), backedOff);
        Assert.False(saturated.TrySend(drift, Start, out var nextOff));
        Assert.Equal(Start.AddSeconds(2.5), nextOff); // the budget's own 2 a second
        Assert.True(saturated.TrySend([Of(TriggerKind.Cash)], Start, out _));
        saturated.End();
        Assert.True(saturated.TrySend(drift, Start, out _)); // the token was kept for this one
        // Long after the queue drained (the burst is back), a held notice waits the first minute again.
        var later = Start.AddHours(1);
        for (var i = 0; i < 3; i++) Assert.True(pacing.TrySend(drift, later, out _));
        Assert.False(pacing.TrySend(drift, later, out var again));
        Assert.Equal(later.AddMinutes(1), again);
    }

    [Fact]
    public void The_silo_is_saturated_by_households_deciding_and_by_notices_sent_whose_households_have_not_counted_yet()
    {
        // A budget that never runs out: only the silo's saturation holds notices here.
        var pacing = new NoticePacing(1000, 1000, Start, maxDeciding: 3);
        Trigger[] drift = [Of(TriggerKind.Drift)];
        Assert.True(pacing.TrySend(drift, Start, out _));
        Assert.True(pacing.TrySend(drift, Start.AddSeconds(1), out _));
        pacing.Begin();
        Assert.False(pacing.TrySend(drift, Start.AddSeconds(1), out _)); // 1 deciding + 2 notices on their way
        // The first notice's window passed (its household counts itself by now, or it was refused): room for one more.
        Assert.True(pacing.TrySend(drift, Start.AddSeconds(5), out _));
        Assert.False(pacing.TrySend(drift, Start.AddSeconds(5.5), out _)); // 1 deciding + the notices of 1 s and 5 s
        // The notice of 1 s reached its household (which counts itself already): it no longer counts, so one more goes.
        pacing.Arrived();
        Assert.True(pacing.TrySend(drift, Start.AddSeconds(5.5), out _)); // 1 deciding + the notices of 5 s and 5.5 s
        Assert.False(pacing.TrySend(drift, Start.AddSeconds(5.5), out _));
        pacing.End();
        Assert.Equal(0, pacing.Deciding);
        // Arrivals without a notice on its way (a cash notice, or after the window) count nothing below zero.
        for (var i = 0; i < 5; i++) pacing.Arrived();
        Assert.True(pacing.TrySend(drift, Start.AddSeconds(5.5), out _));
        Assert.True(pacing.TrySend(drift, Start.AddSeconds(5.5), out _));
        Assert.True(pacing.TrySend(drift, Start.AddSeconds(5.5), out _));
        Assert.False(pacing.TrySend(drift, Start.AddSeconds(5.5), out _));
        var unlimited = new NoticePacing(1000, 1000, Start);
        for (var i = 0; i < 10; i++) Assert.True(unlimited.TrySend(drift, Start, out _));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_held_notice_is_reported_again_when_its_time_comes_if_the_condition_still_holds(bool incremental)
    {
        var index = new SecurityIndex();
        var day = new DateOnly(2025, 1, 2);
        // 100 sh at $100 basis, harvestable at 5% / $250 with no cost: at $95 or below.
        var entry = new MonitorEntry<string>("A", AccountSnapshot.Build("A", 0m, [new TaxLot("A-L1", "EQ", 100, 10_000, day, day)], null,
            new HarvestPolicy(true, 0.05m, 250m, 0m), _ => null, index));
        var reminder = TimeSpan.FromDays(1);
        var hold = FlagHold.After(TimeSpan.FromMinutes(30));
        var scan = incremental ? new IncrementalScan() : null;
        var sent = new List<DateTimeOffset>();
        var holdNext = true;
        var clock = new Clock(Start);
        void Batch(long sequence, double price)
        {
            var prices = new double[index.Count];
            prices[index.OrdinalOf("EQ")] = price;
            MonitorScan.Run<string>(new[] { entry }, new PriceVector(sequence, clock.Now, prices, []), clock, new ScanScratch(), (e, _) =>
            {
                // The first report is held back by the budget, to be reported again 90 s later.
                if (holdNext) { holdNext = false; e.ReportAgainAt(clock.Now.AddSeconds(90), reminder); }
                else sent.Add(clock.Now);
            }, hold, reminder, scan);
        }

        Batch(1, 90); // the loss rises: reported, held back
        for (var k = 1; k <= 8; k++) { clock.Now = Start.AddSeconds(10 * k); Batch(1 + k, 90); }
        Assert.Empty(sent); // a standing condition is not a new crossing
        clock.Now = Start.AddSeconds(90);
        Batch(20, 90);
        Assert.Equal([Start.AddSeconds(90)], sent);
        // Sent now: the next reminder is a day away, not at every batch.
        clock.Now = Start.AddSeconds(100);
        Batch(21, 90);
        Assert.Single(sent);
    }

    private sealed class Clock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now = now;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void While_the_silo_takes_over_a_dead_silos_share_market_notices_wait_two_seconds_and_events_go()
    {
        var pacing = new NoticePacing(100, 100, Start, maxDeciding: 64);
        Trigger[] drift = [Of(TriggerKind.Drift)];
        pacing.Yield();
        Assert.False(pacing.TrySend(drift, Start, out var retry));
        Assert.Equal(Start + NoticePacing.FirstRetrySaturated, retry);
        Assert.True(pacing.TrySend([Of(TriggerKind.Cash)], Start, out _));
        pacing.Resume();
        Assert.False(pacing.Yielding);
        Assert.True(pacing.TrySend(drift, Start.AddSeconds(3), out _));
    }
}

/// <summary>A batch that arrives during a scan is taken up by the chunks that start after it.</summary>
public sealed class RollingScanTests
{
    [Fact]
    public void Chunks_after_a_new_batch_use_it_and_the_scan_reports_the_oldest_batch_it_used()
    {
        var index = new SecurityIndex();
        var day = new DateOnly(2025, 1, 2);
        // 5,000 one-lot accounts: 100 sh at $100 basis; harvestable at 5% / $250 with no cost, i.e. at $95 or below.
        var entries = Enumerable.Range(0, 5000).Select(i => new MonitorEntry<int>(i, AccountSnapshot.Build($"A{i}", 0m,
            [new TaxLot($"A{i}-L1", "EQ", 100, 10_000, day, day)], null, new HarvestPolicy(true, 0.05m, 250m, 0m), _ => null, index))).ToArray();
        PriceVector At(long sequence, double price) { var p = new double[index.Count]; p[index.OrdinalOf("EQ")] = price; return new(sequence, DateTimeOffset.UnixEpoch, p, []); }
        var scratches = new[] { new ScanScratch(), new ScanScratch() };
        ParallelScan.RunParallel<int>(entries, entries.Length, At(1, 100), TimeProvider.System, scratches, (_, _) => { });

        var calls = 0;
        var bySequence = new System.Collections.Concurrent.ConcurrentDictionary<long, int>();
        var counts = ParallelScan.RunRolling<int>(entries, entries.Length, () => Interlocked.Increment(ref calls) == 1 ? At(2, 94) : At(3, 90),
            TimeProvider.System, scratches, (_, found) => bySequence.AddOrUpdate(found[0].BatchSequence, 1, (_, n) => n + 1), FlagHold.None, out var oldest, chunk: 1000);

        Assert.Equal(5000, counts.AccountsTriggered);
        Assert.Equal(2, oldest.Sequence);
        Assert.Equal(1000, bySequence[2]); // the first chunk, started before batch 3 arrived
        Assert.Equal(4000, bySequence[3]);
    }
}
