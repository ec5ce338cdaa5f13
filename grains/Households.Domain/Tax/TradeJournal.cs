using System.Globalization;
using Households.Contracts;

namespace Households.Domain.Tax;

/// <summary>The journal lines a recorded trade produces: the fill with its tax effect, and one line per wash-sale
/// adjustment it caused. Keys derive from the trade's idempotency key, so re-journaling a retried trade is a no-op.</summary>
public static class TradeJournal
{
    /// <summary>A fill's journal key is this prefix and its idempotency key (unique per account).</summary>
    public const string FillKeyPrefix = "fill:";

    public static JournalEntry[] Entries(string householdId, TradeResult trade, DateTimeOffset at)
    {
        var entries = new List<JournalEntry>
        {
            new(0, householdId, trade.AccountId, JournalKind.Fill, at, FillKeyPrefix + trade.IdempotencyKey, Describe(trade),
                JournalFormat.Payload(trade with { Replayed = false })),
        };
        entries.AddRange(trade.WashSales.Select((a, i) => new JournalEntry(0, householdId, a.Account, JournalKind.WashSale, at,
            $"wash:{trade.AccountId}:{trade.IdempotencyKey}:{i}", Describe(a), JournalFormat.Payload(a))));
        return [.. entries];
    }

    public static string Describe(TradeResult t)
    {
        var r = t.Request;
        var text = string.Create(CultureInfo.InvariantCulture, $"{(r.Side == TradeSide.Buy ? "Bought" : "Sold")} {r.Quantity} {r.Symbol} at {r.Price:0.00####} on {r.TradeDate:yyyy-MM-dd} in {t.AccountId}");
        if (t.CreatedLot is { } lot) return string.Create(CultureInfo.InvariantCulture, $"{text}: lot {lot.Id}, basis {lot.Basis:0.00}");
        var st = t.Realized.Where(x => x.Term == HoldingTerm.Short).Sum(x => x.Recognized);
        var lt = t.Realized.Where(x => x.Term == HoldingTerm.Long).Sum(x => x.Recognized);
        var disallowed = t.Realized.Sum(x => x.Disallowed);
        return string.Create(CultureInfo.InvariantCulture,
            $"{text}: lots {string.Join(", ", t.Realized.Select(x => x.LotId).Distinct())}; recognized {st:0.00} short term, {lt:0.00} long term; {disallowed:0.00} disallowed by wash sales");
    }

    public static string Describe(WashSaleAdjustment a)
    {
        var what = string.Create(CultureInfo.InvariantCulture,
            $"Wash sale (IRC §1091): loss on lot {a.SoldLotId} sold {a.SaleDate:yyyy-MM-dd} in {a.LossAccount} matched by {a.Quantity} shares of lot {a.LotId} in {a.Account}; {a.Disallowed:0.00} disallowed");
        return what + (a.Permanent
            ? " permanently (replacement in a tax-advantaged account, Rev. Rul. 2008-5)"
            : string.Create(CultureInfo.InvariantCulture, $", added to the replacement's basis; holding period from {a.HoldingSince:yyyy-MM-dd}"));
    }
}
