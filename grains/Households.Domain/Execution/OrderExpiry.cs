using Households.Contracts;

namespace Households.Domain.Execution;

/// <summary>When a DAY order's session ends. For now the close is 16:00 America/New_York on every date; the trading calendar
/// (half days, holidays) replaces <see cref="CloseOf"/> alone.</summary>
public static class OrderExpiry
{
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
    private static readonly TimeOnly Close = new(16, 0);

    /// <summary>The close of <paramref name="date"/>'s session: 16:00 in New York.</summary>
    public static DateTimeOffset CloseOf(DateOnly date)
    {
        var local = date.ToDateTime(Close, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, NewYork.GetUtcOffset(local)).ToUniversalTime();
    }

    /// <summary>Whether the order's trade date has closed at <paramref name="now"/>: a DAY order not done by then expires.</summary>
    public static bool IsPastClose(BrokerOrder order, DateTimeOffset now) => now >= CloseOf(order.TradeDate);

    /// <summary>The session an order sent at <paramref name="now"/> trades in: New York's date, the next day once its close passed.</summary>
    public static DateOnly TradeDateFor(DateTimeOffset now)
    {
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, NewYork).DateTime);
        return now >= CloseOf(today) ? today.AddDays(1) : today;
    }

    /// <summary>The trade date of a fill reported at <paramref name="time"/>: New York's date then.</summary>
    public static DateOnly TradeDateOf(DateTimeOffset time) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time, NewYork).DateTime);
}
