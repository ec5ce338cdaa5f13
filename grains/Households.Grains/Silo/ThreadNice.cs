using System.Runtime.InteropServices;

namespace Households.Grains.Silo;

/// <summary>Lowers the calling thread's CPU scheduling priority. On Linux the nice value is per thread
/// (setpriority(2) with a thread id); a scan worker at a higher nice value yields the core to request threads when
/// both want it and takes every idle cycle otherwise. Elsewhere (and for <c>nice</c> ≤ 0) it does nothing.</summary>
public static partial class ThreadNice
{
    private const int PrioProcess = 0;

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, int who, int prio);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetThreadId();

    /// <summary>True when the thread now runs at <paramref name="nice"/>.</summary>
    public static bool Lower(int nice)
    {
        if (nice <= 0 || !OperatingSystem.IsLinux()) return false;
        return SetPriority(PrioProcess, GetThreadId(), Math.Min(nice, 19)) == 0;
    }
}
