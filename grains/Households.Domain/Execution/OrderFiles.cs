using System.Globalization;
using System.Text;
using Households.Contracts;
using Households.Domain.Import;

namespace Households.Domain.Execution;

/// <summary>The orders as files for the desk (docs/formats.md §15): CSV, and FIX 4.2-style NewOrderSingle tag=value lines;
/// and the desk's fills file back.</summary>
public static class OrderFiles
{
    public const string CsvHeader = "client_order_id,proposal,household,account,symbol,side,quantity,order_type,limit_price,time_in_force,trade_date,lots,status,filled_quantity,average_price,created_at";
    public const string FillsHeader = "execution_id,client_order_id,type,quantity,price,time,reason,commission";
    /// <summary>The FIX field separator this export writes: <c>|</c> (printable; a FIX engine reads it as SOH, 0x01).</summary>
    public const char Separator = '|';

    public static string Csv(IEnumerable<BrokerOrder> orders)
    {
        var csv = new CsvWriter(CsvHeader);
        foreach (var o in orders)
            csv.Row(o.ClientOrderId, o.ProposalId, o.HouseholdId, o.AccountId, o.Symbol, Side(o), Number(o.Quantity),
                o.Type == OrderType.Limit ? "limit" : "market", o.LimitPrice is { } limit ? Number(limit) : "", BrokerOrder.TimeInForce,
                o.TradeDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                string.Join(' ', o.Lots.Select(l => $"{l.LotId}:{Number(l.Quantity)}")), Status(o.Status), Number(o.FilledQuantity),
                Number(o.AveragePrice), o.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        return csv.ToString();
    }

    /// <summary>One NewOrderSingle (35=D) per line: 11 ClOrdID, 1 Account, 55 Symbol, 54 Side (1 buy, 2 sell), 38 OrderQty,
    /// 40 OrdType (1 market, 2 limit), 44 Price (limit orders only), 59 TimeInForce (0 day), 60 TransactTime (UTC,
    /// yyyyMMdd-HH:mm:ss). Header and trailer (BeginString, BodyLength, CheckSum) are left to the session that sends it.</summary>
    public static string Fix(IEnumerable<BrokerOrder> orders)
    {
        var w = new StringBuilder();
        foreach (var o in orders)
        {
            var fields = new List<string>
            {
                "35=D", $"11={o.ClientOrderId}", $"1={o.AccountId}", $"55={o.Symbol}", $"54={(o.Side == TradeSide.Buy ? 1 : 2)}",
                $"38={Number(o.Quantity)}", $"40={(o.Type == OrderType.Limit ? 2 : 1)}",
            };
            if (o.LimitPrice is { } limit) fields.Add($"44={Number(limit)}");
            fields.Add("59=0");
            fields.Add($"60={o.CreatedAt.UtcDateTime.ToString("yyyyMMdd-HH:mm:ss", CultureInfo.InvariantCulture)}");
            w.AppendJoin(Separator, fields).Append(Separator).Append('\n');
        }
        return w.ToString();
    }

    private static readonly Dictionary<string, ExecutionType> Types = new()
    {
        ["fill"] = ExecutionType.Fill, ["partial"] = ExecutionType.Partial, ["canceled"] = ExecutionType.Canceled, ["rejected"] = ExecutionType.Rejected,
    };

    /// <summary>The fills file (<see cref="FillsHeader"/>), every problem naming line and field; any problem rejects the whole
    /// file. <c>time</c> is ISO 8601 (UTC unless it carries an offset); quantity and price may be empty on a cancel or reject.</summary>
    public static OrderExecution[] ParseFills(string text, string name = "fills.csv")
    {
        var issues = new ImportIssues();
        var executions = new List<OrderExecution>();
        foreach (var row in ImportParser.Rows(new ImportSource(name, text), ["execution_id", "client_order_id", "type", "time"], issues))
        {
            var id = row.Id("execution_id", max: 128);
            var order = row.Id("client_order_id", max: 128);
            var type = row.Choice("type", Types);
            var fills = type is ExecutionType.Fill or ExecutionType.Partial;
            var quantity = row.Quantity("quantity", required: fills) ?? (fills ? null : 0m);
            var price = row.Price("price", required: fills) ?? (fills ? null : 0m);
            var commission = row.Decimal("commission", 0m, true, ImportRules.MaxAmount, required: false) ?? (row.Has("commission") ? null : 0m);
            var reason = row.Text("reason", required: false);
            DateTimeOffset? time = DateTimeOffset.TryParse(row.Raw("time"), CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at) ? at : null;
            if (time is null) row.Problem("time", "must be an ISO 8601 date and time, e.g. 2026-03-02T15:30:00Z", row.Raw("time"));
            if (id is null || order is null || type is null || quantity is null || price is null || commission is null || time is null) continue;
            executions.Add(new OrderExecution(id, order, type.Value, quantity.Value, price.Value, time.Value, reason, commission.Value));
        }
        if (issues.Count == 0) return [.. executions];
        var more = issues.Count > 1 ? $" ({issues.Count} problems; the first)" : "";
        throw new BadInputException($"fills rejected{more}: {issues.Listed[0]}");
    }

    public static string Status(OrderStatus status) => status switch
    {
        OrderStatus.PartiallyFilled => "partially_filled",
        _ => status.ToString().ToLowerInvariant(),
    };

    private static string Side(BrokerOrder o) => o.Side == TradeSide.Buy ? "buy" : "sell";

    private static string Number(decimal value) => value.ToString(CultureInfo.InvariantCulture);
}
