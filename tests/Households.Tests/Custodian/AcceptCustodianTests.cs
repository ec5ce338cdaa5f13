using Households.Contracts;
using Households.Domain;
using Households.Domain.Accounts;
using Households.Domain.Reconciliation;
using Xunit;

namespace Households.Tests.Custodian;

/// <summary>Accepting the custodian: each break becomes a correction of record that brings our books to the custodian's
/// figures, after which the same file reconciles matched.</summary>
public sealed class AcceptCustodianTests
{
    private static readonly DateOnly AsOf = new(2026, 3, 31);
    private const string Header = "account,symbol,cusip,quantity,cost_basis,acquired,lot_id,wash_adjusted_basis\n";
    private static readonly AccountSpec Spec = new("ACC-1", "HH-1", "ACC-1", AccountType.Taxable, true, null, [], false, LotRelief.Fifo, HarvestPolicy.Off);

    private static AccountBook Books() => new(Spec, 1_000m,
    [
        new LotPiece(new TaxLot("L1", "VTI", 100m, 20_000m, new(2024, 1, 10), new(2024, 1, 10)), "L1"),
        new LotPiece(new TaxLot("L2", "VTI", 50m, 12_500m, new(2025, 6, 2), new(2025, 6, 2)), "L2"),
        new LotPiece(new TaxLot("L3", "BND", 200m, 14_600m, new(2023, 9, 15), new(2023, 9, 15)), "L3"),
    ]);

    private static AccountReconciliation Reconcile(AccountBook book, string rows) =>
        Reconciler.Reconcile("HH-1", book.Lots.Lots, book.Cash, Assert.Single(CustodianPositions.Parse(Header + rows, AsOf)), AsOf);

    /// <summary>Reconciles, accepts every break, and reconciles again: the corrections and the second report.</summary>
    private static (BookCorrection[] Corrections, AccountReconciliation After) Accept(AccountBook book, string rows)
    {
        var before = Reconcile(book, rows);
        Assert.Equal(ReconciliationStatus.Breaks, before.Status);
        var corrections = Reconciler.Corrections(before, "rc-ACC-1-20260331-1");
        foreach (var c in corrections) book.Apply(c);
        return (corrections, Reconcile(book, rows));
    }

    [Fact]
    public void Quantity_break_sets_the_lot_to_the_custodians_shares_and_basis()
    {
        var book = Books();
        var (corrections, after) = Accept(book, """
            ACC-1,VTI,,100,20000.00,2024-01-10,L1,
            ACC-1,VTI,,48,12000.00,2025-06-02,C-77,
            ACC-1,BND,,200,14600.00,2023-09-15,L3,
            """);
        var c = Assert.Single(corrections);
        Assert.Equal(new BookCorrection("rc-ACC-1-20260331-1-3", BookCorrectionKind.SetLot, AsOf, "reconciliation rc-ACC-1-20260331-1", "VTI", "L2", 48m, 12_000m), c);
        Assert.Equal(new TaxLot("L2", "VTI", 48m, 12_000m, new(2025, 6, 2), new(2025, 6, 2)), book.Lots.Find("L2"));
        Assert.Equal(ReconciliationStatus.Matched, after.Status);
        Assert.Equal(1_000m, book.Cash);
    }

    [Fact]
    public void Basis_break_takes_the_custodians_wash_sale_adjusted_basis_when_given()
    {
        var book = Books();
        var (_, after) = Accept(book, """
            ACC-1,VTI,,100,20150.00,2024-01-10,L1,
            ACC-1,VTI,,50,12500.00,2025-06-02,L2,
            ACC-1,BND,,200,14600.00,2023-09-15,L3,14900.00
            """);
        Assert.Equal(20_150m, book.Lots.Find("L1")!.Basis);
        Assert.Equal(14_900m, book.Lots.Find("L3")!.Basis); // the adjusted basis, not the 14,600 cost
        Assert.Equal((100m, 200m), (book.Lots.Find("L1")!.Quantity, book.Lots.Find("L3")!.Quantity));
        Assert.Equal(ReconciliationStatus.Matched, after.Status);
    }

    [Fact]
    public void Missing_lot_is_added_under_the_custodians_id_and_an_extra_lot_removed()
    {
        var book = Books();
        var (corrections, after) = Accept(book, """
            ACC-1,VTI,,100,20000.00,2024-01-10,L1,
            ACC-1,VTI,,50,12500.00,2025-06-02,L2,
            ACC-1,AAPL,037833100,25,4250.00,2024-05-20,C-88107,
            """);
        Assert.Equal(2, corrections.Length);
        Assert.Equal(new TaxLot("C-88107", "AAPL", 25m, 4_250m, new(2024, 5, 20), new(2024, 5, 20)), book.Lots.Find("C-88107"));
        Assert.Null(book.Lots.Find("L3")); // the BND lot the custodian does not have
        Assert.Equal(ReconciliationStatus.Matched, after.Status);
        Assert.Equal(3, after.Lines.Length);
    }

    [Fact]
    public void Cash_break_sets_cash()
    {
        var book = Books();
        var (corrections, after) = Accept(book, """
            ACC-1,VTI,,100,20000.00,2024-01-10,L1,
            ACC-1,VTI,,50,12500.00,2025-06-02,L2,
            ACC-1,BND,,200,14600.00,2023-09-15,L3,
            ACC-1,CASH,,875.40,,,,
            """);
        Assert.Equal(BookCorrectionKind.SetCash, Assert.Single(corrections).Kind);
        Assert.Equal(875.40m, book.Cash);
        Assert.Equal(ReconciliationStatus.Matched, after.Status);
    }

    [Fact]
    public void Position_break_relieves_shares_in_the_accounts_order_and_scales_the_basis_to_the_custodians_total()
    {
        // VTI 140 shares, basis 31,000 as one position. FIFO relieves 10 of L1 (90 left, basis 18,000); L1 and L2 (12,500)
        // are scaled by basis to 31,000: L1 31,000 × 18,000 / 30,500 = 18,295.08…, L2 the rest.
        var book = Books();
        var (_, after) = Accept(book, """
            ACC-1,VTI,,140,31000.00,,,
            ACC-1,BND,,200,14600.00,2023-09-15,L3,
            """);
        var l1 = book.Lots.Find("L1")!;
        var l2 = book.Lots.Find("L2")!;
        Assert.Equal((90m, 50m), (l1.Quantity, l2.Quantity));
        Assert.Equal(18_295.08m, Math.Round(l1.Basis, 2));
        Assert.Equal(31_000m, l1.Basis + l2.Basis);
        Assert.Equal(ReconciliationStatus.Matched, after.Status);
    }

    [Fact]
    public void A_correction_the_books_cannot_take_changes_nothing()
    {
        var book = Books();
        var bad = new BookCorrection("k", BookCorrectionKind.SetLot, AsOf, "test", "VTI", "L3", 10m, 100m);
        Assert.Equal("lot L3 holds BND, not VTI", Assert.Throws<BadInputException>(() => book.Apply(bad)).Message);
        Assert.Equal(3, book.Lots.Lots.Count);
        Assert.Equal(20_000m, book.Lots.Find("L1")!.Basis);
    }
}
