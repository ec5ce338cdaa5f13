using Households.Contracts;
using Households.Domain;
using Households.Domain.Accounts;
using Households.Domain.Reconciliation;
using Xunit;

namespace Households.Tests.Custodian;

/// <summary>The custodian transaction file (docs/formats.md §17): what each type posts, and the per-row problems.</summary>
public sealed class CustodianTransactionFileTests
{
    private static readonly DateOnly Today = new(2026, 12, 5);
    private const string Header = "transaction_id,account,trade_date,settle_date,type,symbol,cusip,quantity,price,amount,lot_id,acquired,cost_basis,description\n";

    private static string? Cusips(string cusip) => cusip == "922908769" ? "VTI" : null;

    private static (IReadOnlyList<CustodianTransaction> Rows, IReadOnlyList<CustodianTransactionOutcome> Problems) Read(string rows) =>
        CustodianTransactionFile.Read(Header + rows, Today, Cusips);

    [Fact]
    public void Every_type_posts_a_fill_a_cash_movement_or_a_correction_of_record()
    {
        var (rows, problems) = Read("""
            B1,A1,2026-11-02,2026-11-03,buy,,922908769,10,250.00,-2505.00,,,,Bought by CUSIP
            S1,A1,2026-11-03,2026-11-04,sell,VTI,,4,260.00,1038.50,L7,,,
            D1,A1,2026-11-04,,dividend,VTI,,,,12.80,,,,
            I1,A1,2026-11-05,,interest,,,,,1.25,,,,
            F1,A1,2026-11-05,,fee,CASH,,,,-20.00,,,,
            TI1,A1,2026-11-06,,transfer_in,VTI,,30,,,OLD-9,2018-04-02,6000.00,ACAT in
            TI2,A1,2026-11-06,,transfer_in,,,,,5000.00,,,,wire
            TO1,A1,2026-11-07,,transfer_out,VTI,,5,,,,,,
            TO2,A1,2026-11-07,,transfer_out,,,,,-100.00,,,,
            J1,A1,2026-11-08,,journal,,,,,-50.00,,,,to A2
            J2,A1,2026-11-08,,journal,,,,,75.00,,,,from A2
            """);
        Assert.Empty(problems);
        var postings = rows.Select(CustodianTransactions.Posting).ToArray();

        // A buy's amount is gross + commission: 2,505 − 10 × 250 = 5 of commission; the CUSIP named VTI.
        Assert.Equal(new TradeRequest("ct-B1", new(2026, 11, 2), "VTI", TradeSide.Buy, 10m, 250m, null, null, 5m), postings[0].Trade);
        // A sale's is gross − commission: 4 × 260 − 1,038.50 = 1.50, from the named lot.
        Assert.Equal(new TradeRequest("ct-S1", new(2026, 11, 3), "VTI", TradeSide.Sell, 4m, 260m, "L7", null, 1.5m), postings[1].Trade);
        Assert.Equal(new CashMovement("ct-D1", CashKind.Dividend, 12.80m, new(2026, 11, 4), "VTI"), postings[2].Cash);
        Assert.Equal(new CashMovement("ct-I1", CashKind.Interest, 1.25m, new(2026, 11, 5), null), postings[3].Cash);
        Assert.Equal(new CashMovement("ct-F1", CashKind.Fee, 20m, new(2026, 11, 5), null), postings[4].Cash);
        Assert.Equal(new BookCorrection("ct-TI1", BookCorrectionKind.TransferIn, new(2026, 11, 6), "custodian transaction TI1", "VTI", "OLD-9", 30m, 6000m,
            new(2018, 4, 2)), postings[5].Correction);
        Assert.Equal(CashKind.TransferIn, postings[6].Cash!.Kind);
        Assert.Equal(new BookCorrection("ct-TO1", BookCorrectionKind.TransferOut, new(2026, 11, 7), "custodian transaction TO1", "VTI", null, 5m),
            postings[7].Correction);
        Assert.Equal((CashKind.TransferOut, 100m), (postings[8].Cash!.Kind, postings[8].Cash!.Amount));
        Assert.Equal((CashKind.JournalOut, 50m), (postings[9].Cash!.Kind, postings[9].Cash!.Amount));
        Assert.Equal((CashKind.JournalIn, 75m), (postings[10].Cash!.Kind, postings[10].Cash!.Amount));
        Assert.Equal(new DateOnly(2026, 11, 4), rows[2].SettleDate); // settle defaults to the trade date
    }

    [Fact]
    public void Bad_rows_are_reported_each_with_its_line_and_fields()
    {
        var (rows, problems) = Read("""
            X1,A1,2026-11-02,,buy,VTI,,10,250.00,2400.00,,,,
            X2,A1,2026-11-02,2026-11-01,dividend,VTI,,,,-3.00,,,,
            X3,A1,2026-11-02,,transfer_in,VTI,,10,,,,,,
            X4,A1,2026-11-02,,swap,VTI,,10,,,,,,
            X5,A1,2026-11-02,,buy,,000000000,1,10,-10,,,,
            X1,A1,2026-11-03,,interest,,,,,1.00,,,,
            OK1,A1,2026-11-03,,interest,,,,,1.00,,,,
            """);
        Assert.Equal(["OK1"], rows.Select(r => r.Id));
        Assert.Equal([2, 3, 4, 5, 6, 7], problems.Select(p => p.Line));
        Assert.All(problems, p => Assert.Equal(CustodianTransactionStatus.Error, p.Status));
        Assert.Equal("amount: a buy is money out: the amount must be <= 0 (value '2400.00')", problems[0].Detail);
        Assert.Equal("settle_date: before the trade date (value '2026-11-01'); amount: a dividend is money in: the amount must be > 0 (value '-3.00')",
            problems[1].Detail);
        Assert.Equal("acquired: shares transferred in need their acquisition date; cost_basis: shares transferred in need their cost basis", problems[2].Detail);
        Assert.StartsWith("type: must be one of buy, sell", problems[3].Detail);
        Assert.Null(problems[3].Type);
        Assert.Equal("cusip: no security in the security master has this CUSIP (value '000000000')", problems[4].Detail);
        Assert.Equal("transaction_id: duplicate transaction X1 in account A1 (value 'X1')", problems[5].Detail);
        Assert.Equal("transactions rejected: custodian-transactions.csv line 1, field transaction_id: required column is missing (the header row must name transaction_id,account,trade_date,type)",
            Assert.Throws<BadInputException>(() => CustodianTransactionFile.Read("id,account\n1,2\n", Today, Cusips)).Message);
        // A line with the wrong number of fields is that line's error.
        var (_, short_) = Read("Z1,A1,2026-11-02\n");
        Assert.Equal((2, "settle_date: 3 fields where the header has 14"), (Assert.Single(short_).Line, short_[0].Detail));
    }

    [Fact]
    public void An_amount_short_of_quantity_times_price_is_refused_rather_than_read_as_a_negative_commission()
    {
        var (rows, _) = Read("B1,A1,2026-11-02,,buy,VTI,,10,250.00,-2499.00,,,,\nB2,A1,2026-11-02,,buy,VTI,,3,33.333,-99.995,,,,\n");
        var ex = Assert.Throws<BadInputException>(() => CustodianTransactions.Posting(rows[0]));
        Assert.Equal("amount -2499.00 is less than quantity × price (2500.00): the difference would be a negative commission", ex.Message);
        // Within a cent it is rounding: no commission.
        Assert.Equal(0m, CustodianTransactions.Posting(rows[1]).Trade!.Commission);
    }

    [Fact]
    public void The_rehearsal_refuses_what_the_books_cannot_take_and_keeps_checking_the_rest()
    {
        var spec = new AccountSpec("A1", "H1", "A1", AccountType.Taxable, true, null, [], false, LotRelief.Fifo, HarvestPolicy.Off);
        var book = new AccountBook(spec, 100m, [new LotPiece(new TaxLot("L1", "VTI", 10m, 2000m, new(2020, 1, 2), new(2020, 1, 2)), "L1")]);
        var (rows, _) = Read("""
            O1,A1,2026-11-02,,transfer_out,VTI,,12,,,,,,
            O2,A1,2026-11-02,,sell,VTI,,10,300,3000,,,,
            O3,A1,2026-11-03,,fee,,,,,-3200.00,,,,
            O4,A1,2026-11-03,,fee,,,,,-3000.00,,,,
            """);
        var problems = CustodianTransactions.Rehearse([.. rows.Select(CustodianTransactions.Posting)], _ => book, _ => { });
        Assert.Equal("transfer out of 12 VTI exceeds the 10 shares held", problems[0]);
        Assert.Null(problems[1]);
        Assert.Equal("fee of 3200.00 exceeds the 3100.00 cash held", problems[2]);
        Assert.Null(problems[3]);
        Assert.Equal(100m, book.Cash);
        Assert.Empty(book.Lots.Lots);
    }
}
