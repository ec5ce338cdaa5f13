using Households.Contracts;
using Households.Domain;
using Households.Domain.Lots;
using Households.Domain.Tax;
using Xunit;

namespace Households.Tests.Tax;

/// <summary>Marginal prices of gains and losses from a household's tax profile, worked by hand on the 2026 brackets.
/// The couple: married filing jointly, $450,000 of ordinary taxable income (32 % bracket: $403,550–$512,450; 15 %
/// long-term: up to $613,700; above the $250,000 surtax threshold) and a 5 % state rate. Combined: short-term
/// 32 + 3.8 + 5 = 40.8 %, long-term 15 + 3.8 + 5 = 23.8 %, ordinary income offset 32 + 5 = 37 %.</summary>
public sealed class TaxProfileTests
{
    private static readonly TaxProfile Couple = new(FilingStatus.MarriedJoint, TaxableIncome: 450_000m, StateRate: 0.05m);

    private static MarginalTaxRates Rates(TaxProfile p, decimal st = 0, decimal lt = 0) =>
        TaxProfiles.Marginal(p, new GainsSummary(st, lt, 0, 0), TaxRates.Default);

    [Fact]
    public void Brackets_give_the_couples_combined_rates()
    {
        var r = Rates(Couple);
        Assert.Equal(0.408m, r.Ordinary);
        Assert.Equal(0.238m, r.LongTerm);
        Assert.Equal(0.32m, TaxProfiles.OrdinaryFederal(Couple, 0.37m));
        Assert.Equal(0.15m, TaxProfiles.LongTermFederal(Couple, 0.20m));
        Assert.True(TaxProfiles.Surtax(Couple));
        // A single filer at $95,000: 22 %, 15 % long-term, no surtax (below $200,000).
        var single = new TaxProfile(FilingStatus.Single, TaxableIncome: 95_000m);
        Assert.Equal(0.22m, TaxProfiles.OrdinaryFederal(single, 0.37m));
        Assert.Equal(0.15m, TaxProfiles.LongTermFederal(single, 0.20m));
        Assert.False(TaxProfiles.Surtax(single));
        // Given marginal rates win over the brackets; the top brackets start above $768,700 (joint) and $640,600 (single).
        Assert.Equal(0.35m, TaxProfiles.OrdinaryFederal(Couple with { OrdinaryRate = 0.35m }, 0.37m));
        Assert.Equal(0.37m, TaxProfiles.OrdinaryFederal(new TaxProfile(FilingStatus.MarriedJoint, TaxableIncome: 768_701m), 0m));
        Assert.Equal(0.35m, TaxProfiles.OrdinaryFederal(new TaxProfile(FilingStatus.Single, TaxableIncome: 640_600m), 0m));
        Assert.Equal(0.20m, TaxProfiles.LongTermFederal(new TaxProfile(FilingStatus.Single, TaxableIncome: 545_501m), 0m));
    }

    [Fact]
    public void A_short_term_loss_is_worth_the_short_term_rate_while_short_term_gains_remain()
    {
        var r = Rates(Couple, st: 20_000m);
        Assert.Equal(0.408m, r.ShortTermLoss);
        // A long-term loss offsets the short-term gain too (there is no long-term gain to net against first).
        Assert.Equal(0.408m, r.LongTermLoss);
        Assert.Equal(0.408m, r.ShortTermGain);
        Assert.Equal(0.238m, r.LongTermGain);
    }

    [Fact]
    public void Once_the_years_gains_are_used_up_a_loss_offsets_ordinary_income_then_carries_forward()
    {
        // Nothing realized: the first $3,000 of net loss offsets ordinary income at 37 %.
        Assert.Equal(0.37m, Rates(Couple).ShortTermLoss);
        // $10,000 of net loss already: a further loss only carries forward, worth the long-term rate discounted by 0.9.
        var spent = Rates(Couple, st: -10_000m);
        Assert.Equal(0.2142m, spent.ShortTermLoss);
        Assert.Equal(0.2142m, spent.LongTermLoss);
        // ... and a gain now costs only what it takes from the carryforward.
        Assert.Equal(0.2142m, spent.ShortTermGain);
        // With gains expected elsewhere the carried loss is worth the full long-term rate.
        Assert.Equal(0.238m, Rates(Couple with { GainsElsewhere = true }, st: -10_000m).ShortTermLoss);
        // Long-term gains this year: a short-term loss offsets them at the long-term rate.
        Assert.Equal(0.238m, Rates(Couple, lt: 50_000m).ShortTermLoss);
    }

    [Fact]
    public void Outside_gains_and_carryforwards_count_as_the_advisor_entered_them()
    {
        Assert.Equal(0.408m, Rates(Couple with { OutsideShortTermGains = 20_000m }).ShortTermLoss);
        Assert.Equal(0.2142m, Rates(Couple with { ShortTermCarryforward = 10_000m }).ShortTermLoss);
        // The carryforward is consumed by this year's gains first: $12,000 of gains against $10,000 carried in leaves $2,000.
        Assert.Equal(0.408m, Rates(Couple with { ShortTermCarryforward = 10_000m }, st: 12_000m).ShortTermLoss);
    }

    [Fact]
    public void Married_filing_separately_deducts_half_the_loss()
    {
        var separate = new TaxProfile(FilingStatus.MarriedSeparate, OrdinaryRate: 0.35m, LongTermRate: 0.15m);
        Assert.Equal(1_500m, TaxProfiles.LossLimit(separate));
        Assert.Equal(0.35m, Rates(separate, st: -1_000m).ShortTermLoss);
        Assert.Equal(0.135m, Rates(separate, st: -2_000m).ShortTermLoss);
    }

    [Fact]
    public void Without_a_profile_the_firms_flat_rates_apply()
    {
        var r = TaxProfiles.Marginal(null, new GainsSummary(-50_000m, 0, 0, 0), TaxRates.Default);
        Assert.Equal((0.37m, 0.20m, 0.37m, 0.20m), (r.ShortTermGain, r.LongTermGain, r.ShortTermLoss, r.LongTermLoss));
    }

    [Theory]
    [InlineData(1.2, null, 0, 0)]
    [InlineData(null, -0.1, 0, 0)]
    [InlineData(null, null, -5, 0)]
    [InlineData(null, null, 0, -1)]
    public void A_profile_no_return_could_have_is_refused(double? ordinary, double? state, double income, double carry)
    {
        var p = new TaxProfile(OrdinaryRate: (decimal?)ordinary, StateRate: (decimal)(state ?? 0), TaxableIncome: (decimal)income, ShortTermCarryforward: (decimal)carry);
        Assert.Throws<BadInputException>(() => TaxProfiles.Check(p));
    }
}
