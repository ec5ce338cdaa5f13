using Households.Contracts;
using Households.Domain.Decisions;

namespace Households.Domain.Monitoring;

/// <summary>The firm-wide trigger budget and the silo's backpressure as the monitor applies them, before any grain wakes
/// (issue #18). A notice with an event among its triggers (cash) always goes. A notice of market triggers (drift, harvest)
/// is held while the silo is saturated: the households deciding (<see cref="Begin"/>/<see cref="End"/>) and the market
/// notices on their way (sent in the last <see cref="WakeWindow"/> and not yet <see cref="Arrived"/>) reach
/// the limit; otherwise it goes with a token from the bucket. A held notice is given a time to be reported again: held
/// notices queue behind one another at the budget's rate, those the budget held from <see cref="FirstRetry"/> on (so a
/// backlog of 464,000 standing conditions after a silo starts drains at the firm's pace instead of waiting for the daily
/// reminder, and never as one burst), those held for saturation from <see cref="FirstRetrySaturated"/> on, each sent if the
/// silo has room by then. Thread-safe.</summary>
public sealed class NoticePacing(double perSecond, int burst, DateTimeOffset start, int maxDeciding = 0)
{
    /// <summary>How long a notice the budget held waits at least before it is reported again.</summary>
    public static readonly TimeSpan FirstRetry = TimeSpan.FromMinutes(1);

    /// <summary>How long a notice held because the silo was saturated waits at least: households finish deciding within
    /// seconds, and a minute's wait would leave the silo idle.</summary>
    public static readonly TimeSpan FirstRetrySaturated = TimeSpan.FromSeconds(2);

    /// <summary>How long a sent notice counts toward the silo's deciding households at most, when it never reaches a
    /// household (its account refused it: a cooldown): the account must wake and admit it and the household wake (seconds
    /// when the silo is busy). Without it one scan sent every notice the rate budget allowed before the first household
    /// counted (215,000 in the 42 s scan of a 1M shock).</summary>
    public static readonly TimeSpan WakeWindow = TimeSpan.FromSeconds(5);

    private readonly TokenBucket _bucket = new(perSecond, burst, start);
    private readonly Lock _gate = new();
    private readonly long _spacing = (long)Math.Ceiling(TimeSpan.TicksPerSecond / perSecond);
    private readonly Queue<long> _sent = new();
    private DateTimeOffset _lastRetry = DateTimeOffset.MinValue;
    private long _held;
    private int _deciding;

    /// <summary>Notices held back since start.</summary>
    public long Held => Interlocked.Read(ref _held);

    private int _yielding;

    /// <summary>The silo is reading a dead silo's share of the books (<see cref="Yield"/> … <see cref="Resume"/>): market
    /// notices wait as if the silo were saturated, so the read has the cores and the firm is whole again first; the
    /// households already deciding finish (issue #18 goal 7: under a shock's decisions a 300,000-account takeover took
    /// 68 s instead of 12).</summary>
    public bool Yielding => Volatile.Read(ref _yielding) > 0;

    /// <summary>Market notices wait from now until the matching <see cref="Resume"/>.</summary>
    public void Yield() => Interlocked.Increment(ref _yielding);

    /// <summary>Ends one <see cref="Yield"/>.</summary>
    public void Resume() => Interlocked.Decrement(ref _yielding);

    /// <summary>Households of this silo with a decision waiting or running.</summary>
    public int Deciding => Volatile.Read(ref _deciding);

    /// <summary>Market notices sent within the wake window that have not yet reached a household.</summary>
    public int OnTheirWay { get { lock (_gate) return _sent.Count; } }

    /// <summary>A household of this silo has a decision to make (its inbox went from empty to waiting).</summary>
    public void Begin() => Interlocked.Increment(ref _deciding);

    /// <summary>That household has nothing left to decide (or waits for the market to open, or deactivated).</summary>
    public void End() => Interlocked.Decrement(ref _deciding);

    /// <summary>Whether a notice counts on its way (and is paced): market triggers only. One with an event among its triggers
    /// always goes, uncounted; the account and the household that see it end its count by the same rule.</summary>
    public static bool Counted(IReadOnlyCollection<Trigger> triggers) => triggers.Count > 0 && triggers.All(t => TriggerCooldowns.IsMarketTrigger(t.Kind));

    /// <summary>A market notice reached its household (which counts itself while it decides), or its account's cooldowns
    /// refused it whole: the oldest notice on its way stops counting. Before, each counted for the whole wake window, and the window, not the silo's decisions, bounded
    /// the pace: at most the limit's notices per 5 s (12.8 a second at 64; about 5 households a second in the 1M shock while
    /// the decision lane stood half idle).</summary>
    public void Arrived()
    {
        lock (_gate) _sent.TryDequeue(out _);
    }

    /// <summary>True when the notice may be sent now (a market notice is then counted as on its way); else false and when
    /// to report it again.</summary>
    public bool TrySend(IReadOnlyList<Trigger> triggers, DateTimeOffset now, out DateTimeOffset retryAt)
    {
        retryAt = default;
        if (!Counted(triggers)) return true;
        lock (_gate)
        {
            var saturated = Yielding;
            if (!saturated && maxDeciding > 0)
            {
                while (_sent.TryPeek(out var at) && now.UtcTicks - at >= WakeWindow.Ticks) _sent.Dequeue();
                saturated = Deciding + _sent.Count >= maxDeciding;
            }
            if (!saturated && _bucket.TryTake(now))
            {
                if (maxDeciding > 0) _sent.Enqueue(now.UtcTicks);
                return true;
            }
            _held++;
            var earliest = now + (saturated ? FirstRetrySaturated : FirstRetry);
            _lastRetry = _lastRetry < earliest ? earliest : _lastRetry.AddTicks(_spacing);
            retryAt = _lastRetry;
            return false;
        }
    }
}
