using Households.Contracts;
using Households.Domain.Decisions;

namespace Households.Domain.Monitoring;

/// <summary>The firm-wide trigger budget as the monitor applies it, before any grain wakes (issue #18): a notice of market
/// triggers (drift, harvest) goes only with a token from the bucket; one with an event among them (cash) always goes. A
/// notice held back is given a time to be reported again: the held notices queue behind one another at the budget's rate,
/// the first <see cref="FirstRetry"/> after it was held, so a backlog of 464,000 standing conditions after a silo starts
/// drains at the firm's pace instead of waiting for the daily reminder, and never as one burst. A silo that already has as
/// many households deciding as it allows holds market notices the same way (backpressure). Thread-safe.</summary>
public sealed class NoticePacing(double perSecond, int burst, DateTimeOffset start, TimeSpan? saturatedSpacing = null)
{
    /// <summary>How long a notice the budget held waits at least before it is reported again.</summary>
    public static readonly TimeSpan FirstRetry = TimeSpan.FromMinutes(1);

    /// <summary>How long a notice held because the silo was saturated waits at least: households finish deciding within
    /// seconds, and a minute's wait would leave the silo idle.</summary>
    public static readonly TimeSpan FirstRetrySaturated = TimeSpan.FromSeconds(2);

    private readonly TokenBucket _bucket = new(perSecond, burst, start);
    private readonly Lock _gate = new();
    private readonly long _spacing = (long)Math.Ceiling(TimeSpan.TicksPerSecond / perSecond);
    // Held for saturation, notices queue at about the pace the silo decides, not the budget's.
    private readonly long _saturatedSpacing = Math.Max((long)Math.Ceiling(TimeSpan.TicksPerSecond / perSecond), (saturatedSpacing ?? TimeSpan.Zero).Ticks);
    private DateTimeOffset _lastRetry = DateTimeOffset.MinValue;
    private long _held;

    /// <summary>Notices held back since start.</summary>
    public long Held => Interlocked.Read(ref _held);

    /// <summary>True when the notice may be sent now; else false and when to report it again. <paramref name="saturated"/>:
    /// the silo has as many households deciding as it allows, so a market notice is held without taking a token.</summary>
    public bool TrySend(IReadOnlyList<Trigger> triggers, DateTimeOffset now, out DateTimeOffset retryAt, bool saturated = false)
    {
        retryAt = default;
        var market = true;
        foreach (var t in triggers) market &= TriggerCooldowns.IsMarketTrigger(t.Kind);
        if (!market || (!saturated && _bucket.TryTake(now))) return true;
        Interlocked.Increment(ref _held);
        lock (_gate)
        {
            var earliest = now + (saturated ? FirstRetrySaturated : FirstRetry);
            _lastRetry = _lastRetry < earliest ? earliest : _lastRetry.AddTicks(saturated ? _saturatedSpacing : _spacing);
            retryAt = _lastRetry;
        }
        return false;
    }
}
