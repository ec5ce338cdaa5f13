using Households.Simulation.Market;
using Households.Domain.Calendar;
using Households.Domain.Market;
using Xunit;

namespace Households.Tests.Calendar;

/// <summary>The demo's paced clock shows session time only: it starts at the next open and goes from a close straight to the
/// next trading session's open.</summary>
public class SessionClockTests
{
    [Fact]
    public void Started_on_a_Saturday_it_reads_Mondays_open_and_skips_the_night_after_the_close()
    {
        var real = new SteppedClock { Now = new DateTimeOffset(2026, 12, 5, 17, 0, 0, TimeSpan.Zero) }; // Saturday
        var clock = new SessionClock(real, 60, TradingCalendar.Nyse); // a business minute a real second

        Assert.Equal(new DateTimeOffset(2026, 12, 7, 14, 30, 0, TimeSpan.Zero), clock.GetUtcNow()); // Monday 09:30 EST
        real.Now += TimeSpan.FromSeconds(390);                                                     // 6.5 business hours
        Assert.Equal(new DateTimeOffset(2026, 12, 8, 14, 30, 0, TimeSpan.Zero), clock.GetUtcNow()); // Tuesday's open, not Monday 21:00
        real.Now += TimeSpan.FromSeconds(30);
        Assert.Equal(new DateTimeOffset(2026, 12, 8, 15, 0, 0, TimeSpan.Zero), clock.GetUtcNow());
        // Five sessions on, across Christmas: the early close of the 24th, then Monday the 28th.
        real.Now = new DateTimeOffset(2026, 12, 5, 17, 0, 0, TimeSpan.Zero) + TimeSpan.FromMinutes(13 * 6.5 + 3.5 + 0.5);
        Assert.Equal(new DateTimeOffset(2026, 12, 28, 15, 0, 0, TimeSpan.Zero), clock.GetUtcNow());
    }
}
