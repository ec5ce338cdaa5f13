using System.Runtime.InteropServices;
using Households.Contracts;
using Households.Domain.Monitoring;
using Households.Tests.Support;
using Xunit;

namespace Households.Tests.Monitoring;

public sealed class LiveFiguresTests
{
    private static readonly DateOnly Day = new(2025, 1, 2);
    private static readonly DateTimeOffset Published = new(2026, 11, 24, 15, 0, 0, TimeSpan.Zero);

    private static readonly AccountSpec Spec = new("A", "H", "A", AccountType.Taxable, true, "M", [], false, LotRelief.Hifo, HarvestPolicy.Default);

    private static (AccountSnapshot Snapshot, SecurityIndex Index) Snapshot(decimal cash, params TaxLot[] lots)
    {
        var index = new SecurityIndex();
        return (AccountSnapshot.Build("A", cash, lots, SixtyFortyModel.Target, HarvestPolicy.Default, SixtyFortyModel.Find, index), index);
    }

    private static PriceVector Prices(long sequence, SecurityIndex index, params (string Symbol, double Price)[] quotes)
    {
        var values = new double[index.Count];
        Array.Fill(values, double.NaN);
        var exact = new decimal[index.Count];
        foreach (var (symbol, price) in quotes)
        {
            values[index.OrdinalOf(symbol)] = price;
            exact[index.OrdinalOf(symbol)] = (decimal)price;
        }
        return new PriceVector(sequence, Published, values, exact);
    }

    private static readonly TaxLot[] Lots =
    [
        new("L1", "EQ", 60, 6000, Day, Day),
        new("L2", "BD", 40, 4000, Day, Day),
        new("L3", "EQ", 10, 1500, Day, Day),
    ];

    [Fact]
    public void Account_figures_are_the_monitors_drift_bands_and_harvest_test_at_the_batch()
    {
        var (s, index) = Snapshot(1000m, Lots);
        var live = LiveFigures.Account(Spec, 1000m, s, Prices(7, index, ("EQ", 120), ("BD", 95)), openTriggers: 3);

        // 1,000 cash + 70 × 120 + 40 × 95 = 13,200.
        Assert.Equal(13_200m, live.MarketValue);
        Assert.Equal(1000m, live.Cash);
        // EQ 8,400 / 13,200 = 0.6364 (+0.036, inside the 0.05 band); BD 3,800 / 13,200 = 0.2879 (−0.1121, outside), and
        // the same for the asset classes: two lines out of band, the largest drift 0.4 − 3,800 / 13,200.
        Assert.Equal(2, live.DriftLinesOutOfBand);
        Assert.Equal(0.4 - 3800.0 / 13200.0, live.LargestDrift, 12);
        // L3: 1,500 − 10 × 120 × 1.001 = 298.80 net of the 10 bps round trip, above 250 and 5 % of basis: harvestable.
        // L2: 4,000 − 40 × 95 × 1.001 = 196.20, under the 250 minimum. L1 is at a gain.
        Assert.Equal(1, live.HarvestableLots);
        Assert.Equal(298.8, live.HarvestableLoss, 9);
        Assert.Equal(3, live.OpenTriggers);
        Assert.Equal(7, live.PriceSequence);
        Assert.Equal(Published, live.AsOf);
        Assert.Equal(("A", AccountType.Taxable, "M"), (live.AccountId, live.Type, live.ModelId));
    }

    [Fact]
    public void Counts_equal_the_drift_lines_the_view_flags()
    {
        var (s, index) = Snapshot(0m, Lots);
        foreach (var (eq, bd) in new[] { (100.0, 100.0), (130.0, 100.0), (80.0, 120.0), (101.0, 99.0) })
        {
            var prices = Prices(1, index, ("EQ", eq), ("BD", bd));
            var lines = TriggerKernel.DriftLines(s, prices.Values);
            var live = LiveFigures.Account(Spec, 0m, s, prices, 0);
            Assert.Equal(lines.Count(l => l.OutOfBand), live.DriftLinesOutOfBand);
            Assert.Equal(lines.Max(l => Math.Abs(l.Drift)), live.LargestDrift, 12);
        }
    }

    [Fact]
    public void A_missing_price_values_what_has_one_and_flags_nothing()
    {
        var (s, index) = Snapshot(1000m, Lots);
        var live = LiveFigures.Account(Spec, 1000m, s, Prices(2, index, ("EQ", 120)), 0);

        Assert.Equal(1000m + 70 * 120m, live.MarketValue);
        Assert.Equal(0, live.DriftLinesOutOfBand);
        Assert.Equal(0, live.HarvestableLots);
        Assert.Equal(0.0, live.HarvestableLoss);
    }

    [Fact]
    public void An_account_not_yet_watched_is_its_cash()
    {
        var live = LiveFigures.Account(Spec, 250.5m, null, PriceVector.Empty, 0);
        Assert.Equal(250.5m, live.MarketValue);
        Assert.Equal(0, live.PriceSequence);
    }

    [Fact]
    public void Household_totals_are_valued_at_the_oldest_batch_of_its_accounts()
    {
        var older = new DateTimeOffset(2026, 11, 24, 14, 59, 59, TimeSpan.Zero);
        AccountLiveState[] accounts =
        [
            new("A1", AccountType.Taxable, "M", 13_200.25m, 1000m, 2, 0.11, 1, 298.8, 3, 8, Published),
            new("A2", AccountType.Ira, null, 2_400m, 500.10m, 0, 0, 0, 0, 0, 7, older),
        ];
        var live = LiveFigures.Household(new HouseholdSpec("H", "Family", "ADV1", ["A1", "A2"]), accounts, pendingProposals: 2);

        Assert.Equal(15_600.25m, live.MarketValue);
        Assert.Equal(1_500.10m, live.Cash);
        Assert.Equal(7, live.PriceSequence);
        Assert.Equal(older, live.AsOf);
        Assert.Equal(2, live.PendingProposals);
        Assert.Equal(("H", "ADV1"), (live.HouseholdId, live.AdvisorId));
        Assert.Same(accounts, ImmutableCollectionsMarshal.AsArray(live.Accounts)); // wrapped, not copied
    }
}
