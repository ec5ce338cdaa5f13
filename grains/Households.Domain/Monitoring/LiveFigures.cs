using System.Runtime.InteropServices;
using System.Buffers;
using Households.Contracts;

namespace Households.Domain.Monitoring;

/// <summary>The live state a polling client wants, from the monitor's own snapshot and kernel: the figures are the ones
/// the monitor acts on (same drift bands, same harvest test), computed once per price batch and snapshot.</summary>
public static class LiveFigures
{
    /// <summary>One account's live figures at <paramref name="prices"/>. <paramref name="cash"/> is the decimal cash the
    /// snapshot was built from; <paramref name="snapshot"/> null (not yet watched) values the cash alone.</summary>
    public static AccountLiveState Account(string accountId, AccountType type, string? modelId, decimal cash, AccountSnapshot? snapshot,
        PriceVector prices, int openTriggers)
    {
        if (snapshot is null)
            return new AccountLiveState(accountId, type, modelId, cash, cash, 0, 0, 0, 0, openTriggers, prices.Sequence, prices.PublishedAt);
        var s = snapshot;
        var lines = s.LineCount;
        var weights = ArrayPool<double>.Shared.Rent(Math.Max(1, lines));
        var flags = ArrayPool<byte>.Shared.Rent(Math.Max(1, lines + s.LotCount));
        try
        {
            AccountMeasure m = default;
            if (TriggerKernel.Evaluate(s, prices.Values, weights, flags, out var value)) m = TriggerKernel.Measure(s, weights, flags, prices.Values);
            else value = Valued(s, prices.Values); // a price missing or nothing of value: no drift, no harvest
            return new AccountLiveState(accountId, type, modelId, Cents(value), cash, m.OutOfBand, m.LargestDrift, m.HarvestableLots,
                m.HarvestableLoss, openTriggers, prices.Sequence, prices.PublishedAt);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(weights);
            ArrayPool<byte>.Shared.Return(flags);
        }
    }

    /// <summary>The household's totals over its accounts' live figures, valued at the oldest batch among them.</summary>
    public static HouseholdLiveState Household(string householdId, string advisorId, AccountLiveState[] accounts, int pendingProposals)
    {
        var oldest = accounts.Length == 0 ? null : accounts.MinBy(a => a.PriceSequence);
        return new HouseholdLiveState(householdId, advisorId, accounts.Sum(a => a.MarketValue), accounts.Sum(a => a.Cash),
            oldest?.PriceSequence ?? 0, oldest?.AsOf ?? DateTimeOffset.MinValue, pendingProposals, ImmutableCollectionsMarshal.AsImmutableArray(accounts));
    }

    /// <summary>Cash plus positions with a price (a missing price counts as zero, as in the account's view).</summary>
    private static double Valued(AccountSnapshot s, double[] prices)
    {
        var value = s.Cash;
        foreach (var row in s.Positions)
            if (row.Ordinal < prices.Length && !double.IsNaN(prices[row.Ordinal])) value += row.Quantity * prices[row.Ordinal];
        return value;
    }

    private static decimal Cents(double value) =>
        double.IsFinite(value) && Math.Abs(value) < 7.9e27 ? Math.Round((decimal)value, 2, MidpointRounding.AwayFromZero) : 0m;
}
