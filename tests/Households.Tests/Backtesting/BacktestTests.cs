using System.Text.Json;
using Households.Domain.Backtesting;
using Xunit;

namespace Households.Tests.Backtesting;

/// <summary>One small seeded backtest (5 direct-indexing + 12 fund-model accounts, 2 years) shared by the tests. Some
/// fund models hold both S&amp;P 500 funds (APXS and KSTF, substantially identical), so the group keys matter.</summary>
public sealed class SmallBacktest
{
    public static readonly BacktestOptions Options = new()
    {
        Accounts = 5,
        ModelAccounts = 12,
        Years = 2,
        Seed = 42,
        Stocks = 300,
        DirectIndexStocks = 100,
        ReplacementPool = 200,
    };

    public BacktestResult Result { get; } = Backtest.Run(Options);

    public StrategyResult this[string strategy] => Result.Strategies.Single(s => s.Strategy == strategy);
}

public sealed class BacktestTests(SmallBacktest run) : IClassFixture<SmallBacktest>
{
    [Fact]
    public void Every_strategy_is_reported_once_with_never_last()
    {
        Assert.Equal(new[] { "daily", "weekly", "monthly", "quarterly", "annual", "never" }, run.Result.Strategies.Select(s => s.Strategy));
        Assert.Equal(17, run.Result.Accounts);
        Assert.Equal(5, run.Result.DirectIndexAccounts);
        Assert.Equal(12, run.Result.ModelAccounts);
    }

    [Fact]
    public void Never_harvest_has_no_harvested_losses_and_zero_tax_alpha()
    {
        var never = run["never"];
        Assert.Equal(0, never.HarvestedLosses);
        Assert.Equal(0, never.HarvestSales);
        Assert.Equal(0, never.TaxAlpha);
        Assert.Equal(0, never.TaxAlphaLiquidated);
        Assert.Equal(0, never.TrackingError);
        Assert.Equal(0, never.Turnover);
    }

    [Fact]
    public void Daily_harvests_at_least_monthly_and_monthly_at_least_annual()
    {
        Assert.True(run["daily"].HarvestedLosses >= run["monthly"].HarvestedLosses, $"{run["daily"].HarvestedLosses} < {run["monthly"].HarvestedLosses}");
        Assert.True(run["monthly"].HarvestedLosses >= run["annual"].HarvestedLosses, $"{run["monthly"].HarvestedLosses} < {run["annual"].HarvestedLosses}");
        Assert.True(run["annual"].HarvestedLosses > 0);
        Assert.True(run["daily"].TaxAlpha > 0);
        Assert.True(run["daily"].TaxSavings > 0);
    }

    [Fact]
    public void Harvest_sales_never_realize_a_wash_sale()
    {
        // Disallowed losses come from the wash-sale ledger's realized rows of the strategy's own sales.
        foreach (var s in run.Result.Strategies) Assert.Equal(0, s.DisallowedLosses);
        // Including accounts that hold both S&P 500 funds, where a loss in one is washed by the other.
        var (_, openings) = Backtest.Accounts(SmallBacktest.Options);
        Assert.Contains(openings, o => o.Lots.Any(l => l.Symbol == "APXS") && o.Lots.Any(l => l.Symbol == "KSTF"));
        // The ledger did have something to say: some harvests were skipped or replacements rerouted.
        Assert.True(run.Result.Strategies.Sum(s => s.WashSalesAvoided) > 0);
    }

    [Fact]
    public void Replacements_keep_the_accounts_invested()
    {
        var daily = run["daily"];
        Assert.True(daily.ReplacementBuys > 0);
        Assert.True(daily.ReplacementBuys <= daily.HarvestSales);
        Assert.True(daily.Turnover > 0);
        Assert.True(daily.TrackingError > 0);
        Assert.Equal(run["daily"].CumulativeLossesByMonth[^1], run["daily"].HarvestedLosses, 6);
    }

    [Fact]
    public void The_same_seed_gives_the_same_result()
    {
        var again = Backtest.Run(SmallBacktest.Options with { Frequencies = [HarvestFrequency.Monthly, HarvestFrequency.Never] });
        var first = run["monthly"];
        var second = again.Strategies.Single(s => s.Strategy == "monthly");
        Assert.Equal(JsonSerializer.Serialize(first), JsonSerializer.Serialize(second));
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
