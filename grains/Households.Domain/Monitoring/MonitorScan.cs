using System.Buffers;
using System.Numerics;
using Households.Contracts;

namespace Households.Domain.Monitoring;

/// <summary>How long the monitor keeps a reported flag up after its condition lapsed, so a price hovering at a
/// threshold does not send a notice every batch that the account's cooldown (per kind and subject, 30 minutes by
/// default) would only drop. A flag is stored as the minute-tag of when it went up (1..255, wrapping); it comes
/// down once the condition lapsed and the hold has passed, and a later rise is reported again. The hold is one
/// minute longer than the cooldown (tags have minute resolution), so a rise after it always finds the account
/// ready; <see cref="None"/> lowers a flag as soon as its condition lapses.</summary>
public readonly record struct FlagHold(int Minutes)
{
    /// <summary>Set when the clock moved by at least the hold since the previous scan (a paced clock jumps hours between
    /// batches; minute tags wrap every 255 minutes): every flag raised before this scan may come down.</summary>
    public bool ReleaseAll { get; init; }

    public const int MaxMinutes = 254;
    public static FlagHold None => default;

    public static FlagHold After(TimeSpan cooldown) =>
        cooldown <= TimeSpan.Zero ? None : new((int)Math.Min(MaxMinutes, Math.Ceiling(cooldown.TotalMinutes) + 1));

    /// <summary>The tag of the minute <paramref name="now"/> falls in: never 0 (0 means down).</summary>
    public static byte Tag(DateTimeOffset now) => (byte)(now.ToUnixTimeSeconds() / 60 % 255 + 1);

    /// <summary>True when a flag tagged <paramref name="raised"/> may come down at tag <paramref name="current"/>.</summary>
    public bool Releases(byte raised, byte current) => ReleaseAll || (current - raised + 255) % 255 >= Minutes;
}

/// <summary>One watched account: its current snapshot (swapped by the account) and the flags the last scan
/// saw, so only crossings (in band → out of band, no harvest → harvest) produce triggers.</summary>
public sealed class MonitorEntry<TTarget>(TTarget target, AccountSnapshot snapshot)
{
    private AccountSnapshot _snapshot = snapshot;
    private AccountSnapshot? _flagsFor;

    public TTarget Target { get; } = target;
    public int Slot { get; set; } = -1;
    internal byte[] Flags = [];
    /// <summary>When the scan last reported this account (UTC ticks; 0 never): a condition that still holds a reminder
    /// interval later is reported again.</summary>
    internal long LastReportTicks;

    // The incremental scan's memory of the last evaluation (PriceSlack): the snapshot and batch (epoch slot and sequence)
    // it was made at, its slack, when a reminder or a held flag's release falls due (UTC ticks), what it found (for the
    // tally), and the snapshot whose holdings the scan's market value counts.
    internal AccountSnapshot? SlackFor;
    internal int Epoch;
    internal long EpochSequence;
    internal double Slack;
    internal PriceBand[]? Tight;
    internal AccountSnapshot? Tallied;
    internal long DueTicks;
    internal bool LineUp, LotUp;

    public AccountSnapshot Snapshot => Volatile.Read(ref _snapshot);

    public void Update(AccountSnapshot snapshot) => Volatile.Write(ref _snapshot, snapshot);

    /// <summary>A notice just reported was not sent (the firm's budget held it back): the scan reports the account's
    /// standing conditions again at <paramref name="at"/>, as a reminder, if they still hold then. Called from the scan's
    /// notice callback, before the scan remembers when the entry falls due; needs a <paramref name="reminder"/>.</summary>
    public void ReportAgainAt(DateTimeOffset at, TimeSpan reminder) => LastReportTicks = at.UtcTicks - reminder.Ticks;

    /// <summary>Takes over the flags and last report of the entry this one replaces (an account whose grain woke up and
    /// registered the snapshot it built, over the one watched from its books) when both snapshots measure the same books: a
    /// condition already reported is not reported again just because the account activated. Different books start clean,
    /// as a trade does. True when the flags were taken.</summary>
    public bool CarryFlagsFrom(MonitorEntry<TTarget> previous)
    {
        var before = previous.Snapshot;
        var flags = previous.Flags;
        if (!ReferenceEquals(previous._flagsFor, before) || !before.MeasuresSameAs(Snapshot)) return false;
        Flags = (byte[])flags.Clone();
        _flagsFor = Snapshot;
        LastReportTicks = previous.LastReportTicks;
        return true;
    }

    /// <summary>The last flags for this snapshot (0 down, else the <see cref="FlagHold.Tag"/> of the minute it went
    /// up); a new snapshot starts clean, so a condition that still holds after the account acted is reported again.</summary>
    internal byte[] FlagsFor(AccountSnapshot s)
    {
        if (!ReferenceEquals(_flagsFor, s))
        {
            Flags = new byte[s.LineCount + s.LotCount];
            _flagsFor = s;
        }
        return Flags;
    }
}

/// <summary>Scratch buffers for one scanning thread, grown to the largest account seen.</summary>
public sealed class ScanScratch
{
    public double[] Weights = new double[64];
    public byte[] Flags = new byte[256];
    /// <summary>All down: the "before" of a reminder, so every condition that holds is reported.</summary>
    public byte[] Down = new byte[256];

    public void Ensure(AccountSnapshot s)
    {
        if (Weights.Length < s.LineCount) Weights = new double[s.LineCount * 2];
        if (Flags.Length < s.LineCount + s.LotCount)
        {
            Flags = new byte[(s.LineCount + s.LotCount) * 2];
            Down = new byte[Flags.Length];
        }
    }
}

/// <summary>What one scan saw. The next three are the firm summary's tally, taken in the same pass: the accounts'
/// value at the batch's prices, and how many are out of tolerance on some line or hold a harvestable lot now.
/// <see cref="Positions"/>, <see cref="Lots"/> and <see cref="AccountsEvaluated"/> count what was evaluated: all of it in
/// the full scan, the accounts not skipped in the incremental one.</summary>
public readonly record struct ScanCounts(int Accounts, long Positions, long Lots, int AccountsTriggered, int Triggers,
    double MarketValue = 0, int AccountsOutOfTolerance = 0, int AccountsHarvestable = 0, int AccountsEvaluated = 0)
{
    /// <summary>The counts of two parts of one scan (parallel workers, chunks).</summary>
    public ScanCounts Plus(ScanCounts other) => new(Accounts + other.Accounts, Positions + other.Positions, Lots + other.Lots,
        AccountsTriggered + other.AccountsTriggered, Triggers + other.Triggers, MarketValue + other.MarketValue,
        AccountsOutOfTolerance + other.AccountsOutOfTolerance, AccountsHarvestable + other.AccountsHarvestable,
        AccountsEvaluated + other.AccountsEvaluated);
}

/// <summary>The scan after each price batch, one pass on the caller's thread (the silo's monitor splits it over its
/// own threads: <c>Households.Grains.Silo.ParallelScan</c>): every entry through <see cref="TriggerKernel"/>, crossings
/// handed to <paramref name="onTriggers"/> (the silo sends one notice per triggered account). A flag that went up
/// stays up for <c>hold</c> after its condition lapses (<see cref="FlagHold"/>). An account whose conditions still hold a
/// <c>reminder</c> after it was last reported is reported again: a decision that left it out of tolerance (a turnover
/// budget spent, a sleeve waiting out a wash-sale window) is taken again, as a daily rebalancer would.</summary>
public static class MonitorScan
{
    public static ScanCounts Run<TTarget>(ReadOnlySpan<MonitorEntry<TTarget>> entries, PriceVector prices, TimeProvider clock,
        ScanScratch scratch, Action<MonitorEntry<TTarget>, List<Trigger>> onTriggers, FlagHold hold = default, TimeSpan reminder = default,
        IncrementalScan? incremental = null) =>
        Run<TTarget, NoPrefetch>(entries, prices, clock, scratch, onTriggers, hold, reminder, incremental);

    /// <summary>The scan with the host's memory prefetch <typeparamref name="TPrefetch"/> (a struct, so the call is
    /// compiled in): see <see cref="ScanAhead"/>. With <paramref name="incremental"/> an account whose flags cannot have
    /// changed since its last evaluation (<see cref="PriceSlack"/>: its slack covers the largest move of any security since)
    /// and whose reminder and held flags are not due is skipped without reading its snapshot: the triggers, flags and
    /// counts are exactly the full scan's. The market value is then left to <see cref="IncrementalScan.MarketValue"/>
    /// (0 here), which counts every entry's holdings.</summary>
    public static ScanCounts Run<TTarget, TPrefetch>(ReadOnlySpan<MonitorEntry<TTarget>> entries, PriceVector prices, TimeProvider clock,
        ScanScratch scratch, Action<MonitorEntry<TTarget>, List<Trigger>> onTriggers, FlagHold hold = default, TimeSpan reminder = default,
        IncrementalScan? incremental = null)
        where TPrefetch : struct, IMemoryPrefetch
    {
        var scannedAt = clock.GetUtcNow();
        var tag = FlagHold.Tag(scannedAt);
        long positions = 0, lots = 0;
        int triggered = 0, triggerCount = 0, drifting = 0, harvestable = 0, evaluated = 0;
        double marketValue = 0;
        var found = new List<Trigger>();
        var values = prices.Values;
        var (epoch, reach) = incremental?.Begin(prices) ?? (0, []);
        // The incremental scan first sorts the accounts it must evaluate from those it may skip (reading only their entries),
        // then evaluates those with the prefetch looking ahead among them: a skipped account costs one cache line.
        var work = entries;
        MonitorEntry<TTarget>[]? selected = null;
        if (incremental is not null && !hold.ReleaseAll)
        {
            selected = ArrayPool<MonitorEntry<TTarget>>.Shared.Rent(entries.Length);
            var n = 0;
            for (var k = 0; k < entries.Length; k++)
            {
                ScanAhead.RequestEntry<TTarget, TPrefetch>(entries, k);
                var entry = entries[k];
                if (MaySkip(entry, incremental, reach, values, scannedAt.UtcTicks))
                {
                    if (entry.LineUp) drifting++;
                    if (entry.LotUp) harvestable++;
                }
                else selected[n++] = entry;
            }
            work = selected.AsSpan(0, n);
        }
        for (var k = 0; k < work.Length; k++)
        {
            ScanAhead.Request<TTarget, TPrefetch>(work, k);
            var entry = work[k];
            var s = entry.Snapshot;
            positions += s.PositionCount;
            lots += s.LotCount;
            incremental?.Retally(entry, s);
            evaluated++;
            entry.SlackFor = null;
            scratch.Ensure(s);
            var size = s.LineCount + s.LotCount;
            var now = scratch.Flags.AsSpan(0, size);
            if (!TriggerKernel.Evaluate(s, values, scratch.Weights, now, out var value)) continue;
            if (incremental is null) marketValue += value;
            var lineUp = now[..s.LineCount].Contains((byte)1);
            var lotUp = now[s.LineCount..].Contains((byte)1);
            if (lineUp) drifting++;
            if (lotUp) harvestable++;
            var before = entry.FlagsFor(s);
            var remind = (lineUp || lotUp) && reminder > TimeSpan.Zero && scannedAt.UtcTicks - entry.LastReportTicks >= reminder.Ticks;
            if (remind || !SameState(before, now))
            {
                if (remind || HasRise(before, now))
                {
                    TriggerKernel.Crossings(s, scratch.Weights, remind ? scratch.Down.AsSpan(0, size) : before, now, values, prices.Sequence,
                        prices.PublishedAt, clock.GetUtcNow(), found);
                    entry.LastReportTicks = scannedAt.UtcTicks;
                    triggered++;
                    triggerCount += found.Count;
                    onTriggers(entry, found);
                    found = [];
                }
                for (var i = 0; i < now.Length; i++)
                {
                    if (now[i] != 0) { if (before[i] == 0) before[i] = tag; }
                    else if (before[i] != 0 && hold.Releases(before[i], tag)) before[i] = 0;
                }
            }
            if (incremental is not null) Remember(entry, s, prices, epoch, scratch.Weights, now, value, lineUp, lotUp, scannedAt, tag, hold, reminder);
        }
        if (selected is not null) ArrayPool<MonitorEntry<TTarget>>.Shared.Return(selected, clearArray: true);
        return new ScanCounts(entries.Length, positions, lots, triggered, triggerCount, marketValue, drifting, harvestable, evaluated);
    }

    /// <summary>Whether the incremental scan may skip <paramref name="entry"/>: its snapshot is the one last evaluated, nothing
    /// falls due, the market moved less than its slack since and its tight securities stayed in their bands.</summary>
    private static bool MaySkip<TTarget>(MonitorEntry<TTarget> entry, IncrementalScan incremental, double[] reach, double[] values, long scannedAtTicks) =>
        Known(entry, incremental) && scannedAtTicks < entry.DueTicks && reach[entry.Epoch] <= entry.Slack && PriceSlack.Inside(entry.Tight, values);

    /// <summary>The entry's slack is for its current snapshot and for a batch still among the recent ones.</summary>
    private static bool Known<TTarget>(MonitorEntry<TTarget> entry, IncrementalScan incremental) =>
        ReferenceEquals(entry.SlackFor, entry.Snapshot) && incremental.SequenceOf(entry.Epoch) == entry.EpochSequence;

    /// <summary>The share of accounts above which the incremental scan costs more than the full one: an evaluation also
    /// works out the account's slack, and the accounts it evaluates lie scattered in memory (measured at a million accounts,
    /// docs/benchmarks.md: half the accounts evaluated took 1.7 times the full scan).</summary>
    public const double IncrementalWorthwhileShare = 0.3;

    /// <summary>Whether the incremental scan is worth running at <paramref name="prices"/>, judged on a sample of up to 1,024
    /// evenly spaced entries. Where at least <see cref="IncrementalWorthwhileShare"/> of them moved past their slack (a
    /// shock, a fast market) the full scan runs, with the same results, and it learns no slack: the next
    /// <see cref="IncrementalScan.ProbeEvery"/> scans stay full unless the sample says the incremental one pays, then one
    /// incremental scan learns the slacks again. Where the sample's accounts are merely unknown (the first batch, books
    /// that changed) the incremental scan runs and learns them.</summary>
    public static bool IncrementalWorthwhile<TTarget>(ReadOnlySpan<MonitorEntry<TTarget>> entries, PriceVector prices, TimeProvider clock,
        IncrementalScan incremental, FlagHold hold)
    {
        if (hold.ReleaseAll || entries.Length == 0) return false;
        var (_, reach) = incremental.Begin(prices);
        var ticks = clock.GetUtcNow().UtcTicks;
        var step = Math.Max(1, entries.Length / 1024);
        int sampled = 0, unknown = 0, moved = 0;
        for (var k = 0; k < entries.Length; k += step, sampled++)
        {
            var entry = entries[k];
            if (!Known(entry, incremental)) unknown++;
            else if (!MaySkip(entry, incremental, reach, prices.Values, ticks)) moved++;
        }
        if (moved >= IncrementalWorthwhileShare * sampled)
        {
            incremental.FullScansAhead = IncrementalScan.ProbeEvery - 1;
            return false;
        }
        if (moved + unknown < IncrementalWorthwhileShare * sampled) return true;
        if (incremental.FullScansAhead > 0) { incremental.FullScansAhead--; return false; }
        return true;
    }

    /// <summary>What the incremental scan keeps of an evaluation: its slack, and when the full scan would act on the account
    /// with unchanged flags (a reminder, or a held flag whose condition lapsed coming down).</summary>
    private static void Remember<TTarget>(MonitorEntry<TTarget> entry, AccountSnapshot s, PriceVector prices, int epoch, double[] weights,
        ReadOnlySpan<byte> now, double value, bool lineUp, bool lotUp, DateTimeOffset scannedAt, byte tag, FlagHold hold, TimeSpan reminder)
    {
        var due = long.MaxValue;
        if ((lineUp || lotUp) && reminder > TimeSpan.Zero) due = entry.LastReportTicks + reminder.Ticks;
        var before = entry.Flags;
        var minute = scannedAt.UtcTicks - scannedAt.UtcTicks % TimeSpan.TicksPerMinute;
        for (var i = 0; i < now.Length; i++)
        {
            if (now[i] != 0 || before[i] == 0) continue;
            var remaining = hold.Minutes - (tag - before[i] + 255) % 255;
            due = Math.Min(due, minute + Math.Max(1, remaining) * TimeSpan.TicksPerMinute);
        }
        var (slack, tight) = PriceSlack.Of(s, prices.Values, weights, now, value, entry.Tight);
        entry.Slack = slack;
        if (!ReferenceEquals(tight, entry.Tight)) entry.Tight = tight; // the same array: no reference stored, no card marked
        entry.Epoch = epoch;
        entry.EpochSequence = prices.Sequence;
        entry.DueTicks = due;
        entry.LineUp = lineUp;
        entry.LotUp = lotUp;
        entry.SlackFor = s;
    }

    /// <summary>A condition holds now that was down before (held flags count as up).</summary>
    private static bool HasRise(ReadOnlySpan<byte> before, ReadOnlySpan<byte> now)
    {
        for (var i = 0; i < now.Length; i++) if (now[i] != 0 && before[i] == 0) return true;
        return false;
    }

    /// <summary>Every flag up now is up before and every flag down now is down before: nothing to report or lower
    /// (the common case, vectorized). <paramref name="now"/> holds 0 or 1.</summary>
    private static bool SameState(ReadOnlySpan<byte> before, ReadOnlySpan<byte> now)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
            for (; i <= now.Length - Vector<byte>.Count; i += Vector<byte>.Count)
                if (!Vector.EqualsAll(Vector.Min(new Vector<byte>(before[i..]), Vector<byte>.One), new Vector<byte>(now[i..]))) return false;
        for (; i < now.Length; i++)
            if ((before[i] != 0) != (now[i] != 0)) return false;
        return true;
    }
}
