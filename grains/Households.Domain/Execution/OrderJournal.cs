using System.Globalization;
using Households.Contracts;
using Households.Domain.Tax;

namespace Households.Domain.Execution;

/// <summary>Journal lines of an order's life: sent, filled (beside the fills' own <see cref="JournalKind.Fill"/> entries, keyed
/// by the order id), canceled or rejected, expired; and a decision deferred for accounts with open orders. Keys derive from
/// the order and execution ids, so a re-append lands once.</summary>
public static class OrderJournal
{
    public static JournalEntry Sent(BrokerOrder o, DateTimeOffset at) =>
        new(0, o.HouseholdId, o.AccountId, JournalKind.OrderSent, at, $"order:{o.ClientOrderId}:sent",
            string.Create(CultureInfo.InvariantCulture, $"Order {o.ClientOrderId} sent: {Side(o)} {o.Quantity} {o.Symbol} in {o.AccountId}, {Type(o)}, DAY {o.TradeDate:yyyy-MM-dd}{Lots(o)}"),
            JournalFormat.Payload(o));

    public static JournalEntry Executed(ExecutionResult r, DateTimeOffset at)
    {
        var o = r.Order;
        var filled = o.Status is OrderStatus.Filled or OrderStatus.PartiallyFilled && r.Fills.Length > 0;
        var kind = filled ? JournalKind.OrderFilled : JournalKind.OrderCanceled;
        var summary = filled
            ? string.Create(CultureInfo.InvariantCulture, $"Order {o.ClientOrderId} {OrderBook.Describe(o.Status)} by execution {r.ExecutionId}: {r.Fills.Sum(f => f.Request.Quantity)} at {r.Fills[0].Request.Price:0.00####}; {o.FilledQuantity} of {o.Quantity} filled, average {o.AveragePrice:0.00####}")
            : string.Create(CultureInfo.InvariantCulture, $"Order {o.ClientOrderId} {OrderBook.Describe(o.Status)} by execution {r.ExecutionId} ({o.Reason}): {o.Quantity - o.FilledQuantity} of {o.Quantity} {o.Symbol} released");
        return new(0, o.HouseholdId, o.AccountId, kind, at, $"order:{o.ClientOrderId}:exec:{r.ExecutionId}", summary, JournalFormat.Payload(r with { Replayed = false }));
    }

    public static JournalEntry Expired(BrokerOrder o, DateTimeOffset at) =>
        new(0, o.HouseholdId, o.AccountId, JournalKind.OrderExpired, at, $"order:{o.ClientOrderId}:expired",
            string.Create(CultureInfo.InvariantCulture, $"Order {o.ClientOrderId} expired at the close of {o.TradeDate:yyyy-MM-dd}: {o.Quantity - o.FilledQuantity} of {o.Quantity} {o.Symbol} released"),
            JournalFormat.Payload(o));

    /// <summary>A decision that left <paramref name="accounts"/> out because they have open orders; <paramref name="key"/> makes it unique.</summary>
    public static JournalEntry Deferred(string householdId, IReadOnlyCollection<string> accounts, DateTimeOffset at, string key) =>
        new(0, householdId, accounts.Count == 1 ? accounts.First() : null, JournalKind.OrderDeferred, at, $"deferred:{householdId}:{key}",
            $"Decision deferred for {string.Join(", ", accounts)}: open orders count as planned until they fill, are canceled or rejected, or expire",
            JournalFormat.Payload(accounts));

    private static string Side(BrokerOrder o) => o.Side == TradeSide.Buy ? "buy" : "sell";

    private static string Type(BrokerOrder o) => o.LimitPrice is { } limit ? string.Create(CultureInfo.InvariantCulture, $"limit {limit:0.00}") : "market";

    private static string Lots(BrokerOrder o) => o.Lots.Length == 0 ? ""
        : "; lots " + string.Join(", ", o.Lots.Select(l => string.Create(CultureInfo.InvariantCulture, $"{l.LotId}:{l.Quantity}")));
}
