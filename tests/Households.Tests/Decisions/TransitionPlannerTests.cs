using Households.Contracts;
using Households.Domain.Decisions;
using Households.Domain.Risk;
using Households.Domain.Tax;
using Xunit;

namespace Households.Tests.Decisions;

/// <summary>A legacy taxable account worth $250,000 moving to a 60/40 model of two funds: two lots of a concentrated stock
/// (XYZ, $100: 1,000 shares bought 2012 for $10,000, gain 90 % of value; 1,000 bought 2019 for $40,000, gain 60 %) and an
/// off-model fund (OLDF, $50: 1,000 shares for $45,000, gain 10 %). Constant prices; default rates 37 % / 20 %.</summary>
public sealed class TransitionPlannerTests
{
    private static readonly DateOnly Today = new(2026, 6, 1);
    private static readonly DriftBand Band = new(0.05m, 0);

    private static readonly Dictionary<string, Security> Securities = new Security[]
    {
        new("XYZ", "XYZ Corp", "US Equity", "Technology", null, SecurityKind.Stock),
        new("LOSS", "Loss Co", "US Equity", "Energy", null, SecurityKind.Stock),
        new("OLDF", "Old Fund", "US Equity", "Diversified", null, SecurityKind.EquityFund),
        new("VTI", "Total Market", "US Equity", "Diversified", null, SecurityKind.EquityFund),
        new("BND", "Total Bond", "US Bonds", "Diversified", null, SecurityKind.BondFund),
    }.ToDictionary(s => s.Symbol);

    private static readonly Dictionary<string, decimal> Prices = new() { ["XYZ"] = 100m, ["LOSS"] = 40m, ["OLDF"] = 50m, ["VTI"] = 250m, ["BND"] = 75m };

    /// <summary>500 LOSS bought in March for $30,000, worth $20,000: a $10,000 short-term loss.</summary>
    private static readonly TaxLot LossLot = new("LOSS-2026", "LOSS", 500, 30_000m, new(2026, 3, 2), new(2026, 3, 2));

    private static AccountDecisionInput Legacy(params TaxLot[] extra) => new(
        new AccountSpec("T", "H", "Taxable", AccountType.Taxable, true, "M", [], false, LotRelief.Hifo, HarvestPolicy.Default, FractionalShares: true), 0m,
        [
            new TaxLot("XYZ-2012", "XYZ", 1_000, 10_000m, new(2012, 3, 1), new(2012, 3, 1)),
            new TaxLot("XYZ-2019", "XYZ", 1_000, 40_000m, new(2019, 3, 1), new(2019, 3, 1)),
            new TaxLot("OLDF-2018", "OLDF", 1_000, 45_000m, new(2018, 3, 1), new(2018, 3, 1)),
            .. extra,
        ],
        new ResolvedTarget("M", 1, [new(DriftLevel.Security, "VTI", 0.6m, Band), new(DriftLevel.Security, "BND", 0.4m, Band)]), 0m);

    private static TransitionPlan Plan(AccountDecisionInput account, TransitionPolicy? policy = null, AnnualTaxBudget? budget = null, int years = 3,
        RealizedGains? realized = null) =>
        TransitionPlanner.Plan("H", [account], Securities, Prices, new SecurityRiskModels(), DecisionSettings.Default, policy ?? TransitionPolicy.None,
            budget ?? new AnnualTaxBudget(10_000m), Today, realized, new TransitionOptions(years));

    [Fact]
    public void A_transition_under_a_10000_budget_realizes_10000_of_net_gain_a_year_and_tracks_closer_each_year()
    {
        var plan = Plan(Legacy());

        Assert.Equal(250_000m, plan.Value);
        Assert.Equal(250_000m, plan.OutsideModelBefore);
        Assert.Equal(0.2121, plan.TrackingErrorBefore, 4);
        Assert.Equal([2026, 2027, 2028], plan.Years.Select(y => y.Year));
        // Every year spends the budget exactly, all long term; 20 % of it is the tax.
        Assert.All(plan.Years, y =>
        {
            Assert.Equal(0m, y.ShortTermGain);
            Assert.Equal(10_000.00m, y.LongTermGain);
            Assert.Equal(2_000.00m, y.EstimatedTax);
        });
        // Year one also sells some of the off-model fund (10 % gain); later years sell the 2019 XYZ lot, $16,666.67 for $10,000 of gain.
        Assert.Equal(18_313.22m, plan.Years[0].Sold);
        Assert.Equal(16_666.67m, plan.Years[1].Sold);
        Assert.Equal(16_666.67m, plan.Years[2].Sold);
        Assert.Equal([231_686.78m, 215_020.11m, 198_353.45m], plan.Years.Select(y => Math.Round(y.OutsideModel, 2)));
        Assert.Equal([0.1928, 0.1738, 0.1551], plan.Years.Select(y => Math.Round(y.TrackingError, 4)));
        Assert.True(plan.Years.Zip(plan.Years.Skip(1)).All(p => p.Second.TrackingError < p.First.TrackingError));
        Assert.Null(plan.YearsNeeded);
        Assert.Equal(TransitionPlanner.StillOutside, plan.Conclusion);
        Assert.Equal(plan.Years[^1].TrackingError, plan.FinalTrackingError);
    }

    [Fact]
    public void A_harvested_loss_makes_room_for_as_much_gain_in_its_year()
    {
        var plan = Plan(Legacy(LossLot));

        var first = plan.Years[0];
        Assert.Equal(-10_000m, first.ShortTermGain);
        Assert.Equal(20_000.00m, first.LongTermGain);
        Assert.Equal(10_000.00m, first.NetGain);
        Assert.Equal(10_000m, first.HarvestedLosses);
        // The short-term loss offsets long-term gain (IRC §1222): tax on the $10,000 net, at 20 %.
        Assert.Equal(2_000.00m, first.EstimatedTax);
        // $20,000 of LOSS plus $33,333.33 of the 2019 XYZ lot.
        Assert.Equal(53_333.33m, first.Sold);
        Assert.Equal([10_000.00m, 10_000.00m], plan.Years.Skip(1).Select(y => y.NetGain));
    }

    [Fact]
    public void Gains_already_realized_this_year_count_against_year_one_only()
    {
        var realized = new RealizedGains();
        var sold = new TaxLot("OLD", "OLDF", 100, 1_000m, new(2015, 1, 2), new(2015, 1, 2));
        realized.Record("T", true, new(2026, 2, 3), [new LotSale(sold, "OLD", 100, 5_000m, 1_000m, HoldingTerm.Long)], []);

        var plan = Plan(Legacy(), realized: realized);

        Assert.Equal(4_000m, plan.RealizedYearToDate);
        Assert.Equal(6_000.00m, plan.Years[0].NetGain);
        Assert.Equal(10_000.00m, plan.Years[1].NetGain);
    }

    [Fact]
    public void A_budget_in_tax_dollars_spends_that_much_tax()
    {
        var plan = Plan(Legacy(), budget: new AnnualTaxBudget(3_000m, TaxBudgetUnit.Tax), years: 2);

        Assert.Equal([15_000.00m, 15_000.00m], plan.Years.Select(y => y.LongTermGain));
        Assert.Equal([3_000.00m, 3_000.00m], plan.Years.Select(y => y.EstimatedTax));
    }

    /// <summary>With room for every gain, year one sells the concentrated stock down to what is no longer worth its cost
    /// (48 shares, $4,804), and keeps the off-model fund: under the risk model it is the market with 3 % of specific risk,
    /// less tracking error than the round trip costs. Year two finds no trade worth it, so the plan stops after one year.</summary>
    [Fact]
    public void A_budget_large_enough_moves_in_one_year_what_is_worth_moving_and_stops()
    {
        var plan = Plan(Legacy(), budget: new AnnualTaxBudget(1_000_000m), years: 5);

        var only = Assert.Single(plan.Years);
        Assert.Equal(1, plan.YearsNeeded);
        Assert.Equal(145_676.70m, only.LongTermGain);
        var sale = Assert.Single(only.Sales);
        Assert.Equal(("XYZ", 1_951.963329m), (sale.Symbol, sale.Shares));
        Assert.Equal(54_803.67m, only.OutsideModel);
        Assert.Equal(0.0110, Math.Round(only.TrackingError, 4));
        Assert.Equal(TransitionPlanner.NothingWorthItsCost, plan.Conclusion);
    }

    /// <summary>At most 100 XYZ a quarter (three quarters are left of 2026 on June 1, four in later years), never below 500
    /// shares besides the gifted 2012 lot, which is never sold; a budget large enough that the schedule is what binds.</summary>
    [Fact]
    public void A_sell_down_schedule_caps_each_year_holds_the_floor_and_leaves_gifted_lots()
    {
        var policy = new TransitionPolicy(null, [], [new SellDownSchedule("T", "XYZ", 100m, 500m, ["XYZ-2012"])]);
        var plan = Plan(Legacy(), policy, new AnnualTaxBudget(50_000m), years: 4);

        decimal[] xyz = [.. plan.Years.Select(y => y.Sales.Where(s => s.Symbol == "XYZ").Sum(s => s.Shares))];
        // 300 shares in 2026 (three quarters left), then the 200 the floor leaves in 2027, then none.
        Assert.InRange(xyz[0], 299.999m, 300m); // fractional shares are rounded toward zero, never up
        Assert.Equal(200m, xyz[1]);
        Assert.All(xyz.Skip(2), s => Assert.Equal(0m, s));
        Assert.DoesNotContain(plan.Years.SelectMany(y => y.Sales), s => s.Lots.Contains("XYZ-2012"));
        // 300 × $60 of gain plus the off-model fund's $5,000 in 2026; 200 × $60 in 2027.
        Assert.Equal(23_000.00m, plan.Years[0].LongTermGain);
        Assert.Equal(12_000.00m, plan.Years[1].LongTermGain);
        // What stays outside the model: the gifted 1,000 and the floor's 500, $150,000.
        Assert.Equal(150_000m, plan.Years[^1].OutsideModel);
    }
}
