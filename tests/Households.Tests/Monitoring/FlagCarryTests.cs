using Households.Contracts;
using Households.Domain.Monitoring;
using Households.Simulation.Market;
using Xunit;

namespace Households.Tests.Monitoring;

/// <summary>An account whose grain wakes over the books the monitor already watched (the PostgreSQL warm start parks every
/// account; a notice wakes it, and it registers the snapshot it built) keeps the flags already reported: the conditions are
/// not reported a second time. Different books start clean, as a trade does.</summary>
public sealed class FlagCarryTests
{
    private static readonly DateOnly Day = new(2025, 1, 2);
    private static readonly DateTimeOffset Start = new(2026, 11, 24, 14, 0, 30, TimeSpan.Zero);

    private static readonly Dictionary<string, Security> Funds = new()
    {
        ["EQ"] = new("EQ", "EQ", "US Equity", "Diversified", null, SecurityKind.EquityFund),
        ["BD"] = new("BD", "BD", "Bond", "Diversified", null, SecurityKind.EquityFund),
    };

    private static readonly ResolvedTarget SixtyForty = new("SF", 1,
    [
        new TargetWeight(DriftLevel.Security, "EQ", 0.6m, new DriftBand(0.05m, 0m)),
        new TargetWeight(DriftLevel.Security, "BD", 0.4m, new DriftBand(0.05m, 0m)),
    ]);

    // 120 EQ and 40 BD at $100: 75 % against 25 %, both lines out of their ±5 point bands (and the asset classes, which
    // the model does not target, out of the off-model band).
    private static AccountSnapshot Books(SecurityIndex index, decimal cash) => AccountSnapshot.Build("A", cash,
        [new TaxLot("L-EQ", "EQ", 120, 12000, Day, Day), new TaxLot("L-BD", "BD", 40, 4000, Day, Day)], SixtyForty, HarvestPolicy.Off,
        Funds.GetValueOrDefault, index);

    private static List<Trigger> Scan(MonitorEntry<string> entry, PriceVector prices, TimeProvider clock)
    {
        var seen = new List<Trigger>();
        MonitorScan.Run<string>(new[] { entry }, prices, clock, new ScanScratch(), (_, t) => seen.AddRange(t));
        return seen;
    }

    [Fact]
    public void A_grain_registering_the_same_books_does_not_report_its_conditions_again()
    {
        var index = new SecurityIndex();
        var parked = new MonitorEntry<string>("A", Books(index, 0m));
        var prices = new double[index.Count];
        Array.Fill(prices, 100);
        var clock = new SteppedClock { Now = Start };
        Assert.Equal(["EQ", "BD", "US Equity", "Bond"], Scan(parked, new PriceVector(1, Start, prices, []), clock).Select(t => t.Subject));

        // The grain woke and built its snapshot from the same books: a new object, the same measures.
        var woken = new MonitorEntry<string>("A", Books(index, 0m));
        Assert.True(woken.CarryFlagsFrom(parked));
        Assert.Empty(Scan(woken, new PriceVector(2, Start, prices, []), clock));

        // Without the carry the same conditions would be reported again.
        var fresh = new MonitorEntry<string>("A", Books(index, 0m));
        Assert.Equal(4, Scan(fresh, new PriceVector(3, Start, prices, []), clock).Count);

        // Books that changed (cash came in) start clean and report what holds.
        var changed = new MonitorEntry<string>("A", Books(index, 500m));
        Assert.False(changed.CarryFlagsFrom(parked));
        Assert.Equal(4, Scan(changed, new PriceVector(4, Start, prices, []), clock).Count);
    }
}
