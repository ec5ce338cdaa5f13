namespace Households.Domain.Market;

/// <summary>A clock that runs <see cref="Scale"/> times faster than <paramref name="real"/> from the moment it is made:
/// the simulated market's business time, so a quarter of trade dates, wash-sale windows and cooldowns passes in a minute.
/// Timers and delays still run on real time (the base <see cref="TimeProvider"/> timers).</summary>
public sealed class PacedClock(TimeProvider real, double scale) : TimeProvider
{
    private readonly DateTimeOffset _origin = real.GetUtcNow();

    public double Scale { get; } = scale > 0 ? scale : throw new ArgumentOutOfRangeException(nameof(scale), "the scale must be positive");

    public override DateTimeOffset GetUtcNow() => _origin + (real.GetUtcNow() - _origin) * Scale;
}
