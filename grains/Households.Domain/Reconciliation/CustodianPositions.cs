using Households.Domain.Import;

namespace Households.Domain.Reconciliation;

/// <summary>One row of a custodian's position file: a lot (with <see cref="Acquired"/>) or a position without lots.
/// <see cref="Line"/> is the physical line, for the report.</summary>
public sealed record CustodianRow(int Line, string Account, string Symbol, string? Cusip, decimal Quantity, decimal CostBasis,
    DateOnly? Acquired, string? LotId, decimal? WashAdjustedBasis)
{
    /// <summary>The basis to compare: the wash-sale adjusted one when the custodian gives it.</summary>
    public decimal Basis => WashAdjustedBasis ?? CostBasis;
}

/// <summary>One account of the file: its rows in file order and its cash (null without a CASH row).</summary>
public sealed record CustodianAccount(string Account, IReadOnlyList<CustodianRow> Rows, decimal? Cash, int FirstLine);

/// <summary>Parses a custodian's position and lot file (docs/formats.md, "Custodian positions") with the import's CSV
/// reader and value rules: every problem names line and field, and any problem rejects the whole file.</summary>
public static class CustodianPositions
{
    public const string FileName = "custodian-positions.csv";
    /// <summary>The symbol of an account's cash row (its quantity is the dollar amount).</summary>
    public const string CashSymbol = "CASH";
    /// <summary>The largest file the CLI sends: the API's cap on an ordinary request body (4 MB).</summary>
    public const long MaxFileBytes = 4L * 1024 * 1024 - 64 * 1024;

    /// <summary>The accounts in file order, or the problems.</summary>
    public static (IReadOnlyList<CustodianAccount> Accounts, ImportIssues Issues) Read(string text, DateOnly asOf, string name = FileName)
    {
        var issues = new ImportIssues();
        var accounts = new Dictionary<string, (List<CustodianRow> Rows, decimal? Cash, int Line)>(StringComparer.Ordinal);
        var lotIds = new HashSet<(string, string)>();
        var lotSymbols = new HashSet<(string, string)>();
        var positionSymbols = new HashSet<(string, string)>();
        foreach (var row in ImportParser.Rows(new ImportSource(name, text), ["account", "symbol", "quantity"], issues))
        {
            var account = row.Id("account");
            var symbol = row.Symbol("symbol");
            if (account is null || symbol is null) continue;
            if (!accounts.TryGetValue(account, out var entry)) accounts[account] = entry = ([], null, row.Line);
            if (symbol.Equals(CashSymbol, StringComparison.OrdinalIgnoreCase))
            {
                // Cash may be a debit (negative) at a custodian; the other columns mean nothing on the cash row.
                var amount = row.Decimal("quantity", -ImportRules.MaxAmount, true, ImportRules.MaxAmount);
                if (entry.Cash is not null) { row.Problem("symbol", $"a second CASH row for account {account}"); continue; }
                if (amount is not null) accounts[account] = entry with { Cash = amount };
                continue;
            }
            var cusip = row.Id("cusip", required: false, max: 12);
            var quantity = row.Quantity("quantity");
            var basis = row.Decimal("cost_basis", 0m, true, ImportRules.MaxAmount);
            var acquired = row.Date("acquired", asOf, required: false);
            var lot = row.Id("lot_id", required: false);
            var wash = row.Decimal("wash_adjusted_basis", 0m, true, ImportRules.MaxAmount, required: false);
            if (quantity is null || basis is null || (row.Has("acquired") && acquired is null) || (row.Has("lot_id") && lot is null)
                || (row.Has("wash_adjusted_basis") && wash is null) || (row.Has("cusip") && cusip is null)) continue;
            if (lot is not null && !lotIds.Add((account, lot))) { row.Problem("lot_id", $"duplicate lot {lot} in account {account}"); continue; }
            if (acquired is null && lot is not null) { row.Problem("acquired", "a lot (lot_id given) needs its acquisition date"); continue; }
            // A symbol is reported either lot by lot or as one position, never both: the totals would count twice.
            var isLot = acquired is not null;
            if (isLot ? positionSymbols.Contains((account, symbol)) : lotSymbols.Contains((account, symbol)) || positionSymbols.Contains((account, symbol)))
            {
                row.Problem("acquired", isLot ? $"{symbol} in account {account} is already given as a position without lots"
                    : $"{symbol} in account {account} is already given {(lotSymbols.Contains((account, symbol)) ? "lot by lot" : "as a position")}");
                continue;
            }
            (isLot ? lotSymbols : positionSymbols).Add((account, symbol));
            entry.Rows.Add(new CustodianRow(row.Line, account, symbol, cusip, quantity.Value, basis.Value, acquired, lot, wash));
        }
        return ([.. accounts.Select(a => new CustodianAccount(a.Key, a.Value.Rows, a.Value.Cash, a.Value.Line))], issues);
    }

    /// <summary>The accounts, or bad input naming the first problem's line and field (and how many there were).</summary>
    public static IReadOnlyList<CustodianAccount> Parse(string text, DateOnly asOf, string name = FileName)
    {
        var (accounts, issues) = Read(text, asOf, name);
        if (issues.Count == 0) return accounts;
        var more = issues.Count > 1 ? $" ({issues.Count} problems; the first)" : "";
        throw new BadInputException($"positions rejected{more}: {issues.Listed[0]}");
    }
}
