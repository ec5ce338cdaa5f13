using Households.Grains.Silo;
using Microsoft.Extensions.Options;
using Xunit;

namespace Households.Tests.Monitoring;

/// <summary>The silo's decision lane (when a firm turns it on): the market's decisions run on threads of their own, the
/// first at the silo's priority and the others at a nice value above the monitor scan's, one decision a thread, in the
/// order asked, and each answer (or failure) reaches the household that waits for it.</summary>
public sealed class DecisionLaneTests
{
    private static DecisionLane Lane(int threads, int nice = 15) =>
        new(Options.Create(new DecisionOptions { LaneThreads = threads, LaneNice = nice }));

    private static int CurrentNice() =>
        int.Parse(File.ReadAllText("/proc/thread-self/stat").Split(')')[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[16]);

    [Fact]
    public async Task A_decision_runs_on_a_lane_thread_and_answers_its_caller()
    {
        using var lane = Lane(threads: 1);
        var (name, sum) = await lane.Run(() => (Thread.CurrentThread.Name, Enumerable.Range(1, 100).Sum()));
        Assert.Equal("decision-lane-0", name);
        Assert.Equal(5050, sum);
    }

    [Fact]
    public async Task The_first_thread_decides_at_the_silos_priority_and_the_others_below_the_scans()
    {
        Assert.True(OperatingSystem.IsLinux(), "the silo and CI run on Linux");
        var process = CurrentNice();
        using var lane = Lane(threads: 3);
        // Hold every thread in one decision at once, so each reports its own nice value.
        using var all = new Barrier(3);
        var seen = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => lane.Run(() =>
        {
            all.SignalAndWait(TimeSpan.FromSeconds(10));
            return (Thread.CurrentThread.Name, Nice: CurrentNice());
        })));
        var byThread = seen.ToDictionary(s => s.Name!, s => s.Nice);
        Assert.Equal(process, byThread["decision-lane-0"]);
        Assert.Equal(15, byThread["decision-lane-1"]);
        Assert.Equal(15, byThread["decision-lane-2"]);
        Assert.True(15 > new MonitorOptions().Nice, "the scan keeps the cores before the lane's extra threads");
    }

    [Fact]
    public async Task A_failing_decision_fails_its_caller_and_the_lane_goes_on()
    {
        using var lane = Lane(threads: 1);
        var failed = await Assert.ThrowsAsync<InvalidOperationException>(() => lane.Run<int>(() => throw new InvalidOperationException("no plan")));
        Assert.Equal("no plan", failed.Message);
        Assert.Equal(42, await lane.Run(() => 42));
    }

    [Fact]
    public async Task No_more_decisions_run_at_once_than_the_lane_has_threads_and_each_thread_takes_them_in_order()
    {
        using var lane = Lane(threads: 2);
        var inside = 0;
        var most = 0;
        var started = new System.Collections.Concurrent.ConcurrentQueue<int>();
        var decisions = Enumerable.Range(0, 12).Select(i => lane.Run(() =>
        {
            started.Enqueue(i);
            var now = Interlocked.Increment(ref inside);
            lock (started) most = Math.Max(most, now);
            Thread.Sleep(20);
            Interlocked.Decrement(ref inside);
            return i * i;
        })).ToArray();
        var results = await Task.WhenAll(decisions);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => i * i), results);
        Assert.Equal(2, most);
        Assert.Equal(2, lane.MostRunning);
        // Taken from one queue: the first two asked start before the last two.
        var order = started.ToList();
        Assert.True(order.IndexOf(0) < order.IndexOf(10) && order.IndexOf(1) < order.IndexOf(11));
        Assert.Equal(0, lane.Waiting);
    }

    [Fact]
    public async Task Without_threads_the_lane_is_off_and_a_decision_runs_on_the_callers_thread()
    {
        using var lane = Lane(threads: 0);
        Assert.Equal(0, lane.Threads);
        var caller = Environment.CurrentManagedThreadId;
        Assert.Equal(caller, await lane.Run(() => Environment.CurrentManagedThreadId));
        await Assert.ThrowsAsync<InvalidOperationException>(() => lane.Run<int>(() => throw new InvalidOperationException("no plan")));
        Assert.Equal(0, new DecisionOptions().LaneThreads); // off unless a firm turns it on
    }
}
