using System.Globalization;

namespace Households.Domain.Calendar;

/// <summary>What the exchange's calendar file says of a weekday: closed all day, or open with an early close.</summary>
public enum MarketDayKind
{
    Holiday = 0,
    EarlyClose = 1,
}

/// <summary>One line of the calendar file: a weekday the exchange is closed or closes early (<see cref="Close"/>,
/// exchange time), with its name.</summary>
public sealed record MarketDay(DateOnly Date, MarketDayKind Kind, TimeOnly? Close, string Name);

/// <summary>A trading day's session: the open and close instants (UTC offsets already applied).</summary>
public sealed record TradingSession(DateOnly Date, DateTimeOffset Open, DateTimeOffset Close)
{
    public bool Contains(DateTimeOffset instant) => instant >= Open && instant < Close;

    public TimeSpan Length => Close - Open;
}

/// <summary>The exchange's trading days and hours: weekdays that are not holidays, 09:30–16:00 New York time (13:00 on an
/// early close). Holidays and early closes are data (<c>docs/samples/nyse-calendar.csv</c>, embedded; a firm passes its
/// own file with <c>Market:Calendar</c>); beyond the file's last year only weekends are known, so keep it current.</summary>
public sealed class TradingCalendar
{
    public const string ResourceName = "Households.Domain.Calendar.nyse-calendar.csv";
    public const string Header = "date,kind,close,name";
    public const long MaxFileBytes = 1_000_000;
    public static readonly TimeOnly RegularOpen = new(9, 30);
    public static readonly TimeOnly RegularClose = new(16, 0);

    private readonly Dictionary<DateOnly, MarketDay> _days;
    private readonly TimeZoneInfo _zone;

    public TradingCalendar(IEnumerable<MarketDay> days, TimeZoneInfo? zone = null)
    {
        _days = days.ToDictionary(d => d.Date);
        _zone = zone ?? NewYork;
        Days = [.. _days.Values.OrderBy(d => d.Date)];
    }

    /// <summary>The exchange's time zone (with its daylight-saving rules: sessions are 13:30–20:00 UTC in summer, 14:30–21:00 in winter).</summary>
    public static TimeZoneInfo NewYork { get; } = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    /// <summary>The NYSE calendar shipped with the domain (2024–2028).</summary>
    public static TradingCalendar Nyse { get; } = LoadDefault();

    public IReadOnlyList<MarketDay> Days { get; }

    public MarketDay? DayOf(DateOnly date) => _days.GetValueOrDefault(date);

    public bool IsTradingDay(DateOnly date) =>
        date.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && _days.GetValueOrDefault(date)?.Kind != MarketDayKind.Holiday;

    /// <summary>The session of a trading day; null on a weekend or holiday.</summary>
    public TradingSession? Session(DateOnly date)
    {
        if (!IsTradingDay(date)) return null;
        var close = _days.GetValueOrDefault(date)?.Close ?? RegularClose;
        return new TradingSession(date, At(date, RegularOpen), At(date, close));
    }

    /// <summary>The exchange's date at an instant (a trade's date is New York's, not UTC's).</summary>
    public DateOnly DateAt(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, _zone).DateTime);

    public bool IsOpen(DateTimeOffset instant) => Session(DateAt(instant))?.Contains(instant) == true;

    /// <summary>The first instant at or after <paramref name="instant"/> when the market is open: the instant itself during a
    /// session, otherwise the next session's open.</summary>
    public DateTimeOffset NextOpen(DateTimeOffset instant) => IsOpen(instant) ? instant : NextSession(instant).Open;

    /// <summary>The first session that opens after <paramref name="instant"/> (today's when it has not opened yet).</summary>
    public TradingSession NextSession(DateTimeOffset instant)
    {
        for (var date = DateAt(instant); ; date = date.AddDays(1))
            if (Session(date) is { } session && session.Open > instant) return session;
    }

    /// <summary>Counts <paramref name="days"/> trading days from <paramref name="date"/> (backwards when negative): the
    /// 1st trading day after a Friday before a Monday holiday is Tuesday. Zero is the date itself.</summary>
    public DateOnly AddTradingDays(DateOnly date, int days)
    {
        var step = Math.Sign(days);
        for (var left = Math.Abs(days); left > 0; left--)
        {
            do { date = date.AddDays(step); } while (!IsTradingDay(date));
        }
        return date;
    }

    /// <summary>T+1: equities and ETFs settle on the next trading day after the trade date (SEC Rule 15c6-1 as amended,
    /// from 28 May 2024). Settlement counts trading days; the wash-sale window counts calendar days (IRC §1091(a)).</summary>
    public DateOnly SettlementDate(DateOnly tradeDate) => AddTradingDays(tradeDate, 1);

    /// <summary>Moves <paramref name="from"/> forward by <paramref name="sessionTime"/> of open market only, skipping nights,
    /// weekends and holidays: the demo's simulated clock, so the business time it shows is always within a session.
    /// From a closed instant, time starts counting at the next open.</summary>
    public DateTimeOffset AddSessionTime(DateTimeOffset from, TimeSpan sessionTime)
    {
        var at = NextOpen(from);
        while (true)
        {
            var session = Session(DateAt(at))!;
            var left = session.Close - at;
            if (sessionTime < left) return at + sessionTime;
            sessionTime -= left;
            at = NextSession(session.Close).Open;
        }
    }

    private DateTimeOffset At(DateOnly date, TimeOnly time)
    {
        var local = date.ToDateTime(time);
        return new DateTimeOffset(local, _zone.GetUtcOffset(local)).ToUniversalTime();
    }

    private static TradingCalendar LoadDefault()
    {
        using var stream = typeof(TradingCalendar).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"resource {ResourceName} is missing");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), "nyse-calendar.csv");
    }

    /// <summary>Reads the calendar CSV (docs/formats.md §16): the header, then one weekday per line, each date once. The name
    /// is the rest of the line, so it may hold commas. A bad line is refused with its line number.</summary>
    public static TradingCalendar Parse(string text, string source)
    {
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        if (lines.Length == 0 || lines[0].Trim() != Header) throw new BadInputException($"{source}: the first line must be '{Header}'");
        var days = new Dictionary<DateOnly, MarketDay>();
        for (var i = 1; i < lines.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i])) continue;
            var where = $"{source} line {i + 1}";
            var fields = lines[i].Split(',', 4);
            if (fields.Length != 4) throw new BadInputException($"{where}: expected 4 fields (date,kind,close,name)");
            if (!DateOnly.TryParseExact(fields[0].Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                throw new BadInputException($"{where}: date must be yyyy-MM-dd, not '{fields[0]}'");
            if (date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) throw new BadInputException($"{where}: {date:yyyy-MM-dd} is a weekend, never a session");
            var kind = fields[1].Trim() switch
            {
                "holiday" => MarketDayKind.Holiday,
                "early_close" => MarketDayKind.EarlyClose,
                var k => throw new BadInputException($"{where}: kind must be holiday or early_close, not '{k}'"),
            };
            TimeOnly? close = null;
            var closeText = fields[2].Trim();
            if (kind == MarketDayKind.Holiday && closeText.Length > 0) throw new BadInputException($"{where}: a holiday has no close time");
            if (kind == MarketDayKind.EarlyClose)
            {
                if (!TimeOnly.TryParseExact(closeText, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var t))
                    throw new BadInputException($"{where}: close must be HH:mm (exchange time), not '{closeText}'");
                if (t <= RegularOpen || t >= RegularClose) throw new BadInputException($"{where}: an early close must fall after 09:30 and before 16:00");
                close = t;
            }
            var name = fields[3].Trim();
            if (name.Length == 0 || name.Length > 200) throw new BadInputException($"{where}: name is required (at most 200 characters)");
            if (!days.TryAdd(date, new MarketDay(date, kind, close, name))) throw new BadInputException($"{where}: {date:yyyy-MM-dd} is listed twice");
        }
        return new TradingCalendar(days.Values);
    }
}
