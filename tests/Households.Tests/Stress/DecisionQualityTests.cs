using Households.Simulation.Firms;
using Households.Domain.Decisions;
using Households.Domain.Market;
using Households.Simulation.Scenarios;
using Households.Simulation.Stress;
using Xunit;
using Xunit.Abstractions;

namespace Households.Tests.Stress;

/// <summary>The long run: the demo firm decided by the one engine through whole market episodes (a 23-day crash with daily
/// checkpoints; a 357-day crisis with one every 21 trading days), every fill the engine's own. The run counts what a
/// compliance officer would flag: sales washed by the engine's own purchases, purchases made while a taxable lot of the
/// same security was at a loss or just above its basis (the purchases that block harvests), dust orders, decisions
/// without a plan, and withdrawals left unpaid. All must be zero. Harvests deferred by a purchase made when no lot was
/// near a loss (the market fell afterwards), turnover and the share of accounts out of band are reported, not asserted:
/// they are the open part of issue #15.</summary>
public sealed class DecisionQualityTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("covid-2020")]
    [InlineData("gfc-2008")]
    public void The_demo_firm_through_a_crisis_never_washes_its_own_sales_blocks_its_own_harvests_trades_dust_or_freezes(string scenario)
    {
        var firm = DemoFirm.Build(DemoFirmOptions.Default with { Households = 40 });
        var (market, households) = StressFirm.Demo(firm, DecisionSettings.Default);
        var report = StressEngine.Run(households, ScenarioSet.Default[scenario], market, new StressOptions { MaxParallelism = 2 }).Report;
        var f = report.Firm;
        output.WriteLine($"{scenario}: {f.Households} households, {f.Accounts} accounts, {f.Decisions} decisions ({f.DecisionsRelaxed} relaxed), " +
            $"{f.Fills} fills, traded {f.TradedValue:N0} on {f.MarketValueAfter:N0} (turnover {f.Turnover:P0}), harvested {f.HarvestedLosses:N0}, " +
            $"out of band after trades {f.AccountsOutOfBandAfterTrades}/{f.Accounts} (before trades {f.AccountsOutOfBandAfter}), " +
            $"largest one-checkpoint turnover {f.MaxCheckpointTurnover:P1}, refusals {f.WashSaleConflictsAvoided}, self-washed {f.SelfWashedSales}, self-blocked {f.SelfBlockedHarvests}, harvests deferred by earlier own purchases {f.HarvestsDeferredByOwnPurchases}, dust {f.DustFills}, holding period breached {f.HoldingPeriodBreaches}");

        Assert.Equal(40, f.Households);
        Assert.True(f.MaxCheckpointTurnover <= 0.30 + 1e-9, $"{f.MaxCheckpointTurnover:P1} of the firm traded in one checkpoint");
        Assert.True(f.Decisions > 0 && f.Fills > 0, "the crisis makes the firm decide and trade");
        Assert.True(f.HarvestedLosses > 0, "a crisis is a harvest");
        Assert.Equal(0, f.SelfWashedSales);
        Assert.Equal(0, f.SelfBlockedHarvests);
        Assert.Equal(0, f.DustFills);
        Assert.Equal(0, f.HoldingPeriodBreaches);
        Assert.Equal(0, f.OptimizerFailures);
        Assert.Equal(0m, f.CashShortfall);
    }

    /// <summary>The steady state: the demo firm through a simulated quarter (63 trading days of the demo market, daily
    /// checkpoints, the live monitor's daily reminder), decided by the one engine; none of the defects appear and at most
    /// 10 % of accounts end out of tolerance (measured 2026-12-05: seed 2, +8 %, 0 of 100; seed 42, −1 %, 0 of 100). With
    /// fund families of two or three a falling quarter left a quarter of the accounts waiting: every member of a sleeve's
    /// family sold at a loss within 30 days or held at a loss close to harvestable, none could be bought.</summary>
    [Theory]
    [InlineData(2, 0.10)]
    [InlineData(42, 0.10)]
    public void A_simulated_quarter_leaves_the_demo_firm_in_tolerance_without_defects(int seed, double outOfTolerance)
    {
        var firm = DemoFirm.Build(DemoFirmOptions.Default with { Households = 40 });
        var (market, households) = StressFirm.Demo(firm, DecisionSettings.Default);
        var shock = StressShock.Simulated(market.Universe!, market.Securities, s => market.Prices.TryGetValue(s, out var p) ? p : null, market.AsOf, 63, seed);
        var report = StressEngine.Run(households, shock, market, new StressOptions { MaxParallelism = 2 }).Report;
        var f = report.Firm;
        output.WriteLine($"{report.Scenario}: {f.Households} households, {f.Accounts} accounts, value {f.MarketValueBefore:N0} → {f.MarketValueAfter:N0}, " +
            $"{f.Decisions} decisions ({f.DecisionsRelaxed} relaxed), {f.Fills} fills, turnover {f.Turnover:P0} (largest day {f.MaxCheckpointTurnover:P1}), " +
            $"harvested {f.HarvestedLosses:N0}, out of band: before {f.AccountsOutOfBandBefore}, at the end without trading {f.AccountsOutOfBandAfter}, " +
            $"after trades {f.AccountsOutOfBandAfterTrades}/{f.Accounts}; self-washed {f.SelfWashedSales}, self-blocked {f.SelfBlockedHarvests}, " +
            $"deferred by earlier own purchases {f.HarvestsDeferredByOwnPurchases}, dust {f.DustFills}, holding period breached {f.HoldingPeriodBreaches}, optimizer {f.OptimizerMilliseconds / 1000:0.0} s");
        foreach (var row in report.Households.Where(r => r.Figures.AccountsOutOfBandAfterTrades > 0))
            output.WriteLine($"  {row.Household}: {row.Figures.AccountsOutOfBandAfterTrades} of {row.Figures.Accounts} accounts out of band, max drift {row.MaxDriftAfter:P1}");

        Assert.Equal(0, f.SelfWashedSales);
        Assert.Equal(0, f.SelfBlockedHarvests);
        Assert.Equal(0, f.DustFills);
        Assert.Equal(0, f.HoldingPeriodBreaches);
        Assert.Equal(0, f.OptimizerFailures);
        Assert.True(f.AccountsOutOfBandAfterTrades <= outOfTolerance * f.Accounts, $"{f.AccountsOutOfBandAfterTrades} of {f.Accounts} accounts out of tolerance");
    }
}
