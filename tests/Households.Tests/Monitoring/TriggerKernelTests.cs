using Households.Contracts;
using Households.Domain.Monitoring;
using Xunit;

namespace Households.Tests.Monitoring;

public sealed class TriggerKernelTests
{
    private static readonly DateOnly Day = new(2025, 1, 2);

    private static (AccountSnapshot Snapshot, SecurityIndex Index) Snapshot(decimal cash, HarvestPolicy harvest, params TaxLot[] lots)
    {
        var index = new SecurityIndex();
        var securities = new Dictionary<string, Security>
        {
            ["EQ"] = new("EQ", "Equity fund", "US Equity", "Diversified", null, SecurityKind.EquityFund),
            ["BD"] = new("BD", "Bond fund", "US Bonds", "Diversified", null, SecurityKind.BondFund),
        };
        var target = new ResolvedTarget("M", 1,
        [
            new TargetWeight(DriftLevel.Security, "EQ", 0.6m, new DriftBand(0.05m, 0.25m)),
            new TargetWeight(DriftLevel.Security, "BD", 0.4m, new DriftBand(0.05m, 0.25m)),
            new TargetWeight(DriftLevel.AssetClass, "US Equity", 0.6m, DriftBand.Default),
            new TargetWeight(DriftLevel.AssetClass, "US Bonds", 0.4m, DriftBand.Default),
        ]);
        return (AccountSnapshot.Build("A", cash, lots, target, harvest, securities.GetValueOrDefault, index), index);
    }

    private static double[] Prices(SecurityIndex index, params (string Symbol, double Price)[] quotes)
    {
        var prices = new double[index.Count];
        foreach (var (symbol, price) in quotes) prices[index.OrdinalOf(symbol)] = price;
        return prices;
    }

    [Fact]
    public void Tolerance_is_the_tighter_of_the_absolute_and_relative_bands()
    {
        Assert.Equal(0.05, DriftTolerance.Of(0.6, new DriftBand(0.05m, 0.25m)), 15);
        Assert.Equal(0.025, DriftTolerance.Of(0.1, new DriftBand(0.05m, 0.25m)), 15);
        Assert.Equal(0.03, DriftTolerance.Of(0.1, new DriftBand(0m, 0.3m)), 15);
        Assert.Equal(0.0, DriftTolerance.Of(0.0, new DriftBand(0m, 0.3m)), 15);
    }

    [Fact]
    public void Weights_and_flags_follow_prices()
    {
        var (s, index) = Snapshot(0m, HarvestPolicy.Off, new TaxLot("L1", "EQ", 60, 6000, Day, Day), new TaxLot("L2", "BD", 40, 4000, Day, Day));
        var weights = new double[s.LineCount];
        var flags = new byte[s.LineCount + s.LotCount];

        Assert.True(TriggerKernel.Evaluate(s, Prices(index, ("EQ", 100), ("BD", 100)), weights, flags, out var mv));
        Assert.Equal(10_000, mv, 9);
        Assert.All(flags, f => Assert.Equal(0, f));

        // EQ 60×130 = 7800 of 11800 = 0.66102: drift 0.061 > 0.05 on EQ, BD and both asset classes.
        Assert.True(TriggerKernel.Evaluate(s, Prices(index, ("EQ", 130), ("BD", 100)), weights, flags, out mv));
        var lines = TriggerKernel.DriftLines(s, Prices(index, ("EQ", 130), ("BD", 100)));
        var eq = Assert.Single(lines, l => l.Level == DriftLevel.Security && l.Key == "EQ");
        Assert.Equal(7800.0 / 11800.0, eq.Weight, 12);
        Assert.True(eq.OutOfBand);
        Assert.Equal(4, lines.Count(l => l.OutOfBand));
    }

    [Fact]
    public void A_models_cash_security_sleeve_is_filled_by_the_accounts_cash()
    {
        var index = new SecurityIndex();
        var securities = new Dictionary<string, Security>
        {
            ["EQ"] = new("EQ", "Equity fund", "US Equity", "Diversified", null, SecurityKind.EquityFund),
            ["CASHX"] = new("CASHX", "Cash", "Cash", "Cash", null, SecurityKind.Cash),
        };
        var target = new ResolvedTarget("M", 1,
        [
            new TargetWeight(DriftLevel.Security, "EQ", 0.95m, new DriftBand(0.05m, 0)),
            new TargetWeight(DriftLevel.Security, "CASHX", 0.05m, new DriftBand(0.02m, 0)),
        ]);
        var s = AccountSnapshot.Build("A", 500m, [new TaxLot("L1", "EQ", 95, 9500, Day, Day)], target, HarvestPolicy.Off, securities.GetValueOrDefault, index);

        var lines = TriggerKernel.DriftLines(s, Prices(index, ("EQ", 100), ("CASHX", 1)));

        var cash = Assert.Single(lines, l => l.Key == "CASHX");
        Assert.Equal(0.05, cash.Weight, 12);
        Assert.False(cash.OutOfBand);
    }

    [Fact]
    public void Missing_price_for_a_held_security_skips_the_account()
    {
        var (s, index) = Snapshot(0m, HarvestPolicy.Off, new TaxLot("L1", "EQ", 60, 6000, Day, Day), new TaxLot("L2", "BD", 40, 4000, Day, Day));
        var prices = Prices(index, ("EQ", 100));
        prices[index.OrdinalOf("BD")] = double.NaN;
        Assert.False(TriggerKernel.Evaluate(s, prices, new double[s.LineCount], new byte[s.LineCount + s.LotCount], out _));
    }

    [Fact]
    public void Harvest_flag_needs_both_the_percent_and_the_dollar_loss()
    {
        // Lot basis $100/share × 60. Policy: 5% and $250, costs left out here.
        var (s, index) = Snapshot(1000m, new HarvestPolicy(true, 0.05m, 250m, 0m),
            new TaxLot("L1", "EQ", 60, 6000, Day, Day), new TaxLot("L2", "BD", 40, 4000, Day, Day));
        var weights = new double[s.LineCount];
        var flags = new byte[s.LineCount + s.LotCount];
        var lotFlag = s.LineCount; // L1 is the first lot

        TriggerKernel.Evaluate(s, Prices(index, ("EQ", 96), ("BD", 100)), weights, flags, out _); // 4%, $240
        Assert.Equal(0, flags[lotFlag]);
        TriggerKernel.Evaluate(s, Prices(index, ("EQ", 95.5), ("BD", 100)), weights, flags, out _); // 4.5%, $270
        Assert.Equal(0, flags[lotFlag]);
        TriggerKernel.Evaluate(s, Prices(index, ("EQ", 95), ("BD", 100)), weights, flags, out _); // 5%, $300
        Assert.Equal(1, flags[lotFlag]);
        Assert.Equal(0, flags[lotFlag + 1]);
    }

    [Fact]
    public void Harvest_loss_is_net_of_the_estimated_round_trip_cost()
    {
        // 50 bps round trip: at $94.50 the loss is 5.50 − 0.4725 = 5.0275 a share (5.03%, $301.65): qualifies;
        // at $95.20 it is 4.80 − 0.476 = 4.324 (4.3%): does not, though the gross loss is 4.8%.
        var (s, index) = Snapshot(1000m, new HarvestPolicy(true, 0.05m, 250m, 50m),
            new TaxLot("L1", "EQ", 60, 6000, Day, Day), new TaxLot("L2", "BD", 40, 4000, Day, Day));
        var weights = new double[s.LineCount];
        var flags = new byte[s.LineCount + s.LotCount];
        TriggerKernel.Evaluate(s, Prices(index, ("EQ", 95.2), ("BD", 100)), weights, flags, out _);
        Assert.Equal(0, flags[s.LineCount]);
        var before = new byte[flags.Length];
        TriggerKernel.Evaluate(s, Prices(index, ("EQ", 94.5), ("BD", 100)), weights, flags, out _);
        Assert.Equal(1, flags[s.LineCount]);
        var found = new List<Trigger>();
        TriggerKernel.Crossings(s, weights, before, flags, Prices(index, ("EQ", 94.5), ("BD", 100)), 7, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, found);
        var harvest = Assert.Single(found, t => t.Kind == TriggerKind.Harvest);
        Assert.Equal("EQ", harvest.Subject);
        Assert.Equal(60 * (100 - 94.5 * 1.005), harvest.Observed, 9);
    }

    [Fact]
    public void Scan_reports_only_crossings()
    {
        var (s, index) = Snapshot(0m, HarvestPolicy.Off, new TaxLot("L1", "EQ", 60, 6000, Day, Day), new TaxLot("L2", "BD", 40, 4000, Day, Day));
        var entries = new[] { new MonitorEntry<string>("A", s) };
        var seen = new List<Trigger>();
        PriceVector Vector(long seq, double eq) => new(seq, DateTimeOffset.UnixEpoch, Prices(index, ("EQ", eq), ("BD", 100)), []);

        var calm = MonitorScan.Run<string>(entries, Vector(1, 100), TimeProvider.System, new ScanScratch(), (_, t) => seen.AddRange(t));
        var moved = MonitorScan.Run<string>(entries, Vector(2, 130), TimeProvider.System, new ScanScratch(), (_, t) => seen.AddRange(t));
        var still = MonitorScan.Run<string>(entries, Vector(3, 131), TimeProvider.System, new ScanScratch(), (_, t) => seen.AddRange(t));

        Assert.Equal(0, calm.Triggers);
        Assert.Equal(4, moved.Triggers);
        Assert.Equal(1, moved.AccountsTriggered);
        Assert.Equal(0, still.Triggers);
        Assert.Equal(2, calm.Positions);
        Assert.All(seen, t => Assert.Equal(2, t.BatchSequence));
    }
}
