using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Households.Domain.Monitoring;

/// <summary>Software prefetch for the scan. A silo's million snapshots lie scattered among the grains that built them,
/// so the scan waits on memory, not arithmetic: entry, snapshot, rows and flags are four dependent cache misses per
/// account. While account k is evaluated, the entry of k + 12, the snapshot of k + 8 (its entry arrived meanwhile)
/// and the rows and flags of k + 4 are requested, so they are in cache when their turn comes. A prefetch never
/// faults, so an object the GC moved meanwhile costs nothing but the miss; without SSE this does nothing.</summary>
internal static unsafe class ScanPrefetch
{
    private const int EntryDistance = 12, SnapshotDistance = 8, RowsDistance = 4;

    public static void Ahead<T>(ReadOnlySpan<MonitorEntry<T>> entries, int k)
    {
        if (!Sse.IsSupported) return;
        if (k + EntryDistance < entries.Length) Request(entries[k + EntryDistance]);
        if (k + SnapshotDistance < entries.Length) Request(entries[k + SnapshotDistance].Snapshot);
        if (k + RowsDistance < entries.Length)
        {
            var entry = entries[k + RowsDistance];
            var s = entry.Snapshot;
            Request(s.Positions);
            Request(s.Lines);
            Request(entry.Flags);
        }
    }

    private static void Request(object o) => Sse.Prefetch0((void*)Unsafe.As<object, nint>(ref o));
}
