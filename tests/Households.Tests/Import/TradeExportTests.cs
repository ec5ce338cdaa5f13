using Households.Contracts;
using Households.Domain.Tax;
using Xunit;

namespace Households.Tests.Import;

/// <summary>TRADES.csv written from journaled fills, with the lots accounts were opened with recovered as buys.</summary>
public sealed class TradeExportTests
{
    private static readonly DateOnly Opened = new(2024, 3, 1);
    private static readonly DateOnly SaleDay = new(2026, 2, 2);

    private static TaxLot Lot(string id, decimal quantity, decimal basis, DateOnly? since = null) =>
        new(id, "XYZ", quantity, basis, Opened, since ?? Opened);

    private static TradeResult Sell(string key, decimal quantity, decimal price, params LotSale[] sales) =>
        new(key, "A1", new TradeRequest(key, SaleDay, "XYZ", TradeSide.Sell, quantity, price, null, null, 0m), null, [], 0m, false, [.. sales], []);

    private static LotSale Sale(TaxLot before, decimal quantity, decimal price) =>
        new(before, before.Id, quantity, quantity * price, before.Basis * quantity / before.Quantity, HoldingTerm.Long);

    [Fact]
    public void Partly_sold_opening_lot_is_bought_whole_on_its_purchase_date_before_the_sales()
    {
        // L1 was opened with 100 shares for $1,000; two sales of 30 and 20; 50 are left.
        var first = Sell("s1", 30, 12m, Sale(Lot("L1", 100, 1000m), 30, 12m));
        var second = Sell("s2", 20, 13m, Sale(Lot("L1", 70, 700m), 20, 13m));
        var fills = new[] { new JournaledFill(7, "H1", second), new JournaledFill(5, "H1", first) };
        var open = new[] { ("H1", "A1", Lot("L1", 50, 500m)), ("H1", "A1", Lot("L2", 10, 150m)) };

        var openings = TradeExport.OpeningLots(fills, open);
        var csv = TradeExport.Csv(fills, _ => AccountType.Taxable, openings: openings);

        Assert.Equal(
            "date,account,account_type,symbol,side,quantity,price,id,lot,household,commission,source\n" +
            "2024-03-01,A1,taxable,XYZ,buy,100,10,L1,,H1,,opening\n" +
            "2024-03-01,A1,taxable,XYZ,buy,10,15,L2,,H1,,opening\n" +
            "2026-02-02,A1,taxable,XYZ,sell,30,12,,L1,H1,,fill\n" +
            "2026-02-02,A1,taxable,XYZ,sell,20,13,,L1,H1,,fill\n", csv);
    }

    [Fact]
    public void Wash_sale_adjustment_of_an_opening_lot_is_undone_and_its_remainder_piece_merged_back()
    {
        // A loss sale in another account's lot washed 30 of L1's 100 shares: the live ledger added $50 to the 30-share
        // piece (keeping the id L1, holding period tacked) and split the other 70 off as L1.2.
        var adjustment = new WashSaleAdjustment(1, "A9", SaleDay, "OTHER", "A1", "L1", 30, 50m, new DateOnly(2023, 1, 1), false, "L1.2");
        var loss = new TradeResult("s9", "A9", new TradeRequest("s9", SaleDay, "XYZ", TradeSide.Sell, 30, 5m, null, null, 0m), null, [], 0m, false,
            [Sale(new TaxLot("OTHER", "XYZ", 30, 200m, new DateOnly(2025, 1, 1), new DateOnly(2025, 1, 1)), 30, 5m)], [adjustment]);
        var fills = new[] { new JournaledFill(3, "H1", loss) };
        var open = new[] { ("H1", "A1", Lot("L1", 30, 350m, new DateOnly(2023, 1, 1))), ("H1", "A1", Lot("L1.2", 70, 700m)) };

        var openings = TradeExport.OpeningLots(fills, open);

        var l1 = Assert.Single(openings, o => o.AccountId == "A1");
        Assert.Equal(new TaxLot("L1", "XYZ", 100, 1000m, Opened, Opened), l1.Lot);
        Assert.Contains(openings, o => o.AccountId == "A9" && o.Lot == new TaxLot("OTHER", "XYZ", 30, 200m, new DateOnly(2025, 1, 1), new DateOnly(2025, 1, 1)));
    }

    [Fact]
    public void Lots_bought_by_fills_and_their_pieces_are_not_openings()
    {
        var buy = new TradeResult("b1", "A1", new TradeRequest("b1", SaleDay, "XYZ", TradeSide.Buy, 10, 9m, null, null, 1m),
            new TaxLot("B1", "XYZ", 10, 91m, SaleDay, SaleDay), [], 0m, false, [], []);
        var fills = new[] { new JournaledFill(1, "H1", buy) };
        var open = new[] { ("H1", "A1", new TaxLot("B1", "XYZ", 4, 36.4m, SaleDay, SaleDay)), ("H1", "A1", new TaxLot("B1.2", "XYZ", 6, 54.6m, SaleDay, SaleDay)) };

        Assert.Empty(TradeExport.OpeningLots(fills, open));
        Assert.EndsWith("2026-02-02,A1,taxable,XYZ,buy,10,9,B1,,H1,1,fill\n", TradeExport.Csv(fills, _ => AccountType.Taxable));
    }
}
