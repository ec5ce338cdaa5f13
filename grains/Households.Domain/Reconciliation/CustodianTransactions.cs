using System.Collections.Immutable;
using System.Globalization;
using Households.Contracts;
using Households.Domain.Accounts;

namespace Households.Domain.Reconciliation;

/// <summary>What one custodian transaction books: exactly one of a fill (<see cref="Trade"/>, through the household's ledger),
/// a cash movement (<see cref="Cash"/>) or a correction of record (<see cref="Correction"/>, shares transferred).</summary>
public sealed record CustodianPosting(CustodianTransaction Row, TradeRequest? Trade, CashMovement? Cash, BookCorrection? Correction);

/// <summary>Custodian transactions as postings to the books (docs/formats.md §17), and the rehearsal that checks a file against
/// copies of the books before anything is applied. Pure.</summary>
public static class CustodianTransactions
{
    /// <summary>A custodian's amount may differ from quantity × price by rounding to the cent.</summary>
    public const decimal CentTolerance = 0.01m;

    /// <summary>The idempotency key of a transaction in its account: a trade's, a cash movement's or a correction's.</summary>
    public static string KeyOf(CustodianTransaction t) => "ct-" + t.Id;

    /// <summary>The posting a transaction makes; bad input when its numbers disagree (an amount that does not cover quantity × price).</summary>
    public static CustodianPosting Posting(CustodianTransaction t)
    {
        var key = KeyOf(t);
        var source = $"custodian transaction {t.Id}";
        CashMovement Cash(CashKind kind, decimal amount) => new(key, kind, Math.Abs(amount), t.TradeDate, kind == CashKind.Dividend ? t.Symbol : null);
        switch (t.Type)
        {
            case CustodianTransactionType.Buy or CustodianTransactionType.Sell:
            {
                var buy = t.Type == CustodianTransactionType.Buy;
                var gross = t.Quantity * t.Price;
                // The amount is net of the commission: a buy pays gross + commission, a sale receives gross − commission.
                var commission = t.Amount is { } a ? (buy ? -a - gross : gross - a) : 0m;
                if (commission < 0)
                {
                    if (commission < -CentTolerance)
                        throw new BadInputException(string.Create(CultureInfo.InvariantCulture,
                            $"amount {t.Amount:0.00} is {(buy ? "less" : "more")} than quantity × price ({gross:0.00}): the difference would be a negative commission"));
                    commission = 0m;
                }
                return new(t, new TradeRequest(key, t.TradeDate, t.Symbol!, buy ? TradeSide.Buy : TradeSide.Sell, t.Quantity, t.Price,
                    buy ? null : t.LotId, null, commission), null, null);
            }
            case CustodianTransactionType.Dividend: return new(t, null, Cash(CashKind.Dividend, t.Amount!.Value), null);
            case CustodianTransactionType.Interest: return new(t, null, Cash(CashKind.Interest, t.Amount!.Value), null);
            case CustodianTransactionType.Fee: return new(t, null, Cash(CashKind.Fee, t.Amount!.Value), null);
            case CustodianTransactionType.TransferIn when t.Symbol is not null:
                return new(t, null, null, new BookCorrection(key, BookCorrectionKind.TransferIn, t.TradeDate, source, t.Symbol, t.LotId, t.Quantity,
                    t.CostBasis ?? 0m, t.Acquired));
            case CustodianTransactionType.TransferIn: return new(t, null, Cash(CashKind.TransferIn, t.Amount!.Value), null);
            case CustodianTransactionType.TransferOut when t.Symbol is not null:
                return new(t, null, null, new BookCorrection(key, BookCorrectionKind.TransferOut, t.TradeDate, source, t.Symbol, t.LotId, t.Quantity));
            case CustodianTransactionType.TransferOut: return new(t, null, Cash(CashKind.TransferOut, t.Amount!.Value), null);
            case CustodianTransactionType.Journal: return new(t, null, Cash(t.Amount > 0 ? CashKind.JournalIn : CashKind.JournalOut, t.Amount!.Value), null);
            default: throw new BadInputException($"unknown transaction type {t.Type}");
        }
    }

    /// <summary>The order postings apply in: by trade date (the wash-sale ledger takes a household's events in date order),
    /// then as the file lists them.</summary>
    public static IEnumerable<int> ApplyOrder(IReadOnlyList<CustodianTransaction> rows) =>
        Enumerable.Range(0, rows.Count).OrderBy(i => rows[i].TradeDate).ThenBy(i => rows[i].Line);

    /// <summary>Applies the postings, in order, to copies of the accounts' books: null where one applies, the reason where the
    /// books refuse it (too few shares, not enough cash, a lot that does not exist, a trade dated before the ledger's
    /// last event). A refused posting leaves the copy as it was, so every row is checked.</summary>
    public static string?[] Rehearse(IReadOnlyList<CustodianPosting> postings, Func<string, AccountBook> bookOf, Action<DateOnly> ensureInOrder)
    {
        var problems = new string?[postings.Count];
        for (var i = 0; i < postings.Count; i++)
        {
            var p = postings[i];
            var book = bookOf(p.Row.Account);
            try
            {
                if (p.Trade is { } trade) { ensureInOrder(trade.TradeDate); book.Apply(trade); }
                else if (p.Cash is { } cash) book.Apply(cash);
                else book.Apply(p.Correction!);
            }
            catch (BadInputException ex) { problems[i] = ex.Message; }
        }
        return problems;
    }

    /// <summary>The report's line for an applied cash movement.</summary>
    public static string Describe(CashMovement m, decimal cashAfter) =>
        string.Create(CultureInfo.InvariantCulture, $"{CashValidation.Name(m.Kind)} of {m.Amount:0.00}{(m.Symbol is null ? "" : " from " + m.Symbol)}: cash {cashAfter:0.00}");

    /// <summary>The report: counts and the rows in file order.</summary>
    public static CustodianTransactionReport Report(IEnumerable<CustodianTransactionOutcome> rows)
    {
        var ordered = rows.OrderBy(r => r.Line).ToImmutableArray();
        return new CustodianTransactionReport(ordered.Count(r => r.Status == CustodianTransactionStatus.Applied),
            ordered.Count(r => r.Status == CustodianTransactionStatus.AlreadyApplied), ordered.Count(r => r.Status == CustodianTransactionStatus.Error), ordered);
    }
}
