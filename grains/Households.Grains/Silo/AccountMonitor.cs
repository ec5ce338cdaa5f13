using System.Collections.Concurrent;
using System.Diagnostics;
using Households.Contracts;
using Households.Domain.Monitoring;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Households.Grains.Silo;

/// <summary>Figures of the monitor's most recent scan and since start, for the API, metrics and the load test.</summary>
public sealed record MonitorStatus(long BatchSequence, int Accounts, long Positions, long Lots, int AccountsTriggered,
    int Triggers, double ScanMilliseconds, long Scans, long TotalTriggers, long TotalEvaluations,
    double MarketValue = 0, int AccountsOutOfTolerance = 0, int AccountsHarvestable = 0, int Households = 0,
    double PublishedToScannedMilliseconds = 0, int Workers = 1, int AccountsEvaluated = 0);

/// <summary>Monitor settings (configuration section "Monitor").</summary>
public sealed class MonitorOptions
{
    /// <summary>Scan threads; the default uses every core (the scan is the silo's main steady load).</summary>
    public int Workers { get; set; } = Environment.ProcessorCount;

    /// <summary>The scan threads' nice value on Linux (0–19; 0 leaves them at the silo's priority). The scan is
    /// throughput work with a budget of seconds; API requests want a core within milliseconds. At 5 a request thread
    /// gets a core within the scheduler's slice and the scan still takes every idle cycle; at 10 the scan also yields
    /// to decisions and storage work and fell three times behind on a busy PostgreSQL silo (docs/benchmarks.md).</summary>
    public int Nice { get; set; } = 5;

    /// <summary>An account still out of tolerance or holding a harvestable lot this long after it was last reported is
    /// reported again (its household decides again), as a daily rebalancer would look at it; zero turns reminders off.
    /// Business time (<see cref="BusinessClock"/>).</summary>
    public TimeSpan ReminderInterval { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Keep watching an account after its grain deactivates (its last snapshot stays, parked, and a crossing
    /// wakes the grain). On with the PostgreSQL profile's warm start, where accounts are watched from their books without
    /// a grain; off, a deactivated account leaves the monitor until something activates it again.</summary>
    public bool KeepDeactivated { get; set; }

    /// <summary>Evaluate only the accounts whose flags can have changed since their last evaluation (their prices moved past
    /// their slack, their books changed, a reminder or a held flag fell due): exactly the full scan's triggers and tally
    /// (<see cref="PriceSlack"/>). Off, every account is evaluated at every batch.</summary>
    public bool Incremental { get; set; } = true;
}

/// <summary>The silo-local monitor. Account grains register a compact snapshot when they activate and swap it when
/// their books change; after every price batch one background loop scans all local snapshots (no messages) and
/// sends a one-way notice only to the accounts where a condition crossed a threshold.</summary>
public sealed class AccountMonitor(IGrainFactory grains, [FromKeyedServices(BusinessClock.Key)] TimeProvider clock, ILogger<AccountMonitor> log,
    Microsoft.Extensions.Options.IOptions<MonitorOptions>? options = null,
    Microsoft.Extensions.Options.IOptions<DecisionOptions>? decisions = null,
    FirmTriggerBudget? firmBudget = null, TriggerLatency? latency = null) : BackgroundService
{
    private readonly NoticePacing? _pacing = firmBudget?.Pacing;
    // A reported flag stays up while the account's cooldown would drop its repeat anyway: no notice, no message.
    private readonly FlagHold _hold = FlagHold.After(decisions?.Value.Cooldown ?? TimeSpan.Zero);
    private readonly TimeSpan _reminder = options?.Value.ReminderInterval ?? TimeSpan.Zero;
    private DateTimeOffset _lastScanAt = DateTimeOffset.MinValue;
    private readonly ConcurrentQueue<(MonitorEntry<string> Entry, bool Add)> _changes = new();
    private readonly SemaphoreSlim _wake = new(0, int.MaxValue);
    // Households with at least one account watched here (counted on register/unregister, never per tick).
    private readonly Dictionary<string, int> _households = new(StringComparer.Ordinal);
    // Every account watched here, by id: its entry, whether it is parked (no grain: books from the bulk read, or a grain
    // that deactivated) and its household. Guarded by _households' lock; the scan never reads it.
    private readonly Dictionary<string, Watched> _byAccount = new(StringComparer.Ordinal);
    private readonly bool _keepDeactivated = options?.Value.KeepDeactivated ?? false;
    private readonly IncrementalScan? _incremental = options?.Value.Incremental ?? true ? new IncrementalScan() : null;
    private int _parked;
    private readonly int _nice = options?.Value.Nice ?? 0; // ThreadNice bounds it (0 or less: unchanged, at most 19)
    private readonly ScanScratch[] _scratches = [.. Enumerable.Range(0, Math.Max(1, options?.Value.Workers ?? 1)).Select(_ => new ScanScratch())];
    private MonitorEntry<string>[] _entries = new MonitorEntry<string>[1024];
    private int _count;
    private PriceVector? _latest;
    private int _signaled;
    private long _scannedThrough = long.MinValue;
    private long _scans, _totalTriggers, _totalEvaluations;
    private MonitorStatus _status = new(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    public MonitorStatus Status => Volatile.Read(ref _status);

    /// <summary>How long a reported flag is held up (the load test's bare loop uses the same).</summary>
    public FlagHold Hold => _hold;

    private int HouseholdCount { get { lock (_households) return _households.Count; } }

    /// <summary>Notices of market triggers the firm-wide budget held back since start (no grain woke for them).</summary>
    public long NoticesHeldByBudget => _pacing?.Held ?? 0;

    /// <summary>Raised after each scan (on the monitor's thread).</summary>
    public event Action<MonitorStatus>? Scanned;

    private readonly record struct Watched(MonitorEntry<string> Entry, bool Parked, string? Household);

    /// <summary>A live account grain's snapshot. It takes over from a parked entry of the same account (the bulk read's,
    /// or its own from before it deactivated).</summary>
    public MonitorEntry<string> Register(string accountId, AccountSnapshot snapshot, string? householdId = null)
    {
        var entry = new MonitorEntry<string>(accountId, snapshot);
        lock (_households)
        {
            if (_byAccount.Remove(accountId, out var previous))
            {
                // A grain that woke over its parked books keeps what the scan already reported of them.
                entry.CarryFlagsFrom(previous.Entry);
                Drop(previous);
            }
            Add(new Watched(entry, false, householdId));
        }
        return entry;
    }

    /// <summary>An account watched from its books with no grain active (a silo's bulk read at start): a crossing sends
    /// the notice that activates it. False when the account is already watched here.</summary>
    public bool Park(string accountId, AccountSnapshot snapshot, string? householdId)
    {
        lock (_households)
        {
            if (_byAccount.ContainsKey(accountId)) return false;
            Add(new Watched(new MonitorEntry<string>(accountId, snapshot), true, householdId));
        }
        return true;
    }

    /// <summary>The account's grain deactivated: with <see cref="MonitorOptions.KeepDeactivated"/> its last snapshot stays,
    /// parked; otherwise the account leaves the monitor.</summary>
    public void Unregister(MonitorEntry<string> entry)
    {
        lock (_households)
        {
            // An entry another registration replaced has left already.
            if (!_byAccount.TryGetValue(entry.Target, out var known) || !ReferenceEquals(known.Entry, entry)) return;
            if (_keepDeactivated)
            {
                _byAccount[entry.Target] = known with { Parked = true };
                _parked++;
                return;
            }
            _byAccount.Remove(entry.Target);
            Drop(known);
        }
    }

    /// <summary>Stops watching the parked accounts <paramref name="owned"/> says another silo owns now (a silo joined); an
    /// account with an active grain here stays. Returns the accounts released.</summary>
    public List<string> ReleaseParked(Func<string, bool> owned)
    {
        lock (_households)
        {
            var released = _byAccount.Values.Where(w => w.Parked && !owned(w.Entry.Target)).ToList();
            foreach (var watched in released)
            {
                _byAccount.Remove(watched.Entry.Target);
                Drop(watched);
            }
            return [.. released.Select(w => w.Entry.Target)];
        }
    }

    /// <summary>Whether the account is watched here (parked or with an active grain).</summary>
    public bool Watches(string accountId) { lock (_households) return _byAccount.ContainsKey(accountId); }

    /// <summary>Every household with an account watched here, with its watched accounts' current snapshots (parked or
    /// live), in household order: the copy of live state a firm-wide stress screens. An account registered without a
    /// household is left out (it has no household to decide for it).</summary>
    public List<(string Household, AccountSnapshot[] Accounts)> Households()
    {
        Watched[] watched;
        lock (_households) watched = [.. _byAccount.Values]; // grouped outside the lock: registrations go on meanwhile
        return [.. watched.Where(w => w.Household is not null)
                .GroupBy(w => w.Household!, StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => (g.Key, g.OrderBy(w => w.Entry.Target, StringComparer.Ordinal).Select(w => w.Entry.Snapshot).ToArray()))];
    }

    /// <summary>Accounts watched here without an active grain.</summary>
    public int ParkedAccounts { get { lock (_households) return _parked; } }

    // Both under _households' lock.
    private void Add(Watched watched)
    {
        _byAccount[watched.Entry.Target] = watched;
        if (watched.Parked) _parked++;
        if (watched.Household is { } household) _households[household] = _households.GetValueOrDefault(household) + 1;
        _changes.Enqueue((watched.Entry, true));
    }

    private void Drop(Watched watched)
    {
        if (watched.Parked) _parked--;
        if (watched.Household is { } household && --_households[household] == 0) _households.Remove(household);
        _changes.Enqueue((watched.Entry, false));
    }

    /// <summary>Called when the board takes a new batch. A scan in progress takes it up from its next chunk of accounts,
    /// and the loop scans again until every account has been evaluated at the newest batch.</summary>
    public void OnPrices(PriceVector prices)
    {
        Volatile.Write(ref _latest, prices);
        if (Interlocked.Exchange(ref _signaled, 1) == 0) _wake.Release();
    }

    // The loop runs on its own thread (it is worker 0 of every scan): the thread pool stays free for grain turns.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Loop(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Loop(CancellationToken stoppingToken)
    {
        ThreadNice.Lower(_nice);
        while (!stoppingToken.IsCancellationRequested)
        {
            var prices = Volatile.Read(ref _latest);
            if (prices is null || prices.Sequence <= Interlocked.Read(ref _scannedThrough))
            {
                try { _wake.Wait(stoppingToken); }
                catch (OperationCanceledException) { return; }
                Interlocked.Exchange(ref _signaled, 0);
                continue;
            }
            try { ScanWith(() => Volatile.Read(ref _latest)!); }
            catch (Exception ex)
            {
                log.LogError(ex, "Monitor scan of batch {Sequence} failed", prices.Sequence);
                Interlocked.Exchange(ref _scannedThrough, prices.Sequence); // wait for the next batch rather than spin
            }
        }
    }

    /// <summary>One scan over all registered accounts at <paramref name="prices"/>; public so tests and the load test can
    /// drive it directly.</summary>
    public MonitorStatus Scan(PriceVector prices) => ScanWith(() => prices);

    private MonitorStatus ScanWith(Func<PriceVector> latest)
    {
        ApplyChanges();
        var started = Stopwatch.GetTimestamp();
        var scanAt = clock.GetUtcNow();
        var hold = _hold with { ReleaseAll = _hold.Minutes > 0 && scanAt - _lastScanAt >= TimeSpan.FromMinutes(_hold.Minutes) };
        _lastScanAt = scanAt;
        var counts = ParallelScan.RunRolling<string>(_entries, _count, latest, clock, _scratches, Notify, hold, out var prices, nice: _nice, reminder: _reminder,
            incremental: _incremental);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var age = (clock.GetUtcNow() - prices.PublishedAt).TotalMilliseconds;
        _scans++;
        _totalTriggers += counts.Triggers;
        _totalEvaluations += counts.Positions + counts.Lots;
        HouseholdsMetrics.Scanned(counts.Positions + counts.Lots, counts.Triggers);
        // The status names the oldest batch the scan used: every account has been evaluated at it or a newer one.
        var status = new MonitorStatus(prices.Sequence, counts.Accounts, counts.Positions, counts.Lots, counts.AccountsTriggered,
            counts.Triggers, elapsed, _scans, _totalTriggers, _totalEvaluations,
            counts.MarketValue, counts.AccountsOutOfTolerance, counts.AccountsHarvestable, HouseholdCount, age, _scratches.Length,
            counts.AccountsEvaluated);
        if (prices.Sequence > Interlocked.Read(ref _scannedThrough)) Interlocked.Exchange(ref _scannedThrough, prices.Sequence);
        Volatile.Write(ref _status, status);
        // What a stalled silo shows first (issue #18 goal 7): scans going on while its deciding slots stay full.
        if (_pacing is not null && log.IsEnabled(LogLevel.Debug))
            log.LogDebug("Scan of batch {Sequence}: {Accounts} accounts, {Triggers} triggers, {Elapsed:0} ms; {Deciding} households deciding, {OnTheirWay} notices on their way, {Held} held since start{Yielding}",
                prices.Sequence, counts.Accounts, counts.Triggers, elapsed, _pacing.Deciding, _pacing.OnTheirWay, _pacing.Held, _pacing.Yielding ? ", yielding to a takeover" : "");
        Scanned?.Invoke(status);
        return status;
    }

    /// <summary>The registered snapshots, pending registrations applied first. Not safe during a scan: for tests and
    /// the load test's bare-loop comparison once the feed is quiet.</summary>
    public AccountSnapshot[] Snapshots()
    {
        ApplyChanges();
        var result = new AccountSnapshot[_count];
        for (var i = 0; i < _count; i++) result[i] = _entries[i].Snapshot;
        return result;
    }

    // The firm-wide trigger budget is taken here, where market triggers are born, before any grain wakes: the first scan
    // after a silo starts finds every condition that already holds (464,000 accounts of a million), and waking each
    // account only for the budget to refuse it made the silo hold 11 GB of account activations (issue #18). A notice the
    // budget holds back is not sent and is reported again later at the budget's pace (NoticePacing); with no reminder
    // configured it waits for its condition to rise anew. While the silo's households have as many decisions waiting as
    // it allows (DecisionOptions.MaxHouseholdsDeciding) market notices are held the same way: a shock wakes households
    // as fast as the silo decides, not as fast as the budget allows (the first 1M shock ran out of memory that way).
    private void Notify(MonitorEntry<string> entry, List<Trigger> triggers)
    {
        var now = clock.GetUtcNow();
        if (_pacing is not null && !_pacing.TrySend(triggers, now, out var retryAt))
        {
            if (_reminder > TimeSpan.Zero) entry.ReportAgainAt(retryAt, _reminder);
            // Tick-to-trigger of a notice held back ends here, where it was found (a sent one ends at its account).
            latency?.Record(now - triggers[0].BatchPublishedAt);
            return;
        }
        grains.GetGrain<IAccountGrain>(entry.Target).OnTriggers([.. triggers]).Ignore();
    }

    private void ApplyChanges()
    {
        while (_changes.TryDequeue(out var change))
        {
            if (change.Add)
            {
                if (_count == _entries.Length) Array.Resize(ref _entries, _count * 2);
                change.Entry.Slot = _count;
                _entries[_count++] = change.Entry;
            }
            else if (change.Entry.Slot >= 0)
            {
                var slot = change.Entry.Slot;
                var last = _entries[--_count];
                _entries[slot] = last;
                last.Slot = slot;
                _entries[_count] = null!;
                change.Entry.Slot = -1;
                _incremental?.Retally(change.Entry, null);
            }
        }
    }
}
