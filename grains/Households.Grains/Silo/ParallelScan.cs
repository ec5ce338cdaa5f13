using Households.Contracts;
using Households.Domain.Monitoring;

namespace Households.Grains.Silo;

/// <summary>The monitor's scan (<see cref="MonitorScan"/>) split over the silo's cores, with the memory prefetch
/// (<see cref="SsePrefetch"/>). The threads live here, beside the monitor host; the domain's scan is one pass on the
/// caller's thread.</summary>
public static class ParallelScan
{
    /// <summary>The same scan split over <paramref name="scratches"/>.Length workers: each takes chunks of entries
    /// from a shared counter (accounts differ in size by 20×, so fixed halves would not balance). Entries are
    /// independent and each has one worker per scan, so no locks; <paramref name="onTriggers"/> may run on any worker.
    /// The caller's thread is worker 0 and the others are dedicated threads, not the thread pool: a scan of a million
    /// accounts holds its workers for about a second, and in a silo the pool must stay free to deliver the notices
    /// the scan sends (grain turns run on it).</summary>
    public static ScanCounts RunParallel<TTarget>(MonitorEntry<TTarget>[] entries, int count, PriceVector prices, TimeProvider clock,
        ScanScratch[] scratches, Action<MonitorEntry<TTarget>, List<Trigger>> onTriggers, FlagHold hold = default, int chunk = 2048,
        TimeSpan reminder = default, IncrementalScan? incremental = null) =>
        RunRolling(entries, count, () => prices, clock, scratches, onTriggers, hold, out _, chunk, reminder: reminder, incremental: incremental);

    /// <summary>The parallel scan where each chunk takes the newest prices <paramref name="latest"/> gives when it starts:
    /// when a batch arrives mid-scan the rest of the scan uses it at once instead of after the scan (a scan longer than
    /// the batch interval would otherwise double the wait). <paramref name="oldest"/> is the oldest batch any chunk used:
    /// every entry has been evaluated at it or a newer one. The helper threads run at <paramref name="nice"/>
    /// (<see cref="ThreadNice"/>; the caller sets its own thread).</summary>
    public static ScanCounts RunRolling<TTarget>(MonitorEntry<TTarget>[] entries, int count, Func<PriceVector> latest, TimeProvider clock,
        ScanScratch[] scratches, Action<MonitorEntry<TTarget>, List<Trigger>> onTriggers, FlagHold hold, out PriceVector oldest, int chunk = 2048,
        int nice = 0, TimeSpan reminder = default, IncrementalScan? incremental = null)
    {
        var first = latest();
        // The incremental scan only where it pays (MonitorScan.IncrementalWorthwhile); the full scan otherwise, same results.
        if (incremental is not null && !MonitorScan.IncrementalWorthwhile<TTarget>(entries.AsSpan(0, count), first, clock, incremental, hold))
            incremental = null;
        if (scratches.Length <= 1 || count <= chunk)
        {
            oldest = first;
            var alone = MonitorScan.Run<TTarget, SsePrefetch>(entries.AsSpan(0, count), first, clock, scratches[0], onTriggers, hold, reminder, incremental);
            return incremental is null ? alone : alone with { MarketValue = incremental.MarketValue(first) };
        }
        var next = 0;
        var results = new ScanCounts[scratches.Length];
        var used = new PriceVector[scratches.Length];
        var failures = new Exception?[scratches.Length];
        void Work(int w)
        {
            try
            {
                ScanCounts total = default;
                PriceVector? mine = null;
                for (int start; (start = Interlocked.Add(ref next, chunk) - chunk) < count;)
                {
                    var prices = start == 0 ? first : latest();
                    if (mine is null || prices.Sequence < mine.Sequence) mine = prices;
                    total = total.Plus(MonitorScan.Run<TTarget, SsePrefetch>(entries.AsSpan(start, Math.Min(chunk, count - start)), prices, clock,
                        scratches[w], onTriggers, hold, reminder, incremental));
                }
                results[w] = total;
                used[w] = mine ?? first;
            }
            catch (Exception ex) { failures[w] = ex; }
        }
        var helpers = new Thread[scratches.Length - 1];
        for (var i = 0; i < helpers.Length; i++)
        {
            var w = i + 1;
            helpers[i] = new Thread(() => { ThreadNice.Lower(nice); Work(w); }) { IsBackground = true, Name = $"monitor-scan-{w}" };
            helpers[i].Start();
        }
        Work(0);
        foreach (var t in helpers) t.Join();
        if (failures.FirstOrDefault(f => f is not null) is { } failure) throw new AggregateException("monitor scan failed", failure);
        oldest = used.MinBy(v => v.Sequence)!;
        var counts = results.Aggregate(default(ScanCounts), (a, b) => a.Plus(b));
        return incremental is null ? counts : counts with { MarketValue = incremental.MarketValue(oldest) };
    }
}
