using System.Text.Json;
using Households.Simulation.Backtesting;
using Xunit;

namespace Households.Tests.Backtesting;

/// <summary>One small seeded backtest shared by the tests (2 direct-indexing accounts of a 50-stock index + 12 fund-model
/// accounts, 1 year), decided by the live engine. Some fund models hold both S&amp;P 500 funds (APXS and KSTF,
/// substantially identical), so the group keys matter.</summary>
public sealed class SmallBacktest
{
    public static readonly BacktestOptions Options = new()
    {
        Accounts = 2,
        ModelAccounts = 12,
        Years = 1,
        Seed = 42,
        Stocks = 150,
        DirectIndexStocks = 50,
        ReplacementPool = 100,
    };

    public BacktestResult Result { get; } = Backtest.Run(Options);

    public StrategyResult this[string strategy] => Result.Strategies.Single(s => s.Strategy == strategy);
}

public sealed class BacktestTests(SmallBacktest run) : IClassFixture<SmallBacktest>
{
    private static readonly string[] Harvesting = ["daily", "weekly", "monthly", "quarterly", "annual"];

    [Fact]
    public void Every_strategy_is_reported_once_with_never_last()
    {
        Assert.Equal(new[] { "daily", "weekly", "monthly", "quarterly", "annual", "never" }, run.Result.Strategies.Select(s => s.Strategy));
        Assert.Equal(14, run.Result.Accounts);
        Assert.Equal(2, run.Result.DirectIndexAccounts);
        Assert.Equal(12, run.Result.ModelAccounts);
    }

    [Fact]
    public void Never_harvest_is_the_twin_and_never_asks_the_engine()
    {
        var never = run["never"];
        Assert.Equal(0, never.HarvestedLosses);
        Assert.Equal(0, never.HarvestSales);
        Assert.Equal(0, never.Decisions);
        Assert.Equal(0, never.TaxAlpha);
        Assert.Equal(0, never.TaxAlphaLiquidated);
        Assert.Equal(0, never.TrackingError);
        Assert.Equal(0, never.Turnover);
    }

    [Fact]
    public void Every_harvesting_strategy_decides_through_the_engine_and_finds_a_plan()
    {
        foreach (var name in Harvesting)
        {
            var s = run[name];
            Assert.True(s.Decisions > 0, name);
            Assert.Equal(0, s.DecisionsWithoutPlan);
            Assert.True(s.HarvestedLosses > 0, name);
            Assert.True(s.TaxSavings > 0, name);
            Assert.True(s.TaxAlpha > 0, $"{name}: {s.TaxAlpha}");
        }
        // A look every day finds crossings more often than one a week, a month, a quarter, a year.
        var decisions = Harvesting.Select(n => run[n].Decisions).ToArray();
        Assert.True(decisions.Zip(decisions.Skip(1)).All(p => p.First >= p.Second), string.Join(", ", decisions));
        Assert.True(run.Result.DecisionsPerSecond > 0);
    }

    [Fact]
    public void Harvest_sales_never_realize_a_wash_sale()
    {
        // Disallowed losses come from the wash-sale ledger's realized rows of the strategy's own fills.
        foreach (var s in run.Result.Strategies) Assert.Equal(0, s.DisallowedLosses);
        // Including accounts that hold both S&P 500 funds, where a loss in one is washed by the other.
        var (_, openings) = Backtest.Accounts(SmallBacktest.Options);
        Assert.Contains(openings, o => o.Lots.Any(l => l.Symbol == "APXS") && o.Lots.Any(l => l.Symbol == "KSTF"));
        // The ledger did have something to say: the engine held loss lots as wash sales.
        Assert.True(run.Result.Strategies.Sum(s => s.WashSalesAvoided) > 0);
    }

    [Fact]
    public void Replacements_keep_the_accounts_invested_close_to_the_twin()
    {
        var daily = run["daily"];
        Assert.True(daily.Buys > 0);
        Assert.True(daily.Turnover > 0);
        // Fills at the quote moved by the slippage: the trading cost is paid.
        Assert.True(daily.TradingCosts > 0);
        Assert.True(daily.TrackingError > 0.001, $"{daily.TrackingError}");
        Assert.Equal(daily.CumulativeLossesByMonth[^1], daily.HarvestedLosses, 6);
        foreach (var name in Harvesting)
        {
            var s = run[name];
            // Off the twin by what the engine itself planned (its ex-ante tracking error), not by single-stock bets.
            Assert.InRange(s.TrackingError, double.Epsilon, 0.05);
            Assert.InRange(s.TrackingErrorMax, s.TrackingError, 0.06);
            Assert.InRange(s.PlannedTrackingError, 0.0, 0.05);
        }
    }

    [Fact]
    public void A_direct_index_tracks_its_never_harvest_twin_within_its_band()
    {
        // Two direct-index accounts of a 50-stock index over two years, harvested monthly. The monitor raises a drift trigger
        // when an account's tracking error to its index is over its band (1.5 %), and the engine plans within 75 % of it.
        var options = SmallBacktest.Options with { ModelAccounts = 0, Years = 2, Frequencies = [HarvestFrequency.Monthly, HarvestFrequency.Never] };
        var tight = Backtest.Run(options).Strategies[0];
        var loose = Backtest.Run(options with { TrackingBand = 0.05m }).Strategies[0];
        var measured = $"TE {tight.TrackingError:P2} (max {tight.TrackingErrorMax:P2}), harvested {tight.HarvestedLossPercent:P1}, drift {tight.DriftTriggers}; 5 % band: TE {loose.TrackingError:P2}";
        // Measured: 1.02 % (max 1.03 %), 8 drift triggers, 13.7 % of the start harvested; with a 5 % band 3.37 % (2026-12-05).
        // With recent purchases a cost instead of a ban and protection by the dollar threshold too: max 1.53 %. Issue #15
        // asks for about 2 %. Since the limit is a constraint of the solve (2026-12-07), every harvest plans to 95 % of the
        // 75 %, not somewhere in 85–100 % of it: 1.12 % (max 1.12 %), 13.1 % harvested, and no account drifted out of its
        // band between harvests, so no drift trigger was needed.
        Assert.InRange(tight.TrackingErrorMax, 0.005, 0.015);
        Assert.True(tight.HarvestedLossPercent > 0.08, measured);
        Assert.True(loose.TrackingError > 2 * tight.TrackingError, measured);
        Assert.Equal(0, tight.DisallowedLosses);
    }

    [Fact]
    public void A_fund_without_an_allowed_replacement_is_harvested_into_cash_only_when_the_firm_allows_it()
    {
        // Fund models: a fund without a listed substitute has no replacement the engine may buy.
        var funds = SmallBacktest.Options with { Accounts = 0, ModelAccounts = 6, Years = 2, Frequencies = [HarvestFrequency.Monthly, HarvestFrequency.Never] };
        var held = Backtest.Run(funds);
        var sold = Backtest.Run(funds with { HarvestIntoCash = true });
        Assert.False(held.HarvestIntoCash);
        Assert.True(sold.HarvestIntoCash);
        StrategyResult kept = held.Strategies[0], intoCash = sold.Strategies[0];
        // Allowed, the engine sells those losses too and the sleeves wait in cash (as far as their bands allow): more losses
        // (measured $298,492 against $275,911 with families of three to five funds; $195,640 against $139,852 with two or
        // three, when more sleeves had no replacement left), further from the twin.
        Assert.True(intoCash.HarvestedLosses > 1.05 * kept.HarvestedLosses, $"{intoCash.HarvestedLosses} vs {kept.HarvestedLosses}");
        Assert.True(intoCash.TrackingError > kept.TrackingError, $"{intoCash.TrackingError} vs {kept.TrackingError}");
        Assert.Equal(0, intoCash.DisallowedLosses);
    }

    [Fact]
    public void The_same_seed_gives_the_same_result()
    {
        var again = Backtest.Run(SmallBacktest.Options with { Frequencies = [HarvestFrequency.Monthly, HarvestFrequency.Never] });
        var first = run["monthly"];
        var second = again.Strategies.Single(s => s.Strategy == "monthly");
        // Everything but the time spent deciding.
        Assert.Equal(JsonSerializer.Serialize(first with { DecisionSeconds = 0 }), JsonSerializer.Serialize(second with { DecisionSeconds = 0 }));
        Assert.Equal(run.Result.InitialValue, again.InitialValue);
    }

    [Fact]
    public void A_replay_of_the_real_SPISECTOR_series_harvests_without_wash_sales()
    {
        var result = Backtest.Run(SmallBacktest.Options with
        {
            Accounts = 2, ModelAccounts = 2, Years = 1, ReplayFile = Support.SharedData.Data("SPISECTOR.RET.csv"),
            Frequencies = [HarvestFrequency.Monthly, HarvestFrequency.Never],
        });
        Assert.StartsWith("replay of SPISECTOR.RET.csv", result.Market);
        var monthly = result.Strategies.Single(s => s.Strategy == "monthly");
        // 2000 began a bear market in Swiss equities: losses to harvest in the first year.
        Assert.True(monthly.HarvestedLosses > 0);
        Assert.Equal(0, monthly.DisallowedLosses);
    }

    [Fact]
    public void Bad_options_are_bad_input()
    {
        Assert.Throws<Households.Domain.BadInputException>(() => Backtest.Run(SmallBacktest.Options with { Years = 0 }));
        Assert.Throws<Households.Domain.BadInputException>(() => Backtest.Run(SmallBacktest.Options with { Frequencies = [HarvestFrequency.Daily] }));
        Assert.Throws<Households.Domain.BadInputException>(() => Backtest.Run(SmallBacktest.Options with { Accounts = 0, ModelAccounts = 0 }));
    }
}
