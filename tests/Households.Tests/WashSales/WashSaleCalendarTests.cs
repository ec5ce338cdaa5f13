using Households.Domain.Calendar;
using Xunit;
using static Households.Tests.WashSales.Household;

namespace Households.Tests.WashSales;

/// <summary>The wash-sale window counts calendar days, 30 before and 30 after the sale (IRC §1091(a), Treas. Reg. §1.1091-1(a)),
/// not trading days: across Thanksgiving, Christmas and their weekends the two counts part by ten days.</summary>
public class WashSaleCalendarTests
{
    // A $2,000 loss sold the day before Thanksgiving 2026.
    private static Household LossSoldBeforeThanksgiving()
    {
        var h = new Household(("A", Contracts.AccountType.Taxable));
        h.Buy("A", "L1", 100, 50m, "2026-06-01");
        h.Sell("A", 100, 30m, "2026-11-25");
        return h;
    }

    [Fact]
    public void A_buy_33_calendar_days_after_the_sale_is_outside_the_window_though_only_21_trading_days_later()
    {
        var h = LossSoldBeforeThanksgiving();
        // Monday 28 December: the first trading day after the 30th calendar day (Christmas Day, a holiday).
        h.Buy("A", "L2", 100, 31m, "2026-12-28");
        Assert.Equal(21, TradingDaysBetween(D("2026-11-25"), D("2026-12-28")));
        var row = Assert.Single(h.Rows);
        Assert.Equal((-2_000m, 0m, -2_000m), (row.Gain, row.Disallowed, row.Recognized));
        Assert.Equal(3_100m, h.Lot("A", "L2").Basis);
    }

    [Fact]
    public void A_buy_on_Christmas_Eve_29_calendar_days_after_the_sale_washes_the_loss()
    {
        var h = LossSoldBeforeThanksgiving();
        h.Buy("A", "L2", 100, 31m, "2026-12-24");
        var row = Assert.Single(h.Rows);
        Assert.Equal((-2_000m, 2_000m, 0m), (row.Gain, row.Disallowed, row.Recognized));
        Assert.Equal(5_100m, h.Lot("A", "L2").Basis); // $3,100 paid plus the $2,000 disallowed
    }

    [Fact]
    public void A_buy_32_calendar_days_before_the_sale_across_Independence_Day_does_not_wash()
    {
        // Sold Monday 3 August 2026; bought Thursday 2 July, 32 calendar days but 21 trading days before (3 July observed).
        var h = new Household(("A", Contracts.AccountType.Taxable));
        h.Buy("A", "L1", 100, 50m, "2026-01-05");
        h.Buy("A", "L2", 100, 40m, "2026-07-02");
        h.Sell("A", 100, 30m, "2026-08-03", lot: "L1", method: Contracts.LotRelief.SpecificLot);
        Assert.Equal(21, TradingDaysBetween(D("2026-07-02"), D("2026-08-03")));
        Assert.Equal(0m, Assert.Single(h.Rows).Disallowed);
    }

    private static int TradingDaysBetween(DateOnly from, DateOnly to)
    {
        var n = 0;
        while (TradingCalendar.Nyse.AddTradingDays(from, n) < to) n++;
        return n;
    }
}
