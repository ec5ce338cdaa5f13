using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using Households.Domain.Monitoring;

namespace Households.Grains.Silo;

/// <summary>The monitor scan's software prefetch (what it fetches and how far ahead: <see cref="MonitorScan"/>'s
/// <c>ScanAhead</c>): an SSE prefetch of an object's header line. A prefetch never faults, so an object the GC moved
/// meanwhile costs nothing but the miss; without SSE the scan skips it.</summary>
public readonly unsafe struct SsePrefetch : IMemoryPrefetch
{
    public static bool IsSupported => Sse.IsSupported;

    public static void Request(object o) => Sse.Prefetch0((void*)Unsafe.As<object, nint>(ref o));
}
