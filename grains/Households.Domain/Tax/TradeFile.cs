using System.Globalization;
using System.Text.RegularExpressions;
using Households.Contracts;

namespace Households.Domain.Tax;

/// <summary>One row of a TRADES.csv (FORMATS §1). <see cref="Line"/> is the physical line, <see cref="Row"/> the
/// 1-based data row number (used for generated lot ids <c>&lt;account&gt;-&lt;row&gt;</c>).</summary>
public sealed record TradeRow(int Line, int Row, DateOnly Date, string Account, AccountType AccountType, string Symbol,
    TradeSide Side, decimal Quantity, decimal Price, string? Id, string? Lot);

/// <summary>Reads TRADES.csv and GROUPS.csv (FORMATS §1): header required, column order free, extra columns
/// ignored. Every value outside its column's range is <see cref="BadInputException"/> naming file, line and field.</summary>
public static partial class TradeFile
{
    private static readonly string[] Required = ["date", "account", "account_type", "symbol", "side", "quantity", "price"];

    /// <summary>Files larger than this are refused before reading (about a million trade rows).</summary>
    public const long MaxFileBytes = 64L * 1024 * 1024;

    /// <summary>Decodes a TRADES.csv or GROUPS.csv: UTF-8 (a byte-order mark is optional) or UTF-16 with its
    /// byte-order mark. Invalid UTF-8 is refused rather than silently replaced.</summary>
    public static string Decode(byte[] bytes, string source) => TextFile.Decode(bytes, source, MaxFileBytes);

    public static IReadOnlyList<TradeRow> Parse(string text, string source)
    {
        var (header, records) = Csv.Read(text, source);
        foreach (var column in Required)
            if (!header.Contains(column)) throw new BadInputException($"{source}: required column {column} is missing");
        int Col(string name) => header.ToList().IndexOf(name);
        if (records.Count == 0) throw new BadInputException($"{source} has no trade rows, only a header");
        var rows = new List<TradeRow>();
        var row = 0;
        foreach (var r in records)
        {
            row++;
            string Get(string name, bool required = true)
            {
                var i = Col(name);
                var value = i < 0 ? "" : r.Fields[i].Trim();
                if (required && value.Length == 0) throw Bad(source, r.Line, name, "a value is required");
                return value;
            }
            string Id(string name, bool required = true)
            {
                var value = Get(name, required);
                if (value.Length > 0) Checked(source, r.Line, name, () => InputRules.Id(value, "the value"));
                return value;
            }
            var date = ParseDate(Get("date"), source, r.Line, "date");
            var type = Get("account_type") switch
            {
                "taxable" => AccountType.Taxable,
                "ira" => AccountType.Ira,
                "roth" => AccountType.Roth,
                "trust" => AccountType.Trust,
                "529" => AccountType.Education529,
                var other => throw Bad(source, r.Line, "account_type", $"unknown account type '{other}' (taxable, ira, roth, trust or 529)"),
            };
            var side = Get("side") switch
            {
                "buy" => TradeSide.Buy,
                "sell" => TradeSide.Sell,
                var other => throw Bad(source, r.Line, "side", $"'{other}' is not buy or sell"),
            };
            var quantity = ParseDecimal(Get("quantity"), source, r.Line, "quantity");
            if (quantity <= 0) throw Bad(source, r.Line, "quantity", $"{quantity} must be > 0");
            var price = ParseDecimal(Get("price"), source, r.Line, "price");
            if (price < 0) throw Bad(source, r.Line, "price", $"{price} must be >= 0");
            var id = Id("id", required: false);
            var lot = Id("lot", required: false);
            rows.Add(new TradeRow(r.Line, row, date, Id("account"), type, Id("symbol"), side, quantity, price,
                id.Length == 0 ? null : id, lot.Length == 0 ? null : lot));
        }
        return rows;
    }

    /// <summary>GROUPS.csv: columns <c>symbol</c> and <c>group</c>.</summary>
    public static IReadOnlyList<(string Symbol, string Group)> ParseGroups(string text, string source)
    {
        var (header, records) = Csv.Read(text, source);
        var symbol = header.ToList().IndexOf("symbol");
        var group = header.ToList().IndexOf("group");
        if (symbol < 0) throw new BadInputException($"{source}: required column symbol is missing");
        if (group < 0) throw new BadInputException($"{source}: required column group is missing");
        var pairs = new List<(string, string)>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var r in records)
        {
            var s = r.Fields[symbol].Trim();
            var g = r.Fields[group].Trim();
            if (s.Length == 0) throw Bad(source, r.Line, "symbol", "a value is required");
            if (g.Length == 0) throw Bad(source, r.Line, "group", "a value is required");
            Checked(source, r.Line, "symbol", () => InputRules.Id(s, "the value"));
            Checked(source, r.Line, "group", () => InputRules.Id(g, "the value"));
            if (seen.TryGetValue(s, out var other) && other != g)
                throw Bad(source, r.Line, "group", $"symbol {s} is already in group {other}");
            seen[s] = g;
            pairs.Add((s, g));
        }
        return pairs;
    }

    public static BadInputException Bad(string source, int line, string field, string message) =>
        new($"{source} line {line}, field {field}: {message}");

    /// <summary>Runs a rule from <see cref="InputRules"/> and names the place when it refuses.</summary>
    internal static void Checked(string source, int line, string field, Action rule)
    {
        try { rule(); }
        catch (BadInputException ex) { throw Bad(source, line, field, ex.Message); }
    }

    internal static DateOnly ParseDate(string value, string source, int line, string field)
    {
        if (!DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            throw Bad(source, line, field, $"'{value}' is not a date YYYY-MM-DD");
        Checked(source, line, field, () => InputRules.Date(date, "the date"));
        return date;
    }

    // ASCII digits only: \d would also match other scripts' digits, which decimal parsing then rejects.
    [GeneratedRegex(@"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)$")]
    private static partial Regex DecimalText();

    internal static decimal ParseDecimal(string value, string source, int line, string field)
    {
        if (!DecimalText().IsMatch(value)) throw Bad(source, line, field, $"'{value}' is not a decimal number");
        return decimal.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var d)
            ? d
            : throw Bad(source, line, field, $"'{value}' is out of the decimal range");
    }
}
