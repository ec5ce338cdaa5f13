using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;
using Households.Contracts;

namespace Households.Domain.Execution;

/// <summary>
/// A household's orders and the execution reports applied to them: open → partially filled → filled, or canceled,
/// rejected or expired with the remaining quantity released. Pure state; the household grain persists <see cref="Orders"/>
/// and <see cref="Executions"/> and books the fills through its ledger.
/// <para>Rules: a fill of any type raises the cumulative quantity (never past the order's) and moves the average price; the
/// order is filled when the cumulative reaches its quantity, else partially filled. A sell fill relieves the engine's lots in
/// the engine's order: the first lot until its planned shares are relieved, then the next (a partial fill never splits
/// across lots out of order). A limit order fills at or better than its limit. Cancel and reject close the order with what
/// was filled. Each execution id applies once; sent again it answers its first result.</para>
/// </summary>
public sealed partial class OrderBook(IEnumerable<BrokerOrder>? orders = null, IEnumerable<ExecutionResult>? executions = null)
{
    private readonly Dictionary<string, BrokerOrder> _orders = (orders ?? []).ToDictionary(o => o.ClientOrderId, StringComparer.Ordinal);
    private readonly Dictionary<string, ExecutionResult> _executions = (executions ?? []).ToDictionary(e => e.ExecutionId, StringComparer.Ordinal);

    public BrokerOrder[] Orders => [.. _orders.Values.OrderBy(o => o.CreatedAt).ThenBy(o => o.ProposalId, StringComparer.Ordinal).ThenBy(o => Number(o.ClientOrderId))];

    public ExecutionResult[] Executions => [.. _executions.Values];

    public BrokerOrder? Find(string clientOrderId) => _orders.GetValueOrDefault(clientOrderId);

    public ExecutionResult? Executed(string executionId) => _executions.GetValueOrDefault(executionId);

    /// <summary>Whether orders of <paramref name="proposalId"/> were sent (a retried execution sends none again).</summary>
    public bool Sent(string proposalId) => _orders.Values.Any(o => o.ProposalId == proposalId);

    /// <summary>The accounts with an open order: the household does not decide for them until those orders resolve.</summary>
    public IReadOnlySet<string> AccountsWithOpenOrders() => _orders.Values.Where(o => o.IsOpen).Select(o => o.AccountId).ToHashSet(StringComparer.Ordinal);

    public bool HasOpen => _orders.Values.Any(o => o.IsOpen);

    public void Put(BrokerOrder order) => _orders[order.ClientOrderId] = order;

    public void Record(ExecutionResult result)
    {
        _executions[result.ExecutionId] = result;
        _orders[result.Order.ClientOrderId] = result.Order;
    }

    /// <summary>Closed orders kept (with their execution reports); older ones live on in the journal, and a report for one of
    /// them is refused as for an unknown order.</summary>
    public const int Kept = 1_000;

    /// <summary>Drops the oldest closed orders beyond <see cref="Kept"/>, and their reports.</summary>
    public void Prune()
    {
        var old = _orders.Values.Where(o => !o.IsOpen).OrderByDescending(o => o.ClosedAt).Skip(Kept).Select(o => o.ClientOrderId).ToHashSet(StringComparer.Ordinal);
        if (old.Count == 0) return;
        foreach (var id in old) _orders.Remove(id);
        foreach (var e in _executions.Values.Where(e => old.Contains(e.Order.ClientOrderId)).ToList()) _executions.Remove(e.ExecutionId);
    }

    /// <summary>Orders open at <paramref name="now"/> whose trade date has closed, expired at the close (the remaining quantity released).</summary>
    public BrokerOrder[] Expire(DateTimeOffset now)
    {
        var expired = _orders.Values.Where(o => IsDue(o, now)).Select(o => Expired(o)).ToArray();
        foreach (var o in expired) _orders[o.ClientOrderId] = o;
        return expired;
    }

    /// <summary><see cref="Orders"/> as they stand at <paramref name="now"/> without changing the book: an open order past its
    /// close reads as expired (the household records the expiry at its next turn).</summary>
    public BrokerOrder[] OrdersAt(DateTimeOffset now) => [.. Orders.Select(o => IsDue(o, now) ? Expired(o) : o)];

    private static bool IsDue(BrokerOrder o, DateTimeOffset now) => o.IsOpen && OrderExpiry.IsPastClose(o, now);

    private static BrokerOrder Expired(BrokerOrder o) =>
        o with { Status = OrderStatus.Expired, ClosedAt = OrderExpiry.CloseOf(o.TradeDate), Reason = "not filled by the close of its trade date" };

    /// <summary>Checks a whole batch of execution reports in order against copies of the orders, so a bad report anywhere
    /// changes nothing: unknown order, a closed (or expired at <paramref name="now"/>) order, quantity beyond the open quantity,
    /// a bad price or a price through the limit, an execution id used before for a different report. Returns, per report,
    /// its first result when it was applied before (a replay), else null.</summary>
    public ExecutionResult?[] Check(IReadOnlyList<OrderExecution> batch, DateTimeOffset now)
    {
        var working = new Dictionary<string, BrokerOrder>(StringComparer.Ordinal);
        var seen = new Dictionary<string, OrderExecution>(StringComparer.Ordinal);
        var replays = new ExecutionResult?[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            var e = batch[i] ?? throw new BadInputException($"executions[{i}] is required");
            var where = $"executions[{i}] ({e.ExecutionId})";
            Shape(e, where);
            if (_executions.TryGetValue(e.ExecutionId, out var first))
            {
                if (first.Order.ClientOrderId != e.ClientOrderId) throw new BadInputException($"{where}: executionId was already used for order {first.Order.ClientOrderId}");
                replays[i] = first;
                continue;
            }
            if (seen.TryGetValue(e.ExecutionId, out var earlier))
            {
                if (earlier != e) throw new BadInputException($"{where}: executionId appears twice in the batch with different content");
                continue;
            }
            seen[e.ExecutionId] = e;
            var order = working.GetValueOrDefault(e.ClientOrderId) ?? Find(e.ClientOrderId)
                ?? throw new BadInputException($"{where}: order {e.ClientOrderId} does not exist");
            if (IsDue(order, now)) order = Expired(order);
            working[e.ClientOrderId] = Advance(order, e, e.Type is ExecutionType.Fill or ExecutionType.Partial ? e.Quantity : 0m, where);
        }
        return replays;
    }

    private static void Shape(OrderExecution e, string where)
    {
        InputRules.Id(e.ExecutionId, "executionId");
        InputRules.Id(e.ClientOrderId, "clientOrderId");
        if (!Enum.IsDefined(e.Type)) throw new BadInputException($"{where}: type must be fill, partial, canceled or rejected");
        if (e.Commission < 0) throw new BadInputException($"{where}: commission must be >= 0");
        if (e.Type is ExecutionType.Fill or ExecutionType.Partial)
        {
            if (e.Quantity <= 0) throw new BadInputException($"{where}: quantity must be > 0");
            if (e.Price <= 0) throw new BadInputException($"{where}: price must be > 0");
            if (e.Price > InputRules.MaxPrice) throw new BadInputException($"{where}: price must be at most {InputRules.MaxPrice}");
        }
    }

    /// <summary>The order after an execution report of which <paramref name="filled"/> shares were booked (all of a fill's, or
    /// fewer when the books refused some), and <paramref name="pieces"/> fill keys used. Bad input when the order is closed, the
    /// quantity exceeds the open quantity or the price is through the limit.</summary>
    public static BrokerOrder Advance(BrokerOrder order, OrderExecution e, decimal filled, string? where = null, int pieces = 0)
    {
        where ??= $"execution {e.ExecutionId}";
        if (!order.IsOpen) throw new BadInputException($"{where}: order {order.ClientOrderId} is {Describe(order.Status)}");
        switch (e.Type)
        {
            case ExecutionType.Fill or ExecutionType.Partial:
                if (e.Quantity > order.RemainingQuantity)
                    throw new BadInputException(string.Create(CultureInfo.InvariantCulture, $"{where}: quantity {e.Quantity} exceeds the open quantity {order.RemainingQuantity} of order {order.ClientOrderId}"));
                if (order.LimitPrice is { } limit && (order.Side == TradeSide.Buy ? e.Price > limit : e.Price < limit))
                    throw new BadInputException(string.Create(CultureInfo.InvariantCulture, $"{where}: price {e.Price} is through the limit {limit} of order {order.ClientOrderId}"));
                if (filled <= 0) return order with { Pieces = order.Pieces + pieces };
                var cumulative = order.FilledQuantity + filled;
                return order with
                {
                    FilledQuantity = cumulative,
                    AveragePrice = Math.Round((order.AveragePrice * order.FilledQuantity + e.Price * filled) / cumulative, 6),
                    Status = cumulative == order.Quantity ? OrderStatus.Filled : OrderStatus.PartiallyFilled,
                    ClosedAt = cumulative == order.Quantity ? e.Time : null,
                    Pieces = order.Pieces + pieces,
                };
            default:
                return order with
                {
                    Status = e.Type == ExecutionType.Canceled ? OrderStatus.Canceled : OrderStatus.Rejected,
                    ClosedAt = e.Time, Reason = e.Reason ?? (e.Type == ExecutionType.Canceled ? "canceled" : "rejected"),
                };
        }
    }

    /// <summary>The fills to book for <paramref name="e"/> on <paramref name="order"/>: a buy is one fill; a sell one fill per lot
    /// it relieves, the engine's lots in the engine's order from where the earlier fills stopped. Keys are
    /// <c>{clientOrderId}:{piece}</c> from the order's piece count, so the same report books under the same keys again. The
    /// commission goes with the first.</summary>
    public static TradeRequest[] Fills(BrokerOrder order, OrderExecution e)
    {
        if (e.Type is not (ExecutionType.Fill or ExecutionType.Partial)) return [];
        var date = OrderExpiry.TradeDateOf(e.Time);
        string Key(int i) => string.Create(CultureInfo.InvariantCulture, $"{order.ClientOrderId}:{order.Pieces + i}");
        if (order.Side == TradeSide.Buy)
            return [new TradeRequest(Key(0), date, order.Symbol, TradeSide.Buy, e.Quantity, e.Price, null, null, e.Commission)];
        var fills = new List<TradeRequest>();
        foreach (var (lot, quantity) in Relief(order.Lots, order.FilledQuantity, e.Quantity))
            fills.Add(new TradeRequest(Key(fills.Count), date, order.Symbol, TradeSide.Sell, quantity, e.Price, lot, null, fills.Count == 0 ? e.Commission : 0m));
        return [.. fills];
    }

    /// <summary>Which lots <paramref name="quantity"/> shares relieve after <paramref name="done"/> shares were relieved: the lots
    /// in order, each up to its planned shares.</summary>
    public static IEnumerable<(string LotId, decimal Quantity)> Relief(IReadOnlyList<OrderLot> lots, decimal done, decimal quantity)
    {
        var skip = done;
        foreach (var lot in lots)
        {
            if (quantity <= 0) yield break;
            var left = lot.Quantity - Math.Min(skip, lot.Quantity);
            skip = Math.Max(0, skip - lot.Quantity);
            if (left <= 0) continue;
            var take = Math.Min(left, quantity);
            quantity -= take;
            yield return (lot.LotId, take);
        }
    }

    /// <summary>The orders for a proposal's trades in orders-mode accounts, from the orders the simulated broker's rules would
    /// send (<paramref name="released"/>, sells lot by lot, then buys trimmed to the cash): one order per trade, its sells' lots
    /// in the engine's order. Market orders, or with a tolerance limit orders at the reference price moved by it against the
    /// trade (a buy up, a sell down), to the cent. DAY orders for the session at <paramref name="now"/>.</summary>
    public BrokerOrder[] Open(RebalanceProposal proposal, IEnumerable<(OptimizedTrade Trade, TradeRequest Order)> released,
        Func<string, decimal?> reference, decimal limitTolerance, DateTimeOffset now)
    {
        var orders = new List<BrokerOrder>();
        foreach (var group in released.GroupBy(r => r.Trade, ReferenceEqualityComparer.Instance))
        {
            var trade = (OptimizedTrade)group.Key!;
            var requests = group.Select(g => g.Order).ToList();
            var price = reference(trade.Symbol) ?? requests[0].Price;
            decimal? limit = limitTolerance > 0
                ? Math.Round(trade.Side == TradeSide.Buy ? price * (1 + limitTolerance) : price * (1 - limitTolerance), 2, trade.Side == TradeSide.Buy ? MidpointRounding.ToPositiveInfinity : MidpointRounding.ToNegativeInfinity)
                : null;
            ImmutableArray<OrderLot> lots = trade.Side == TradeSide.Sell ? [.. requests.Select(r => new OrderLot(r.LotId!, r.Quantity))] : [];
            orders.Add(new BrokerOrder(string.Create(CultureInfo.InvariantCulture, $"{proposal.Id}-{orders.Count + 1}"), proposal.HouseholdId, proposal.Id,
                trade.Account, trade.Symbol, trade.Side, requests.Sum(r => r.Quantity), limit is null ? OrderType.Market : OrderType.Limit, limit, price,
                OrderExpiry.TradeDateFor(now), now, lots, OrderStatus.Open, 0m, 0m, 0, null, null));
        }
        foreach (var o in orders) Put(o);
        return [.. orders];
    }

    public static string Describe(OrderStatus status) => status switch
    {
        OrderStatus.PartiallyFilled => "partially filled",
        _ => status.ToString().ToLowerInvariant(),
    };

    /// <summary>The household of an order id <c>{household}-P{number}-{n}</c> (proposal ids are <c>{household}-P{number}</c>); null
    /// for anything else.</summary>
    public static string? HouseholdOf(string clientOrderId) =>
        clientOrderId is not null && OrderIdPattern().Match(clientOrderId) is { Success: true } m ? m.Groups[1].Value : null;

    private static int Number(string clientOrderId) =>
        int.TryParse(clientOrderId.AsSpan(clientOrderId.LastIndexOf('-') + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;

    [GeneratedRegex(@"^(.+)-P[0-9]{5,}-[0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex OrderIdPattern();
}
