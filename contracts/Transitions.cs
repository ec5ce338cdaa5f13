using System.Collections.Immutable;

namespace Households.Contracts;

/// <summary>What a yearly tax budget counts: net realized gains, or the estimated tax on them.</summary>
[GenerateSerializer]
public enum TaxBudgetUnit
{
    /// <summary>Net realized gains (short- plus long-term, losses netted) in taxable accounts, in dollars.</summary>
    Gains = 0,
    /// <summary>Estimated federal tax on the year's realized gains, in dollars.</summary>
    Tax = 1,
}

/// <summary>A calendar-year budget: <see cref="Amount"/> dollars of net realized gains, or of estimated tax.</summary>
[GenerateSerializer, Immutable, Alias("AnnualTaxBudget")]
public sealed record AnnualTaxBudget(
    [property: Id(0)] decimal Amount,
    [property: Id(1)] TaxBudgetUnit Unit = TaxBudgetUnit.Gains);

/// <summary>One taxable account's own yearly budget, on top of the household's.</summary>
[GenerateSerializer, Immutable, Alias("AccountTaxBudget")]
public sealed record AccountTaxBudget(
    [property: Id(0)] string Account,
    [property: Id(1)] AnnualTaxBudget Budget);

/// <summary>A concentrated position sold down on a schedule: at most <see cref="MaxSharesPerQuarter"/> shares of
/// <see cref="Symbol"/> a calendar quarter, never below <see cref="FloorShares"/> (not counting the gifted lots), and the
/// lots in <see cref="GiftedLots"/> (set aside to give away) never sold.</summary>
[GenerateSerializer, Immutable, Alias("SellDownSchedule")]
public sealed record SellDownSchedule(
    [property: Id(0)] string Account,
    [property: Id(1)] string Symbol,
    [property: Id(2)] decimal MaxSharesPerQuarter,
    [property: Id(3)] decimal FloorShares,
    ImmutableArray<string> GiftedLots)
{
    [Id(4)] public ImmutableArray<string> GiftedLots { get => field.OrEmpty(); init; } = GiftedLots;
}

/// <summary>A household's transition settings, stored with it: the yearly budget (null: none set), per-account budgets
/// and sell-down schedules.</summary>
[GenerateSerializer, Immutable, Alias("TransitionPolicy")]
public sealed record TransitionPolicy(
    [property: Id(0)] AnnualTaxBudget? Budget,
    ImmutableArray<AccountTaxBudget> AccountBudgets,
    ImmutableArray<SellDownSchedule> SellDowns)
{
    [Id(1)] public ImmutableArray<AccountTaxBudget> AccountBudgets { get => field.OrEmpty(); init; } = AccountBudgets;
    [Id(2)] public ImmutableArray<SellDownSchedule> SellDowns { get => field.OrEmpty(); init; } = SellDowns;

    public static TransitionPolicy None { get; } = new(null, [], []);
}

/// <summary>One year of a transition plan: gains realized (taxable accounts, by term), losses harvested (included in the
/// gains, as negatives), the estimated tax, and where the household stands at year end.</summary>
[GenerateSerializer, Immutable, Alias("TransitionYear")]
public sealed record TransitionYear(
    [property: Id(0)] int Year,
    [property: Id(1)] decimal ShortTermGain,
    [property: Id(2)] decimal LongTermGain,
    [property: Id(3)] decimal HarvestedLosses,
    [property: Id(4)] decimal EstimatedTax,
    [property: Id(5)] double TrackingError,
    [property: Id(6)] decimal OutsideModel,
    [property: Id(7)] decimal Sold,
    [property: Id(8)] int Trades,
    ImmutableArray<TransitionSale> Sales)
{
    [Id(9)] public ImmutableArray<TransitionSale> Sales { get => field.OrEmpty(); init; } = Sales;

    public decimal NetGain => ShortTermGain + LongTermGain;
}

/// <summary>What a transition year sells of one security in one account: shares, proceeds, realized gain (negative for a
/// loss) and the lots sold.</summary>
[GenerateSerializer, Immutable, Alias("TransitionSale")]
public sealed record TransitionSale(
    [property: Id(0)] string Account,
    [property: Id(1)] string Symbol,
    [property: Id(2)] decimal Shares,
    [property: Id(3)] decimal Proceeds,
    [property: Id(4)] decimal Gain,
    ImmutableArray<string> Lots)
{
    [Id(5)] public ImmutableArray<string> Lots { get => field.OrEmpty(); init; } = Lots;
}

/// <summary>A multi-year transition at constant prices: the budget used, the gains already realized this year, where the
/// household starts, one row per simulated year, the years needed to track the model (null: not within the years
/// planned), the household's value and why the plan ends (<see cref="Conclusion"/>).</summary>
[GenerateSerializer, Immutable, Alias("TransitionPlan")]
public sealed record TransitionPlan(
    [property: Id(0)] string HouseholdId,
    [property: Id(1)] DateOnly AsOf,
    [property: Id(2)] AnnualTaxBudget Budget,
    [property: Id(3)] decimal RealizedYearToDate,
    [property: Id(4)] double TrackingErrorBefore,
    [property: Id(5)] decimal OutsideModelBefore,
    ImmutableArray<TransitionYear> Years,
    double FinalTrackingError,
    int? YearsNeeded,
    decimal Value,
    string Conclusion)
{
    [Id(6)] public ImmutableArray<TransitionYear> Years { get => field.OrEmpty(); init; } = Years;
    [Id(7)] public double FinalTrackingError { get; init; } = FinalTrackingError;
    [Id(8)] public int? YearsNeeded { get; init; } = YearsNeeded;
    [Id(9)] public decimal Value { get; init; } = Value;
    [Id(10)] public string Conclusion { get; init; } = Conclusion;
}
