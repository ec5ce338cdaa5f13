using Households.Contracts;
using Households.Domain;
using Households.Domain.Accounts;
using Households.Domain.Calendar;
using Households.Domain.Lots;
using Xunit;

namespace Households.Tests.Accounts;

/// <summary>T+1 settlement of an account's cash on worked numbers: a sale's proceeds may pay for purchases once, a withdrawal
/// waits for them to settle on the next trading day (SEC Rule 15c6-1), deposits are settled cash.</summary>
public class SettlementTests
{
    private static readonly DateOnly Monday = new(2026, 12, 7);
    private static readonly DateOnly Tuesday = new(2026, 12, 8);

    private static readonly AccountSpec Spec = new("S1", "H1", "Settlement account", AccountType.Taxable, true, null, [], false,
        LotRelief.Fifo, HarvestPolicy.Off);

    /// <summary>No cash; 200 shares of XYZ bought for $8,000 a year ago.</summary>
    private static AccountBook Book() => new(Spec, 0m,
        [new LotPiece(new TaxLot("L1", "XYZ", 200, 8_000m, new DateOnly(2025, 12, 1), new DateOnly(2025, 12, 1)), "L1")], calendar: TradingCalendar.Nyse);

    private static TradeRequest Sell(decimal quantity, decimal price, DateOnly date, string key = "s1") => new(key, date, "XYZ", TradeSide.Sell, quantity, price, null, null, 0m);

    private static TradeRequest Buy(string key, decimal quantity, decimal price, DateOnly date) => new(key, date, "ABC", TradeSide.Buy, quantity, price, null, null, 0m);

    [Fact]
    public void Monday_sale_proceeds_buy_6000_once_and_refuse_a_second_6000_leaving_4000_to_spend()
    {
        var book = Book();
        book.Apply(Sell(200, 50m, Monday)); // $10,000 proceeds, settling Tuesday
        Assert.Equal((10_000m, 0m, 10_000m), (book.Cash, book.Balance.Settled(Monday), book.Balance.UnsettledOn(Monday)));
        Assert.Equal(new UnsettledCash("s1", 10_000m, Monday, Tuesday), Assert.Single(book.Balance.Unsettled));

        book.Apply(Buy("b1", 120, 50m, Monday)); // $6,000 of the unsettled proceeds, committed
        Assert.Equal(4_000m, CashBalance.Spendable(book.Cash));
        Assert.Equal(4_000m, book.Balance.UnsettledOn(Monday));

        var refused = Assert.Throws<BadInputException>(() => book.Apply(Buy("b2", 120, 50m, Monday)));
        Assert.Equal("buy of 120 ABC costs 6000.00 but the account holds 4000.00 cash", refused.Message);
        Assert.Equal((4_000m, 120m), (book.Cash, book.Lots.Snapshot().Sum(l => l.Lot.Quantity))); // nothing changed

        book.Apply(Buy("b3", 80, 50m, Monday)); // the $4,000 left
        Assert.Equal((0m, 0m), (book.Cash, book.Balance.UnsettledOn(Monday)));
        Assert.Empty(book.Balance.Unsettled);
    }

    [Fact]
    public void A_withdrawal_of_the_10000_waits_for_Tuesdays_settlement()
    {
        var book = Book();
        book.Apply(Sell(200, 50m, Monday));
        var monday = Assert.Throws<BadInputException>(() => book.Apply(new CashMovement("w1", CashKind.Withdrawal, 10_000m, Monday, null)));
        Assert.Equal("withdrawal of 10000.00 exceeds the 0.00 settled cash; 10000.00 settles by 2026-12-08", monday.Message);
        Assert.Equal(10_000m, book.Cash);

        Assert.Equal(10_000m, book.Balance.Settled(Tuesday));
        Assert.Equal(0m, book.Apply(new CashMovement("w1", CashKind.Withdrawal, 10_000m, Tuesday, null)));
    }

    [Fact]
    public void A_purchase_commits_unsettled_proceeds_before_settled_cash_so_the_settled_cash_stays_withdrawable()
    {
        var book = new AccountBook(Spec, 5_000m, [new LotPiece(new TaxLot("L1", "XYZ", 200, 8_000m, Monday.AddDays(-400), Monday.AddDays(-400)), "L1")],
            calendar: TradingCalendar.Nyse);
        book.Apply(Sell(200, 50m, Monday));  // $15,000: $5,000 settled, $10,000 settling Tuesday
        book.Apply(Buy("b1", 120, 50m, Monday)); // $6,000 from the unsettled proceeds
        Assert.Equal((9_000m, 5_000m, 4_000m), (book.Cash, book.Balance.Settled(Monday), book.Balance.UnsettledOn(Monday)));
        Assert.Equal(4_000m, book.Apply(new CashMovement("w1", CashKind.Withdrawal, 5_000m, Monday, null)));
    }

    [Fact]
    public void Proceeds_of_a_Christmas_Eve_sale_settle_the_Monday_after()
    {
        var book = Book();
        var christmasEve = new DateOnly(2026, 12, 24);
        book.Apply(Sell(100, 50m, christmasEve) with { Commission = 5m });
        Assert.Equal(new UnsettledCash("s1", 4_995m, christmasEve, new DateOnly(2026, 12, 28)), Assert.Single(book.Balance.Unsettled));
        Assert.Equal(0m, book.Balance.Settled(new DateOnly(2026, 12, 27)));
        Assert.Equal(4_995m, book.Balance.Settled(new DateOnly(2026, 12, 28)));
    }

    [Fact]
    public void Deposits_are_settled_and_books_without_a_calendar_settle_at_once()
    {
        var book = Book();
        book.Apply(new CashMovement("d1", CashKind.Deposit, 1_000m, Monday, null));
        Assert.Equal(1_000m, book.Balance.Settled(Monday));

        // The simulations (stress, backtests) step whole days: their books take no calendar.
        var simulated = new AccountBook(Spec, 0m, [new LotPiece(new TaxLot("L1", "XYZ", 200, 8_000m, Monday.AddDays(-400), Monday.AddDays(-400)), "L1")]);
        simulated.Apply(Sell(200, 50m, Monday));
        Assert.Equal(10_000m, simulated.Balance.Settled(Monday));
        Assert.Empty(simulated.Balance.Unsettled);
    }
}
