using Households.Contracts;
using Households.Domain.Calendar;

namespace Households.Domain.Execution;

/// <summary>When a DAY order's session ends, by the exchange's calendar (<see cref="TradingCalendar.Nyse"/>: 16:00 New York,
/// 13:00 on an early close; an order sent after a close or on a holiday trades in the next session).</summary>
public static class OrderExpiry
{
    private static TradingCalendar Calendar => TradingCalendar.Nyse;

    /// <summary>The close of <paramref name="date"/>'s session (a date without one: where 16:00 New York would be).</summary>
    public static DateTimeOffset CloseOf(DateOnly date) =>
        Calendar.Session(date)?.Close
        ?? new DateTimeOffset(date.ToDateTime(TradingCalendar.RegularClose), TradingCalendar.NewYork.GetUtcOffset(date.ToDateTime(TradingCalendar.RegularClose))).ToUniversalTime();

    /// <summary>Whether the order's trade date has closed at <paramref name="now"/>: a DAY order not done by then expires.</summary>
    public static bool IsPastClose(BrokerOrder order, DateTimeOffset now) => now >= CloseOf(order.TradeDate);

    /// <summary>The session an order sent at <paramref name="now"/> trades in: today's while it has not closed, else the next.</summary>
    public static DateOnly TradeDateFor(DateTimeOffset now)
    {
        var today = Calendar.DateAt(now);
        return Calendar.Session(today) is { } session && now < session.Close ? today : Calendar.NextSession(now).Date;
    }

    /// <summary>The trade date of a fill reported at <paramref name="time"/>: New York's date then.</summary>
    public static DateOnly TradeDateOf(DateTimeOffset time) => Calendar.DateAt(time);
}
