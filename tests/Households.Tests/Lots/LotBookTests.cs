using Households.Contracts;
using Households.Domain;
using Households.Domain.Lots;
using Xunit;

namespace Households.Tests.Lots;

public class LotBookTests
{
    private static DateOnly D(string s) => DateOnly.Parse(s);

    /// <summary>Three lots of XYZ: A 100 @ 10 (2024-01-02), B 100 @ 14 (2024-03-01), C 100 @ 12 (2024-06-03).</summary>
    private static LotBook ThreeLots()
    {
        var book = new LotBook();
        book.Buy("A", "XYZ", 100, 10m, D("2024-01-02"));
        book.Buy("B", "XYZ", 100, 14m, D("2024-03-01"));
        book.Buy("C", "XYZ", 100, 12m, D("2024-06-03"));
        return book;
    }

    [Fact]
    public void Fifo_relieves_the_earliest_purchase_first()
    {
        var sales = ThreeLots().Sell("XYZ", 150, 13m, D("2024-07-01"), LotRelief.Fifo);
        Assert.Equal(["A", "B"], sales.Select(s => s.Lot.Id));
        Assert.Equal([100m, 50m], sales.Select(s => s.Quantity));
        Assert.Equal([1000m, 700m], sales.Select(s => s.Basis));
        Assert.Equal([1300m, 650m], sales.Select(s => s.Proceeds));
    }

    [Fact]
    public void Lifo_relieves_the_latest_purchase_first()
    {
        var sales = ThreeLots().Sell("XYZ", 150, 13m, D("2024-07-01"), LotRelief.Lifo);
        Assert.Equal(["C", "B"], sales.Select(s => s.Lot.Id));
        Assert.Equal([1200m, 700m], sales.Select(s => s.Basis));
    }

    [Fact]
    public void Hifo_relieves_the_highest_basis_per_share_first()
    {
        var sales = ThreeLots().Sell("XYZ", 250, 13m, D("2024-07-01"), LotRelief.Hifo);
        Assert.Equal(["B", "C", "A"], sales.Select(s => s.Lot.Id));
        Assert.Equal([1400m, 1200m, 500m], sales.Select(s => s.Basis));
    }

    [Fact]
    public void Hifo_ties_go_to_the_earlier_purchase_then_file_order()
    {
        var book = new LotBook();
        book.Buy("late", "XYZ", 10, 20m, D("2024-02-01"));
        book.Buy("early-2", "XYZ", 10, 20m, D("2024-01-01"));
        book.Buy("early-3", "XYZ", 10, 20m, D("2024-01-01"));
        book.Buy("cheap", "XYZ", 10, 5m, D("2023-01-01"));
        var order = book.Order("XYZ", LotRelief.Hifo, null, 10m, D("2024-03-01"), TaxRates.Default);
        Assert.Equal(["early-2", "early-3", "late", "cheap"], order.Select(l => l.Id));
    }

    [Fact]
    public void Specific_lot_relieves_only_the_named_lot()
    {
        var book = ThreeLots();
        var sales = book.Sell("XYZ", 40, 13m, D("2024-07-01"), LotRelief.Fifo, lotId: "C");
        Assert.Single(sales);
        Assert.Equal("C", sales[0].Lot.Id);
        Assert.Equal(480m, sales[0].Basis);
        Assert.Equal(60m, book.Find("C")!.Quantity);
        Assert.Equal(720m, book.Find("C")!.Basis);
    }

    [Fact]
    public void MinTax_sells_short_term_losses_first_then_long_term_losses_then_the_smallest_gains()
    {
        var book = new LotBook();
        book.Buy("LT-gain", "XYZ", 10, 50m, D("2020-01-02"));   // long-term gain 50/share: tax 10.00
        book.Buy("LT-loss", "XYZ", 10, 130m, D("2020-06-01"));  // long-term loss 30/share: saves 6.00
        book.Buy("ST-loss", "XYZ", 10, 120m, D("2024-05-01"));  // short-term loss 20/share: saves 7.40
        book.Buy("ST-gain", "XYZ", 10, 90m, D("2024-06-01"));   // short-term gain 10/share: tax 3.70
        var order = book.Order("XYZ", LotRelief.MinTax, null, 100m, D("2024-07-01"), new TaxRates(0.37m, 0.20m));
        Assert.Equal(["ST-loss", "LT-loss", "ST-gain", "LT-gain"], order.Select(l => l.Id));
        Assert.Equal(-7.40m, MinTaxOrder.TaxPerShare(book.Find("ST-loss")!, 100m, D("2024-07-01"), TaxRates.Default));
    }

    [Theory]
    [InlineData("2023-02-05", HoldingTerm.Short)]
    [InlineData("2023-02-06", HoldingTerm.Long)]
    public void Held_more_than_one_year_is_long_term(string sold, HoldingTerm expected)
    {
        var book = new LotBook();
        book.Buy("L", "XYZ", 10, 10m, D("2022-02-05"));
        Assert.Equal(expected, book.Sell("XYZ", 10, 12m, D(sold), LotRelief.Fifo)[0].Term);
        Assert.Equal(expected, HoldingPeriod.TermOf(D("2022-02-05"), D(sold)));
    }

    [Fact]
    public void Tacked_holding_period_starts_the_days_held_before_the_replacement_purchase()
    {
        // Held 2024-12-26 .. 2025-03-31 (95 days); replacement bought 2025-04-10 starts 95 days earlier.
        Assert.Equal(95, HoldingPeriod.DaysHeld(D("2024-12-26"), D("2025-03-31")));
        Assert.Equal(D("2025-01-05"), HoldingPeriod.Tacked(D("2025-04-10"), D("2024-12-26"), D("2025-03-31")));
    }

    [Fact]
    public void Basis_and_proceeds_are_conserved_when_a_lot_is_sold_in_thirds()
    {
        var book = new LotBook();
        book.Buy("L", "XYZ", 3, 100m / 3m, D("2024-01-02"));
        var basisBought = book.Find("L")!.Basis;
        var sales = new List<LotSale>();
        sales.AddRange(book.Sell("XYZ", 1, 10m / 3m, D("2024-02-01"), LotRelief.Fifo));
        sales.AddRange(book.Sell("XYZ", 1, 10m / 3m, D("2024-02-01"), LotRelief.Fifo));
        sales.AddRange(book.Sell("XYZ", 1, 10m / 3m, D("2024-02-01"), LotRelief.Fifo));
        Assert.Empty(book.Lots);
        Assert.Equal(basisBought, sales.Sum(s => s.Basis));
    }

    [Fact]
    public void Proceeds_of_one_sale_are_allocated_to_lots_and_add_up()
    {
        var book = new LotBook();
        book.Buy("A", "XYZ", 1, 10m, D("2024-01-02"));
        book.Buy("B", "XYZ", 2, 10m, D("2024-01-03"));
        var sales = book.Sell("XYZ", 3, 10m, D("2024-02-01"), LotRelief.Fifo, commission: 1m);
        Assert.Equal(29m, sales.Sum(s => s.Proceeds));
    }

    [Fact]
    public void Selling_more_than_held_is_bad_input_and_changes_nothing()
    {
        var book = ThreeLots();
        var ex = Assert.Throws<BadInputException>(() => book.Sell("XYZ", 301, 13m, D("2024-07-01"), LotRelief.Fifo));
        Assert.Contains("exceeds", ex.Message);
        Assert.Equal(300m, book.QuantityOf("XYZ"));
        Assert.Throws<BadInputException>(() => book.Sell("XYZ", 101, 13m, D("2024-07-01"), LotRelief.Fifo, lotId: "A"));
    }

    [Fact]
    public void Unknown_lot_or_lot_of_another_symbol_is_bad_input()
    {
        var book = ThreeLots();
        book.Buy("Q", "QQQ", 5, 10m, D("2024-01-02"));
        Assert.Contains("does not exist", Assert.Throws<BadInputException>(() => book.Sell("XYZ", 1, 1m, D("2024-07-01"), LotRelief.SpecificLot, "nope")).Message);
        Assert.Contains("holds QQQ", Assert.Throws<BadInputException>(() => book.Sell("XYZ", 1, 1m, D("2024-07-01"), LotRelief.SpecificLot, "Q")).Message);
        Assert.Throws<BadInputException>(() => book.Buy("A", "XYZ", 1, 1m, D("2024-07-01")));
        Assert.Throws<BadInputException>(() => book.Buy("Z", "XYZ", 0, 1m, D("2024-07-01")));
        Assert.Throws<BadInputException>(() => book.Buy("Z", "XYZ", 1, -1m, D("2024-07-01")));
    }

    [Fact]
    public void A_wash_sale_adjustment_splits_the_lot_and_a_later_specific_sale_draws_from_all_pieces()
    {
        var book = new LotBook();
        book.Buy("L2", "XYZ", 150, 8m, D("2025-04-10"));
        var adjusted = book.Apply(new WashSaleAdjustment(1, "A1", D("2025-03-31"), "L1", "A1", "L2", 100, 250m, D("2025-01-05"), false, "L2.2"));
        Assert.Equal(new TaxLot("L2", "XYZ", 100, 1050m, D("2025-04-10"), D("2025-01-05")), adjusted);
        Assert.Equal(new TaxLot("L2.2", "XYZ", 50, 400m, D("2025-04-10"), D("2025-04-10")), book.Find("L2.2"));
        Assert.Equal(["L2", "L2.2"], book.Lots.Select(l => l.Id));
        var sales = book.Sell("XYZ", 120, 9m, D("2025-05-01"), LotRelief.Fifo, lotId: "L2");
        Assert.Equal(["L2", "L2.2"], sales.Select(s => s.Lot.Id));
        Assert.Equal([1050m, 160m], sales.Select(s => s.Basis));
        Assert.All(sales, s => Assert.Equal("L2", s.Root));
    }

    [Fact]
    public void A_permanent_adjustment_splits_but_leaves_basis_and_holding_period()
    {
        var book = new LotBook();
        book.Buy("I", "XYZ", 100, 6m, D("2007-12-21"));
        var adjusted = book.Apply(new WashSaleAdjustment(1, "T", D("2007-12-20"), "L", "IRA", "I", 40, 160m, D("2007-12-21"), true, "I.2"));
        Assert.Equal(240m, adjusted.Basis);
        Assert.Equal(D("2007-12-21"), adjusted.HoldingSince);
        Assert.Equal(360m, book.Find("I.2")!.Basis);
    }

    /// <summary>A book restored from its pieces keeps each purchase's family: the pieces sort with their purchase, a
    /// specific sale of the purchase draws from every open piece, the purchase is known while any piece is open, and a
    /// new piece without a numbered id takes the number after the highest open one.</summary>
    [Fact]
    public void Restored_pieces_stay_with_their_purchase_until_the_last_is_sold()
    {
        var book = new LotBook([
            new LotPiece(new TaxLot("P", "XYZ", 10, 100m, D("2024-01-02"), D("2024-01-02")), "P"),
            new LotPiece(new TaxLot("P.2", "XYZ", 20, 200m, D("2024-01-02"), D("2024-01-02")), "P"),
            new LotPiece(new TaxLot("Q", "XYZ", 5, 60m, D("2024-02-01"), D("2024-02-01")), "Q"),
            new LotPiece(new TaxLot("P.3", "XYZ", 30, 300m, D("2024-01-02"), D("2024-01-02")), "P"),
        ]);
        Assert.Equal(["P", "P.2", "P.3", "Q"], book.Lots.Select(l => l.Id));
        Assert.Equal("P", book.RootOf("P.3"));

        // Selling all of P (specific identification) takes the original first, then the pieces in order.
        var sales = book.Sell("XYZ", 35, 11m, D("2024-07-01"), LotRelief.SpecificLot, "P");
        Assert.Equal(["P", "P.2", "P.3"], sales.Select(s => s.Lot.Id));
        Assert.Equal([10m, 20m, 5m], sales.Select(s => s.Quantity));
        Assert.True(book.Contains("P")); // P.3 still holds 25 shares
        Assert.False(book.Contains("P.2"));

        // A remainder id outside the root.N form is numbered after the highest open piece (P.3).
        book.Apply(new WashSaleAdjustment(1, "A", D("2024-07-02"), "X", "A", "P.3", 10, 0m, D("2024-01-02"), true, "P-rest"));
        Assert.Equal(["P.3", "P-rest", "Q"], book.Lots.Select(l => l.Id));
        Assert.Equal([10m, 15m, 5m], book.Lots.Select(l => l.Quantity));

        book.Sell("XYZ", 25, 11m, D("2024-07-03"), LotRelief.SpecificLot, "P");
        Assert.False(book.Contains("P"));
        Assert.Equal(["Q"], book.Lots.Select(l => l.Id));
        Assert.Equal(["Q"], book.Snapshot().Select(p => p.Root));
    }
}
