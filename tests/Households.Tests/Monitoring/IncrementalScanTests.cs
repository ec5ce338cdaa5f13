using Households.Contracts;
using Households.Domain.Models;
using Households.Domain.Monitoring;
using Households.Domain.Risk;
using Households.Simulation.Firms;
using Households.Simulation.Market;
using Xunit;

namespace Households.Tests.Monitoring;

/// <summary>The incremental scan (issue #18 goal 4): an account is skipped only when <see cref="PriceSlack"/> proves its flags
/// cannot have changed, so it reports exactly what the full scan reports, batch by batch, while evaluating fewer accounts.</summary>
public sealed class IncrementalScanTests
{
    private static readonly DateOnly Day = new(2025, 1, 2);
    private static readonly DateTimeOffset Start = new(2026, 11, 24, 14, 0, 30, TimeSpan.Zero);

    private static Security Fund(string symbol, string assetClass) => new(symbol, symbol, assetClass, "Diversified", null, SecurityKind.EquityFund);

    private static readonly Dictionary<string, Security> SixtyForty = new()
    {
        ["EQ"] = Fund("EQ", "US Equity"),
        ["BD"] = Fund("BD", "Bond"),
    };

    private static readonly ResolvedTarget SixtyFortyTarget = new("SF", 1,
    [
        new TargetWeight(DriftLevel.Security, "EQ", 0.6m, new DriftBand(0.05m, 0m)),
        new TargetWeight(DriftLevel.Security, "BD", 0.4m, new DriftBand(0.05m, 0m)),
        new TargetWeight(DriftLevel.AssetClass, "US Equity", 0.6m, new DriftBand(0.05m, 0m)),
        new TargetWeight(DriftLevel.AssetClass, "Bond", 0.4m, new DriftBand(0.05m, 0m)),
    ]);

    private static (AccountSnapshot Snapshot, double[] Prices, int Eq, int Bd) SixtyFortyAccount(HarvestPolicy harvest, params TaxLot[] extra)
    {
        var index = new SecurityIndex();
        TaxLot[] lots = [new("L-EQ", "EQ", 60, 6000, Day, Day), new("L-BD", "BD", 40, 4000, Day, Day), .. extra];
        var s = AccountSnapshot.Build("A", 0m, lots, SixtyFortyTarget, harvest, SixtyForty.GetValueOrDefault, index);
        var prices = new double[index.Count];
        prices[index.OrdinalOf("EQ")] = 100;
        prices[index.OrdinalOf("BD")] = 100;
        return (s, prices, index.OrdinalOf("EQ"), index.OrdinalOf("BD"));
    }

    private static (double[] Weights, byte[] Flags, double Value) Evaluate(AccountSnapshot s, double[] prices)
    {
        var weights = new double[s.LineCount];
        var flags = new byte[s.LineCount + s.LotCount];
        Assert.True(TriggerKernel.Evaluate(s, prices, weights, flags, out var value));
        return (weights, flags, value);
    }

    [Fact]
    public void A_sixty_forty_account_in_band_may_move_a_tenth_before_a_line_can_leave_its_band()
    {
        // EQ $6,000 and BD $4,000, bands ±5 points. The binding case is equities falling while bonds rise: EQ's weight reaches
        // 55 % when 6,000(1 − ε) / (6,000(1 − ε) + 4,000(1 + ε)) = 0.55, i.e. ε = (6,000·0.45 − 0.55·4,000) / (6,000·0.45 +
        // 0.55·4,000) = 500 / 4,900 (and BD reaches 45 % at the same ε). The slack keeps a thousandth back.
        var (s, prices, eq, bd) = SixtyFortyAccount(HarvestPolicy.Off);
        var (weights, flags, value) = Evaluate(s, prices);
        Assert.Equal(10_000, value, 9);
        var (slack, tight) = PriceSlack.Of(s, prices, weights, flags, value);
        Assert.Equal(500.0 / 4_900 * 0.999, slack, 12);
        Assert.Null(tight);

        // Just inside: EQ down and BD up by the slack, the flags are those at the reference and the market's reach is covered.
        var inside = (double[])prices.Clone();
        inside[eq] = 100 * (1 - slack * 0.999999);
        inside[bd] = 100 * (1 + slack * 0.999999);
        Assert.True(PriceSlack.Reach(prices, inside) <= slack);
        Assert.Equal(flags, Evaluate(s, inside).Flags);

        // Just past the exact bound (10.3 %): EQ is out of band, and the reach is past the slack.
        var outside = (double[])prices.Clone();
        outside[eq] = 100 * (1 - 0.103);
        outside[bd] = 100 * (1 + 0.103);
        Assert.Equal(0.103, PriceSlack.Reach(prices, outside), 12);
        Assert.True(PriceSlack.Reach(prices, outside) > slack);
        Assert.NotEqual(flags, Evaluate(s, outside).Flags);
    }

    [Fact]
    public void A_position_whose_lots_sit_near_their_thresholds_is_checked_by_its_own_band_of_prices()
    {
        // Harvest at 5 % with no dollar floor and no cost: a second EQ lot of 60 shares at $110 ($6,600) is harvestable at or
        // below (6,600 − 330) / 60 = $104.50, the first ($6,000) at or below $95.00. At $100 EQ's lots keep their flags
        // between $95.00 and $104.50, BD's ($4,000 for 40) stay down above $95.00: both are tighter than the lines' tenth,
        // so they are kept as bands and checked one by one, and the uniform slack stays the lines'.
        var (s, prices, eq, bd) = SixtyFortyAccount(new HarvestPolicy(true, 0.05m, 0m, 0m), new TaxLot("L-EQ2", "EQ", 60, 6600, Day, Day));
        var (weights, flags, value) = Evaluate(s, prices);
        Assert.Equal(1, flags[s.LineCount + 2]);
        Assert.Equal(0, flags[s.LineCount]);
        var (slack, tight) = PriceSlack.Of(s, prices, weights, flags, value);
        // 120 EQ shares against 40 BD: 75 % against 25 %, out of band; the lines stay out while ε ≤ 1,600 / 6,800.
        Assert.Equal(1_600.0 / 6_800 * 0.999, slack, 12);
        Assert.NotNull(tight);
        Assert.Equal(2, tight.Length);
        Assert.Equal(eq, tight[0].Ordinal);
        Assert.Equal(95.0, tight[0].Above, 6);
        Assert.Equal(104.5, tight[0].AtMost, 6);
        Assert.Equal(bd, tight[1].Ordinal);
        Assert.Equal(95.0, tight[1].Above, 4);
        Assert.Equal(double.PositiveInfinity, tight[1].AtMost);
        // Worked out again into the account's own array of two bands: the same array, the same bands; one of another size is
        // not used.
        var kept = new PriceBand[2];
        var again = PriceSlack.Of(s, prices, weights, flags, value, kept);
        Assert.Same(kept, again.Tight);
        Assert.Equal(tight, kept);
        Assert.Equal(slack, again.Uniform);
        var other = new PriceBand[3];
        Assert.NotSame(other, PriceSlack.Of(s, prices, weights, flags, value, other).Tight);

        // EQ up to $104.60 is well within the uniform slack, but out of its band: the second lot is no longer harvestable.
        var risen = (double[])prices.Clone();
        risen[eq] = 104.6;
        Assert.True(PriceSlack.Reach(prices, risen) <= slack);
        Assert.False(PriceSlack.Inside(tight, risen));
        Assert.Equal(0, Evaluate(s, risen).Flags[s.LineCount + 2]);
        // BD at $95.00 reaches its lot's harvest price: out of its band, and the lot is up.
        var fallen = (double[])prices.Clone();
        fallen[bd] = 95.0;
        Assert.False(PriceSlack.Inside(tight, fallen));
        Assert.Equal(1, Evaluate(s, fallen).Flags[s.LineCount + 1]);
        // Both inside their bands: nothing changed.
        var calm = (double[])prices.Clone();
        calm[eq] = 104.4;
        calm[bd] = 95.1;
        Assert.True(PriceSlack.Inside(tight, calm));
        Assert.Equal(flags, Evaluate(s, calm).Flags);
    }

    [Fact]
    public void Beyond_four_tight_positions_the_fifth_tightest_bounds_the_uniform_slack()
    {
        // Six funds of $1,000 each (10 shares at $100), no model; harvest at 5 %: a fund bought at $100 + d is harvestable at
        // (100 + d) × 0.95, so at $100 its room is 5 % − 0.95·d %. Rooms: 1 %, 2 %, 3 %, 4 %, 4.5 %, 5 % (d = 4.2105…, …).
        var index = new SecurityIndex();
        double[] rooms = [0.01, 0.02, 0.03, 0.04, 0.045, 0.05];
        var lots = rooms.Select((r, i) => new TaxLot($"L{i}", $"F{i}", 10, (decimal)Math.Round((1 - r) * 100 / 0.95 * 10, 6), Day, Day)).ToArray();
        var s = AccountSnapshot.Build("A", 0m, lots, null, new HarvestPolicy(true, 0.05m, 0m, 0m), _ => null, index);
        var prices = new double[index.Count];
        Array.Fill(prices, 100);
        var (weights, flags, value) = Evaluate(s, prices);
        var (slack, tight) = PriceSlack.Of(s, prices, weights, flags, value);
        Assert.Equal(PriceSlack.TightBands, tight!.Length);
        Assert.Equal([index.OrdinalOf("F0"), index.OrdinalOf("F1"), index.OrdinalOf("F2"), index.OrdinalOf("F3")], tight.Select(b => b.Ordinal));
        Assert.Equal(0.045 * 0.999, slack, 5);
    }

    [Fact]
    public void An_account_with_negative_cash_or_a_line_on_its_threshold_is_evaluated_every_batch()
    {
        var index = new SecurityIndex();
        var overdrawn = AccountSnapshot.Build("A", -10m, [new TaxLot("L-EQ", "EQ", 60, 6000, Day, Day), new TaxLot("L-BD", "BD", 40, 4000, Day, Day)],
            SixtyFortyTarget, HarvestPolicy.Off, SixtyForty.GetValueOrDefault, index);
        var prices = new double[index.Count];
        Array.Fill(prices, 100);
        var e = Evaluate(overdrawn, prices);
        Assert.Equal(0, PriceSlack.Of(overdrawn, prices, e.Weights, e.Flags, e.Value).Uniform);

        // EQ at exactly 65 % (65 × $100 of $10,000): on its band's edge.
        var edge = AccountSnapshot.Build("B", 0m, [new TaxLot("L-EQ", "EQ", 65, 6500, Day, Day), new TaxLot("L-BD", "BD", 35, 3500, Day, Day)],
            SixtyFortyTarget, HarvestPolicy.Off, SixtyForty.GetValueOrDefault, index);
        var f = Evaluate(edge, prices);
        Assert.Equal(0, PriceSlack.Of(edge, prices, f.Weights, f.Flags, f.Value).Uniform);
    }

    [Fact]
    public void After_a_market_move_past_most_slacks_ten_scans_run_full_then_one_learns_the_slacks_again()
    {
        var (s, prices, _, _) = SixtyFortyAccount(HarvestPolicy.Off);
        var entries = new[] { new MonitorEntry<int>(0, s) };
        var scan = new IncrementalScan();
        var clock = new SteppedClock { Now = Start };
        bool Worthwhile(long sequence, double[] values) =>
            MonitorScan.IncrementalWorthwhile<int>(entries, new PriceVector(sequence, Start, values, []), clock, scan, FlagHold.None);
        // Never evaluated: the incremental scan runs and learns the slack (about 10 %).
        Assert.True(Worthwhile(1, prices));
        MonitorScan.Run<int>(entries, new PriceVector(1, Start, prices, []), clock, new ScanScratch(), (_, _) => { }, incremental: scan);
        Assert.True(Worthwhile(2, prices));
        // Everything 12 % lower: past the slack, the full scan (which learns nothing); nine more full scans, then one learns.
        var shocked = prices.Select(p => p * 0.88).ToArray();
        Assert.False(Worthwhile(3, shocked));
        MonitorScan.Run<int>(entries, new PriceVector(3, Start, shocked, []), clock, new ScanScratch(), (_, _) => { });
        var chosen = Enumerable.Range(4, 10).Select(k => Worthwhile(k, shocked)).ToArray();
        Assert.Equal([false, false, false, false, false, false, false, false, false, true], chosen);
    }

    public static TheoryData<double, double, int> Markets => new()
    {
        // step in trading days, the share of evaluations the incremental scan may use at most, seed
        { 0.0005, 0.10, 11 },  // about 12 seconds of a trading day a batch: most accounts are skipped
        { 0.05, 0.65, 12 },    // the load test's fast market, 20 minutes a batch: fewer skips, still exact
    };

    [Theory]
    [MemberData(nameof(Markets))]
    public void The_incremental_scan_reports_exactly_what_the_full_scan_reports(double stepDays, double maxShare, int seed)
    {
        var firm = SyntheticFirm.Build(1_200, seed);
        var securities = firm.Universe.Securities.ToDictionary(s => s.Symbol, StringComparer.Ordinal);
        var models = firm.Models.ToDictionary(m => m.Id, StringComparer.Ordinal);
        var targets = new Dictionary<string, ResolvedTarget>(StringComparer.Ordinal);
        ResolvedTarget TargetOf(string id) => targets.TryGetValue(id, out var t) ? t
            : targets[id] = ModelResolver.Resolve(id, 1, models.GetValueOrDefault, securities.GetValueOrDefault);
        var tracking = new DirectIndexTracking(new TrackingRisk(new SecurityRiskModels(firm.Universe)), 0.02m);
        var index = new SecurityIndex();
        for (var i = 0; i < firm.Universe.Count; i++) index.OrdinalOf(firm.Universe[i].Symbol);
        var accounts = firm.Households().SelectMany(h => h.Accounts).ToList();
        AccountSnapshot Build(int i, decimal extraCash)
        {
            var a = accounts[i];
            var target = a.Spec.ModelId is { } m ? TargetOf(m) : null;
            return AccountSnapshot.Build(a.Spec.Id, a.Cash + extraCash, a.Lots, target, a.Spec.Harvest, securities.GetValueOrDefault, index,
                tracking: target is { DirectIndexing: true } ? tracking : null);
        }
        var snapshots = Enumerable.Range(0, accounts.Count).Select(i => Build(i, 0m)).ToArray();
        Assert.Contains(snapshots, s => s.TrackingLine >= 0);
        Assert.Contains(snapshots, s => s.HarvestEnabled);
        var full = snapshots.Select((s, i) => new MonitorEntry<int>(i, s)).ToArray();
        var incremental = snapshots.Select((s, i) => new MonitorEntry<int>(i, s)).ToArray();

        var simulator = new MarketSimulator(firm.Universe, seed, MarketSimulatorOptions.Default with { StepDays = stepDays, FatTails = true });
        var clock = new SteppedClock { Now = Start };
        var hold = FlagHold.After(TimeSpan.FromMinutes(30));
        var reminder = TimeSpan.FromMinutes(45);
        var scratch = new ScanScratch();
        var scan = new IncrementalScan();
        var random = new Random(seed);
        long fullEvaluations = 0, incrementalEvaluations = 0, triggers = 0;
        for (var batch = 1; batch <= 240; batch++)
        {
            simulator.Step();
            // A 12 % fall of everything at batch 120, held from then on: the shock every account must see.
            var shock = batch >= 120 ? 0.88 : 1.0;
            var values = new double[index.Count];
            for (var i = 0; i < firm.Universe.Count; i++) values[index.OrdinalOf(firm.Universe[i].Symbol)] = simulator.Prices[i] * shock;
            var prices = new PriceVector(batch, clock.Now, values, []);
            if (batch % 40 == 0)
                for (var n = 0; n < 30; n++)
                {
                    // Some accounts trade (their books change: a new snapshot); both scans see the same new snapshot.
                    var k = random.Next(accounts.Count);
                    var changed = Build(k, random.Next(1, 5_000));
                    full[k].Update(changed);
                    incremental[k].Update(changed);
                }
            // Whether the incremental scan pays: at the first batch it learns; not at the shock (everything moved 12 %); in the
            // live-speed market it does once the accounts are known.
            var worthwhile = MonitorScan.IncrementalWorthwhile<int>(incremental, prices, clock, scan, hold);
            if (batch is 1) Assert.True(worthwhile, "the first batch learns the slacks");
            if (batch is 120) Assert.False(worthwhile, "the shock moved every account past its slack");
            if (stepDays < 0.001 && batch is 60 or 200) Assert.True(worthwhile, $"batch {batch}");
            var seenFull = new List<Trigger>();
            var seenIncremental = new List<Trigger>();
            var a = MonitorScan.Run<int>(full, prices, clock, scratch, (_, t) => seenFull.AddRange(t), hold, reminder);
            var b = MonitorScan.Run<int>(incremental, prices, clock, scratch, (_, t) => seenIncremental.AddRange(t), hold, reminder, scan);
            Assert.Equal(seenFull, seenIncremental);
            Assert.Equal((a.Accounts, a.AccountsTriggered, a.Triggers, a.AccountsOutOfTolerance, a.AccountsHarvestable),
                (b.Accounts, b.AccountsTriggered, b.Triggers, b.AccountsOutOfTolerance, b.AccountsHarvestable));
            Assert.Equal(a.MarketValue, scan.MarketValue(prices), a.MarketValue * 1e-12);
            Assert.Equal(accounts.Count, a.AccountsEvaluated);
            fullEvaluations += a.AccountsEvaluated;
            incrementalEvaluations += b.AccountsEvaluated;
            triggers += seenFull.Count;
            clock.Now = clock.Now.AddSeconds(20);
        }
        Assert.True(triggers > 100, $"{triggers} triggers: the run must exercise crossings");
        Assert.True(incrementalEvaluations < fullEvaluations, $"{incrementalEvaluations} of {fullEvaluations}");
        Assert.True(incrementalEvaluations <= maxShare * fullEvaluations, $"{incrementalEvaluations} of {fullEvaluations} evaluations");
    }
}
