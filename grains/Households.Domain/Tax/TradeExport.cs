using System.Globalization;
using Households.Contracts;

namespace Households.Domain.Tax;

/// <summary>A journaled fill with where it sits in the journal (ids grow with time) and its household.</summary>
public sealed record JournaledFill(long JournalId, string HouseholdId, TradeResult Trade);

/// <summary>A lot an account was opened with (by import or account creation), not bought by a journaled fill.</summary>
public sealed record OpeningLot(string HouseholdId, string AccountId, TaxLot Lot);

/// <summary>Writes recorded fills as TRADES.csv (FORMATS §1) so that <c>households tax replay</c> can replay an export.
/// A buy names the lot it created (<c>id</c>); a sell becomes one row per lot it relieved, naming that lot (<c>lot</c>),
/// so the replay relieves exactly the lots the live system did. Lots an account was opened with become buys on their
/// purchase date at basis ÷ quantity, so a sale of an opening lot replays too. Three extra columns, ignored by the
/// replay, keep what TRADES.csv has no column for: <c>household</c>, <c>commission</c> (on the first row of a trade)
/// and <c>source</c> (<c>fill</c> or <c>opening</c>).</summary>
public static class TradeExport
{
    public static readonly string[] Columns = ["date", "account", "account_type", "symbol", "side", "quantity", "price", "id", "lot", "household", "commission", "source"];

    /// <summary>The lots the accounts were opened with, recovered from the journal and today's books: a lot that no
    /// journaled buy created is an opening lot, taken as it was before the first sale that touched it (a sale records
    /// the lot as it was) or, if never sold, as it is now. Wash-sale adjustments the live ledger made to it since it
    /// was opened (basis added, remainder pieces split off) are undone, because the replay makes them again. A tacked
    /// holding period an opening lot came with cannot be expressed in TRADES.csv and is lost.</summary>
    public static IReadOnlyList<OpeningLot> OpeningLots(IEnumerable<JournaledFill> fills, IEnumerable<(string HouseholdId, string AccountId, TaxLot Lot)> openLots)
    {
        var ordered = fills.DistinctBy(f => (f.Trade.AccountId, f.Trade.IdempotencyKey)).OrderBy(f => f.JournalId).ToList();
        var created = ordered.Where(f => f.Trade.CreatedLot is not null).Select(f => (f.Trade.AccountId, f.Trade.CreatedLot!.Id)).ToHashSet();
        bool FromFill(string account, string lotId) =>
            created.Contains((account, lotId)) || created.Any(c => c.AccountId == account && lotId.StartsWith(c.Id + ".", StringComparison.Ordinal));
        var adjustments = ordered.SelectMany(f => f.Trade.WashSales.Where(a => !a.Permanent).Select(a => (f.JournalId, Adjustment: a))).ToList();
        decimal AddedBefore(string account, string lotId, long journalId) =>
            adjustments.Where(x => x.JournalId < journalId && x.Adjustment.Account == account && x.Adjustment.LotId == lotId).Sum(x => x.Adjustment.Disallowed);
        var remainderOf = adjustments.Where(x => x.Adjustment.RemainderLotId is not null)
            .GroupBy(x => (x.Adjustment.Account, x.Adjustment.RemainderLotId!)).ToDictionary(g => g.Key, g => g.First().Adjustment.LotId);

        var openings = new Dictionary<(string, string), OpeningLot>();
        void Add(string household, string account, TaxLot lot, decimal added)
        {
            var id = remainderOf.TryGetValue((account, lot.Id), out var root) ? root : lot.Id;
            var original = lot with { Id = id, Basis = lot.Basis - added, HoldingSince = lot.Purchased };
            openings[(account, id)] = openings.TryGetValue((account, id), out var seen)
                ? seen with { Lot = seen.Lot with { Quantity = seen.Lot.Quantity + original.Quantity, Basis = seen.Lot.Basis + original.Basis } }
                : new OpeningLot(household, account, original);
        }
        var fromSales = new HashSet<(string, string)>();
        foreach (var f in ordered.Where(f => f.Trade.Request.Side == TradeSide.Sell))
            foreach (var sale in f.Trade.Sales.Where(s => !FromFill(f.Trade.AccountId, s.Root)))
                if (fromSales.Add((f.Trade.AccountId, sale.Lot.Id)))
                    Add(f.HouseholdId, f.Trade.AccountId, sale.Lot, AddedBefore(f.Trade.AccountId, sale.Lot.Id, f.JournalId));
        foreach (var (household, account, lot) in openLots.Where(l => !FromFill(l.AccountId, l.Lot.Id) && !fromSales.Contains((l.AccountId, l.Lot.Id))))
            Add(household, account, lot, AddedBefore(account, lot.Id, long.MaxValue));
        return [.. openings.Values];
    }

    public static string Csv(IEnumerable<JournaledFill> fills, Func<string, AccountType?> accountType, DateOnly? from = null, DateOnly? to = null,
        IEnumerable<OpeningLot>? openings = null)
    {
        var csv = new CsvWriter(string.Join(',', Columns));
        bool InRange(DateOnly d) => (from is null || d >= from) && (to is null || d <= to);
        // Sorted by trade date: opening lots first on their date (they were held before), then the fills in the order
        // they were recorded (the order the live ledger saw them).
        var rows = (openings ?? []).Where(o => InRange(o.Lot.Purchased)).Select(o => (Date: o.Lot.Purchased, Kind: 0, Order: 0L, Opening: (OpeningLot?)o, Fill: (JournaledFill?)null))
            .Concat(fills.DistinctBy(f => (f.Trade.AccountId, f.Trade.IdempotencyKey)).Where(f => InRange(f.Trade.Request.TradeDate))
                .Select(f => (Date: f.Trade.Request.TradeDate, Kind: 1, Order: f.JournalId, Opening: (OpeningLot?)null, Fill: (JournaledFill?)f)))
            .OrderBy(r => r.Date).ThenBy(r => r.Kind).ThenBy(r => r.Order);
        foreach (var row in rows)
        {
            if (row.Opening is { } o)
            {
                var openingType = accountType(o.AccountId) ?? throw new BadInputException($"account {o.AccountId} of an opening lot is unknown");
                Row(csv, o.Lot.Purchased, o.AccountId, openingType, o.Lot.Symbol, "buy", o.Lot.Quantity, o.Lot.Basis / o.Lot.Quantity, o.Lot.Id, "", o.HouseholdId, "", "opening");
                continue;
            }
            var fill = row.Fill!;
            var t = fill.Trade;
            var r = t.Request;
            var type = accountType(t.AccountId) ?? throw new BadInputException($"account {t.AccountId} of a journaled fill is unknown");
            var commission = r.Commission == 0 ? "" : Number(r.Commission);
            if (r.Side == TradeSide.Buy)
            {
                Row(csv, r.TradeDate, t.AccountId, type, r.Symbol, "buy", t.CreatedLot?.Quantity ?? r.Quantity, r.Price, t.CreatedLot?.Id ?? "", "", fill.HouseholdId, commission, "fill");
                continue;
            }
            foreach (var sale in t.Sales.GroupBy(s => s.Lot.Id))
            {
                Row(csv, r.TradeDate, t.AccountId, type, r.Symbol, "sell", sale.Sum(s => s.Quantity), r.Price, "", sale.Key, fill.HouseholdId, commission, "fill");
                commission = "";
            }
        }
        return csv.ToString();
    }

    public static string TypeName(AccountType type) => type switch
    {
        AccountType.Ira => "ira",
        AccountType.Roth => "roth",
        AccountType.Trust => "trust",
        AccountType.Education529 => "529",
        _ => "taxable",
    };

    private static void Row(CsvWriter csv, DateOnly date, string account, AccountType type, string symbol, string side, decimal quantity,
        decimal price, string id, string lot, string household, string commission, string source) =>
        csv.Row(date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), account, TypeName(type), symbol, side,
            Number(quantity), Number(price), id, lot, household, commission, source);

    private static string Number(decimal d) => (d / 1.0000000000000000000000000000m).ToString(CultureInfo.InvariantCulture);
}
