using Households.Contracts;
using Households.Domain.Backtesting;
using Households.Domain.Harvesting;
using Xunit;

namespace Households.Tests.Harvesting;

public sealed class SwapBackTests
{
    private static readonly DateOnly Bought = new(2026, 3, 2);
    // 100 shares of the replacement for $4,700.
    private static readonly TaxLot Replacement = new("R1", "BBB", 100m, 4_700m, Bought, Bought);

    [Fact]
    public void Not_before_31_days()
    {
        Assert.False(SwapBack.IsDue(Replacement, 47m, "AAA", Bought.AddDays(30), [], SwapBackRule.Default));
        Assert.True(SwapBack.IsDue(Replacement, 47m, "AAA", Bought.AddDays(31), [], SwapBackRule.Default));
        // A firm that waits longer.
        Assert.False(SwapBack.IsDue(Replacement, 47m, "AAA", Bought.AddDays(31), [], new SwapBackRule(45)));
    }

    [Fact]
    public void Only_while_the_replacements_gain_is_small_and_any_loss()
    {
        var day = Bought.AddDays(40);
        Assert.True(SwapBack.IsDue(Replacement, 47.47m, "AAA", day, [], SwapBackRule.Default));   // +1.0%
        Assert.False(SwapBack.IsDue(Replacement, 47.48m, "AAA", day, [], SwapBackRule.Default));  // +1.02%
        Assert.True(SwapBack.IsDue(Replacement, 40m, "AAA", day, [], SwapBackRule.Default));      // a loss
    }

    [Fact]
    public void Not_while_buying_the_original_would_wash_an_open_loss()
    {
        var day = Bought.AddDays(40);
        var blackout = new BuyBlackout("AAA", day.AddDays(3), 10m, false);
        Assert.False(SwapBack.IsDue(Replacement, 47m, "AAA", day, [blackout], SwapBackRule.Default));
        Assert.True(SwapBack.IsDue(Replacement, 47m, "AAA", day.AddDays(4), [blackout], SwapBackRule.Default));
    }

    [Fact]
    public void A_backtest_with_swap_back_swaps_back_without_wash_sales()
    {
        var result = Backtest.Run(new BacktestOptions
        {
            Accounts = 3, ModelAccounts = 6, Years = 2, Seed = 42, Stocks = 300, DirectIndexStocks = 100, ReplacementPool = 200,
            SwapBack = SwapBackRule.Default, Frequencies = [HarvestFrequency.Monthly, HarvestFrequency.Never],
        });
        var monthly = result.Strategies.Single(s => s.Strategy == "monthly");
        Assert.True(result.SwapBack);
        Assert.True(monthly.SwapBacks > 0);
        Assert.Equal(0, monthly.DisallowedLosses);
    }
}
