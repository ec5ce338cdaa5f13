using System.Globalization;
using System.Text;
using Households.Contracts;

namespace Households.Domain.Tax;

/// <summary>A journaled fill with where it sits in the journal (ids grow with time) and its household.</summary>
public sealed record JournaledFill(long JournalId, string HouseholdId, TradeResult Trade);

/// <summary>Writes recorded fills as TRADES.csv (FORMATS §1) so that <c>households tax replay</c> can replay an export.
/// A buy names the lot it created (<c>id</c>); a sell becomes one row per lot it relieved, naming that lot (<c>lot</c>),
/// so the replay relieves exactly the lots the live system did. Two extra columns, ignored by the replay, keep what
/// TRADES.csv has no column for: <c>household</c> and <c>commission</c> (on the first row of a trade).</summary>
public static class TradeExport
{
    public static readonly string[] Columns = ["date", "account", "account_type", "symbol", "side", "quantity", "price", "id", "lot", "household", "commission"];

    public static string Csv(IEnumerable<JournaledFill> fills, Func<string, AccountType?> accountType, DateOnly? from = null, DateOnly? to = null)
    {
        var sb = new StringBuilder(string.Join(',', Columns)).Append('\n');
        // Sorted by trade date, then in the order the fills were recorded (the order the live ledger saw them).
        foreach (var fill in fills.DistinctBy(f => (f.Trade.AccountId, f.Trade.IdempotencyKey))
                     .Where(f => (from is null || f.Trade.Request.TradeDate >= from) && (to is null || f.Trade.Request.TradeDate <= to))
                     .OrderBy(f => f.Trade.Request.TradeDate).ThenBy(f => f.JournalId))
        {
            var t = fill.Trade;
            var r = t.Request;
            var type = accountType(t.AccountId) ?? throw new BadInputException($"account {t.AccountId} of a journaled fill is unknown");
            var commission = r.Commission == 0 ? "" : Number(r.Commission);
            if (r.Side == TradeSide.Buy)
            {
                Row(sb, r.TradeDate, t.AccountId, type, r.Symbol, "buy", t.CreatedLot?.Quantity ?? r.Quantity, r.Price, t.CreatedLot?.Id ?? "", "", fill.HouseholdId, commission);
                continue;
            }
            foreach (var sale in t.Sales.GroupBy(s => s.Lot.Id))
            {
                Row(sb, r.TradeDate, t.AccountId, type, r.Symbol, "sell", sale.Sum(s => s.Quantity), r.Price, "", sale.Key, fill.HouseholdId, commission);
                commission = "";
            }
        }
        return sb.ToString();
    }

    public static string TypeName(AccountType type) => type switch
    {
        AccountType.Ira => "ira",
        AccountType.Roth => "roth",
        AccountType.Trust => "trust",
        AccountType.Education529 => "529",
        _ => "taxable",
    };

    private static void Row(StringBuilder sb, DateOnly date, string account, AccountType type, string symbol, string side, decimal quantity,
        decimal price, string id, string lot, string household, string commission) =>
        sb.Append(string.Join(',', new[]
        {
            date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Field(account), TypeName(type), Field(symbol), side,
            Number(quantity), Number(price), Field(id), Field(lot), Field(household), commission,
        })).Append('\n');

    private static string Number(decimal d) => (d / 1.0000000000000000000000000000m).ToString(CultureInfo.InvariantCulture);

    /// <summary>Ids are plain in practice; anything with a comma or quote is quoted as RFC 4180 says.</summary>
    private static string Field(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
}
