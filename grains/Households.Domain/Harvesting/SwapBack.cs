using Households.Contracts;
using Households.Domain.WashSales;

namespace Households.Domain.Harvesting;

/// <summary>When a replacement bought by a harvest may be sold to buy the original back: after
/// <see cref="WaitDays"/> calendar days (31: the original's loss can no longer be washed by the repurchase), and only
/// while the replacement's gain is at most <see cref="MaxGainPercent"/> of its basis (a larger gain would cost more tax
/// than the return to the original is worth; a loss is fine, it is realized like a harvest).</summary>
public sealed record SwapBackRule(int WaitDays = 31, decimal MaxGainPercent = 0.01m)
{
    public static SwapBackRule Default { get; } = new();
}

public static class SwapBack
{
    /// <summary>True when <paramref name="replacement"/> (a lot bought on a harvest of <paramref name="original"/>) may
    /// be swapped back on <paramref name="today"/> at <paramref name="price"/>: the wait is over, buying the original
    /// would not wash an open loss (<paramref name="blackouts"/>, keys by <paramref name="washSaleKey"/>), and the
    /// replacement's gain is within the rule.</summary>
    public static bool IsDue(TaxLot replacement, decimal price, string original, DateOnly today, IReadOnlyCollection<BuyBlackout> blackouts,
        SwapBackRule rule, Func<string, string>? washSaleKey = null)
    {
        ArgumentNullException.ThrowIfNull(replacement);
        ArgumentNullException.ThrowIfNull(rule);
        washSaleKey ??= s => s;
        if (today.DayNumber - replacement.Purchased.DayNumber < Math.Max(rule.WaitDays, WashSaleLedger.WindowDays + 1)) return false;
        var key = washSaleKey(original);
        foreach (var b in blackouts)
            if (b.WashSaleKey == key && b.WashesThrough >= today) return false;
        var gain = replacement.Quantity * price - replacement.Basis;
        return gain <= rule.MaxGainPercent * replacement.Basis;
    }
}
