using Households.Contracts;
using Households.Domain;
using Households.Domain.Reconciliation;
using Xunit;

namespace Households.Tests.Custodian;

/// <summary>The custodian positions parser and the reconciliation engine, with worked numbers for each kind of break.</summary>
public sealed class ReconcilerTests
{
    private static readonly DateOnly AsOf = new(2026, 3, 31);
    private const string Header = "account,symbol,cusip,quantity,cost_basis,acquired,lot_id,wash_adjusted_basis\n";

    private static readonly TaxLot[] Books =
    [
        new("L1", "VTI", 100m, 20_000m, new(2024, 1, 10), new(2024, 1, 10)),
        new("L2", "VTI", 50m, 12_500m, new(2025, 6, 2), new(2025, 6, 2)),
        new("L3", "BND", 200m, 14_600m, new(2023, 9, 15), new(2023, 9, 15)),
    ];

    private static AccountReconciliation Run(string rows, decimal cash = 1_000m, TaxLot[]? books = null)
    {
        var accounts = CustodianPositions.Parse(Header + rows, AsOf);
        return Reconciler.Reconcile("HH-1", books ?? Books, cash, Assert.Single(accounts), AsOf);
    }

    private const string AllMatched = """
        ACC-1,VTI,922908769,100,20000.00,2024-01-10,L1,
        ACC-1,VTI,922908769,50,12500.00,2025-06-02,C-77,
        ACC-1,BND,,200,14600.004,2023-09-15,,
        ACC-1,CASH,,1000.00,,,,
        """;

    [Fact]
    public void All_matched_by_lot_id_then_date_and_quantity()
    {
        var r = Run(AllMatched);
        Assert.Equal(ReconciliationStatus.Matched, r.Status);
        Assert.Equal(0, r.Breaks);
        Assert.False(r.OpenBreak);
        Assert.Equal(4, r.Lines.Length);
        Assert.All(r.Lines, l => Assert.Equal(ReconciliationKind.Matched, l.Kind));
        // L2 has no custodian lot id in common: paired by (symbol, acquired, quantity), carrying the custodian's id.
        Assert.Equal("C-77", r.Lines.Single(l => l.Lot == "L2").CustodianLot);
        Assert.Equal(1_000m, r.OurCash);
        Assert.Equal(1_000m, r.TheirCash);
    }

    [Fact]
    public void Quantity_break_pairs_by_symbol_and_date()
    {
        var r = Run(AllMatched.Replace(",50,12500.00,", ",48,12500.00,"));
        var line = Assert.Single(r.Lines, l => l.Kind != ReconciliationKind.Matched);
        Assert.Equal(ReconciliationKind.QuantityBreak, line.Kind);
        Assert.Equal(("VTI", "L2", 50m, 48m, -2m), (line.Symbol, line.Lot, line.OurQuantity!.Value, line.TheirQuantity!.Value, line.Difference));
        Assert.Equal(3, line.FileLine);
        Assert.Equal(1, r.Breaks);
        Assert.True(r.OpenBreak);
    }

    [Fact]
    public void Basis_break_beyond_the_tolerance_and_wash_adjusted_basis_preferred()
    {
        // 14,600.004 was within a cent; 14,603.50 is 3.50 off (tolerance max(0.01, 0.01% × 14,600 = 1.46)).
        var r = Run(AllMatched.Replace("14600.004", "14603.50"));
        var line = Assert.Single(r.Lines, l => l.Kind != ReconciliationKind.Matched);
        Assert.Equal(ReconciliationKind.BasisBreak, line.Kind);
        Assert.Equal((14_600m, 14_603.50m, 3.50m), (line.OurBasis!.Value, line.TheirBasis!.Value, line.Difference));
        Assert.True(Reconciler.BasisMatches(14_600m, 14_601.46m));
        Assert.False(Reconciler.BasisMatches(14_600m, 14_601.47m));

        // Cost basis 20,000 but wash-adjusted 20,250: the adjusted one is compared.
        var wash = Run(AllMatched.Replace("20000.00,2024-01-10,L1,", "20000.00,2024-01-10,L1,20250.00"));
        var washLine = Assert.Single(wash.Lines, l => l.Kind != ReconciliationKind.Matched);
        Assert.Equal((ReconciliationKind.BasisBreak, "L1", 250m), (washLine.Kind, washLine.Lot, washLine.Difference));
    }

    [Fact]
    public void Missing_and_extra_lots()
    {
        var rows = """
            ACC-1,VTI,,100,20000,2024-01-10,L1,
            ACC-1,VTI,,50,12500,2025-06-02,,
            ACC-1,EFA,,30,2400,2025-11-03,C-9,
            ACC-1,CASH,,1000,,,,
            """;
        var r = Run(rows);
        var missing = Assert.Single(r.Lines, l => l.Kind == ReconciliationKind.MissingLot);
        Assert.Equal(("EFA", "C-9", 30m, 30m, 2_400m), (missing.Symbol, missing.Lot, missing.TheirQuantity!.Value, missing.Difference, missing.TheirBasis!.Value));
        var extra = Assert.Single(r.Lines, l => l.Kind == ReconciliationKind.ExtraLot);
        Assert.Equal(("BND", "L3", 200m, -200m), (extra.Symbol, extra.Lot, extra.OurQuantity!.Value, extra.Difference));
        Assert.Equal(2, r.Breaks);
    }

    [Fact]
    public void Cash_break_and_position_level_rows()
    {
        var rows = """
            ACC-1,VTI,,150,32500,,,
            ACC-1,BND,,190,13870,,,
            ACC-1,CASH,,1730.25,,,,
            """;
        var r = Run(rows, cash: 1_000m);
        var vti = r.Lines.Single(l => l.Symbol == "VTI");
        Assert.Equal((ReconciliationKind.Matched, 150m, 32_500m), (vti.Kind, vti.OurQuantity!.Value, vti.OurBasis!.Value));
        var bnd = r.Lines.Single(l => l.Symbol == "BND");
        Assert.Equal((ReconciliationKind.QuantityBreak, 200m, 190m, -10m), (bnd.Kind, bnd.OurQuantity!.Value, bnd.TheirQuantity!.Value, bnd.Difference));
        var cash = r.Lines.Single(l => l.Kind == ReconciliationKind.CashBreak);
        Assert.Equal(("CASH", 1_000m, 1_730.25m, 730.25m), (cash.Symbol, cash.OurQuantity!.Value, cash.TheirQuantity!.Value, cash.Difference));
        Assert.Equal(2, r.Breaks);
    }

    [Fact]
    public void Gate_blocks_only_an_open_break_when_the_firm_says_so()
    {
        var open = Run(AllMatched.Replace(",50,12500.00,", ",48,12500.00,"));
        Assert.True(ReconciliationGate.MayTrade(false, open));
        Assert.False(ReconciliationGate.MayTrade(true, open));
        var resolved = open with { Resolution = new ReconciliationResolution("ACC-1", AsOf, ResolutionAction.KeepOurs, "trade date vs settle", "ops", DateTimeOffset.UnixEpoch, false, 1) };
        Assert.True(ReconciliationGate.MayTrade(true, resolved));
        Assert.True(ReconciliationGate.MayTrade(true, null));
    }

    [Theory]
    [InlineData("ACC-1,VTI,,abc,100,2024-01-10,,\n", "line 2, field quantity: not a decimal number")]
    [InlineData("ACC-1,VTI,,10,100,2024-13-10,,\n", "line 2, field acquired: not a date YYYY-MM-DD")]
    [InlineData("ACC-1,VTI,,10,100,2026-04-01,,\n", "line 2, field acquired: must be between")]
    [InlineData("ACC-1,VTI,,10,100,2024-01-10,X1,\nACC-1,BND,,10,100,2024-01-10,X1,\n", "line 3, field lot_id: duplicate lot X1")]
    [InlineData("ACC-1,VTI,,10,100,,,\nACC-1,VTI,,10,100,2024-01-10,,\n", "line 3, field acquired: VTI in account ACC-1 is already given as a position")]
    [InlineData("ACC-1,CASH,,10,,,,\nACC-1,CASH,,20,,,,\n", "line 3, field symbol: a second CASH row")]
    [InlineData("ACC-1,VTI,,10,,2024-01-10,,\n", "line 2, field cost_basis: a value is required")]
    public void Bad_input_names_line_and_field(string rows, string expected)
    {
        var ex = Assert.Throws<BadInputException>(() => CustodianPositions.Parse(Header + rows, AsOf));
        Assert.Contains($"custodian-positions.csv {expected}", ex.Message);
    }

    [Fact]
    public void Missing_required_column_is_reported()
    {
        var ex = Assert.Throws<BadInputException>(() => CustodianPositions.Parse("account,symbol\nA,B\n", AsOf));
        Assert.Contains("field quantity: required column is missing", ex.Message);
    }
}
