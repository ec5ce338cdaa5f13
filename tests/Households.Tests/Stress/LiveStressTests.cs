using Households.Contracts;
using Households.Domain.Decisions;
using Households.Domain.Monitoring;
using Households.Simulation.Firms;
using Households.Simulation.Scenarios;
using Households.Simulation.Stress;
using Xunit;

namespace Households.Tests.Stress;

/// <summary>The firm-wide stress over live state (issue #18 goal 8): every household screened from the monitor's
/// snapshots, the triggered ones decided from their books, the most at stake first, for as long as allowed.</summary>
public sealed class LiveStressTests
{
    private static readonly Scenario Equities20 = ScenarioSet.Default["equities-20-1d"];

    /// <summary>The demo firm as a silo's monitor would hold it: each account's snapshot over the market's index.</summary>
    private static (StressMarket Market, HouseholdStressSnapshot[] Books, List<MonitoredHousehold> Watched, SecurityIndex Index) Firm(int households)
    {
        var (market, generated) = StressFirm.Demo(DemoFirm.Build(DemoFirmOptions.Default with { Households = households }), DecisionSettings.Default);
        var books = generated.ToArray();
        var index = new SecurityIndex();
        foreach (var s in market.Securities) index.OrdinalOf(s.Symbol);
        var tracking = new TrackingRisk(market.Decisions.Risk);
        var watched = books.Select(h => new MonitoredHousehold(h.Spec.Id, [.. h.Accounts.Select(a => AccountSnapshot.Build(a.Spec.Id, a.Cash,
            [.. a.Lots.Select(p => p.Lot)], a.Target, a.Spec.Harvest, market.Decisions.Find, index, market.Decisions.SubstitutesOf,
            new DirectIndexTracking(tracking, a.Spec.TrackingBand)))])).ToList();
        return (market, books, watched, index);
    }

    private static Func<IReadOnlyList<string>, CancellationToken, Task<HouseholdStressSnapshot[]>> Reader(HouseholdStressSnapshot[] books, List<string>? asked = null) =>
        (ids, _) =>
        {
            lock (books) asked?.AddRange(ids);
            return Task.FromResult(ids.Select(id => books.Single(b => b.Spec.Id == id)).ToArray());
        };

    [Fact]
    public async Task Given_the_time_every_triggered_household_decides_and_the_report_equals_the_full_run()
    {
        var (market, books, watched, index) = Firm(16);
        var options = new StressOptions { MaxParallelism = 2 };
        var full = StressEngine.Run(books, Equities20, market, options).Report.Firm;
        var asked = new List<string>();
        var live = (await StressEngine.RunLive(watched, index, Equities20, market, Reader(books, asked), TimeSpan.FromMinutes(10), options)).Report;

        Assert.True(full.Decisions > 0, "the shock triggers decisions");
        Assert.Equal(0, live.Firm.DecisionsDeferred);
        // Only the triggered households' books were read, each once.
        Assert.Equal(full.HouseholdsDecided, asked.Count);
        Assert.Equal(asked.Count, asked.Distinct().Count());
        Assert.Equal(16, live.Firm.Households);
        Assert.Equal(full.Accounts, live.Firm.Accounts);
        Assert.Equal(full.Lots, live.Firm.Lots);
        Assert.Equal(full.MarketValueBefore, live.Firm.MarketValueBefore);
        Assert.Equal(full.MarketValueAfter, live.Firm.MarketValueAfter);
        Assert.Equal(full.HarvestableLossesAfter, live.Firm.HarvestableLossesAfter);
        Assert.Equal(full.AccountsOutOfBandBefore, live.Firm.AccountsOutOfBandBefore);
        Assert.Equal(full.AccountsOutOfBandAfter, live.Firm.AccountsOutOfBandAfter);
        Assert.Equal(full.AccountsOutOfBandAfterTrades, live.Firm.AccountsOutOfBandAfterTrades);
        Assert.Equal(full.HarvestTriggers, live.Firm.HarvestTriggers);
        Assert.Equal(full.DriftTriggers, live.Firm.DriftTriggers);
        Assert.Equal(full.Decisions, live.Firm.Decisions);
        Assert.Equal(full.Fills, live.Firm.Fills);
        Assert.Equal(full.TradedValue, live.Firm.TradedValue);
        Assert.Equal(full.Turnover, live.Firm.Turnover, 12);
        Assert.Equal(full.MaxCheckpointTurnover, live.Firm.MaxCheckpointTurnover, 12);
        Assert.Equal(full.HarvestedLosses, live.Firm.HarvestedLosses);
        Assert.Equal(0, live.Firm.SelfWashedSales);
        Assert.Equal(0, live.Firm.DustFills);
    }

    [Fact]
    public async Task With_no_time_to_decide_every_triggered_household_is_deferred_and_the_books_are_the_raw_shock()
    {
        var (market, books, watched, index) = Firm(16);
        var options = new StressOptions { MaxParallelism = 2 };
        var full = StressEngine.Run(books, Equities20, market, options).Report.Firm;
        var asked = new List<string>();
        var live = (await StressEngine.RunLive(watched, index, Equities20, market, Reader(books, asked), TimeSpan.Zero, options)).Report.Firm;

        Assert.Empty(asked);
        Assert.Equal(0, live.Decisions);
        Assert.Equal(0, live.Fills);
        Assert.Equal(0m, live.TradedValue);
        // One checkpoint: each household the full run decided is one deferred decision here.
        Assert.Equal(full.Decisions, live.DecisionsDeferred);
        Assert.Equal(live.AccountsOutOfBandAfter, live.AccountsOutOfBandAfterTrades);
        Assert.Equal(full.AccountsOutOfBandAfter, live.AccountsOutOfBandAfter);
        Assert.Equal(full.HarvestTriggers, live.HarvestTriggers);
    }

    [Fact]
    public async Task Out_of_time_the_households_with_the_most_at_stake_decided_first_and_the_rest_are_deferred()
    {
        var (market, books, watched, index) = Firm(40);
        var options = new StressOptions { MaxParallelism = 1 };
        var none = (await StressEngine.RunLive(watched, index, Equities20, market, Reader(books), TimeSpan.Zero, options)).Report;
        var asked = new List<string>();
        // A tick: the first chunk (8 households a worker) decides, nothing after it.
        var live = (await StressEngine.RunLive(watched, index, Equities20, market, Reader(books, asked), TimeSpan.FromTicks(1), options)).Report.Firm;

        Assert.True(none.Firm.DecisionsDeferred > 8, $"{none.Firm.DecisionsDeferred} triggered");
        Assert.Equal(8, live.HouseholdsDecided);
        Assert.Equal(8, live.Decisions);
        Assert.Equal(none.Firm.DecisionsDeferred - 8, live.DecisionsDeferred);
        // The eight read first are the eight with the most dollars out of band or harvestable at the end.
        var stake = none.Households.Length == 40
            ? none.Households.Where(h => h.Figures.DecisionsDeferred > 0)
                .OrderByDescending(h => (double)h.Figures.HarvestableLossesAfter + (double)h.Figures.MarketValueAfter * h.MaxDriftAfter)
                .ThenBy(h => h.Household, StringComparer.Ordinal).Take(8).Select(h => h.Household).ToArray()
            : throw new InvalidOperationException("every household is listed for 40");
        Assert.Equal(stake, asked.Take(8));
    }

    [Fact]
    public async Task Snapshots_over_another_index_are_refused()
    {
        var (market, books, watched, _) = Firm(2);
        var other = new SecurityIndex();
        foreach (var s in market.Securities.Reverse()) other.OrdinalOf(s.Symbol);
        await Assert.ThrowsAsync<ArgumentException>(() => StressEngine.RunLive(watched, other, Equities20, market, Reader(books), TimeSpan.Zero));
    }
}
