namespace Households.Grains.Silo;

/// <summary>Tick-to-trigger latency on this silo: from a price batch's publication at the feed to the account grain
/// receiving the monitor's notice, or to the monitor holding the notice back for the firm's budget. A millisecond histogram (lock-free counters), read by the load test and metrics.</summary>
public sealed class TriggerLatency
{
    public const int MaxMilliseconds = 120_000;
    private long[] _counts = new long[MaxMilliseconds + 1];
    private long _max;

    public void Record(TimeSpan latency)
    {
        var ms = (long)Math.Clamp(Math.Ceiling(latency.TotalMilliseconds), 0, MaxMilliseconds);
        Interlocked.Increment(ref Volatile.Read(ref _counts)[ms]);
        long seen;
        while (ms > (seen = Interlocked.Read(ref _max)) && Interlocked.CompareExchange(ref _max, ms, seen) != seen) { }
    }

    /// <summary>Starts a new measurement window (the load test resets after activation).</summary>
    public void Reset()
    {
        Volatile.Write(ref _counts, new long[MaxMilliseconds + 1]);
        Interlocked.Exchange(ref _max, 0);
    }

    public LatencySummary Summary()
    {
        var counts = Volatile.Read(ref _counts);
        long total = 0;
        foreach (var c in counts) total += c;
        return new LatencySummary(total, Percentile(counts, total, 0.50), Percentile(counts, total, 0.99), Interlocked.Read(ref _max));
    }

    private static long Percentile(long[] counts, long total, double p)
    {
        if (total == 0) return 0;
        var rank = (long)Math.Ceiling(p * total);
        long seen = 0;
        for (var i = 0; i < counts.Length; i++)
            if ((seen += counts[i]) >= rank) return i;
        return counts.Length - 1;
    }
}

/// <summary>Notices counted and their latency in whole milliseconds (rounded up).</summary>
public sealed record LatencySummary(long Notices, long P50Milliseconds, long P99Milliseconds, long MaxMilliseconds);
