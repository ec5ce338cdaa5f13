using Households.Contracts;
using Households.Domain;
using Households.Grains.Silo;
using Microsoft.Extensions.Logging;

namespace Households.Grains.Household;

/// <summary>A household and the market's trading sessions (docs/architecture.md, trading hours): what waits for the open
/// (triggers, withdrawals waiting for settlement) keeps the activation until then, and what a person asks to trade is
/// refused while the market is closed.</summary>
public sealed class HouseholdSession(string householdId, TradingSessionGate session, TimeProvider clock, HouseholdEventRing events,
    Action<TimeSpan> delayDeactivation, ILogger log)
{
    /// <summary>The longest a household keeps its activation for a session to open (its inbox lives in memory): a long weekend.</summary>
    public static readonly TimeSpan MaxWaitForOpen = TimeSpan.FromDays(5);
    /// <summary>Kept beyond the open, so the activation is still there when the gate wakes it.</summary>
    public static readonly TimeSpan Margin = TimeSpan.FromMinutes(1);

    /// <summary>When the next session opens, or null while one is open.</summary>
    public DateTimeOffset? ClosedUntil() => session.ClosedUntil(clock.GetUtcNow());

    /// <summary>Orders reach the market only in its sessions: outside them a person's approval or rebalance is refused,
    /// naming the next open, and nothing changes.</summary>
    public void RequireOpen(string what)
    {
        if (ClosedUntil() is { } open)
            throw new BadInputException($"the market is closed: {what} in trading hours; the next session opens {open:yyyy-MM-dd HH:mm} UTC");
    }

    /// <summary>Withdrawals waiting for sale proceeds to settle are paid at the open of the settlement day: the session gate
    /// wakes the household then. Returns the lines for the proposal's note.</summary>
    public List<string> AwaitSettlement(WithdrawalsPaid paid)
    {
        if (paid.SettlesOn is { } date) WaitFor(session.OpenOn(date), $"withdrawals wait for settlement on {date:yyyy-MM-dd}");
        return paid.Lines;
    }

    /// <summary>Asks the session gate to wake the household at <paramref name="open"/> and keeps the activation until then.</summary>
    public void WaitFor(DateTimeOffset open, string why)
    {
        session.WakeAt(householdId, open);
        // The waiting triggers are in memory: the activation stays until the open (business time; the demo's session clock
        // never waits for one).
        var wait = open - clock.GetUtcNow();
        if (wait > TimeSpan.Zero) delayDeactivation(wait < MaxWaitForOpen ? wait + Margin : MaxWaitForOpen);
        events.Add("waiting", null, null, why);
        log.LogDebug("{Household}: {Why} (until {Open})", householdId, why, open);
    }
}
