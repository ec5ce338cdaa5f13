namespace Households.Simulation.Market;

/// <summary>A clock a simulation sets: the moment it has stepped to (a stress checkpoint, a backtest's trading day), for
/// the monitor's trigger timestamps and reminders.</summary>
public sealed class SteppedClock : TimeProvider
{
    public DateTimeOffset Now;

    public override DateTimeOffset GetUtcNow() => Now;
}
