namespace Households.Grains.Silo;

/// <summary>The key of the firm's business clock (a keyed <see cref="TimeProvider"/>): trade dates, wash-sale windows,
/// trigger cooldowns, budgets and reminders, proposal lifetimes and the journal's times. It is the system clock unless
/// the simulated market runs with <see cref="MarketOptions.FastClock"/>. Orleans' own clock (membership, timers) and
/// token lifetimes stay on the unkeyed system clock, so a paced business clock never speeds up the runtime.</summary>
public static class BusinessClock
{
    public const string Key = "households-business";
}
