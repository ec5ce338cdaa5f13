using Households.Domain.Harvesting;
using Xunit;

namespace Households.Tests.Harvesting;

/// <summary>The backtest's threshold prefilter: a lot of 100 shares bought at $50 ($5,000) under 5 % and $250.</summary>
public sealed class HarvestScanTests
{
    [Fact]
    public void A_lot_down_6_percent_and_300_dollars_crosses_5_percent_and_250_dollars() =>
        Assert.True(HarvestScan.CrossesThresholds(50, 47, 100, 0.05, 250));

    [Fact]
    public void A_lot_down_4_percent_does_not_cross_even_with_a_large_dollar_loss() =>
        // 1,000 shares down 4 %: $2,000, still under the percentage threshold.
        Assert.False(HarvestScan.CrossesThresholds(50, 48, 1_000, 0.05, 250));

    [Fact]
    public void A_lot_down_6_percent_but_under_250_dollars_does_not_cross() =>
        Assert.False(HarvestScan.CrossesThresholds(50, 47, 10, 0.05, 250));

    [Fact]
    public void A_gain_never_crosses() =>
        Assert.False(HarvestScan.CrossesThresholds(50, 55, 100, 0, 0));
}
