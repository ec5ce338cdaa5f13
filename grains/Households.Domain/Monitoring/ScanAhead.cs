namespace Households.Domain.Monitoring;

/// <summary>A hint to the CPU to bring an object's memory into cache. The host supplies it (intrinsics and unsafe code
/// are not domain rules: <c>Households.Grains.Silo.SsePrefetch</c>); a request never faults and never changes a result.</summary>
public interface IMemoryPrefetch
{
    static abstract bool IsSupported { get; }

    static abstract void Request(object o);
}

/// <summary>No prefetch: the scan as tests, the backtest and the stress test run it.</summary>
public readonly struct NoPrefetch : IMemoryPrefetch
{
    public static bool IsSupported => false;

    public static void Request(object o) { }
}

/// <summary>What the scan asks to prefetch. A silo's million snapshots lie scattered among the grains that built them,
/// so the scan waits on memory, not arithmetic: entry, snapshot, rows and flags are four dependent cache misses per
/// account. While account k is evaluated, the entry of k + 12, the snapshot of k + 8 (its entry arrived meanwhile)
/// and the rows and flags of k + 4 are requested, so they are in cache when their turn comes. An object the GC moved
/// meanwhile costs nothing but the miss.</summary>
internal static class ScanAhead
{
    private const int EntryDistance = 12, SnapshotDistance = 8, RowsDistance = 4;

    /// <summary>The incremental scan reads only the entry of an account it skips: the entry 12 ahead is requested.</summary>
    public static void RequestEntry<TTarget, TPrefetch>(ReadOnlySpan<MonitorEntry<TTarget>> entries, int k) where TPrefetch : struct, IMemoryPrefetch
    {
        if (TPrefetch.IsSupported && k + EntryDistance < entries.Length) TPrefetch.Request(entries[k + EntryDistance]);
    }

    public static void Request<TTarget, TPrefetch>(ReadOnlySpan<MonitorEntry<TTarget>> entries, int k) where TPrefetch : struct, IMemoryPrefetch
    {
        if (!TPrefetch.IsSupported) return;
        if (k + EntryDistance < entries.Length) TPrefetch.Request(entries[k + EntryDistance]);
        if (k + SnapshotDistance < entries.Length) TPrefetch.Request(entries[k + SnapshotDistance].Snapshot);
        if (k + RowsDistance < entries.Length)
        {
            var entry = entries[k + RowsDistance];
            var s = entry.Snapshot;
            TPrefetch.Request(s.Positions);
            TPrefetch.Request(s.Lines);
            TPrefetch.Request(entry.Flags);
        }
    }
}
