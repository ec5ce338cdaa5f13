using Households.Contracts;
using Households.Domain.Harvesting;
using Households.Domain.Lots;
using Xunit;

namespace Households.Tests.Harvesting;

public sealed class HarvestScanTests
{
    private static readonly DateOnly Today = new(2026, 6, 1);
    private static readonly HarvestPolicy Policy = new(true, 0.05m, 250m);

    // 100 shares bought for $5,000 ($50 a share) four months ago: short term.
    private static TaxLot Lot(string id = "L1", string symbol = "XYZ", decimal quantity = 100m, decimal basis = 5_000m, DateOnly? since = null) =>
        new(id, symbol, quantity, basis, since ?? new DateOnly(2026, 2, 1), since ?? new DateOnly(2026, 2, 1));

    private static HarvestScanResult Scan(TaxLot lot, decimal price, HarvestCosts? costs = null, BuyBlackout[]? blackouts = null,
        string[]? recent = null, HarvestPolicy? policy = null) =>
        HarvestScan.Scan("A1", [lot], new Dictionary<string, decimal> { [lot.Symbol] = price }, policy ?? Policy, Today,
            TaxRates.Default, costs, blackouts, recent);

    [Fact]
    public void A_lot_down_6_percent_and_300_dollars_qualifies_under_5_percent_and_250_dollars()
    {
        var result = Scan(Lot(), 47m);
        var c = Assert.Single(result.Candidates);
        Assert.Equal(300m, c.Loss);
        Assert.Equal(0.06m, c.LossPercent);
        Assert.Equal(HoldingTerm.Short, c.Term);
        Assert.Equal(0.37m, c.TaxRate);
        Assert.Equal(111m, c.TaxBenefit);
        Assert.Equal(0m, c.EstimatedCost);
        Assert.Equal(111m, c.NetBenefit);
        Assert.True(HarvestScan.CrossesThresholds(50, 47, 100, 0.05, 250));
    }

    [Fact]
    public void A_lot_down_4_percent_does_not_qualify_even_with_a_large_dollar_loss()
    {
        Assert.Empty(Scan(Lot(), 48m).Candidates);
        // 1,000 shares down 4%: $2,000, still under the percentage threshold.
        Assert.Empty(Scan(Lot(quantity: 1_000m, basis: 50_000m), 48m).Candidates);
        Assert.False(HarvestScan.CrossesThresholds(50, 48, 1_000, 0.05, 250));
    }

    [Fact]
    public void A_lot_down_6_percent_but_under_250_dollars_does_not_qualify()
    {
        Assert.Empty(Scan(Lot(quantity: 10m, basis: 500m), 47m).Candidates);
        Assert.False(HarvestScan.CrossesThresholds(50, 47, 10, 0.05, 250));
    }

    [Fact]
    public void A_lot_whose_security_is_in_a_buy_blackout_is_excluded()
    {
        var blackout = new BuyBlackout("XYZ", Today.AddDays(12), 40m, false);
        var result = Scan(Lot(), 47m, blackouts: [blackout]);
        Assert.Empty(result.Candidates);
        var skip = Assert.Single(result.Skipped);
        Assert.Equal(HarvestSkipReason.BuyBlackout, skip.Reason);
        Assert.Equal(300m, skip.Loss);
        // A blackout of another security, or one that has ended, does not matter.
        Assert.Single(Scan(Lot(), 47m, blackouts: [blackout with { WashSaleKey = "ABC" }]).Candidates);
        Assert.Single(Scan(Lot(), 47m, blackouts: [blackout with { WashesThrough = Today.AddDays(-1) }]).Candidates);
    }

    [Fact]
    public void A_lot_whose_security_was_bought_in_the_last_30_days_is_excluded()
    {
        var result = Scan(Lot(), 47m, recent: ["XYZ"]);
        Assert.Empty(result.Candidates);
        Assert.Equal(HarvestSkipReason.RecentPurchase, Assert.Single(result.Skipped).Reason);
    }

    [Fact]
    public void Costs_reduce_the_net_benefit()
    {
        // Round trip: 2 × (1¢ × 100 shares + 10 bps × $4,700) = 2 × (1.00 + 4.70) = 11.40.
        var c = Assert.Single(Scan(Lot(), 47m, costs: new HarvestCosts(0.01m, 10m)).Candidates);
        Assert.Equal(11.40m, c.EstimatedCost);
        Assert.Equal(111m - 11.40m, c.NetBenefit);
    }

    [Fact]
    public void A_harvest_whose_cost_exceeds_its_benefit_is_skipped()
    {
        // 100 bps a leg: 2 × 47.00 = 94 < 111 still harvests; 150 bps: 141 > 111 does not.
        Assert.Single(Scan(Lot(), 47m, costs: new HarvestCosts(0m, 100m)).Candidates);
        var result = Scan(Lot(), 47m, costs: new HarvestCosts(0m, 150m));
        Assert.Empty(result.Candidates);
        Assert.Equal(HarvestSkipReason.CostExceedsBenefit, Assert.Single(result.Skipped).Reason);
    }

    [Fact]
    public void A_long_term_loss_is_valued_at_the_long_term_rate()
    {
        var c = Assert.Single(Scan(Lot(since: new DateOnly(2024, 1, 10)), 47m).Candidates);
        Assert.Equal(HoldingTerm.Long, c.Term);
        Assert.Equal(0.20m, c.TaxRate);
        Assert.Equal(60m, c.TaxBenefit);
    }

    [Fact]
    public void Candidates_come_best_net_benefit_first_and_a_disabled_policy_finds_nothing()
    {
        var lots = new[] { Lot("L1"), Lot("L2", quantity: 200m, basis: 10_000m), Lot("L3", symbol: "ABC", basis: 6_000m) };
        var prices = new Dictionary<string, decimal> { ["XYZ"] = 47m, ["ABC"] = 50m };
        var result = HarvestScan.Scan("A1", lots, prices, Policy, Today, TaxRates.Default);
        Assert.Equal(new[] { "L3", "L2", "L1" }, result.Candidates.Select(c => c.Lot.Id));
        Assert.Empty(HarvestScan.Scan("A1", lots, prices, HarvestPolicy.Off, Today, TaxRates.Default).Candidates);
    }
}
