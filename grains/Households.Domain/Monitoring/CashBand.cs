using Households.Contracts;

namespace Households.Domain.Monitoring;

/// <summary>Whether money that came in other than by a price move (a dividend swept to cash) lifted the account's cash
/// line above its band: the monitor's own drift test (<see cref="TriggerKernel"/>) on the account's snapshot, so an event
/// path and the price scan never disagree about the band.</summary>
public static class CashBand
{
    /// <summary>The cash line at these prices when it is out of band above its target; null when the account has no cash
    /// line (no model, or a model without a cash sleeve), a price is missing, or the cash is within its band or below it.</summary>
    public static DriftLine? Above(AccountSnapshot snapshot, double[] prices)
    {
        if (snapshot.CashLine < 0) return null;
        var lines = TriggerKernel.DriftLines(snapshot, prices);
        return snapshot.CashLine < lines.Length && lines[snapshot.CashLine] is { OutOfBand: true, Drift: > 0 } line ? line : null;
    }
}
