using Households.Contracts;
using Households.Domain;
using Households.Domain.Decisions;
using Households.Domain.Execution;
using Xunit;

namespace Households.Tests.Execution;

/// <summary>The order state machine on worked numbers: partial fills move the cumulative quantity and the average price and
/// relieve the engine's lots in its order; cancel and reject release the rest; an over-fill, a price through the limit or
/// a closed order is refused and changes nothing; a DAY order expires at 16:00 New York on its trade date.</summary>
public sealed class OrderBookTests
{
    private static readonly DateTimeOffset Morning = new(2026, 3, 2, 15, 0, 0, TimeSpan.Zero); // 10:00 in New York (EST)

    private static BrokerOrder Sell() => new("H1-P00001-1", "H1", "H1-P00001", "H1-TAX", "XYZ", TradeSide.Sell, 100m, OrderType.Market, null, 50m,
        new DateOnly(2026, 3, 2), Morning, [new OrderLot("L1", 60m), new OrderLot("L2", 40m)], OrderStatus.Open, 0m, 0m, 0, null, null);

    private static BrokerOrder Buy(decimal? limit = null) => new("H1-P00001-2", "H1", "H1-P00001", "H1-TAX", "ABC", TradeSide.Buy, 10m,
        limit is null ? OrderType.Market : OrderType.Limit, limit, 20m, new DateOnly(2026, 3, 2), Morning, [], OrderStatus.Open, 0m, 0m, 0, null, null);

    private static OrderExecution Exec(string id, string order, ExecutionType type, decimal quantity, decimal price, int minute = 0) =>
        new(id, order, type, quantity, price, Morning.AddMinutes(minute), null, 0m);

    /// <summary>Books one report as the household does when the books take every fill.</summary>
    private static (ExecutionResult Result, TradeRequest[] Fills) Apply(OrderBook book, OrderExecution e)
    {
        Assert.Null(book.Check([e], e.Time)[0]);
        var order = book.Find(e.ClientOrderId)!;
        var fills = OrderBook.Fills(order, e);
        var result = new ExecutionResult(e.ExecutionId, OrderBook.Advance(order, e, fills.Sum(f => f.Quantity), pieces: fills.Length), [], null, false);
        book.Record(result);
        return (result, fills);
    }

    [Fact]
    public void Partial_fills_accumulate_quantity_and_average_price_and_relieve_the_lots_in_the_engines_order()
    {
        var book = new OrderBook([Sell()]);

        var (first, fills1) = Apply(book, Exec("E1", "H1-P00001-1", ExecutionType.Partial, 30m, 50m));
        Assert.Equal((OrderStatus.PartiallyFilled, 30m, 50m), (first.Order.Status, first.Order.FilledQuantity, first.Order.AveragePrice));
        Assert.Equal([("H1-P00001-1:0", "L1", 30m, 50m)], fills1.Select(f => (f.IdempotencyKey, f.LotId!, f.Quantity, f.Price)));

        // 50 more at 52: the 30 left of L1, then 20 of L2; average (30 × 50 + 50 × 52) / 80 = 51.25.
        var (second, fills2) = Apply(book, Exec("E2", "H1-P00001-1", ExecutionType.Partial, 50m, 52m, 5));
        Assert.Equal((OrderStatus.PartiallyFilled, 80m, 51.25m, 20m), (second.Order.Status, second.Order.FilledQuantity, second.Order.AveragePrice, second.Order.RemainingQuantity));
        Assert.Equal([("H1-P00001-1:1", "L1", 30m), ("H1-P00001-1:2", "L2", 20m)], fills2.Select(f => (f.IdempotencyKey, f.LotId!, f.Quantity)));

        // The last 20 at 53: filled, average (4,100 + 1,060) / 100 = 51.60.
        var (last, fills3) = Apply(book, Exec("E3", "H1-P00001-1", ExecutionType.Fill, 20m, 53m, 9));
        Assert.Equal((OrderStatus.Filled, 100m, 51.6m, 0m), (last.Order.Status, last.Order.FilledQuantity, last.Order.AveragePrice, last.Order.RemainingQuantity));
        Assert.Equal(Morning.AddMinutes(9), last.Order.ClosedAt);
        Assert.Equal([("H1-P00001-1:3", "L2", 20m)], fills3.Select(f => (f.IdempotencyKey, f.LotId!, f.Quantity)));
        Assert.Equal(new DateOnly(2026, 3, 2), fills3[0].TradeDate);
        Assert.False(book.HasOpen);
    }

    [Fact]
    public void A_reject_after_a_partial_fill_keeps_the_fill_and_releases_the_rest()
    {
        var book = new OrderBook([Buy()]);
        Apply(book, Exec("E1", "H1-P00001-2", ExecutionType.Partial, 4m, 20.10m));
        var (rejected, fills) = Apply(book, new OrderExecution("E2", "H1-P00001-2", ExecutionType.Rejected, 0m, 0m, Morning.AddMinutes(1), "price limit", 0m));
        Assert.Empty(fills);
        Assert.Equal((OrderStatus.Rejected, 4m, 20.10m, 0m, "price limit"),
            (rejected.Order.Status, rejected.Order.FilledQuantity, rejected.Order.AveragePrice, rejected.Order.RemainingQuantity, rejected.Order.Reason));
        Assert.Empty(book.AccountsWithOpenOrders());
        // Closed: a further fill is refused.
        var late = Assert.Throws<BadInputException>(() => book.Check([Exec("E3", "H1-P00001-2", ExecutionType.Fill, 6m, 20m)], Morning));
        Assert.Contains("order H1-P00001-2 is rejected", late.Message);
    }

    [Fact]
    public void A_cancel_closes_an_open_order_with_nothing_filled()
    {
        var book = new OrderBook([Sell()]);
        Assert.Equal(["H1-TAX"], book.AccountsWithOpenOrders());
        var (canceled, _) = Apply(book, new OrderExecution("C1", "H1-P00001-1", ExecutionType.Canceled, 0m, 0m, Morning, null, 0m));
        Assert.Equal((OrderStatus.Canceled, 0m, "canceled"), (canceled.Order.Status, canceled.Order.FilledQuantity, canceled.Order.Reason));
        Assert.Empty(book.AccountsWithOpenOrders());
    }

    [Fact]
    public void An_over_fill_a_price_through_the_limit_an_unknown_order_and_a_reused_execution_id_are_refused_and_change_nothing()
    {
        var book = new OrderBook([Sell(), Buy(limit: 20.50m)]);
        Apply(book, Exec("E1", "H1-P00001-1", ExecutionType.Partial, 70m, 50m));

        string Refused(params OrderExecution[] batch) => Assert.Throws<BadInputException>(() => book.Check(batch, Morning)).Message;
        // The good first report of the batch is not applied either: the batch is checked whole.
        Assert.Contains("quantity 31 exceeds the open quantity 30 of order H1-P00001-1",
            Refused(Exec("E2", "H1-P00001-2", ExecutionType.Fill, 10m, 20m), Exec("E3", "H1-P00001-1", ExecutionType.Fill, 31m, 50m)));
        Assert.Contains("price 20.51 is through the limit 20.50", Refused(Exec("E4", "H1-P00001-2", ExecutionType.Fill, 10m, 20.51m)));
        Assert.Contains("order H1-P00001-9 does not exist", Refused(Exec("E5", "H1-P00001-9", ExecutionType.Fill, 1m, 20m)));
        Assert.Contains("price must be > 0", Refused(Exec("E6", "H1-P00001-2", ExecutionType.Fill, 1m, 0m)));
        Assert.Contains("executionId was already used for order H1-P00001-1", Refused(Exec("E1", "H1-P00001-2", ExecutionType.Fill, 1m, 20m)));
        // Two partials that together over-fill are refused as a batch.
        Assert.Contains("quantity 6 exceeds the open quantity 4", Refused(Exec("E7", "H1-P00001-2", ExecutionType.Partial, 6m, 20m), Exec("E8", "H1-P00001-2", ExecutionType.Partial, 6m, 20m)));

        Assert.Equal((70m, 0m), (book.Find("H1-P00001-1")!.FilledQuantity, book.Find("H1-P00001-2")!.FilledQuantity));
        // The same report again is its first result.
        Assert.Equal(70m, book.Check([Exec("E1", "H1-P00001-1", ExecutionType.Partial, 70m, 50m)], Morning)[0]!.Order.FilledQuantity);
    }

    [Fact]
    public void A_day_order_expires_at_the_close_of_its_trade_date_in_new_york()
    {
        // 2 March 2026 is before daylight saving time: 16:00 EST is 21:00 UTC; on 1 July (EDT) it is 20:00 UTC.
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 21, 0, 0, TimeSpan.Zero), OrderExpiry.CloseOf(new DateOnly(2026, 3, 2)));
        Assert.Equal(new DateTimeOffset(2026, 7, 1, 20, 0, 0, TimeSpan.Zero), OrderExpiry.CloseOf(new DateOnly(2026, 7, 1)));
        var book = new OrderBook([Sell()]);
        Apply(book, Exec("E1", "H1-P00001-1", ExecutionType.Partial, 25m, 50m));

        var justBefore = new DateTimeOffset(2026, 3, 2, 20, 59, 59, TimeSpan.Zero);
        Assert.False(OrderExpiry.IsPastClose(book.Find("H1-P00001-1")!, justBefore));
        Assert.Empty(book.Expire(justBefore));
        var atClose = justBefore.AddSeconds(1);
        Assert.Equal(OrderStatus.Expired, book.OrdersAt(atClose).Single().Status); // reads as expired, book unchanged
        Assert.True(book.HasOpen);
        var expired = Assert.Single(book.Expire(atClose));
        Assert.Equal((OrderStatus.Expired, 25m, atClose), (expired.Status, expired.FilledQuantity, expired.ClosedAt));
        Assert.False(book.HasOpen);
        Assert.Contains("is expired", Assert.Throws<BadInputException>(() => book.Check([Exec("E2", "H1-P00001-1", ExecutionType.Fill, 75m, 50m)], atClose)).Message);

        // An order sent after the close trades the next session.
        Assert.Equal(new DateOnly(2026, 3, 2), OrderExpiry.TradeDateFor(justBefore));
        Assert.Equal(new DateOnly(2026, 3, 3), OrderExpiry.TradeDateFor(atClose));

        // By the exchange's calendar: Christmas Eve 2026 closes at 13:00 New York (18:00 UTC); an order sent after it
        // trades on the 28th (the 25th is a holiday, then the weekend); one sent on Saturday, on Monday.
        Assert.Equal(new DateTimeOffset(2026, 12, 24, 18, 0, 0, TimeSpan.Zero), OrderExpiry.CloseOf(new DateOnly(2026, 12, 24)));
        Assert.Equal(new DateOnly(2026, 12, 28), OrderExpiry.TradeDateFor(new DateTimeOffset(2026, 12, 24, 18, 30, 0, TimeSpan.Zero)));
        Assert.Equal(new DateOnly(2026, 12, 7), OrderExpiry.TradeDateFor(new DateTimeOffset(2026, 12, 5, 15, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void A_proposals_orders_are_one_per_trade_with_the_sells_lots_and_limits_through_the_reference_price()
    {
        var sell = new OptimizedTrade("H1-TAX", "XYZ", TradeSide.Sell, 100m, 8_000m, 0.5, 0, TradeReason.Harvest, -2_000m, 0m, []);
        var buy = new OptimizedTrade("H1-TAX", "ABC", TradeSide.Buy, 36m, 3_600m, 0.2, 0.5, TradeReason.Drift, 0m, 0m, []);
        var proposal = new RebalanceProposal("H1-P00007", "H1", ProposalStatus.Pending, Morning, Morning.AddHours(1), [], [sell, buy], 0.02, 0.01, -2_000m, 0m, 1, null, null, [], null);
        var day = new DateOnly(2026, 3, 2);
        (OptimizedTrade, TradeRequest) Piece(OptimizedTrade t, string? lot, decimal q) => (t, new TradeRequest("k", day, t.Symbol, t.Side, q, 79.9m, lot, null, 0m));
        var book = new OrderBook();
        var orders = book.Open(proposal, [Piece(sell, "L1", 60m), Piece(sell, "L2", 40m), Piece(buy, null, 35m)],
            s => s == "XYZ" ? 80m : 100m, 0.005m, Morning);

        Assert.Equal(["H1-P00007-1", "H1-P00007-2"], orders.Select(o => o.ClientOrderId));
        Assert.Equal((TradeSide.Sell, 100m, OrderType.Limit, 79.60m, 80m), (orders[0].Side, orders[0].Quantity, orders[0].Type, orders[0].LimitPrice, orders[0].ReferencePrice));
        Assert.Equal([new OrderLot("L1", 60m), new OrderLot("L2", 40m)], orders[0].Lots.AsEnumerable());
        Assert.Equal((TradeSide.Buy, 35m, 100.50m), (orders[1].Side, orders[1].Quantity, orders[1].LimitPrice)); // trimmed to the cash by the broker's rules
        Assert.All(orders, o => Assert.Equal((OrderStatus.Open, day), (o.Status, o.TradeDate)));
        Assert.True(book.Sent("H1-P00007"));
        Assert.Equal("H1", OrderBook.HouseholdOf("H1-P00007-2"));
        Assert.Equal("HH-GARCIA", OrderBook.HouseholdOf("HH-GARCIA-P00042-13"));
        Assert.Null(OrderBook.HouseholdOf("H1-P0007-2"));
    }

    [Theory]
    [InlineData("H1", "H1-P00001-2:0", true)]
    [InlineData("HH-GARCIA", "HH-GARCIA-P00042-13:7", true)]
    [InlineData("H1", "H1-P00001:3", true)]
    [InlineData("H1", "H1-P00001-:0", false)]
    [InlineData("H1", "H1-P00001-2x:0", false)]
    [InlineData("H1", "H1-P0001-2:0", false)]
    public void Order_fills_count_as_engine_fills_for_the_audit(string household, string key, bool engine) =>
        Assert.Equal(engine, SimulatedBroker.IsOrderKey(household, key));

    [Fact]
    public void The_fills_file_is_read_whole_and_a_bad_row_rejects_it_naming_line_and_field()
    {
        var text = """
            execution_id,client_order_id,type,quantity,price,time,reason,commission
            X1,H1-P00001-1,partial,40,79,2026-03-02T15:30:00Z,,1.50
            X2,H1-P00001-2,rejected,,,2026-03-02T15:31:00-05:00,no locate,
            """;
        var fills = OrderFiles.ParseFills(text);
        Assert.Equal(2, fills.Length);
        Assert.Equal(new OrderExecution("X1", "H1-P00001-1", ExecutionType.Partial, 40m, 79m, new DateTimeOffset(2026, 3, 2, 15, 30, 0, TimeSpan.Zero), null, 1.50m), fills[0]);
        Assert.Equal((ExecutionType.Rejected, 0m, "no locate", new DateTimeOffset(2026, 3, 2, 20, 31, 0, TimeSpan.Zero)), (fills[1].Type, fills[1].Quantity, fills[1].Reason, fills[1].Time));
        var bad = Assert.Throws<BadInputException>(() => OrderFiles.ParseFills(text.Replace("partial,40,79", "partial,40,")));
        Assert.Contains("line 2", bad.Message);
        Assert.Contains("price", bad.Message);
    }

    [Fact]
    public void An_imported_account_names_its_execution_mode_or_follows_the_firm()
    {
        var files = new Households.Domain.Import.ImportFiles(
            Households: new Households.Domain.Import.ImportSource("households.csv", "household,name,advisor\nH1,One,ADV1\n"),
            Accounts: new Households.Domain.Import.ImportSource("accounts.csv", "account,household,type,execution\nA1,H1,taxable,orders\nA2,H1,ira,\nA3,H1,roth,Simulated\n"));
        var result = Households.Domain.Import.ImportParser.Parse(files, new DateOnly(2026, 3, 2)).Resolve(_ => false, _ => false);
        Assert.True(result.Ok, string.Join("\n", result.Issues));
        Assert.Equal([ExecutionMode.Orders, null, ExecutionMode.Simulated], result.Plan!.Households.Single().Accounts.Select(a => a.Spec.Execution));

        var bad = files with { Accounts = new Households.Domain.Import.ImportSource("accounts.csv", "account,household,type,execution\nA1,H1,taxable,fix\n") };
        Assert.Contains(Households.Domain.Import.ImportParser.Validate(bad, new DateOnly(2026, 3, 2)).Issues.Select(i => i.ToString()),
            t => t.StartsWith("accounts.csv line 2, field execution: must be one of simulated, orders", StringComparison.Ordinal));
    }
}
