using Households.Domain;
using Households.Domain.Calendar;
using Xunit;

namespace Households.Tests.Calendar;

/// <summary>The NYSE calendar (docs/samples/nyse-calendar.csv, embedded) on worked dates of 2026: holidays with their
/// observance rules, early closes, weekends, the daylight-saving changes of March and November, and T+1 settlement.</summary>
public class TradingCalendarTests
{
    private static readonly TradingCalendar Nyse = TradingCalendar.Nyse;

    private static DateOnly D(string date) => DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture);

    private static DateTimeOffset Utc(string instant) => DateTimeOffset.Parse(instant + "Z", System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("2026-01-01", false)] // New Year's Day, a Thursday
    [InlineData("2026-01-19", false)] // Martin Luther King Jr. Day, third Monday of January
    [InlineData("2026-02-16", false)] // Washington's Birthday
    [InlineData("2026-04-03", false)] // Good Friday (Easter is 5 April 2026)
    [InlineData("2026-06-19", false)] // Juneteenth, a Friday
    [InlineData("2026-07-03", false)] // Independence Day falls on a Saturday: observed the Friday before
    [InlineData("2026-07-02", true)]  // the Thursday before is a full day (no early close when the 3rd is the holiday)
    [InlineData("2026-11-26", false)] // Thanksgiving
    [InlineData("2026-11-27", true)]  // the day after: open, closing early
    [InlineData("2026-12-24", true)]  // Christmas Eve, a Thursday: open, closing early
    [InlineData("2026-12-25", false)] // Christmas
    [InlineData("2026-12-05", false)] // a Saturday
    [InlineData("2026-12-06", false)] // a Sunday
    [InlineData("2026-12-07", true)]  // a Monday
    [InlineData("2027-12-24", false)] // Christmas 2027 falls on a Saturday: observed Friday the 24th
    [InlineData("2027-12-31", true)]  // New Year's Day 2028 is a Saturday: NYSE does not observe it on the Friday
    public void Trading_days_follow_the_NYSE_holidays_and_their_observance(string date, bool trading) =>
        Assert.Equal(trading, Nyse.IsTradingDay(D(date)));

    [Fact]
    public void Regular_session_is_0930_to_1600_New_York_time_across_the_daylight_saving_changes()
    {
        // Daylight saving starts Sunday 8 March 2026 and ends Sunday 1 November 2026.
        Assert.Equal((Utc("2026-03-06T14:30"), Utc("2026-03-06T21:00")), Session("2026-03-06")); // EST, UTC-5
        Assert.Equal((Utc("2026-03-09T13:30"), Utc("2026-03-09T20:00")), Session("2026-03-09")); // EDT, UTC-4
        Assert.Equal((Utc("2026-10-30T13:30"), Utc("2026-10-30T20:00")), Session("2026-10-30")); // EDT
        Assert.Equal((Utc("2026-11-02T14:30"), Utc("2026-11-02T21:00")), Session("2026-11-02")); // EST
        Assert.Null(Nyse.Session(D("2026-03-08")));
    }

    [Fact]
    public void Early_closes_end_the_session_at_1300()
    {
        Assert.Equal((Utc("2026-11-27T14:30"), Utc("2026-11-27T18:00")), Session("2026-11-27"));
        Assert.Equal((Utc("2026-12-24T14:30"), Utc("2026-12-24T18:00")), Session("2026-12-24"));
        Assert.True(Nyse.IsOpen(Utc("2026-12-24T17:59")));
        Assert.False(Nyse.IsOpen(Utc("2026-12-24T18:00")));
        Assert.Equal(MarketDayKind.EarlyClose, Nyse.DayOf(D("2026-11-27"))!.Kind);
        Assert.Equal("Day after Thanksgiving", Nyse.DayOf(D("2026-11-27"))!.Name);
    }

    [Theory]
    [InlineData("2026-12-07T14:29", false)] // 09:29 EST Monday
    [InlineData("2026-12-07T14:30", true)]  // the open
    [InlineData("2026-12-07T20:59", true)]
    [InlineData("2026-12-07T21:00", false)] // the close
    [InlineData("2026-12-05T17:00", false)] // Saturday noon
    [InlineData("2026-07-03T15:00", false)] // the observed Independence Day
    public void Open_only_within_a_session(string instant, bool open) => Assert.Equal(open, Nyse.IsOpen(Utc(instant)));

    [Theory]
    [InlineData("2026-12-05T17:20", "2026-12-07T14:30")] // Saturday → Monday's open
    [InlineData("2026-12-07T03:00", "2026-12-07T14:30")] // before Monday's open (22:00 Sunday in New York)
    [InlineData("2026-12-07T15:00", "2026-12-07T15:00")] // open now
    [InlineData("2026-12-24T18:30", "2026-12-28T14:30")] // after the early close: Christmas, the weekend, then Monday
    [InlineData("2026-07-02T20:00", "2026-07-06T13:30")] // Thursday's close → the observed holiday, the weekend → Monday (EDT)
    public void Next_open_skips_nights_weekends_and_holidays(string from, string expected) =>
        Assert.Equal(Utc(expected), Nyse.NextOpen(Utc(from)));

    [Theory]
    [InlineData("2026-12-07", "2026-12-08")] // Monday → Tuesday
    [InlineData("2026-12-04", "2026-12-07")] // Friday → Monday
    [InlineData("2026-07-02", "2026-07-06")] // across the observed Independence Day and the weekend
    [InlineData("2026-01-16", "2026-01-20")] // across Martin Luther King Jr. Day weekend
    [InlineData("2026-11-25", "2026-11-27")] // the early-close day after Thanksgiving is a settlement day
    [InlineData("2026-12-24", "2026-12-28")] // Christmas Eve → Monday
    [InlineData("2026-12-31", "2027-01-04")] // New Year's Day and the weekend
    public void Equities_settle_T_plus_1_trading_day(string trade, string settles) =>
        Assert.Equal(D(settles), Nyse.SettlementDate(D(trade)));

    [Fact]
    public void Trading_days_count_both_ways_and_zero_is_the_date_itself()
    {
        Assert.Equal(D("2026-07-02"), Nyse.AddTradingDays(D("2026-07-06"), -1));
        Assert.Equal(D("2026-12-07"), Nyse.AddTradingDays(D("2026-12-07"), 0));
        // December 2026 has 22 trading days: 23 weekdays less Christmas.
        Assert.Equal(D("2026-12-31"), Nyse.AddTradingDays(D("2026-11-30"), 22));
    }

    [Fact]
    public void Session_time_moves_from_a_close_to_the_next_trading_sessions_open()
    {
        // One hour before the Christmas Eve early close, plus two hours of session: one hour into Monday 28 December.
        Assert.Equal(Utc("2026-12-28T15:30"), Nyse.AddSessionTime(Utc("2026-12-24T17:00"), TimeSpan.FromHours(2)));
        // From Saturday: counting starts at Monday's open.
        Assert.Equal(Utc("2026-12-07T15:30"), Nyse.AddSessionTime(Utc("2026-12-05T12:00"), TimeSpan.FromHours(1)));
    }

    [Theory]
    [InlineData(2024, 10, 3)]
    [InlineData(2025, 11, 3)] // and the day of mourning for President Carter, 9 January
    [InlineData(2026, 10, 2)] // no early close on 2 July: the 3rd is the observed holiday
    [InlineData(2027, 10, 1)] // Christmas Eve is the observed Christmas; 3 July a Saturday
    [InlineData(2028, 9, 2)]  // New Year's Day on a Saturday is not observed; Christmas Eve a Sunday
    public void The_embedded_calendar_lists_each_years_holidays_and_early_closes(int year, int holidays, int earlyCloses)
    {
        var days = Nyse.Days.Where(d => d.Date.Year == year).ToList();
        Assert.Equal(holidays, days.Count(d => d.Kind == MarketDayKind.Holiday));
        Assert.Equal(earlyCloses, days.Count(d => d.Kind == MarketDayKind.EarlyClose));
        Assert.All(days.Where(d => d.Kind == MarketDayKind.EarlyClose), d => Assert.Equal(new TimeOnly(13, 0), d.Close));
    }

    [Fact]
    public void A_firm_file_replaces_the_embedded_calendar()
    {
        var path = Path.Combine(Path.GetTempPath(), $"calendar-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, "date,kind,close,name\n2026-12-07,holiday,,Firm closed, for the move\n2026-12-08,early_close,12:00,Half day\n");
        try
        {
            var firm = Households.Silo.Hosting.CalendarFile.Load(path);
            Assert.False(firm.IsTradingDay(D("2026-12-07")));
            Assert.Equal("Firm closed, for the move", firm.DayOf(D("2026-12-07"))!.Name);
            Assert.Equal(Utc("2026-12-08T17:00"), firm.Session(D("2026-12-08"))!.Close);
            Assert.True(firm.IsTradingDay(D("2026-12-25"))); // the firm's file is the whole calendar
            Assert.Equal(D("2026-12-08"), firm.SettlementDate(D("2026-12-04"))); // Friday → Tuesday: the firm's Monday is closed
        }
        finally { File.Delete(path); }
    }

    [Theory]
    [InlineData("day,kind,close,name\n", "cal.csv: the first line must be 'date,kind,close,name'")]
    [InlineData("date,kind,close,name\n2026-12-05,holiday,,Saturday\n", "cal.csv line 2: 2026-12-05 is a weekend, never a session")]
    [InlineData("date,kind,close,name\n2026-12-07,closed,,X\n", "cal.csv line 2: kind must be holiday or early_close, not 'closed'")]
    [InlineData("date,kind,close,name\n2026-12-07,early_close,,X\n", "cal.csv line 2: close must be HH:mm (exchange time), not ''")]
    [InlineData("date,kind,close,name\n2026-12-07,early_close,17:00,X\n", "cal.csv line 2: an early close must fall after 09:30 and before 16:00")]
    [InlineData("date,kind,close,name\n2026-12-07,holiday,13:00,X\n", "cal.csv line 2: a holiday has no close time")]
    [InlineData("date,kind,close,name\n2026-12-07,holiday,,X\n2026-12-07,holiday,,Y\n", "cal.csv line 3: 2026-12-07 is listed twice")]
    [InlineData("date,kind,close,name\n12/07/2026,holiday,,X\n", "cal.csv line 2: date must be yyyy-MM-dd, not '12/07/2026'")]
    [InlineData("date,kind,close,name\n2026-12-07,holiday,,\n", "cal.csv line 2: name is required (at most 200 characters)")]
    public void A_bad_calendar_line_is_refused_with_its_line_number(string text, string message) =>
        Assert.Equal(message, Assert.Throws<BadInputException>(() => TradingCalendar.Parse(text, "cal.csv")).Message);

    private static (DateTimeOffset, DateTimeOffset) Session(string date) => Nyse.Session(D(date)) is { } s ? (s.Open, s.Close) : default;
}
