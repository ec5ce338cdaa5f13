using Households.Contracts;
using Households.Domain.Monitoring;
using Households.Domain.Risk;
using Xunit;

namespace Households.Tests.Monitoring;

/// <summary>A direct index is in or out of tolerance by its tracking error to the index, not by per-stock bands. Without a
/// simulated universe every stock loads 1 on the equity factor (16 % a year) with a 25 % specific volatility, so the
/// figures below are worked by hand: TE² = 0.0256·(Σ aᵢ)² + 0.0625·Σ aᵢ².</summary>
public sealed class DirectIndexTrackingTests
{
    private static readonly DateOnly Day = new(2025, 1, 2);
    private static readonly Dictionary<string, Security> Securities = new()
    {
        ["AAA"] = new("AAA", "A Corp", "US Equity", "Tech", null, SecurityKind.Stock),
        ["BBB"] = new("BBB", "B Corp", "US Equity", "Tech", null, SecurityKind.Stock),
        ["CCC"] = new("CCC", "C Corp", "US Equity", "Tech", null, SecurityKind.Stock),
    };

    private static readonly ResolvedTarget Index = new("DI2", 1,
    [
        new TargetWeight(DriftLevel.Security, "AAA", 0.5m, new DriftBand(0.05m, 0.25m)),
        new TargetWeight(DriftLevel.Security, "BBB", 0.5m, new DriftBand(0.05m, 0.25m)),
        new TargetWeight(DriftLevel.AssetClass, "US Equity", 1m, DriftBand.Default),
    ], DirectIndexing: true);

    private static DriftLine[] Lines(decimal cash, ResolvedTarget target, params (string Symbol, decimal Shares)[] holdings)
    {
        var index = new SecurityIndex();
        var lots = holdings.Select((h, i) => new TaxLot($"L{i}", h.Symbol, h.Shares, h.Shares * 100, Day, Day)).ToArray();
        var tracking = new DirectIndexTracking(new TrackingRisk(new SecurityRiskModels()), 0.01m);
        var s = AccountSnapshot.Build("DI", cash, lots, target, HarvestPolicy.Off, Securities.GetValueOrDefault, index, tracking: tracking);
        foreach (var symbol in Securities.Keys) index.OrdinalOf(symbol);
        var prices = new double[index.Count];
        foreach (var symbol in Securities.Keys) prices[index.OrdinalOf(symbol)] = 100;
        return TriggerKernel.DriftLines(s, prices);
    }

    private static DriftLine Tracking(DriftLine[] lines) => Assert.Single(lines, l => l.Level == DriftLevel.TrackingError);

    [Fact]
    public void A_direct_index_on_its_weights_has_no_tracking_error()
    {
        var te = Tracking(Lines(0m, Index, ("AAA", 50), ("BBB", 50)));
        Assert.Equal(0, te.Weight, 12);
        Assert.Equal(0.01, te.Tolerance, 12);
        Assert.False(te.OutOfBand);
    }

    [Fact]
    public void Ten_points_of_stock_drift_is_out_of_band_by_tracking_error_and_no_stock_line_is()
    {
        // 60/40: a = (+0.1, −0.1): no factor exposure, specific 0.0625·0.02 = 0.00125 → TE 3.54 %.
        var lines = Lines(0m, Index, ("AAA", 60), ("BBB", 40));
        var te = Tracking(lines);
        Assert.Equal(Math.Sqrt(0.00125), te.Weight, 9);
        Assert.True(te.OutOfBand);
        // The same 10 points would put a model account's stock lines out of their 5 % band; a direct index's are not.
        Assert.All(lines.Where(l => l.Level == DriftLevel.Security), l => Assert.False(l.OutOfBand));
        Assert.Equal(0.1, lines.Single(l => l.Key == "AAA").Drift, 9);
    }

    [Fact]
    public void Small_drift_stays_inside_the_band()
    {
        // 52/48: specific 0.0625·0.0008 = 0.00005 → TE 0.707 % < 1 %.
        var te = Tracking(Lines(0m, Index, ("AAA", 52), ("BBB", 48)));
        Assert.Equal(Math.Sqrt(0.00005), te.Weight, 9);
        Assert.False(te.OutOfBand);
    }

    [Fact]
    public void Cash_in_a_direct_index_is_market_exposure_missing()
    {
        // 50 AAA, 45 BBB, $500 cash: a_BBB = −0.05: factor 0.0256·0.0025 = 0.000064, specific 0.0625·0.0025 = 0.00015625.
        var te = Tracking(Lines(500m, Index, ("AAA", 50), ("BBB", 45)));
        Assert.Equal(Math.Sqrt(0.000064 + 0.00015625), te.Weight, 9);
        Assert.True(te.OutOfBand);
    }

    [Fact]
    public void A_replacement_stock_is_measured_by_its_own_risk_not_counted_as_the_stock_it_replaced()
    {
        // CCC held instead of BBB: a = (0, −0.5, +0.5): factor exposure 0, specific 0.0625·0.5 = 0.03125 → TE 17.7 %.
        var lines = Lines(0m, Index, ("AAA", 50), ("CCC", 50));
        Assert.Equal(Math.Sqrt(0.03125), Tracking(lines).Weight, 9);
        Assert.Contains(lines, l => l.Level == DriftLevel.Security && l.Key == "CCC" && l.Weight == 0.5);
    }

    [Fact]
    public void A_model_account_has_no_tracking_error_line()
    {
        var lines = Lines(0m, Index with { DirectIndexing = false }, ("AAA", 60), ("BBB", 40));
        Assert.DoesNotContain(lines, l => l.Level == DriftLevel.TrackingError);
        Assert.True(lines.Single(l => l.Key == "AAA").OutOfBand);
    }
}
