using Households.Contracts;
using Households.Domain.Import;

namespace Households.Domain.Reconciliation;

/// <summary>Parses a custodian's transaction file (docs/formats.md §17) with the import's CSV reader and value rules, the
/// positions file's conventions (<c>account</c>, <c>symbol</c> with <c>CASH</c> for cash, <c>cusip</c>, <c>lot_id</c>,
/// <c>acquired</c>, <c>cost_basis</c>). A problem with the file itself (not CSV, no header, too big) rejects it; a problem
/// in a row is that row's error in the report, and a file with any error applies nothing.</summary>
public static class CustodianTransactionFile
{
    public const string FileName = "custodian-transactions.csv";
    /// <summary>A settle date may follow its trade date by at most this many days.</summary>
    public const int MaxSettleDays = 31;

    private static readonly Dictionary<string, CustodianTransactionType> Types = new(StringComparer.Ordinal)
    {
        ["buy"] = CustodianTransactionType.Buy, ["sell"] = CustodianTransactionType.Sell, ["dividend"] = CustodianTransactionType.Dividend,
        ["interest"] = CustodianTransactionType.Interest, ["fee"] = CustodianTransactionType.Fee, ["transfer_in"] = CustodianTransactionType.TransferIn,
        ["transfer_out"] = CustodianTransactionType.TransferOut, ["journal"] = CustodianTransactionType.Journal,
    };

    /// <summary>The rows that read well, and an error outcome per row that did not; bad input when the file cannot be read.</summary>
    public static (IReadOnlyList<CustodianTransaction> Rows, IReadOnlyList<CustodianTransactionOutcome> Problems) Read(string text, DateOnly today,
        Func<string, string?> symbolOfCusip, string name = FileName)
    {
        var issues = new ImportIssues();
        var rows = new List<CustodianTransaction>();
        var problems = new List<CustodianTransactionOutcome>();
        var ids = new HashSet<(string, string)>();
        var seen = 0;
        // Issues the reader adds between rows: a line with the wrong number of fields is that line's error; anything else
        // (the header, malformed CSV, the size) is the file's.
        void Stray()
        {
            foreach (var i in issues.Listed.Skip(seen))
            {
                if (!i.Message.Contains("fields where the header has", StringComparison.Ordinal)) throw new BadInputException($"transactions rejected: {i}");
                problems.Add(new CustodianTransactionOutcome(i.Line, "", "", null, CustodianTransactionStatus.Error, $"{i.Field}: {i.Message}"));
            }
            seen = issues.Listed.Count;
        }
        foreach (var row in ImportParser.Rows(new ImportSource(name, text), ["transaction_id", "account", "trade_date", "type"], issues))
        {
            Stray();
            var (before, count) = (issues.Listed.Count, issues.Count);
            var parsed = Row(row, today, symbolOfCusip, ids);
            if (parsed is not null && issues.Count == count) { rows.Add(parsed); continue; }
            problems.Add(new CustodianTransactionOutcome(row.Line, row.Raw("transaction_id"), row.Raw("account"),
                Types.TryGetValue(row.Raw("type").ToLowerInvariant(), out var t) ? t : null, CustodianTransactionStatus.Error,
                string.Join("; ", issues.Listed.Skip(before).Select(i => $"{i.Field}: {i.Message}{(i.Value.Length > 0 ? $" (value '{i.Value}')" : "")}"))));
            seen = issues.Listed.Count;
        }
        Stray();
        return (rows, problems.OrderBy(p => p.Line).ToList());
    }

    private static CustodianTransaction? Row(ImportRow row, DateOnly today, Func<string, string?> symbolOfCusip, HashSet<(string, string)> ids)
    {
        var id = row.Id("transaction_id");
        var account = row.Id("account");
        var trade = row.Date("trade_date", today);
        var settle = row.Date("settle_date", today.AddDays(MaxSettleDays), required: false);
        var type = row.Choice("type", Types);
        var symbol = row.Symbol("symbol", required: false);
        var cusip = row.Id("cusip", required: false, max: 12);
        var quantity = row.Quantity("quantity", required: false);
        var price = row.Price("price", required: false);
        var amount = row.Decimal("amount", -ImportRules.MaxAmount, true, ImportRules.MaxAmount, required: false);
        var lot = row.Id("lot_id", required: false);
        var acquired = row.Date("acquired", today, required: false);
        var basis = row.Decimal("cost_basis", 0m, true, ImportRules.MaxAmount, required: false);
        var description = row.Text("description", required: false);
        if (id is null || account is null || trade is null || type is null) return null;
        if (!ids.Add((account, id))) { row.Problem("transaction_id", $"duplicate transaction {id} in account {account}"); return null; }
        if (settle is { } s && s < trade) row.Problem("settle_date", "before the trade date");
        if (symbol is not null && symbol.Equals(CustodianPositions.CashSymbol, StringComparison.OrdinalIgnoreCase)) symbol = null;
        else if (symbol is null && cusip is not null)
        {
            // The CUSIP names the security when the symbol is empty; the symbol wins when both are given (as in the positions file).
            symbol = symbolOfCusip(cusip);
            if (symbol is null) row.Problem("cusip", "no security in the security master has this CUSIP");
        }
        var t = type.Value;
        var shares = t is CustodianTransactionType.Buy or CustodianTransactionType.Sell
            || (t is CustodianTransactionType.TransferIn or CustodianTransactionType.TransferOut && symbol is not null);
        void Need(bool ok, string column, string message) { if (!ok) row.Problem(column, message); }
        if (t is CustodianTransactionType.Buy or CustodianTransactionType.Sell or CustodianTransactionType.Dividend)
            Need(symbol is not null || row.Has("cusip"), "symbol", $"a {Name(t)} names its security");
        if (shares)
        {
            Need(quantity is not null || row.Has("quantity"), "quantity", $"a {Name(t)} of shares needs the quantity");
            if (t is CustodianTransactionType.Buy or CustodianTransactionType.Sell) Need(price is not null || row.Has("price"), "price", $"a {Name(t)} needs the price");
        }
        if (t == CustodianTransactionType.TransferIn && symbol is not null)
        {
            Need(acquired is not null || row.Has("acquired"), "acquired", "shares transferred in need their acquisition date");
            Need(basis is not null || row.Has("cost_basis"), "cost_basis", "shares transferred in need their cost basis");
        }
        if (t == CustodianTransactionType.Buy) Need(lot is null, "lot_id", "a buy creates its own lot (lot_id applies to sells and transfers)");
        if (t == CustodianTransactionType.Journal) Need(symbol is null, "symbol", "a journal moves cash only (shares between accounts: transfer_out and transfer_in)");
        // The amount is the signed cash effect on the account: its sign must agree with the type.
        var sign = t switch
        {
            CustodianTransactionType.Buy => -1,
            CustodianTransactionType.Sell or CustodianTransactionType.Dividend or CustodianTransactionType.Interest => +1,
            CustodianTransactionType.Fee => -1,
            CustodianTransactionType.TransferIn => shares ? 0 : +1,
            CustodianTransactionType.TransferOut => shares ? 0 : -1,
            _ => 2, // journal: either way, not zero
        };
        var amountRequired = !shares;
        if (amountRequired) Need(amount is not null || row.Has("amount"), "amount", $"a {Name(t)} needs the amount");
        if (amount is { } a)
        {
            if (sign == 0 && a != 0) row.Problem("amount", "shares transferred move no cash: leave amount empty");
            else if (sign == 2 && a == 0) row.Problem("amount", "a journal moves a non-zero amount");
            else if (sign is 1 && a <= 0 && amountRequired) row.Problem("amount", $"a {Name(t)} is money in: the amount must be > 0");
            else if (sign is 1 && a < 0) row.Problem("amount", $"a {Name(t)} is money in: the amount must be >= 0");
            else if (sign is -1 && a >= 0 && amountRequired) row.Problem("amount", $"a {Name(t)} is money out: the amount must be < 0");
            else if (sign is -1 && a > 0) row.Problem("amount", $"a {Name(t)} is money out: the amount must be <= 0");
        }
        if (row.Has("lot_id") && lot is null || row.Has("acquired") && acquired is null || row.Has("cost_basis") && basis is null
            || row.Has("quantity") && quantity is null || row.Has("price") && price is null || row.Has("amount") && amount is null
            || row.Has("settle_date") && settle is null || row.Has("symbol") && symbol is null && !row.Raw("symbol").Equals(CustodianPositions.CashSymbol, StringComparison.OrdinalIgnoreCase)
            || row.Has("description") && description is null || row.Has("cusip") && cusip is null)
            return null;
        return new CustodianTransaction(row.Line, id, account, trade.Value, settle ?? trade.Value, t, symbol, cusip, quantity ?? 0m, price ?? 0m, amount,
            lot, acquired, basis, description);
    }

    /// <summary>The file's name for a type (<c>transfer_in</c>).</summary>
    public static string Name(CustodianTransactionType type) => Types.First(kv => kv.Value == type).Key;
}
