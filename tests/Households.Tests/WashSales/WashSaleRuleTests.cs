using Households.Contracts;
using Households.Domain;
using Households.Domain.Tax;
using Households.Domain.WashSales;
using Xunit;
using static Households.Tests.WashSales.Household;

namespace Households.Tests.WashSales;

/// <summary>IRC §1091 and Treas. Reg. §1.1091-1, -2 on worked numbers.</summary>
public class WashSaleRuleTests
{
    private const AccountType Taxable = AccountType.Taxable;

    [Fact]
    public void Worked_example_loss_of_250_is_added_to_the_replacement_basis()
    {
        // Buy 100 for $1,000, sell for $750, buy 100 within 30 days for $800.
        var h = new Household(("A1", Taxable));
        h.Buy("A1", "L1", 100, 10m, "2024-12-26");
        h.Sell("A1", 100, 7.5m, "2025-03-31");
        h.Buy("A1", "L2", 100, 8m, "2025-04-10");
        var row = Assert.Single(h.Rows);
        Assert.Equal(new RealizedLot(D("2025-03-31"), "A1", "XYZ", "L1", 100, 750m, 1000m, -250m, 250m, 0m, HoldingTerm.Short, false), row);
        Assert.Equal(new TaxLot("L2", "XYZ", 100, 1050m, D("2025-04-10"), D("2025-01-05")), h.Lot("A1", "L2"));
        Assert.Equal(new GainsSummary(0m, 0m, 250m, 0m), h.Summary);
    }

    [Theory]
    [InlineData(90, 110)]
    [InlineData(70, 90)]
    public void Worked_example_basis_100_sold_for_80_rebought(decimal rebought, decimal newBasis)
    {
        var h = new Household(("A", Taxable));
        h.Buy("A", "old", 1, 100m, "2024-01-02");
        h.Sell("A", 1, 80m, "2024-06-03");
        h.Buy("A", "new", 1, rebought, "2024-06-20");
        Assert.Equal(newBasis, h.Lot("A", "new").Basis);
        Assert.Equal(20m, h.Rows[0].Disallowed);
        Assert.Equal(0m, h.Rows[0].Recognized);
    }

    [Fact]
    public void Worked_example_own_IRA_buy_the_next_day_disallows_400_permanently()
    {
        var h = new Household(("T", Taxable), ("IRA", AccountType.Ira));
        h.Buy("T", "L", 100, 10m, "2007-06-01");
        h.Sell("T", 100, 6m, "2007-12-20");
        h.Buy("IRA", "I", 100, 6m, "2007-12-21");
        var row = Assert.Single(h.Rows);
        Assert.Equal(-400m, row.Gain);
        Assert.Equal(400m, row.Disallowed);
        Assert.Equal(0m, row.Recognized);
        Assert.True(row.Permanent);
        Assert.Equal(new TaxLot("I", "XYZ", 100, 600m, D("2007-12-21"), D("2007-12-21")), h.Lot("IRA", "I"));
        Assert.Equal(new GainsSummary(0m, 0m, 400m, 400m), h.Summary);
    }

    [Fact]
    public void Loss_is_disallowed_permanently_when_spouse_IRA_buys_within_30_days()
    {
        var h = new Household(("Joint", Taxable), ("SpouseIRA", AccountType.Ira));
        h.Buy("Joint", "L", 100, 10m, "2024-01-02");
        h.Sell("Joint", 100, 8m, "2024-03-01");
        h.Buy("SpouseIRA", "S", 100, 8.5m, "2024-03-31");
        Assert.True(h.Rows.Single().Permanent);
        Assert.Equal(200m, h.Summary.PermanentlyDisallowed);
        Assert.Equal(850m, h.Lot("SpouseIRA", "S").Basis);
    }

    [Theory]
    [InlineData(AccountType.Roth)]
    [InlineData(AccountType.Education529)]
    public void Roth_and_529_replacements_disallow_permanently(AccountType type)
    {
        var h = new Household(("T", Taxable), ("X", type));
        h.Buy("T", "L", 10, 10m, "2024-01-02");
        h.Sell("T", 10, 9m, "2024-02-01");
        h.Buy("X", "R", 10, 9m, "2024-02-05");
        Assert.True(h.Rows.Single().Permanent);
        Assert.Equal(90m, h.Lot("X", "R").Basis);
    }

    [Fact]
    public void Partial_wash_sale_disallows_only_the_matched_shares_loss()
    {
        var h = new Household(("A", Taxable));
        h.Buy("A", "L1", 100, 10m, "2024-01-02");
        h.Sell("A", 100, 7m, "2024-02-01");
        h.Buy("A", "L2", 40, 7.5m, "2024-02-10");
        var row = h.Rows.Single();
        Assert.Equal(120m, row.Disallowed);
        Assert.Equal(-180m, row.Recognized);
        Assert.Equal(300m + 120m, h.Lot("A", "L2").Basis);
        Assert.Equal(new GainsSummary(-180m, 0m, 120m, 0m), h.Summary);
    }

    [Fact]
    public void A_replacement_lot_partly_used_is_split_and_the_rest_keeps_its_own_basis()
    {
        var h = new Household(("A", Taxable));
        h.Buy("A", "L1", 100, 10m, "2024-01-02");
        h.Sell("A", 100, 7m, "2024-02-01");
        h.Buy("A", "L2", 150, 8m, "2024-02-10");
        Assert.Equal(new TaxLot("L2", "XYZ", 100, 1100m, D("2024-02-10"), D("2024-01-11")), h.Lot("A", "L2"));
        Assert.Equal(new TaxLot("L2.2", "XYZ", 50, 400m, D("2024-02-10"), D("2024-02-10")), h.Lot("A", "L2.2"));
    }

    [Fact]
    public void Purchase_within_30_days_before_the_loss_sale_is_a_replacement()
    {
        var h = new Household(("A", Taxable));
        h.Buy("A", "old", 100, 10m, "2024-01-02");
        h.Buy("A", "new", 100, 8m, "2024-02-01");
        h.Sell("A", 100, 7m, "2024-03-02", lot: "old"); // 30 days after "new"
        Assert.Equal(300m, h.Rows.Single().Disallowed);
        Assert.Equal(1100m, h.Lot("A", "new").Basis);
        // held 2024-01-02 .. 2024-03-02 = 60 days, tacked onto "new"
        Assert.Equal(D("2023-12-03"), h.Lot("A", "new").HoldingSince);
    }

    [Fact]
    public void Purchase_31_days_before_or_after_is_not_a_replacement()
    {
        var h = new Household(("A", Taxable));
        h.Buy("A", "old", 100, 10m, "2024-01-02");
        h.Buy("A", "before", 100, 8m, "2024-02-01");
        h.Sell("A", 100, 7m, "2024-03-03", lot: "old"); // 31 days after "before"
        h.Buy("A", "after", 100, 8m, "2024-04-03");   // 31 days after the sale
        Assert.Equal(0m, h.Rows.Single().Disallowed);
        Assert.Equal(800m, h.Lot("A", "after").Basis);
    }

    [Fact]
    public void A_later_purchase_turns_an_earlier_loss_into_a_wash_sale_retroactively()
    {
        var h = new Household(("A", Taxable), ("B", AccountType.Trust));
        h.Buy("A", "L1", 50, 20m, "2024-05-01");
        h.Sell("A", 50, 16m, "2024-06-28");
        Assert.Equal(0m, h.Rows.Single().Disallowed);
        h.Buy("B", "T1", 50, 15m, "2024-07-28"); // 30 days later, in the (grantor) trust
        Assert.Equal(200m, h.Rows.Single().Disallowed);
        Assert.Equal(950m, h.Lot("B", "T1").Basis);
    }

    [Fact]
    public void Separate_taxpayer_account_is_outside_the_household_scope_but_washes_its_own_losses()
    {
        var h = new Household(("A", Taxable));
        h.Book.OpenAccount(new AccountTaxProfile("NGT", Taxable, SeparateTaxpayer: true));
        h.Buy("A", "L1", 10, 10m, "2024-01-02");
        h.Sell("A", 10, 8m, "2024-02-01");
        h.Buy("NGT", "N1", 10, 8m, "2024-02-02");
        Assert.Equal(0m, h.Rows.Single().Disallowed);
        Assert.Equal(80m, h.Lot("NGT", "N1").Basis);
        h.Sell("NGT", 10, 7m, "2024-02-05");
        h.Buy("A", "L2", 10, 7m, "2024-02-06");
        Assert.Equal(0m, h.Rows[1].Disallowed);
        h.Buy("NGT", "N2", 10, 7m, "2024-02-07");
        Assert.Equal(10m, h.Rows[1].Disallowed);
        Assert.Equal(80m, h.Lot("NGT", "N2").Basis);
        // L2 washed the household's own open loss from 2024-02-01 instead.
        Assert.Equal(20m, h.Rows[0].Disallowed);
        Assert.Equal(90m, h.Lot("A", "L2").Basis);
    }

    [Fact]
    public void Gains_are_never_wash_sales()
    {
        var h = new Household(("A", Taxable));
        h.Buy("A", "L1", 10, 10m, "2024-01-02");
        h.Sell("A", 10, 12m, "2024-02-01");
        h.Buy("A", "L2", 10, 11m, "2024-02-02");
        Assert.Equal(0m, h.Rows.Single().Disallowed);
        Assert.Equal(20m, h.Rows.Single().Recognized);
        Assert.Equal(110m, h.Lot("A", "L2").Basis);
        Assert.Empty(h.Book.Adjustments);
    }

    [Fact]
    public void Shares_remaining_from_the_lot_sold_are_not_replacements()
    {
        var h = new Household(("A", Taxable));
        h.Buy("A", "L1", 200, 10m, "2024-01-02");
        h.Sell("A", 100, 8m, "2024-01-20");
        Assert.Equal(0m, h.Rows.Single().Disallowed);
        Assert.Equal(new TaxLot("L1", "XYZ", 100, 1000m, D("2024-01-02"), D("2024-01-02")), h.Lot("A", "L1"));
    }

    [Fact]
    public void Competing_losses_are_matched_in_the_order_of_the_sales()
    {
        var h = new Household(("A", Taxable), ("B", Taxable));
        h.Buy("A", "A1", 100, 10m, "2023-12-01"); // both bought more than 30 days before the sales,
        h.Buy("B", "B1", 100, 20m, "2023-12-01"); // so neither is a replacement for the other's loss
        h.Sell("B", 100, 15m, "2024-02-01"); // first loss: 500
        h.Sell("A", 100, 8m, "2024-02-05");  // second loss: 200
        h.Buy("A", "R", 100, 8m, "2024-02-10");
        Assert.Equal([500m, 0m], h.Rows.Select(r => r.Disallowed));
        Assert.Equal(1300m, h.Lot("A", "R").Basis);
    }

    [Fact]
    public void A_replacement_share_absorbs_only_one_loss()
    {
        var h = new Household(("A", Taxable));
        h.Buy("A", "L1", 100, 10m, "2024-01-02");
        h.Buy("A", "L2", 100, 10m, "2024-01-03");
        h.Sell("A", 100, 9m, "2024-03-01", lot: "L1");
        h.Buy("A", "R1", 100, 9m, "2024-03-05");
        h.Sell("A", 100, 9m, "2024-03-06", lot: "L2"); // R1 is used up: it cannot wash this loss too
        Assert.Equal([100m, 0m], h.Rows.Select(r => r.Disallowed));
        h.Buy("A", "R2", 100, 9m, "2024-03-20");
        Assert.Equal([100m, 100m], h.Rows.Select(r => r.Disallowed));
        Assert.Equal(1000m, h.Lot("A", "R1").Basis);
        Assert.Equal(1000m, h.Lot("A", "R2").Basis);
    }

    [Fact]
    public void Replacements_are_matched_in_the_order_they_were_acquired()
    {
        var h = new Household(("A", Taxable), ("IRA", AccountType.Ira));
        h.Buy("A", "L1", 100, 10m, "2024-01-02");
        h.Buy("IRA", "I1", 30, 9m, "2024-02-10");
        h.Buy("A", "P1", 50, 9m, "2024-02-12");
        h.Sell("A", 100, 8m, "2024-02-20", lot: "L1");
        h.Buy("A", "P2", 50, 9m, "2024-02-25");
        // I1 (30, permanent) then P1 (50) then 20 of P2; the row splits into permanent and not.
        Assert.Equal(2, h.Rows.Count);
        Assert.Equal(new RealizedLot(D("2024-02-20"), "A", "XYZ", "L1", 70, 560m, 700m, -140m, 140m, 0m, HoldingTerm.Short, false), h.Rows[0]);
        Assert.Equal(new RealizedLot(D("2024-02-20"), "A", "XYZ", "L1", 30, 240m, 300m, -60m, 60m, 0m, HoldingTerm.Short, true), h.Rows[1]);
        Assert.Equal(450m + 100m, h.Lot("A", "P1").Basis);
        Assert.Equal(180m + 40m, h.Lot("A", "P2").Basis);
        Assert.Equal(20m, h.Lot("A", "P2").Quantity);
        Assert.Equal(270m, h.Lot("A", "P2.2").Basis);
        Assert.Equal(new GainsSummary(0m, 0m, 200m, 60m), h.Summary);
    }

    [Fact]
    public void One_purchase_absorbing_two_losses_is_split_into_numbered_pieces()
    {
        var h = new Household(("A", Taxable));
        h.Buy("A", "L1", 10, 10m, "2023-01-03");
        h.Buy("A", "L2", 10, 12m, "2023-12-15");       // more than 30 days before L1's sale: not a replacement
        h.Sell("A", 10, 8m, "2024-02-01", lot: "L1"); // held 394 days, long term, loss 20
        h.Sell("A", 10, 8m, "2024-02-02", lot: "L2"); // held 49 days, loss 40
        h.Buy("A", "R", 25, 8m, "2024-02-05");
        Assert.Equal(new TaxLot("R", "XYZ", 10, 100m, D("2024-02-05"), D("2023-01-07")), h.Lot("A", "R"));
        Assert.Equal(new TaxLot("R.2", "XYZ", 10, 120m, D("2024-02-05"), D("2023-12-18")), h.Lot("A", "R.2"));
        Assert.Equal(new TaxLot("R.3", "XYZ", 5, 40m, D("2024-02-05"), D("2024-02-05")), h.Lot("A", "R.3"));
        Assert.Equal([HoldingTerm.Long, HoldingTerm.Short], h.Rows.Select(r => r.Term));
        // The tacked holding period makes a sale of R long term after a short actual holding.
        h.Sell("A", 10, 9m, "2024-02-10", lot: "R");
        Assert.Equal(HoldingTerm.Long, h.Rows[^1].Term);
    }

    [Fact]
    public void Substantially_identical_group_washes_across_symbols()
    {
        var groups = new SubstantiallyIdentical([("SPY", "sp500"), ("IVV", "sp500")]);
        var h = new Household(groups, ("A", Taxable));
        h.Buy("A", "S", 10, 500m, "2024-01-02", symbol: "SPY");
        h.Sell("A", 10, 450m, "2024-02-01", symbol: "SPY");
        h.Buy("A", "I", 10, 455m, "2024-02-02", symbol: "IVV");
        h.Buy("A", "Q", 10, 400m, "2024-02-02", symbol: "QQQ");
        Assert.Equal(500m, h.Rows.Single().Disallowed);
        Assert.Equal(5050m, h.Lot("A", "I").Basis);
        Assert.Equal(4000m, h.Lot("A", "Q").Basis);
    }

    [Fact]
    public void Only_the_same_security_is_substantially_identical_by_default()
    {
        var h = new Household(("A", Taxable));
        h.Buy("A", "S", 10, 500m, "2024-01-02", symbol: "SPY");
        h.Sell("A", 10, 450m, "2024-02-01", symbol: "SPY");
        h.Buy("A", "I", 10, 455m, "2024-02-02", symbol: "IVV");
        Assert.Equal(0m, h.Rows.Single().Disallowed);
    }

    [Fact]
    public void Chain_of_wash_sales_carries_the_loss_and_counts_it_at_each_link()
    {
        var h = new Household(("A", Taxable));
        h.Buy("A", "L1", 100, 10m, "2024-01-02");
        h.Sell("A", 100, 8m, "2024-01-10");       // loss 200, washed by L2
        h.Buy("A", "L2", 100, 8m, "2024-01-15");  // basis 800 + 200
        h.Sell("A", 100, 7m, "2024-01-20");       // loss 300 (200 carried), washed by L3
        h.Buy("A", "L3", 100, 7m, "2024-01-25");  // basis 700 + 300
        h.Sell("A", 100, 11m, "2024-03-01");      // gain 100 finally recognized
        Assert.Equal([200m, 300m, 0m], h.Rows.Select(r => r.Disallowed));
        Assert.Equal([0m, 0m, 100m], h.Rows.Select(r => r.Recognized));
        // Holding periods tack: L1 held 8 days, L2 from 2024-01-07 to 01-20 = 13 days, L3 since 2024-01-12.
        Assert.Equal(new GainsSummary(100m, 0m, 500m, 0m), h.Summary);
        Assert.Empty(h.Book.OpenLots);
        // Economic result: 1100 - 1000 = 100 over the chain.
    }

    [Fact]
    public void Holding_period_tacks_through_a_chain()
    {
        var h = new Household(("A", Taxable));
        h.Buy("A", "L1", 100, 10m, "2024-01-02");
        h.Sell("A", 100, 8m, "2024-01-10");
        h.Buy("A", "L2", 100, 8m, "2024-01-15");
        Assert.Equal(D("2024-01-07"), h.Lot("A", "L2").HoldingSince);
        h.Sell("A", 100, 7m, "2024-01-20");
        h.Buy("A", "L3", 100, 7m, "2024-01-25");
        Assert.Equal(D("2024-01-12"), h.Lot("A", "L3").HoldingSince);
    }

    [Fact]
    public void Trust_losses_are_the_household_taxpayers()
    {
        var h = new Household(("Trust", AccountType.Trust), ("A", Taxable));
        h.Buy("Trust", "T1", 10, 10m, "2024-01-02");
        h.Sell("Trust", 10, 5m, "2024-02-01");
        h.Buy("A", "R", 10, 5m, "2024-02-02");
        Assert.Equal(50m, h.Rows.Single().Disallowed);
        Assert.Equal(100m, h.Lot("A", "R").Basis);
        Assert.Equal(new GainsSummary(0m, 0m, 50m, 0m), h.Summary);
    }

    [Fact]
    public void IRA_sales_are_listed_but_not_recognized_never_wash_and_stay_out_of_the_summary()
    {
        var h = new Household(("IRA", AccountType.Ira), ("A", Taxable));
        h.Buy("IRA", "I1", 10, 10m, "2024-01-02");
        h.Sell("IRA", 10, 5m, "2024-02-01");
        h.Buy("A", "R", 10, 5m, "2024-02-02");
        var row = h.Rows.Single();
        Assert.Equal(-50m, row.Gain);
        Assert.Equal(0m, row.Disallowed);
        Assert.Equal(0m, row.Recognized);
        Assert.Equal(50m, h.Lot("A", "R").Basis);
        Assert.Equal(GainsSummary.Zero, h.Summary);
    }

    [Fact]
    public void A_lot_bought_within_30_days_before_another_accounts_loss_is_its_replacement_even_when_sold_later()
    {
        var h = new Household(("A", Taxable), ("B", Taxable));
        h.Buy("A", "A1", 100, 10m, "2024-01-02");
        h.Buy("B", "B1", 100, 20m, "2024-01-02");
        h.Sell("B", 100, 15m, "2024-02-01"); // loss 500 washed by A1 (bought 30 days before)
        Assert.Equal(1500m, h.Lot("A", "A1").Basis);
        h.Sell("A", 100, 8m, "2024-02-05");  // loss 700 = 200 + the 500 carried
        Assert.Equal([500m, 0m], h.Rows.Select(r => r.Disallowed));
        Assert.Equal(-700m, h.Rows[1].Recognized);
    }

    [Fact]
    public void Replacement_sold_before_the_loss_sale_is_not_a_replacement()
    {
        var h = new Household(("A", Taxable));
        h.Buy("A", "L1", 10, 10m, "2024-01-02");
        h.Buy("A", "P", 10, 9m, "2024-02-01");
        h.Sell("A", 10, 9.5m, "2024-02-03", lot: "P"); // gain, and P is gone
        h.Sell("A", 10, 8m, "2024-02-05", lot: "L1");  // loss 20: nothing held to match
        Assert.Equal([0m, 0m], h.Rows.Select(r => r.Disallowed));
    }

    [Fact]
    public void Lots_sold_in_the_same_sale_are_not_replacements_for_each_other()
    {
        var h = new Household(("A", Taxable));
        h.Buy("A", "L1", 10, 10m, "2024-01-02");
        h.Buy("A", "L2", 10, 12m, "2024-01-20");
        h.Sell("A", 20, 8m, "2024-02-01");
        Assert.Equal([0m, 0m], h.Rows.Select(r => r.Disallowed));
        Assert.Equal(-60m, h.Summary.ShortTerm);
    }

    [Fact]
    public void Dividend_reinvestment_is_a_purchase_that_washes_part_of_a_loss()
    {
        var h = new Household(("A", Taxable));
        h.Buy("A", "L1", 100, 10m, "2024-01-02");
        h.Sell("A", 100, 8m, "2024-03-01");
        h.Buy("A", "DRIP", 1.25m, 8.2m, "2024-03-15");
        Assert.Equal(2.5m, h.Rows.Single().Disallowed);
        Assert.Equal(10.25m + 2.5m, h.Lot("A", "DRIP").Basis);
    }

    [Fact]
    public void Loss_is_washed_by_a_purchase_in_the_spouses_taxable_account_before_the_sale()
    {
        var h = new Household(("Husband", Taxable), ("Wife", Taxable));
        h.Buy("Husband", "H1", 10, 10m, "2024-01-02");
        h.Buy("Wife", "W1", 10, 9m, "2024-01-25");
        h.Sell("Husband", 10, 8m, "2024-02-01");
        Assert.Equal(20m, h.Rows.Single().Disallowed);
        Assert.Equal(110m, h.Lot("Wife", "W1").Basis);
    }

    [Fact]
    public void Out_of_order_trades_are_bad_input()
    {
        var h = new Household(("A", Taxable));
        h.Buy("A", "L1", 10, 10m, "2024-02-02");
        Assert.Throws<BadInputException>(() => h.Buy("A", "L2", 10, 10m, "2024-02-01"));
    }
}
