namespace Households.Domain.Calendar;

/// <summary>The simulated market's business clock when it is paced (<c>Market:FastClock</c>): it runs <see cref="Scale"/> times
/// faster than <paramref name="real"/> through the exchange's sessions only, from the next open, and steps from one session's
/// close to the next trading session's open (no nights, weekends or holidays), so the demo's clock and the trading calendar
/// agree: every trade date is a trading day and every decision falls in trading hours.</summary>
public sealed class SessionClock(TimeProvider real, double scale, TradingCalendar calendar) : TimeProvider
{
    private readonly DateTimeOffset _origin = real.GetUtcNow();
    private readonly Anchor _start = new(TimeSpan.Zero, calendar.NextOpen(real.GetUtcNow()));
    // The last answer: the next read walks on from it over the sessions since, not from the start (the clock is read often).
    private Anchor? _last;

    public double Scale { get; } = scale > 0 ? scale : throw new ArgumentOutOfRangeException(nameof(scale), "the scale must be positive");

    public override DateTimeOffset GetUtcNow()
    {
        var elapsed = (real.GetUtcNow() - _origin) * Scale;
        var from = Volatile.Read(ref _last) is { } last && last.Elapsed <= elapsed ? last : _start;
        var now = calendar.AddSessionTime(from.At, elapsed - from.Elapsed);
        Volatile.Write(ref _last, new Anchor(elapsed, now));
        return now;
    }

    private sealed record Anchor(TimeSpan Elapsed, DateTimeOffset At);
}
