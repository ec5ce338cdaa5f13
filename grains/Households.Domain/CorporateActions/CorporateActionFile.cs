using Households.Contracts;
using Households.Domain.Tax;

namespace Households.Domain.CorporateActions;

/// <summary>The corporate-actions import file (docs/formats.md §5): one action a row, checked whole before anything is sent.
/// Any problem is <see cref="BadInputException"/> naming the file, line and field.</summary>
public static class CorporateActionFile
{
    public const long MaxFileBytes = 8L * 1024 * 1024;
    public const int MaxRows = 10_000;
    private static readonly string[] Required = ["id", "kind", "symbol", "date"];

    public static readonly IReadOnlyDictionary<string, CorporateActionKind> Kinds = new Dictionary<string, CorporateActionKind>(StringComparer.OrdinalIgnoreCase)
    {
        ["split"] = CorporateActionKind.Split,
        ["ticker_change"] = CorporateActionKind.TickerChange,
        ["merger"] = CorporateActionKind.Merger,
        ["spin_off"] = CorporateActionKind.SpinOff,
        ["cash_dividend"] = CorporateActionKind.CashDividend,
        ["return_of_capital"] = CorporateActionKind.ReturnOfCapital,
    };

    public static IReadOnlyList<CorporateAction> Parse(string text, string source)
    {
        var (rawHeader, records) = Csv.Read(text, source);
        var header = rawHeader.Select(h => h.ToLowerInvariant()).ToList();
        foreach (var column in Required)
            if (!header.Contains(column)) throw new BadInputException($"{source}: required column {column} is missing");
        if (records.Count == 0) throw new BadInputException($"{source} has no rows, only a header");
        if (records.Count > MaxRows) throw new BadInputException($"{source} has {records.Count} rows; at most {MaxRows}");
        var actions = new List<CorporateAction>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var r in records)
        {
            string Get(string name)
            {
                var i = header.IndexOf(name);
                return i < 0 ? "" : r.Fields[i].Trim();
            }
            string Required(string name) => Get(name) is { Length: > 0 } v ? v : throw TradeFile.Bad(source, r.Line, name, "a value is required");
            decimal? Number(string name) => Get(name) is { Length: > 0 } v ? TradeFile.ParseDecimal(v, source, r.Line, name) : null;
            var kind = Kinds.TryGetValue(Required("kind"), out var k) ? k
                : throw TradeFile.Bad(source, r.Line, "kind", $"'{Get("kind")}' is not one of {string.Join(", ", Kinds.Keys)}");
            var newSymbol = Get("new_symbol");
            var action = new CorporateAction(Required("id"), kind, Required("symbol"), TradeFile.ParseDate(Required("date"), source, r.Line, "date"),
                newSymbol.Length == 0 ? null : newSymbol, Number("ratio") ?? 1m, Number("cash") ?? 0m, Number("price"), Number("basis_percent") ?? 0m);
            // The rule's message names the field (as the API's 400 does).
            try { CorporateActionRules.Check(action); }
            catch (BadInputException ex) { throw new BadInputException($"{source} line {r.Line}: {ex.Message}"); }
            if (!ids.Add(action.Id)) throw TradeFile.Bad(source, r.Line, "id", $"{action.Id} appears twice");
            actions.Add(action);
        }
        // Applied in date order (a household's ledger takes events in date order), file order within a date.
        return [.. actions.OrderBy(a => a.Date)];
    }
}
