using Households.Contracts;
using Households.Domain;
using Households.Domain.CorporateActions;
using Xunit;
using static Households.Tests.CorporateActions.Books;

namespace Households.Tests.CorporateActions;

/// <summary>Each corporate action on written-out holdings: the lots, bases, holding periods, cash and realized rows it must give.</summary>
public class CorporateActionRuleTests
{
    [Fact]
    public void Three_for_two_split_keeps_basis_and_holding_period_and_pays_cash_in_lieu_of_the_fraction()
    {
        // A: 100 sh, basis 6,000 (2023-03-01); B: 1 sh, basis 70 (2024-05-01). 3-for-2 on 2024-06-03, $42 a new share.
        var books = new Books().Open("T", lots: [Lot("A", "XYZ", 100, 6000m, "2023-03-01"), Lot("B", "XYZ", 1, 70m, "2024-05-01")]);
        var (effects, outcome) = books.Apply(new CorporateAction("S1", CorporateActionKind.Split, "XYZ", D("2024-06-03"), Ratio: 1.5m, Price: 42m));

        // A: 150 sh, basis 6,000 ($40 a share), holding period from 2023-03-01 still.
        Assert.Equal(new TaxLot("A", "XYZ", 150m, 6000m, D("2023-03-01"), D("2023-03-01")), books.LotOf("T", "A"));
        // 151.5 shares: the 0.5 comes off the last lot, B (1.5 sh, basis 70): basis relieved 70 × 0.5 / 1.5 = 23.33…, proceeds 0.5 × 42 = 21.
        var b = books.LotOf("T", "B");
        Assert.Equal(1m, b.Quantity);
        Assert.Equal(70m - 70m * 0.5m / 1.5m, b.Basis);
        var row = Assert.Single(outcome.Realized);
        Assert.Equal(("B", 0.5m, 21m, HoldingTerm.Short), (row.LotId, row.Quantity, row.Proceeds, row.Term));
        Assert.Equal(-2.33m, Math.Round(row.Gain, 2));
        Assert.Equal(100_021m, books.Cash("T"));
        Assert.Equal(21m, Assert.Single(effects).CashDelta);
    }

    [Fact]
    public void One_for_ten_reverse_split_pays_cash_in_lieu_with_its_share_of_basis()
    {
        var books = new Books().Open("T", lots: [Lot("A", "XYZ", 105, 2100m, "2020-01-02")]);
        var (_, outcome) = books.Apply(new CorporateAction("R1", CorporateActionKind.Split, "XYZ", D("2024-06-03"), Ratio: 0.1m, Price: 210m));
        // 10.5 new shares: 0.5 paid at $210 = $105, basis 2,100 × 0.5 / 10.5 = 100: a long-term gain of 5.
        Assert.Equal(new TaxLot("A", "XYZ", 10m, 2000m, D("2020-01-02"), D("2020-01-02")), books.LotOf("T", "A"));
        var row = Assert.Single(outcome.Realized);
        Assert.Equal((0.5m, 105m, 100m, 5m, HoldingTerm.Long), (row.Quantity, row.Proceeds, row.Basis, row.Recognized, row.Term));
    }

    [Fact]
    public void A_split_in_an_account_holding_fractions_pays_no_cash()
    {
        var books = new Books().Open("F", fractional: true, lots: [Lot("A", "XYZ", 101, 3030m, "2023-01-02")]);
        var (_, outcome) = books.Apply(new CorporateAction("S2", CorporateActionKind.Split, "XYZ", D("2024-06-03"), Ratio: 1.5m, Price: 20m));
        Assert.Equal(151.5m, books.LotOf("F", "A").Quantity);
        Assert.Equal(3030m, books.LotOf("F", "A").Basis);
        Assert.Empty(outcome.Realized);
        Assert.Equal(100_000m, books.Cash("F"));
    }

    [Fact]
    public void Ticker_change_keeps_the_lots_and_the_wash_sale_window_follows_the_security()
    {
        // T sells OLD at a 1,000 loss on 2024-06-03; OLD becomes NEW on 2024-06-10; T buys 100 NEW on 2024-06-20.
        var books = new Books().Open("T", lots: [Lot("L", "OLD", 100, 5000m, "2024-01-02")])
            .Open("S", lots: [Lot("K", "OLD", 10, 300m, "2022-01-03")]);
        books.Trade("T", "sell1", "2024-06-03", "OLD", TradeSide.Sell, 100, 40m);
        books.Apply(new CorporateAction("TC1", CorporateActionKind.TickerChange, "OLD", D("2024-06-10"), NewSymbol: "NEW"));

        Assert.Equal(new TaxLot("K", "NEW", 10m, 300m, D("2022-01-03"), D("2022-01-03")), books.LotOf("S", "K"));
        // The open loss now blacks out NEW, through 30 days after the sale.
        Assert.Equal([("NEW", D("2024-07-03"))], books.Ledger.WashSales.BuyBlackouts("T", D("2024-06-10")).Select(b => (b.WashSaleKey, b.WashesThrough)));
        var buy = books.Trade("T", "buy1", "2024-06-20", "NEW", TradeSide.Buy, 100, 42m);
        var wash = Assert.Single(buy.Adjustments);
        Assert.Equal(1000m, wash.Disallowed);
        Assert.Equal(4200m + 1000m, books.LotOf("T", "T-buy1").Basis);
        Assert.Equal(1000m, books.Ledger.Gains.Rows().Single().Disallowed);
    }

    [Fact]
    public void Stock_for_stock_merger_carries_an_open_loss_to_the_acquirer_and_a_purchase_of_it_washes_the_loss()
    {
        // T sells 100 TGT (basis 5,000) at 40 on 2024-06-03: a 1,000 loss. TGT merges into ACQ at 0.5 ACQ a share on
        // 2024-06-14 (Rev. Rul. 56-406). T buys 50 ACQ at 84 on 2024-06-20, 17 days after the sale: the 50 ACQ stand for
        // the 100 TGT sold, so the whole loss is disallowed and added to the new lot: 4,200 + 1,000 = 5,200.
        var books = new Books().Open("T", lots: [Lot("L", "TGT", 100, 5000m, "2024-01-02")])
            .Open("S", lots: [Lot("K", "TGT", 10, 300m, "2022-01-03")]);
        books.Trade("T", "sell1", "2024-06-03", "TGT", TradeSide.Sell, 100, 40m);
        books.Apply(new CorporateAction("M9", CorporateActionKind.Merger, "TGT", D("2024-06-14"), NewSymbol: "ACQ", Ratio: 0.5m, Price: 84m));

        // The shares the merger delivered to S are no purchase: they wash nothing.
        Assert.Equal(new TaxLot("K", "ACQ", 5m, 300m, D("2022-01-03"), D("2022-01-03")), books.LotOf("S", "K"));
        Assert.Equal(0m, books.Ledger.Gains.Rows().Single().Disallowed);
        Assert.Equal([("ACQ", D("2024-07-03"))], books.Ledger.WashSales.BuyBlackouts("T", D("2024-06-14")).Select(b => (b.WashSaleKey, b.WashesThrough)));
        var buy = books.Trade("T", "buy1", "2024-06-20", "ACQ", TradeSide.Buy, 50, 84m);
        Assert.Equal(1000m, Assert.Single(buy.Adjustments).Disallowed);
        Assert.Equal(4200m + 1000m, books.LotOf("T", "T-buy1").Basis);
        Assert.Equal((-1000m, 1000m, 0m), (books.Ledger.Gains.Rows().Single().Gain, books.Ledger.Gains.Rows().Single().Disallowed, books.Ledger.Gains.Rows().Single().Recognized));
    }

    [Fact]
    public void A_merger_paying_cash_leaves_the_targets_open_loss_where_it_was()
    {
        var books = new Books().Open("T", lots: [Lot("L", "TGT", 100, 5000m, "2024-01-02")]);
        books.Trade("T", "sell1", "2024-06-03", "TGT", TradeSide.Sell, 100, 40m);
        books.Apply(new CorporateAction("M10", CorporateActionKind.Merger, "TGT", D("2024-06-14"), NewSymbol: "ACQ", Ratio: 0.5m, Cash: 10m, Price: 84m));
        var buy = books.Trade("T", "buy1", "2024-06-20", "ACQ", TradeSide.Buy, 50, 84m);
        Assert.Empty(buy.Adjustments);
        Assert.Equal(4200m, books.LotOf("T", "T-buy1").Basis);
    }

    [Fact]
    public void Stock_for_stock_merger_carries_basis_and_holding_period_into_the_new_shares()
    {
        var books = new Books().Open("T", lots: [Lot("A", "TGT", 100, 3000m, "2019-05-01")]);
        var (_, outcome) = books.Apply(new CorporateAction("M1", CorporateActionKind.Merger, "TGT", D("2024-06-03"), NewSymbol: "ACQ", Ratio: 0.5m, Price: 80m));
        Assert.Equal(new TaxLot("A", "ACQ", 50m, 3000m, D("2019-05-01"), D("2019-05-01")), books.LotOf("T", "A"));
        Assert.Empty(outcome.Realized);
        Assert.Empty(books.Accounts["T"].Lots.LotsOf("TGT"));
    }

    [Fact]
    public void Cash_and_stock_merger_recognizes_gain_up_to_the_cash_and_no_loss()
    {
        // 0.5 ACQ ($80) and $10 cash per TGT share. G: 100 sh, basis 3,000: realized 1,000 + 4,000 − 3,000 = 2,000,
        // recognized 1,000 (the cash), new basis 3,000 − 1,000 + 1,000 = 3,000. L: 100 sh, basis 6,000: realized −1,000, no
        // loss recognized (§356(c)), new basis 6,000 − 1,000 = 5,000.
        var books = new Books().Open("T", lots: [Lot("G", "TGT", 100, 3000m, "2019-05-01"), Lot("L", "TGT", 100, 6000m, "2024-02-01")]);
        var (effects, outcome) = books.Apply(new CorporateAction("M2", CorporateActionKind.Merger, "TGT", D("2024-06-03"), NewSymbol: "ACQ",
            Ratio: 0.5m, Cash: 10m, Price: 80m));
        Assert.Equal((50m, 3000m), (books.LotOf("T", "G").Quantity, books.LotOf("T", "G").Basis));
        Assert.Equal((50m, 5000m), (books.LotOf("T", "L").Quantity, books.LotOf("T", "L").Basis));
        var row = Assert.Single(outcome.Realized);
        Assert.Equal(("G", "TGT", 0m, 1000m, 0m, 1000m, HoldingTerm.Long), (row.LotId, row.Symbol, row.Quantity, row.Proceeds, row.Basis, row.Recognized, row.Term));
        Assert.Equal(2000m, Assert.Single(effects).CashDelta);
    }

    [Fact]
    public void All_cash_merger_is_a_sale_of_the_lot()
    {
        var books = new Books().Open("T", lots: [Lot("A", "TGT", 100, 6000m, "2024-02-01")]);
        var (_, outcome) = books.Apply(new CorporateAction("M3", CorporateActionKind.Merger, "TGT", D("2024-06-03"), NewSymbol: "ACQ", Ratio: 0m, Cash: 55m));
        var row = Assert.Single(outcome.Realized);
        Assert.Equal((100m, 5500m, 6000m, -500m, HoldingTerm.Short), (row.Quantity, row.Proceeds, row.Basis, row.Recognized, row.Term));
        Assert.Empty(books.Accounts["T"].Lots.Lots);
    }

    [Fact]
    public void Spin_off_allocates_basis_by_the_given_percentage_and_keeps_the_holding_period()
    {
        // 0.25 SPN per PAR, 20 % of basis to SPN, $16 an SPN share. P: 100 PAR, basis 10,000 → 25 SPN basis 2,000, PAR 8,000.
        // Q: 30 PAR, basis 3,000 → 7.5 SPN basis 600; the account's 32.5 SPN: 0.5 paid, off Q's lot: proceeds 8, basis 40.
        var books = new Books().Open("T", lots: [Lot("P", "PAR", 100, 10_000m, "2018-01-02"), Lot("Q", "PAR", 30, 3000m, "2024-03-01")]);
        var (_, outcome) = books.Apply(new CorporateAction("SP1", CorporateActionKind.SpinOff, "PAR", D("2024-06-03"), NewSymbol: "SPN",
            Ratio: 0.25m, Price: 16m, BasisPercent: 0.2m));
        Assert.Equal(8000m, books.LotOf("T", "P").Basis);
        Assert.Equal(2400m, books.LotOf("T", "Q").Basis);
        Assert.Equal(new TaxLot("P+SP1", "SPN", 25m, 2000m, D("2018-01-02"), D("2018-01-02")), books.LotOf("T", "P+SP1"));
        Assert.Equal(new TaxLot("Q+SP1", "SPN", 7m, 560m, D("2024-03-01"), D("2024-03-01")), books.LotOf("T", "Q+SP1"));
        var row = Assert.Single(outcome.Realized);
        Assert.Equal(("Q+SP1", 0.5m, 8m, 40m, -32m, HoldingTerm.Short), (row.LotId, row.Quantity, row.Proceeds, row.Basis, row.Gain, row.Term));
    }

    [Fact]
    public void Reinvested_dividend_is_a_purchase_that_washes_a_recent_loss_and_a_swept_one_is_cash()
    {
        // S sells 10 XYZ at a 50 loss on 2024-06-03. On 2024-06-13 XYZ pays $0.50 a share: R (reinvests, fractions) holds 200 sh
        // → $100 buys 4 sh at $25; W (sweeps) holds 100 sh → $50 cash. The 4 reinvested shares wash 4/10 of the loss: 20.
        var books = new Books().Open("S", lots: [Lot("X", "XYZ", 10, 500m, "2024-01-02")])
            .Open("R", reinvest: true, fractional: true, lots: [Lot("A", "XYZ", 200, 4000m, "2022-01-03")])
            .Open("W", lots: [Lot("B", "XYZ", 100, 2000m, "2022-01-03")]);
        books.Trade("S", "sell", "2024-06-03", "XYZ", TradeSide.Sell, 10, 45m);
        var (effects, outcome) = books.Apply(new CorporateAction("DIV1", CorporateActionKind.CashDividend, "XYZ", D("2024-06-13"), Cash: 0.5m, Price: 25m));

        var reinvested = effects.Single(e => e.AccountId == "R").Reinvested!;
        Assert.Equal(("CA-DIV1", 4m, 100m, D("2024-06-13")), (reinvested.Id, reinvested.Quantity, reinvested.Basis, reinvested.Purchased));
        Assert.Equal(100_000m, books.Cash("R"));
        Assert.Equal(100_050m, books.Cash("W"));
        var wash = Assert.Single(outcome.Adjustments);
        Assert.Equal(("R", "CA-DIV1", 4m, 20m), (wash.Account, wash.LotId, wash.Quantity, wash.Disallowed));
        Assert.Equal(120m, books.LotOf("R", "CA-DIV1").Basis);
        Assert.Equal(20m, books.Ledger.Gains.Rows().Single().Disallowed);
    }

    [Fact]
    public void Return_of_capital_reduces_basis_and_the_excess_over_basis_is_a_gain()
    {
        var books = new Books().Open("T", lots: [Lot("A", "XYZ", 100, 150m, "2022-01-03")]);
        var (_, first) = books.Apply(new CorporateAction("ROC1", CorporateActionKind.ReturnOfCapital, "XYZ", D("2024-03-01"), Cash: 1m));
        Assert.Empty(first.Realized);
        Assert.Equal(50m, books.LotOf("T", "A").Basis);
        var (_, second) = books.Apply(new CorporateAction("ROC2", CorporateActionKind.ReturnOfCapital, "XYZ", D("2024-09-03"), Cash: 1m));
        // $100 against a basis of 50: basis 0, a long-term gain of 50.
        Assert.Equal(0m, books.LotOf("T", "A").Basis);
        var row = Assert.Single(second.Realized);
        Assert.Equal((0m, 50m, 0m, 50m, HoldingTerm.Long), (row.Quantity, row.Proceeds, row.Basis, row.Recognized, row.Term));
        Assert.Equal(100_200m, books.Cash("T"));
    }

    [Fact]
    public void Only_lots_bought_before_the_ex_date_receive_a_dividend()
    {
        var books = new Books().Open("W", lots: [Lot("A", "XYZ", 100, 2000m, "2024-06-12"), Lot("B", "XYZ", 50, 1000m, "2024-06-13")]);
        books.Apply(new CorporateAction("DIV2", CorporateActionKind.CashDividend, "XYZ", D("2024-06-13"), Cash: 1m, Price: 20m));
        Assert.Equal(100_100m, books.Cash("W"));
    }

    [Theory]
    [InlineData(CorporateActionKind.Split, null, 1.0, 0.0, 10.0, "a split's ratio must not be 1")]
    [InlineData(CorporateActionKind.TickerChange, null, 1.0, 0.0, null, "newSymbol is required")]
    [InlineData(CorporateActionKind.CashDividend, null, 1.0, 0.0, 10.0, "cash must be > 0 per share")]
    [InlineData(CorporateActionKind.Merger, "ACQ", 0.5, 0.0, null, "price is required for a Merger (per share of the security received)")]
    public void Malformed_actions_are_bad_input(CorporateActionKind kind, string? newSymbol, double ratio, double cash, double? price, string message)
    {
        var action = new CorporateAction("X1", kind, "XYZ", D("2024-06-03"), newSymbol, (decimal)ratio, (decimal)cash, (decimal?)price);
        Assert.Equal(message, Assert.Throws<BadInputException>(() => CorporateActionRules.Check(action)).Message);
    }

    [Fact]
    public void A_back_dated_action_is_refused_before_any_book_changes()
    {
        var books = new Books().Open("T", lots: [Lot("A", "XYZ", 100, 2000m, "2022-01-03")]);
        books.Trade("T", "b", "2024-06-10", "XYZ", TradeSide.Buy, 1, 20m);
        Assert.Throws<BadInputException>(() => books.Apply(new CorporateAction("S3", CorporateActionKind.Split, "XYZ", D("2024-06-03"), Ratio: 2m, Price: 10m)));
        Assert.Equal(100m, books.LotOf("T", "A").Quantity);
    }
}
