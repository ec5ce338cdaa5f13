using Households.Contracts;
using Households.Domain.Firm;
using Households.Domain.Monitoring;
using Households.Tests.Support;
using Xunit;

namespace Households.Tests.Firm;

public sealed class FirmFiguresTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 10, 15, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly Day = new(2025, 1, 2);

    [Fact]
    public void Summary_adds_live_silos_and_this_years_household_figures()
    {
        var silos = new[]
        {
            new SiloFigures("a", Now.AddSeconds(-2), 41, 600, 1_250_000.50m, 12, 3, 30.0, 250),
            new SiloFigures("b", Now.AddSeconds(-5), 42, 400, 750_000.25m, 8, 2, 12.5, 160),
            new SiloFigures("gone", Now.AddMinutes(-5), 7, 999, 9_999_999m, 99, 99, 999, 999), // stopped reporting
        };
        var households = new[]
        {
            new HouseholdFigures("H1", 2026, 1_200.40m, 1),
            new HouseholdFigures("H2", 2026, 300.10m, 0),
            new HouseholdFigures("H3", 2025, 5_000m, 2), // last year's losses do not count; its pending proposals do
        };

        var s = FirmFigures.Combine(silos, households, Now, FirmFigures.StaleAfter);

        Assert.Equal(2, s.Silos);
        Assert.Equal(42, s.PriceSequence);
        Assert.Equal(2_000_000.75m, s.AssetsUnderManagement);
        Assert.Equal(1_000, s.AccountsMonitored);
        Assert.Equal(410, s.HouseholdsMonitored);
        Assert.Equal(20, s.AccountsOutOfTolerance);
        Assert.Equal(5, s.AccountsHarvestable);
        Assert.Equal(42.5, s.TriggersPerMinute);
        Assert.Equal(1_500.50m, s.HarvestedLossesYearToDate);
        Assert.Equal(3, s.PendingProposals);
    }

    [Fact]
    public void Harvested_losses_are_the_recognized_losses_of_the_year()
    {
        RealizedLot Row(DateOnly date, decimal gain, decimal disallowed) =>
            new(date, "A", "EQ", "L", 1, 0, 0, gain, disallowed, gain + disallowed, HoldingTerm.Short, false);
        var rows = new[]
        {
            Row(new(2026, 1, 5), -500m, 0m),    // harvested: 500
            Row(new(2026, 2, 1), -300m, 120m),  // 180 recognized, 120 washed
            Row(new(2026, 2, 3), 900m, 0m),     // a gain does not offset
            Row(new(2026, 2, 9), -200m, 200m),  // fully washed: nothing recognized
            Row(new(2025, 12, 30), -700m, 0m),  // last year
        };

        Assert.Equal(680m, FirmFigures.HarvestedLosses(rows, 2026));
        Assert.Equal(700m, FirmFigures.HarvestedLosses(rows, 2025));
    }

    [Fact]
    public void Trigger_rate_is_per_minute_over_the_last_minute()
    {
        var rate = new TriggerRate(TimeSpan.FromMinutes(1));
        Assert.Equal(0, rate.PerMinute);
        rate.Add(Now, 100);
        Assert.Equal(0, rate.PerMinute);
        rate.Add(Now.AddSeconds(30), 400);
        Assert.Equal(600, rate.PerMinute, 9);   // 300 in half a minute
        rate.Add(Now.AddSeconds(60), 700);
        Assert.Equal(600, rate.PerMinute, 9);
        rate.Add(Now.AddSeconds(90), 760);      // the first sample left the window: (760 − 400) over 1 minute
        Assert.Equal(360, rate.PerMinute, 9);
    }

    [Fact]
    public void Monitor_scan_tallies_value_drift_and_harvestable_accounts()
    {
        var index = new SecurityIndex();
        AccountSnapshot Build(string id, decimal cash, HarvestPolicy harvest, params TaxLot[] lots) =>
            AccountSnapshot.Build(id, cash, lots, SixtyFortyModel.Target, harvest, SixtyFortyModel.Find, index);
        // A: 60 EQ + 40 BD bought at 100, on target at 100/100. B: all EQ, far off target. C: EQ bought at 150, harvestable at 100.
        var a = Build("A", 0m, HarvestPolicy.Default, new TaxLot("A1", "EQ", 60, 6000, Day, Day), new TaxLot("A2", "BD", 40, 4000, Day, Day));
        var b = Build("B", 500m, HarvestPolicy.Off, new TaxLot("B1", "EQ", 10, 1000, Day, Day));
        var c = Build("C", 0m, HarvestPolicy.Default, new TaxLot("C1", "EQ", 60, 9000, Day, Day), new TaxLot("C2", "BD", 40, 4000, Day, Day));
        var prices = new double[index.Count];
        prices[index.OrdinalOf("EQ")] = 100;
        prices[index.OrdinalOf("BD")] = 100;
        var entries = new[] { new MonitorEntry<string>("A", a), new MonitorEntry<string>("B", b), new MonitorEntry<string>("C", c) };

        var counts = MonitorScan.Run<string>(entries, new PriceVector(7, Now, prices, new decimal[prices.Length]), TimeProvider.System,
            new ScanScratch(), (_, _) => { });

        Assert.Equal(3, counts.Accounts);
        Assert.Equal(10_000 + 1_500 + 10_000, counts.MarketValue, 9);
        Assert.Equal(1, counts.AccountsOutOfTolerance); // B: EQ 1,000 of 1,500 = 0.667 against 0.6 ± 0.05, BD 0 against 0.4
        Assert.Equal(1, counts.AccountsHarvestable);    // C: 60 × (150 − 100.1) = 2,994 loss, 33 % of basis
    }
}
