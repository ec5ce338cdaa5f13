using Households.Contracts;
using Households.Domain.Lots;
using Households.Domain.WashSales;

namespace Households.Domain.Tax;

/// <summary>Options of a replay: the default relief method, substantially identical groups and MinTax rates.
/// <see cref="Source"/> names the trades file in error messages.</summary>
public sealed record ReplayOptions(LotRelief Method = LotRelief.Fifo, SubstantiallyIdentical? Identical = null,
    TaxRates? Rates = null, string Source = "trades");

/// <summary>The replay's result (FORMATS §1): realized rows, open lots and the summary. Exact decimals.</summary>
public sealed record ReplayResult(IReadOnlyList<RealizedLot> Realized, IReadOnlyList<OpenLot> Lots, GainsSummary Summary);

/// <summary>
/// Replays a household's trades (FORMATS §1, <c>households tax replay</c>) through a <see cref="HouseholdTaxBook"/>:
/// the same lot books and wash-sale ledger the running system uses. Rows may be fed all at once or in batches
/// (<see cref="Apply"/>); the result is the same either way. Semantic errors name the file, line and field.
/// </summary>
public sealed class TaxReplay(ReplayOptions options)
{
    private HouseholdTaxBook _book = new(options.Identical, options.Rates);
    private readonly Dictionary<string, AccountType> _types = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _lotAccount = new(StringComparer.Ordinal);
    private DateOnly? _lastDate;

    public static ReplayResult Run(IReadOnlyList<TradeRow> rows, ReplayOptions options)
    {
        var replay = new TaxReplay(options);
        replay.Apply(rows);
        return replay.Result();
    }

    public HouseholdTaxBook Book => _book;

    /// <summary>Replaces the household tax book with one restored from its persisted form, as a grain does after
    /// reactivation. The result must not change (tested); <see cref="HouseholdTaxBook.Adjustments"/> restarts empty.</summary>
    public void Reload() => _book = HouseholdTaxBook.Restore(_book.Snapshot(), options.Identical, options.Rates);

    public void Apply(IReadOnlyList<TradeRow> rows)
    {
        // Ids named in the file are never given to split pieces.
        _book.WashSales.ReserveIds(rows.Where(r => r.Side == TradeSide.Buy && r.Id is not null).Select(r => r.Id!));
        foreach (var row in rows) Apply(row);
    }

    private void Apply(TradeRow row)
    {
        var src = options.Source;
        if (_lastDate is { } last && row.Date < last)
            throw TradeFile.Bad(src, row.Line, "date", $"{row.Date:yyyy-MM-dd} is before {last:yyyy-MM-dd}: the file must be sorted by date");
        _lastDate = row.Date;
        if (_types.TryGetValue(row.Account, out var type))
        {
            if (type != row.AccountType)
                throw TradeFile.Bad(src, row.Line, "account_type", $"account {row.Account} was {Name(type)} on an earlier row");
        }
        else
        {
            _types[row.Account] = row.AccountType;
            _book.OpenAccount(new AccountTaxProfile(row.Account, row.AccountType));
        }
        try
        {
            if (row.Side == TradeSide.Buy) Buy(row); else Sell(row);
        }
        catch (OverflowException)
        {
            throw TradeFile.Bad(src, row.Line, "quantity", "the amount is out of the decimal range");
        }
    }

    private void Buy(TradeRow row)
    {
        var id = row.Id ?? $"{row.Account}-{row.Row}";
        if (_lotAccount.ContainsKey(id) || _book.Accounts.Any(a => _book.BookOf(a).Find(id) is not null))
            throw TradeFile.Bad(options.Source, row.Line, "id", $"duplicate lot id {id}");
        _ = row.Quantity * row.Price; // an overflow is bad input before anything changes
        _lotAccount[id] = row.Account;
        try
        {
            _book.Buy(row.Account, id, row.Symbol, row.Quantity, row.Price, row.Date);
        }
        catch (BadInputException ex)
        {
            throw TradeFile.Bad(options.Source, row.Line, "id", ex.Message);
        }
    }

    private void Sell(TradeRow row)
    {
        var src = options.Source;
        var book = _book.BookOf(row.Account);
        if (row.Lot is { } lot)
        {
            if (!book.Contains(lot))
            {
                var holder = _book.Accounts.FirstOrDefault(a => _book.BookOf(a).Contains(lot));
                throw TradeFile.Bad(src, row.Line, "lot", holder is null
                    ? $"lot {lot} does not exist (or is sold)"
                    : $"lot {lot} belongs to account {holder}, not {row.Account}");
            }
            var named = book.Lots.Where(l => l.Id == lot || book.RootOf(l.Id) == lot).ToList();
            if (named[0].Symbol != row.Symbol)
                throw TradeFile.Bad(src, row.Line, "lot", $"lot {lot} holds {named[0].Symbol}, not {row.Symbol}");
            var held = named.Sum(l => l.Quantity);
            if (held < row.Quantity)
                throw TradeFile.Bad(src, row.Line, "quantity", $"selling {row.Quantity} {row.Symbol} but lot {lot} holds {held}");
        }
        else
        {
            var held = book.QuantityOf(row.Symbol);
            if (held < row.Quantity)
                throw TradeFile.Bad(src, row.Line, "quantity", $"selling {row.Quantity} {row.Symbol} but account {row.Account} holds {held}");
        }
        _ = row.Quantity * row.Price;
        try
        {
            _book.Sell(row.Account, row.Symbol, row.Quantity, row.Price, row.Date, options.Method, row.Lot);
        }
        catch (BadInputException ex)
        {
            throw TradeFile.Bad(src, row.Line, row.Lot is null ? "quantity" : "lot", ex.Message);
        }
    }

    public ReplayResult Result() => new(_book.Gains.Rows(), _book.OpenLots, _book.Gains.Summary());

    public static string Name(AccountType type) => type switch
    {
        AccountType.Taxable => "taxable",
        AccountType.Ira => "ira",
        AccountType.Roth => "roth",
        AccountType.Trust => "trust",
        AccountType.Education529 => "529",
        _ => type.ToString(),
    };
}
