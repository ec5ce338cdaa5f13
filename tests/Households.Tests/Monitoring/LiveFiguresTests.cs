using System.Runtime.InteropServices;
using Households.Contracts;
using Households.Domain.Monitoring;
using Households.Grains.Silo;
using Households.Tests.Support;
using Microsoft.Extensions.Options;
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
        var live = LiveFigures.Account(Spec.Id, Spec.Type, Spec.ModelId, 1000m, s, Prices(7, index, ("EQ", 120), ("BD", 95)), openTriggers: 3);

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
            var live = LiveFigures.Account(Spec.Id, Spec.Type, Spec.ModelId, 0m, s, prices, 0);
            Assert.Equal(lines.Count(l => l.OutOfBand), live.DriftLinesOutOfBand);
            Assert.Equal(lines.Max(l => Math.Abs(l.Drift)), live.LargestDrift, 12);
        }
    }

    [Fact]
    public void A_missing_price_values_what_has_one_and_flags_nothing()
    {
        var (s, index) = Snapshot(1000m, Lots);
        var live = LiveFigures.Account(Spec.Id, Spec.Type, Spec.ModelId, 1000m, s, Prices(2, index, ("EQ", 120)), 0);

        Assert.Equal(1000m + 70 * 120m, live.MarketValue);
        Assert.Equal(0, live.DriftLinesOutOfBand);
        Assert.Equal(0, live.HarvestableLots);
        Assert.Equal(0.0, live.HarvestableLoss);
    }

    [Fact]
    public void An_account_not_yet_watched_is_its_cash()
    {
        var live = LiveFigures.Account(Spec.Id, Spec.Type, Spec.ModelId, 250.5m, null, PriceVector.Empty, 0);
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
        var live = LiveFigures.Household("H", "ADV1", accounts, pendingProposals: 2);

        Assert.Equal(15_600.25m, live.MarketValue);
        Assert.Equal(1_500.10m, live.Cash);
        Assert.Equal(7, live.PriceSequence);
        Assert.Equal(older, live.AsOf);
        Assert.Equal(2, live.PendingProposals);
        Assert.Equal(("H", "ADV1"), (live.HouseholdId, live.AdvisorId));
        Assert.Same(accounts, ImmutableCollectionsMarshal.AsArray(live.Accounts)); // wrapped, not copied
    }

    [Fact]
    public void The_board_answers_a_household_from_its_stored_header_and_its_accounts_sources_parked_or_live()
    {
        var (s, index) = Snapshot(1000m, Lots);
        var prices = Prices(7, index, ("EQ", 120), ("BD", 95));
        var board = new LiveStateBoard(Options.Create(new MonitorOptions { KeepDeactivated = true }));
        board.PublishRead(new HouseholdLiveHeader("H", "ADV1", ["A", "B"], PendingProposals: 1));
        Assert.True(board.PublishParked(new AccountLiveSource("A", AccountType.Taxable, "M", 1000m, s, 0, parked: true)));
        // Account B is not on the board yet: the board cannot answer for the household.
        Assert.Null(board.Household("H", prices));

        var b = new AccountLiveSource("B", AccountType.Roth, null, 250.5m, null, 2);
        board.Publish(b);
        var live = board.Household("H", prices)!;
        // A: 1,000 cash + 70 × 120 + 40 × 95 = 13,200 (the worked account above); B: its cash alone, 250.50.
        Assert.Equal(13_450.5m, live.MarketValue);
        Assert.Equal(1_250.5m, live.Cash);
        Assert.Equal(("H", "ADV1", 1), (live.HouseholdId, live.AdvisorId, live.PendingProposals));
        Assert.Equal(["A", "B"], live.Accounts.Select(a => a.AccountId));
        Assert.Equal([0, 2], live.Accounts.Select(a => a.OpenTriggers));
        Assert.Equal(2, live.Accounts[0].DriftLinesOutOfBand);

        // A household grain's cache uses only sources an active grain published: a parked one may be stale elsewhere.
        Assert.Null(board.Find("A"));
        Assert.Same(b, board.Find("B"));
        // B's grain deactivates: its source stays, parked (as the monitor keeps its snapshot), and a parked one never
        // replaces a live one.
        board.Withdraw(b);
        Assert.Null(board.Find("B"));
        Assert.True(board.FindAny("B") is { Parked: true, AccountId: "B" });
        Assert.Equal(13_450.5m, board.Household("H", prices)!.MarketValue);
        var woke = new AccountLiveSource("A", AccountType.Taxable, "M", 900m, s, 0);
        board.Publish(woke);
        Assert.False(board.PublishParked(new AccountLiveSource("A", AccountType.Taxable, "M", 1000m, s, 0, parked: true)));
        Assert.Same(woke, board.Find("A"));

        // A header a write committed on this silo is newer than the warm start's read of the table.
        board.Publish(new HouseholdLiveHeader("H", "ADV2", ["A", "B"], PendingProposals: 0));
        board.PublishRead(new HouseholdLiveHeader("H", "ADV1", ["A", "B"], PendingProposals: 1));
        Assert.Equal(("ADV2", 0), (board.Header("H")!.AdvisorId, board.Header("H")!.PendingProposals));
    }

    [Fact]
    public void Without_kept_deactivations_a_withdrawn_source_leaves_the_board()
    {
        var board = new LiveStateBoard();
        var a = new AccountLiveSource("A", AccountType.Taxable, null, 10m, null, 0);
        board.Publish(a);
        board.Withdraw(a);
        Assert.Null(board.FindAny("A"));
        Assert.Equal(0, board.Count);
    }
}

