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

/// <summary>The kernel skips a position's lots when its price is above the position's harvest price; the flags must
/// still be exactly the lot rule's, including prices at and a hair either side of each lot's threshold.</summary>
public sealed class HarvestPriceSkipTests
{
    private static readonly DateOnly Day = new(2024, 3, 1);

    private static bool Rule(AccountSnapshot s, int lot, double price)
    {
        var basis = s.LotBasis[lot];
        var quantity = s.LotQuantities[lot];
        var loss = basis - quantity * price * (1 + s.HarvestCostRate);
        return loss > 0 && quantity > 0 && loss >= s.HarvestMinDollars && loss >= s.HarvestMinPercent * basis;
    }

    [Fact]
    public void Flags_equal_the_lot_rule_at_and_around_every_threshold()
    {
        var random = new Random(7);
        var checkedLots = 0;
        var flagged = 0;
        for (var round = 0; round < 400; round++)
        {
            var index = new SecurityIndex();
            var symbols = Enumerable.Range(0, 1 + random.Next(6)).Select(i => $"S{i}").ToArray();
            var lots = new List<TaxLot>();
            for (var i = 0; i < 1 + random.Next(12); i++)
            {
                var quantity = Math.Round((decimal)(random.NextDouble() * 500) + 0.001m, 3);
                var basis = Math.Round(quantity * (decimal)(5 + random.NextDouble() * 200), 2);
                lots.Add(new TaxLot($"A-L{i + 1}", symbols[random.Next(symbols.Length)], quantity, basis, Day, Day));
            }
            var policy = new HarvestPolicy(true, Math.Round((decimal)(random.NextDouble() * 0.1), 4), Math.Round((decimal)(random.NextDouble() * 500), 2),
                random.Next(0, 60));
            var s = AccountSnapshot.Build("A", 100m, lots, null, policy, _ => null, index);
            // Each lot's exact threshold price, nudged by ±1 ulp and ±1e-7 relative, on one position at a time.
            for (var lot = 0; lot < s.LotCount; lot++)
            {
                var allowance = Math.Max(s.HarvestMinDollars, s.HarvestMinPercent * s.LotBasis[lot]);
                var threshold = (s.LotBasis[lot] - allowance) / (s.LotQuantities[lot] * (1 + s.HarvestCostRate));
                foreach (var price in new[] { threshold, Math.BitIncrement(threshold), Math.BitDecrement(threshold), threshold * (1 + 1e-7), threshold * (1 - 1e-7) })
                {
                    if (!(price > 0)) continue;
                    var prices = Enumerable.Repeat(1e6, index.Count).ToArray(); // every other position far above any threshold
                    prices[s.Positions[s.LotPositions[lot]].Ordinal] = price;
                    var flags = new byte[s.LineCount + s.LotCount];
                    Assert.True(TriggerKernel.Evaluate(s, prices, new double[Math.Max(1, s.LineCount)], flags, out _));
                    for (var i = 0; i < s.LotCount; i++)
                    {
                        var expected = Rule(s, i, prices[s.Positions[s.LotPositions[i]].Ordinal]);
                        Assert.Equal(expected ? 1 : 0, flags[s.LineCount + i]);
                        checkedLots++;
                        if (expected) flagged++;
                    }
                }
            }
        }
        Assert.True(checkedLots > 10_000, $"{checkedLots} lot checks");
        Assert.True(flagged > 1_000, $"{flagged} flagged");
    }

    [Fact]
    public void A_position_far_above_its_lots_thresholds_is_skipped_and_one_below_is_tested()
    {
        var index = new SecurityIndex();
        // 100 sh at $50 basis; 5% / $100 and no cost: qualifies at $47.50 or below.
        var s = AccountSnapshot.Build("A", 0m, [new TaxLot("A-L1", "X", 100, 5000, Day, Day)], null, new HarvestPolicy(true, 0.05m, 100m, 0m), _ => null, index);
        Assert.Equal(47.5f, s.Positions[0].HarvestPrice, 4);
        Assert.True(s.Positions[0].HarvestPrice >= 47.5f);
        var flags = new byte[1];
        TriggerKernel.Evaluate(s, [47.5], [], flags, out _);
        Assert.Equal(1, flags[0]);
        TriggerKernel.Evaluate(s, [47.51], [], flags, out _);
        Assert.Equal(0, flags[0]);
        var off = AccountSnapshot.Build("A", 0m, [new TaxLot("A-L1", "X", 100, 5000, Day, Day)], null, HarvestPolicy.Off, _ => null, index);
        Assert.Equal(float.NegativeInfinity, off.Positions[0].HarvestPrice);
    }
}

public sealed class HarvestCrossingTests
{
    private static readonly DateOnly Day = new(2024, 3, 1);

    [Fact]
    public void One_trigger_per_position_observing_the_loss_of_all_its_harvestable_lots()
    {
        var index = new SecurityIndex();
        // EQ: 10 sh at $100 basis and 10 sh at $90 basis; BD: 10 sh at $100. 5% / $20, no cost.
        var s = AccountSnapshot.Build("A", 0m,
            [new TaxLot("A-L1", "EQ", 10, 1000, Day, Day), new TaxLot("A-L2", "BD", 10, 1000, Day, Day), new TaxLot("A-L3", "EQ", 10, 900, Day, Day)],
            null, new HarvestPolicy(true, 0.05m, 20m, 0m), _ => null, index);
        double[] At(double eq, double bd) { var p = new double[index.Count]; p[index.OrdinalOf("EQ")] = eq; p[index.OrdinalOf("BD")] = bd; return p; }
        var before = new byte[s.LineCount + s.LotCount];
        var now = new byte[before.Length];

        // At EQ $94 only the $100 lot qualifies (loss $60); at $80 both do ($200 + $100), and BD at $90 ($100).
        TriggerKernel.Evaluate(s, At(94, 100), [], before, out _);
        Assert.Equal(new byte[] { 1, 0, 0 }, before);
        TriggerKernel.Evaluate(s, At(80, 90), [], now, out _);
        var found = new List<Trigger>();
        TriggerKernel.Crossings(s, [], before, now, At(80, 90), 3, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, found);

        Assert.Equal(["EQ", "BD"], found.Select(t => t.Subject));
        Assert.Equal(300, found[0].Observed, 9);
        Assert.Equal(100, found[1].Observed, 9);
        Assert.All(found, t => Assert.Equal(TriggerKind.Harvest, t.Kind));
    }
}
