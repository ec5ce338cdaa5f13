using System.Collections.Immutable;

namespace Households.Contracts;

/// <summary>Filing status for the federal brackets (IRC §1(j), as adjusted for the tax year).</summary>
[GenerateSerializer]
public enum FilingStatus
{
    Single = 0,
    MarriedJoint = 1,
    MarriedSeparate = 2,
}

/// <summary>A household's tax situation, from which the engine prices a sale's tax and a loss's harvest value.
/// Rates are fractions. Either <see cref="TaxableIncome"/> (ordinary taxable income, for the year's brackets) or the
/// marginal rates themselves (<see cref="OrdinaryRate"/>, <see cref="LongTermRate"/>) are given; given rates win.
/// <see cref="NetInvestmentIncomeTax"/>: the 3.8 % surtax (IRC §1411) applies; null decides it from the taxable income
/// against the filing status's threshold. Carryforwards are the capital losses carried into this year (positive
/// amounts, IRC §1212(b)). <see cref="OutsideShortTermGains"/> and <see cref="OutsideLongTermGains"/>: net gains realized
/// this year outside the firm, as the advisor entered them (losses negative). <see cref="GainsElsewhere"/>: the client
/// expects gains elsewhere that will absorb losses beyond this year's, so such a loss is worth the long-term rate in full
/// instead of the discounted value of a carryforward.</summary>
[GenerateSerializer, Immutable, Alias("TaxProfile")]
public sealed record TaxProfile(
    [property: Id(0)] FilingStatus Filing = FilingStatus.MarriedJoint,
    [property: Id(1)] decimal? TaxableIncome = null,
    [property: Id(2)] decimal? OrdinaryRate = null,
    [property: Id(3)] decimal? LongTermRate = null,
    [property: Id(4)] decimal StateRate = 0m,
    [property: Id(5)] bool? NetInvestmentIncomeTax = null,
    [property: Id(6)] decimal ShortTermCarryforward = 0m,
    [property: Id(7)] decimal LongTermCarryforward = 0m,
    [property: Id(8)] decimal OutsideShortTermGains = 0m,
    [property: Id(9)] decimal OutsideLongTermGains = 0m,
    [property: Id(10)] bool GainsElsewhere = false);

/// <summary>A view on expected return: <see cref="Alpha"/> a year (a fraction) on a symbol or, when
/// <see cref="Symbol"/> is null, on every security of <see cref="Sector"/>. ESG tilts are views too (a negative alpha on a
/// sector the client wants less of).</summary>
[GenerateSerializer, Immutable, Alias("ReturnView")]
public sealed record ReturnView(
    [property: Id(0)] string? Symbol,
    [property: Id(1)] string? Sector,
    [property: Id(2)] double Alpha);

/// <summary>A factor tilt: the portfolio's exposure to <see cref="Factor"/> (a factor of the live risk model) held at the
/// model's plus <see cref="Tilt"/>, within ± <see cref="Band"/>.</summary>
[GenerateSerializer, Immutable, Alias("FactorTilt")]
public sealed record FactorTilt(
    [property: Id(0)] string Factor,
    [property: Id(1)] double Tilt,
    [property: Id(2)] double Band = 0.05);

/// <summary>What a household's decisions optimize for.</summary>
[GenerateSerializer]
public enum PolicyObjective
{
    /// <summary>Each account tracks its own model (and is kept inside its bands).</summary>
    Accounts = 0,
    /// <summary>The household's aggregate tracks the blend of its accounts' models (weighted by value); accounts that
    /// say <see cref="InvestmentPolicy.TracksOwnModel"/> still track their own. Asset location places securities across
    /// account types.</summary>
    Household = 1,
}

/// <summary>The optimizer's policy, set by the firm (configuration), a household and an account: each field unset (null)
/// falls through to the next level (account, then household, then firm, then the engine's default).
/// <see cref="TrackingErrorWeight"/>: risk aversion, the weight of tracking variance (default 1).
/// <see cref="TaxSensitivity"/>: the weight of tax cost and harvest value (1 = a tax dollar is a dollar; 0 = tax-blind).
/// <see cref="TurnoverLimit"/>: the share of household value market-caused decisions may trade a day.
/// <see cref="MinTrade"/>: the smallest order, in dollars. <see cref="Views"/>, scaled by <see cref="ViewWeight"/>
/// (years of alpha counted, default 1): expected-return views and ESG tilts. <see cref="SectorBand"/>: each sector's weight within
/// ± this of the model's. <see cref="FactorTilts"/>: exposures held at the model's plus a tilt. <see cref="MaxWeight"/>: no
/// single security above this share of the account (funds included). <see cref="ExcludedSectors"/>: ESG exclusions,
/// sold and never bought. <see cref="LocationWeight"/>: years of after-tax drag the asset-location term counts (0 = off,
/// default 0; with the household objective a few years places bonds in IRAs and equity in taxable accounts).
/// <see cref="Objective"/>: account-by-account or household-wide. <see cref="TracksOwnModel"/> (an account's): the account tracks
/// its own model even under the household objective (a 529 on its glide path, a separately managed account).</summary>
[GenerateSerializer, Immutable, Alias("InvestmentPolicy")]
public sealed record InvestmentPolicy(
    [property: Id(0)] double? TrackingErrorWeight = null,
    [property: Id(1)] double? TaxSensitivity = null,
    [property: Id(2)] double? TurnoverLimit = null,
    [property: Id(3)] decimal? MinTrade = null,
    [property: Id(4)] ImmutableArray<ReturnView>? Views = null,
    [property: Id(5)] double? ViewWeight = null,
    [property: Id(6)] double? SectorBand = null,
    [property: Id(7)] ImmutableArray<FactorTilt>? FactorTilts = null,
    [property: Id(8)] double? MaxWeight = null,
    [property: Id(9)] ImmutableArray<string>? ExcludedSectors = null,
    [property: Id(10)] double? LocationWeight = null,
    [property: Id(11)] PolicyObjective? Objective = null,
    [property: Id(12)] bool? TracksOwnModel = null)
{
    public static InvestmentPolicy None { get; } = new();

    /// <summary>This policy's fields, each unset one taken from <paramref name="fallback"/>.</summary>
    public InvestmentPolicy Over(InvestmentPolicy? fallback) => fallback is null ? this : new(
        TrackingErrorWeight ?? fallback.TrackingErrorWeight,
        TaxSensitivity ?? fallback.TaxSensitivity,
        TurnoverLimit ?? fallback.TurnoverLimit,
        MinTrade ?? fallback.MinTrade,
        Views ?? fallback.Views,
        ViewWeight ?? fallback.ViewWeight,
        SectorBand ?? fallback.SectorBand,
        FactorTilts ?? fallback.FactorTilts,
        MaxWeight ?? fallback.MaxWeight,
        ExcludedSectors ?? fallback.ExcludedSectors,
        LocationWeight ?? fallback.LocationWeight,
        Objective ?? fallback.Objective,
        TracksOwnModel ?? fallback.TracksOwnModel);
}

/// <summary>What one more dollar costs or saves this year for a household, as its tax profile and the year's realized
/// results put it (fractions): <see cref="ShortTermGain"/> and <see cref="LongTermGain"/> the tax on a dollar more of
/// gain; <see cref="ShortTermLoss"/> and <see cref="LongTermLoss"/> the tax a dollar more of loss saves (the harvest
/// value). <see cref="Ordinary"/>, <see cref="LongTerm"/>: the combined marginal rates (federal, surtax, state) they
/// come from. <see cref="Basis"/> says in words where the household stands (net gains, offset used, carryforward).</summary>
[GenerateSerializer, Immutable, Alias("MarginalTaxRates")]
public sealed record MarginalTaxRates(
    [property: Id(0)] decimal ShortTermGain,
    [property: Id(1)] decimal LongTermGain,
    [property: Id(2)] decimal ShortTermLoss,
    [property: Id(3)] decimal LongTermLoss,
    [property: Id(4)] decimal Ordinary,
    [property: Id(5)] decimal LongTerm,
    [property: Id(6)] string Basis);

/// <summary>One account in a preview: its value, cash and tracking error to its own model (annualised, under the live risk
/// model) before and after the plan's trades at today's prices.</summary>
[GenerateSerializer, Immutable, Alias("AccountPreview")]
public sealed record AccountPreview(
    [property: Id(0)] string Account,
    [property: Id(1)] AccountType Type,
    [property: Id(2)] decimal Value,
    [property: Id(3)] decimal CashBefore,
    [property: Id(4)] decimal CashAfter,
    [property: Id(5)] double TrackingErrorBefore,
    [property: Id(6)] double TrackingErrorAfter);

/// <summary>What the engine would do now for a household, computed but not filed, journaled or executed: the plan (trades
/// with their lots, reasons and gains; tracking error before and after), the decision record (what it relaxed, protected
/// or why it trades nothing), the marginal rates it priced tax at, the plan's estimated tax (negative: a saving), each
/// account's tracking error before and after and, when the household has a tax budget, its transition path.</summary>
[GenerateSerializer, Immutable, Alias("HouseholdPreview")]
public sealed record HouseholdPreview(
    [property: Id(0)] string HouseholdId,
    [property: Id(1)] DateOnly AsOf,
    [property: Id(2)] RebalanceResult Plan,
    [property: Id(3)] DecisionRecord Record,
    [property: Id(4)] MarginalTaxRates Rates,
    [property: Id(5)] decimal EstimatedTax,
    ImmutableArray<AccountPreview> Accounts,
    TransitionPlan? Transition = null)
{
    [Id(6)] public ImmutableArray<AccountPreview> Accounts { get => field.OrEmpty(); init; } = Accounts;
    [Id(7)] public TransitionPlan? Transition { get; init; } = Transition;
}
