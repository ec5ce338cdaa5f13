using System.Collections.Immutable;

namespace Households.Contracts;

/// <summary>What a corporate action does to the holders of a security (docs/tax-rules.md, "Corporate actions").</summary>
[GenerateSerializer]
public enum CorporateActionKind
{
    /// <summary>Split or reverse split: <see cref="CorporateAction.Ratio"/> new shares per old share.</summary>
    Split = 0,
    /// <summary>Ticker or CUSIP change: the same shares under <see cref="CorporateAction.NewSymbol"/>.</summary>
    TickerChange = 1,
    /// <summary>Merger: <see cref="CorporateAction.Ratio"/> shares of <see cref="CorporateAction.NewSymbol"/> and
    /// <see cref="CorporateAction.Cash"/> dollars per old share.</summary>
    Merger = 2,
    /// <summary>Spin-off: <see cref="CorporateAction.Ratio"/> shares of <see cref="CorporateAction.NewSymbol"/> per share
    /// held, which take <see cref="CorporateAction.BasisPercent"/> of the basis.</summary>
    SpinOff = 3,
    /// <summary>Cash dividend of <see cref="CorporateAction.Cash"/> per share, reinvested at <see cref="CorporateAction.Price"/>
    /// in accounts that reinvest dividends, swept to cash in the others.</summary>
    CashDividend = 4,
    /// <summary>Return of capital (nondividend distribution) of <see cref="CorporateAction.Cash"/> per share.</summary>
    ReturnOfCapital = 5,
}

/// <summary>One corporate action on one security, applied to every account that holds it on <see cref="Date"/> (the ex
/// date, or the effective date of a split, ticker change or merger). <see cref="Id"/> makes it idempotent: applying the
/// same id again changes nothing. <see cref="Price"/> is the price per share of the security received (cash in lieu of
/// fractions, the value of a merger's stock, dividend reinvestment).</summary>
[GenerateSerializer, Immutable, Alias("CorporateAction")]
public sealed record CorporateAction(
    [property: Id(0)] string Id,
    [property: Id(1)] CorporateActionKind Kind,
    [property: Id(2)] string Symbol,
    [property: Id(3)] DateOnly Date,
    [property: Id(4)] string? NewSymbol = null,
    [property: Id(5)] decimal Ratio = 1m,
    [property: Id(6)] decimal Cash = 0m,
    [property: Id(7)] decimal? Price = null,
    [property: Id(8)] decimal BasisPercent = 0m);

/// <summary>What one corporate action did to one account: its lots of the securities involved before and after (with the
/// purchase each piece comes from), the lot pieces sold (cash in lieu, a merger's cash, a return of capital beyond basis),
/// the lot a dividend reinvestment bought, and the cash it moved. Stored by the account under the action's id: applying
/// the action again answers this, marked replayed.</summary>
[GenerateSerializer, Immutable, Alias("CorporateActionEffect")]
public sealed record CorporateActionEffect(
    [property: Id(0)] string ActionId,
    [property: Id(1)] string AccountId,
    ImmutableArray<LotPiece> Before,
    ImmutableArray<LotPiece> After,
    ImmutableArray<LotSale> Sales,
    TaxLot? Reinvested,
    decimal CashDelta,
    decimal CashAfter,
    bool Replayed = false)
{
    /// <summary>The action's date (<see cref="CorporateAction.Date"/>): how long the account keeps the effect by the action's
    /// id (the idempotency window). Null in effects stored before it was recorded.</summary>
    [Id(9)] public DateOnly? Date { get; init; }
    [Id(2)] public ImmutableArray<LotPiece> Before { get => field.OrEmpty(); init; } = Before;
    [Id(3)] public ImmutableArray<LotPiece> After { get => field.OrEmpty(); init; } = After;
    [Id(4)] public ImmutableArray<LotSale> Sales { get => field.OrEmpty(); init; } = Sales;
    [Id(5)] public TaxLot? Reinvested { get; init; } = Reinvested;
    [Id(6)] public decimal CashDelta { get; init; } = CashDelta;
    [Id(7)] public decimal CashAfter { get; init; } = CashAfter;
    [Id(8)] public bool Replayed { get; init; } = Replayed;

    /// <summary>The account held nothing the action touches.</summary>
    public bool IsEmpty => Before.Length == 0 && After.Length == 0 && CashDelta == 0m;
}

/// <summary>What a corporate action did in one household: each account's effect, the realized rows (after any wash-sale
/// disallowance) and the wash-sale adjustments a reinvestment caused; or why the household refused it (a date before
/// its last trade).</summary>
[GenerateSerializer, Immutable, Alias("HouseholdCorporateAction")]
public sealed record HouseholdCorporateAction(
    [property: Id(0)] string HouseholdId,
    ImmutableArray<CorporateActionEffect> Accounts,
    ImmutableArray<RealizedLot> Realized,
    ImmutableArray<WashSaleAdjustment> WashSales,
    string? Refused = null,
    bool Replayed = false)
{
    [Id(1)] public ImmutableArray<CorporateActionEffect> Accounts { get => field.OrEmpty(); init; } = Accounts;
    [Id(2)] public ImmutableArray<RealizedLot> Realized { get => field.OrEmpty(); init; } = Realized;
    [Id(3)] public ImmutableArray<WashSaleAdjustment> WashSales { get => field.OrEmpty(); init; } = WashSales;
    [Id(4)] public string? Refused { get; init; } = Refused;
    [Id(5)] public bool Replayed { get; init; } = Replayed;
}

/// <summary>A corporate action as the firm applied it: the households it touched (those holding none of the security are
/// left out) and the ones that refused it.</summary>
[GenerateSerializer, Immutable, Alias("CorporateActionReport")]
public sealed record CorporateActionReport(
    [property: Id(0)] CorporateAction Action,
    ImmutableArray<HouseholdCorporateAction> Households,
    bool Replayed = false)
{
    [Id(1)] public ImmutableArray<HouseholdCorporateAction> Households { get => field.OrEmpty(); init; } = Households;
    [Id(2)] public bool Replayed { get; init; } = Replayed;
}

/// <summary>One corporate action (key: its id), applied firm-wide: to every household that holds the security.</summary>
[Alias("ICorporateActionGrain")]
public interface ICorporateActionGrain : IGrainWithStringKey
{
    /// <summary>Records the action (persisted first), then applies it to every household of the firm directory and stores
    /// the report. Applying the same action again answers the stored report marked replayed (an interrupted run resumes:
    /// households apply an action once); the same id with different content is bad input.</summary>
    [Alias("Apply")] Task<CorporateActionReport> Apply(CorporateAction action);

    /// <summary>The stored report, or null when the action was never applied.</summary>
    [Alias("Get")] Task<CorporateActionReport?> Get();
}
