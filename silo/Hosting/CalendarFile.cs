using Households.Domain;
using Households.Domain.Calendar;

namespace Households.Silo.Hosting;

/// <summary>A firm's calendar file (<c>Market:Calendar</c>, docs/formats.md §16), read at start and checked like the
/// embedded one (the domain parses, the host reads the file).</summary>
public static class CalendarFile
{
    public static TradingCalendar Load(string path)
    {
        var name = Path.GetFileName(path);
        return TradingCalendar.Parse(TextFile.Decode(File.ReadAllBytes(path), name, TradingCalendar.MaxFileBytes), name);
    }
}
