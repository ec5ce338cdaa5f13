using Households.Grains.Silo;
using Xunit;

namespace Households.Tests.Monitoring;

/// <summary>The scan threads' lower CPU priority: on Linux the nice value is per thread, read back from
/// /proc/thread-self/stat (field 19). Each check runs on a thread of its own (a raised nice value cannot be lowered
/// again without privileges, and test runner threads are shared).</summary>
public sealed class ThreadNiceTests
{
    private static T OnOwnThread<T>(Func<T> work)
    {
        T result = default!;
        var thread = new Thread(() => result = work());
        thread.Start();
        thread.Join();
        return result;
    }

    /// <summary>The calling thread's nice value as the kernel reports it (the fields after the parenthesized name).</summary>
    private static int CurrentNice() =>
        int.Parse(File.ReadAllText("/proc/thread-self/stat").Split(')')[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[16]);

    [Fact]
    public void Lowering_sets_the_nice_value_of_the_calling_thread_only()
    {
        Assert.True(OperatingSystem.IsLinux(), "the silo and CI run on Linux; the setting is a no-op elsewhere");
        var before = OnOwnThread(CurrentNice);
        var (lowered, after) = OnOwnThread(() => (ThreadNice.Lower(10), CurrentNice()));
        Assert.True(before < 10, $"the test process already runs at nice {before}");
        Assert.True(lowered);
        Assert.Equal(10, after);
        Assert.Equal(before, OnOwnThread(CurrentNice)); // another thread keeps the process's value
    }

    [Fact]
    public void Values_above_19_are_clamped_and_zero_or_less_does_nothing()
    {
        Assert.Equal((true, 19), OnOwnThread(() => (ThreadNice.Lower(40), CurrentNice())));
        var before = OnOwnThread(CurrentNice);
        Assert.Equal((false, before), OnOwnThread(() => (ThreadNice.Lower(0), CurrentNice())));
        Assert.Equal((false, before), OnOwnThread(() => (ThreadNice.Lower(-5), CurrentNice())));
    }
}
