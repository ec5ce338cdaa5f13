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
