using Households.Contracts;
using Households.Domain.Import;
using Households.Domain.Reconciliation;
using Households.Tests.Import;
using Xunit;

namespace Households.Tests.Custodian;

/// <summary>docs/samples/custodian-positions.csv reconciled against the sample firm's opening books (docs/samples): the
/// breaks docs/formats.md promises.</summary>
public sealed class SampleReconciliationTests
{
    private static readonly DateOnly AsOf = new(2026, 3, 31);

    private static Dictionary<string, AccountReconciliation> Reconcile()
    {
        string Read(string name) => File.ReadAllText(Path.Combine(ImportParserTests.SamplesDir, name));
        var plan = ImportParser.Validate(new ImportFiles(new("securities.csv", Read("securities.csv")), new("models.csv", Read("models.csv")),
            new("households.csv", Read("households.csv")), new("accounts.csv", Read("accounts.csv")), new("lots.csv", Read("lots.csv"))), AsOf).Plan!;
        var books = plan.Households.SelectMany(h => h.Accounts).ToDictionary(a => a.Spec.Id);
        return CustodianPositions.Parse(Read(CustodianPositions.FileName), AsOf).ToDictionary(a => a.Account,
            a => books.TryGetValue(a.Account, out var b) ? Reconciler.Reconcile(b.Spec.HouseholdId, b.Lots, b.Cash, a, AsOf) : Reconciler.Unknown(a, AsOf));
    }

    [Fact]
    public void The_sample_file_gives_the_documented_breaks()
    {
        var r = Reconcile();
        Assert.Equal(["SMITH-TAX", "SMITH-IRA", "GARCIA-TAX", "CHEN-TAX", "JONES-TAX"], r.Keys);
        static string Breaks(AccountReconciliation a) =>
            string.Join("; ", a.Lines.Where(l => l.Kind != ReconciliationKind.Matched).Select(l => $"{l.Kind} {l.Symbol} {l.Lot} {l.Difference}"));

        Assert.Equal("QuantityBreak VXUS ST-3 -2", Breaks(r["SMITH-TAX"]));
        Assert.Equal(5, r["SMITH-TAX"].Lines.Length);
        Assert.Equal(ReconciliationStatus.Matched, r["SMITH-IRA"].Status);
        Assert.Equal(3, r["SMITH-IRA"].Lines.Length);
        Assert.Equal("BasisBreak VXUS GT-2 150.00; CashBreak CASH  -124.60", Breaks(r["GARCIA-TAX"]));
        // CX-5's custodian cost basis 2,250 is wash-adjusted to 2,400, as on our books: matched.
        Assert.Equal("MissingLot AAPL C-88107 25; ExtraLot XOM CX-4 -60", Breaks(r["CHEN-TAX"]));
        Assert.Equal(ReconciliationKind.Matched, r["CHEN-TAX"].Lines.Single(l => l.Lot == "CX-5").Kind);
        Assert.Equal(ReconciliationStatus.UnknownAccount, r["JONES-TAX"].Status);
    }
}

/// <summary>docs/samples/custodian-transactions.csv rehearsed on the sample firm's opening books: every row applies, with the
/// figures docs/formats.md §17 gives.</summary>
public sealed class SampleTransactionTests
{
    [Fact]
    public void The_sample_transactions_apply_to_the_sample_firm()
    {
        var today = new DateOnly(2026, 4, 30);
        string Read(string name) => File.ReadAllText(Path.Combine(ImportParserTests.SamplesDir, name));
        var plan = ImportParser.Validate(new ImportFiles(new("securities.csv", Read("securities.csv")), new("models.csv", Read("models.csv")),
            new("households.csv", Read("households.csv")), new("accounts.csv", Read("accounts.csv")), new("lots.csv", Read("lots.csv"))), today).Plan!;
        var cusips = plan.Securities.Where(s => s.Cusip is not null).ToDictionary(s => s.Cusip!, s => s.Symbol);
        var books = plan.Households.SelectMany(h => h.Accounts).ToDictionary(a => a.Spec.Id,
            a => new Households.Domain.Accounts.AccountBook(a.Spec, a.Cash, a.Lots.Select(l => new LotPiece(l, l.Id))));
        var (rows, problems) = CustodianTransactionFile.Read(Read(CustodianTransactionFile.FileName), today, c => cusips.GetValueOrDefault(c));
        Assert.Empty(problems);
        Assert.Equal(10, rows.Count);
        var order = CustodianTransactions.ApplyOrder(rows).Select(i => rows[i]).ToList();
        Assert.All(CustodianTransactions.Rehearse([.. order.Select(CustodianTransactions.Posting)], id => books[id], _ => { }), Assert.Null);

        // GARCIA-TAX: 15,000 + 3,195 (50 VXUS at 64 less $5) + 88.40 + 3.17 − 125 − 1,310 (20 VXUS at 65.50, bought by CUSIP).
        Assert.Equal(16_851.57m, books["GARCIA-TAX"].Cash);
        Assert.Equal((150m, 11_100m), (books["GARCIA-TAX"].Lots.Find("GT-2")!.Quantity, books["GARCIA-TAX"].Lots.Find("GT-2")!.Basis));
        Assert.Equal(20m, books["GARCIA-TAX"].Lots.Find("T-ct-C-9005")!.Quantity);
        // CHEN-TAX: the AAPL lot transferred in, the XOM lot CX-4 transferred out, $5,000 wired in.
        Assert.Equal(new TaxLot("C-88107", "AAPL", 25m, 4_250m, new(2024, 5, 20), new(2024, 5, 20)), books["CHEN-TAX"].Lots.Find("C-88107"));
        Assert.Null(books["CHEN-TAX"].Lots.Find("CX-4"));
        Assert.Equal(6_000m, books["CHEN-TAX"].Cash);
        Assert.Equal(1_750m, books["SMITH-TAX"].Cash);
    }
}
