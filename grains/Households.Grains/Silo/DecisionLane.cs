using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Households.Grains.Silo;

/// <summary>The silo's own threads for the decisions the market causes (a household's inbox of triggers). In a market shock
/// hundreds of households wait to decide, and on the silo's own threads they would take every core: the monitor's scan
/// would stop evaluating batches and live reads would queue. Here the first thread decides at the silo's priority (so
/// decisions always go on, one at a time, beside the silo's own work) and the others at a nice value above the monitor
/// scan's (<see cref="MonitorOptions.Nice"/>), deciding only with the cycles the scan and the requests leave. A
/// household waits for its decision off its grain turn's thread; the decision is the pure domain engine, so nothing of the
/// grain runs here. Off by default (<see cref="DecisionOptions.LaneThreads"/> 0): a decision then runs where it is asked,
/// on the household's turn. Measured both ways: with the lane a 1M shock's scan kept up with 208 of 263 batches instead
/// of none, and the silo decided 6 households a second instead of 9.8; on an oversubscribed machine (the test suite) the
/// lane's fixed threads get a smaller share of the cores than the thread pool's, and decisions fall behind.</summary>
public sealed class DecisionLane : IDisposable
{
    private readonly BlockingCollection<Action> _queue = new();
    private readonly Thread[] _threads;
    private int _running;
    private int _mostRunning;

    public DecisionLane(IOptions<DecisionOptions> options)
    {
        var o = options.Value;
        Nice = o.LaneNice;
        _threads = new Thread[Math.Max(0, o.LaneThreads)];
        for (var i = 0; i < _threads.Length; i++)
        {
            var nice = i == 0 ? 0 : Nice;
            _threads[i] = new Thread(() => Work(nice)) { IsBackground = true, Name = $"decision-lane-{i}" };
            _threads[i].Start();
        }
    }

    /// <summary>The nice value of the lane's threads after the first (Linux; elsewhere they run at the process's priority).</summary>
    public int Nice { get; }

    /// <summary>How many threads decide at once: at most one decision each (0: no lane).</summary>
    public int Threads => _threads.Length;

    /// <summary>Decisions queued and not yet started.</summary>
    public int Waiting => _queue.Count;

    /// <summary>The most decisions that ran at the same moment since the lane started.</summary>
    public int MostRunning => Volatile.Read(ref _mostRunning);

    /// <summary>Runs <paramref name="decide"/> on one of the lane's threads, in the order asked; its result or exception
    /// comes back to the caller (whose continuation runs on its own scheduler, the grain's). Without threads it runs here,
    /// on the caller's turn.</summary>
    public Task<T> Run<T>(Func<T> decide)
    {
        if (_threads.Length == 0)
        {
            try { return Task.FromResult(decide()); }
            catch (Exception ex) { return Task.FromException<T>(ex); }
        }
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Add(() =>
        {
            try { done.SetResult(decide()); }
            catch (Exception ex) { done.SetException(ex); }
        });
        return done.Task;
    }

    private void Work(int nice)
    {
        ThreadNice.Lower(nice);
        foreach (var decide in _queue.GetConsumingEnumerable())
        {
            var running = Interlocked.Increment(ref _running);
            for (var most = Volatile.Read(ref _mostRunning); running > most; most = Volatile.Read(ref _mostRunning))
                Interlocked.CompareExchange(ref _mostRunning, running, most);
            try { decide(); }
            finally { Interlocked.Decrement(ref _running); }
        }
    }

    /// <summary>Stops taking decisions; the threads finish the one they run and end.</summary>
    public void Dispose() => _queue.CompleteAdding();
}
