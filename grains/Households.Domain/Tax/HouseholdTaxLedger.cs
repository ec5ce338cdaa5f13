using Households.Contracts;
using Households.Domain.WashSales;

namespace Households.Domain.Tax;

/// <summary>What recording one fill did to the household's tax state: the realized rows of a sale (after any
/// wash-sale disallowance) and the adjustments each named account must apply to its lots.</summary>
public sealed record FillOutcome(IReadOnlyList<RealizedLot> Realized, IReadOnlyList<WashSaleAdjustment> Adjustments);

/// <summary>The household's tax state without the lots themselves: the wash-sale ledger across all its accounts
/// and the realized-gains ledger. Lots live with their accounts (an account grain's <c>LotBook</c>, or the replay's
/// <see cref="HouseholdTaxBook"/>); every purchase and every sale of any account passes through here, in trade-date
/// order, and the returned adjustments go to the accounts that hold the replacement lots.</summary>
public sealed class HouseholdTaxLedger
{
    public HouseholdTaxLedger(SubstantiallyIdentical? identical = null)
        : this(new WashSaleLedger(identical), new RealizedGains()) { }

    private HouseholdTaxLedger(WashSaleLedger washSales, RealizedGains gains)
    {
        WashSales = washSales;
        Gains = gains;
    }

    public WashSaleLedger WashSales { get; }
    public RealizedGains Gains { get; }

    public (WashSaleLedgerState Ledger, IReadOnlyList<RealizedEntry> Realized) Snapshot() => (WashSales.Snapshot(), Gains.Snapshot());

    public static HouseholdTaxLedger Restore(WashSaleLedgerState ledger, IEnumerable<RealizedEntry> realized, SubstantiallyIdentical? identical = null) =>
        new(WashSaleLedger.Restore(ledger, identical), RealizedGains.Restore(realized));

    /// <summary>Declares accounts; their opening lots become holdings in purchase-date order across all accounts
    /// (so a recent purchase can still be a replacement for a later loss sale) and their ids stay reserved.</summary>
    public void OpenAccounts(IReadOnlyList<(AccountTaxProfile Profile, IReadOnlyList<TaxLot> Lots)> accounts)
    {
        foreach (var (profile, _) in accounts) WashSales.RegisterAccount(profile);
        foreach (var (account, lot) in accounts.SelectMany(a => a.Lots.Select(l => (a.Profile.Account, l))).OrderBy(x => x.l.Purchased))
        {
            if (WashSales.RecordPurchase(account, lot).Count > 0)
                throw new BadInputException($"lot {lot.Id}: an opening lot cannot be a wash-sale replacement");
        }
    }

    /// <summary>Trades must arrive in trade-date order: a back-dated trade would change results already reported.</summary>
    public void EnsureInOrder(DateOnly date) => WashSales.EnsureInOrder(date);

    /// <summary>A purchase (dividend reinvestments included) in any account; it may wash losses sold in the 30 days before.</summary>
    public FillOutcome RecordPurchase(string account, TaxLot lot) => Adjusted([], WashSales.RecordPurchase(account, lot));

    /// <summary>A sale's relieved lots; a loss may be washed by replacements bought in the 30 days before, in any account.</summary>
    public FillOutcome RecordSale(string account, DateOnly date, IReadOnlyList<LotSale> sales)
    {
        var profile = WashSales.ProfileOf(account) ?? throw new BadInputException($"account {account} is not open");
        var entriesBefore = Gains.EntryCount;
        var outcome = WashSales.RecordSale(account, date, sales);
        Gains.Record(account, profile.RealizesGains, date, sales, outcome.LossIds);
        var result = Adjusted([], outcome.Adjustments);
        return result with { Realized = Gains.RowsFrom(entriesBefore) };
    }

    /// <summary>A corporate action's effects on the household's accounts, in account order: the security's open losses follow
    /// it through a split or ticker change; each converted lot stays the replacement candidate it was; the sales it implies
    /// (cash in lieu, a merger's cash, a return of capital beyond basis) are realized like a trade's; a dividend reinvestment
    /// is a purchase (IRC §1091(a); Pub. 550). Returns the realized rows and the wash-sale adjustments for the accounts.</summary>
    public FillOutcome RecordCorporateAction(CorporateAction action, IReadOnlyList<CorporateActionEffect> effects)
    {
        EnsureInOrder(action.Date);
        if (FollowsOpenLosses(action))
            WashSales.FollowSecurity(action.Symbol, action.NewSymbol ?? action.Symbol, action.Kind == CorporateActionKind.TickerChange ? 1m : action.Ratio);
        var realized = new List<RealizedLot>();
        var adjustments = new List<WashSaleAdjustment>();
        foreach (var effect in effects)
        {
            if (action.Kind is CorporateActionKind.Split or CorporateActionKind.TickerChange or CorporateActionKind.Merger)
            {
                var ratio = action.Kind == CorporateActionKind.TickerChange ? 1m : action.Ratio;
                foreach (var piece in effect.Before) WashSales.Restate(effect.AccountId, piece.Lot.Id, action.NewSymbol ?? action.Symbol, ratio);
            }
            if (effect.Sales.Length > 0)
            {
                var sale = RecordSale(effect.AccountId, action.Date, effect.Sales);
                realized.AddRange(sale.Realized);
                adjustments.AddRange(sale.Adjustments);
            }
            if (effect.Reinvested is { } lot) adjustments.AddRange(RecordPurchase(effect.AccountId, lot).Adjustments);
        }
        return new FillOutcome(realized, adjustments);
    }

    /// <summary>Whether the security's open losses follow it into what it becomes: a split and a ticker change (the same stock),
    /// and a stock-for-stock merger, whose acquirer shares stand for the target's once they trade on the exchange ratio
    /// (Rev. Rul. 56-406: a target's stock and the acquirer's are substantially identical under IRC §1091(a) when the
    /// reorganization is certain). The shares the merger delivers are not a purchase (Restate); buying the acquirer within 30
    /// days after a loss in the target is. A merger paying cash as well is left alone: part of it is a sale.</summary>
    public static bool FollowsOpenLosses(CorporateAction action) =>
        action.Kind is CorporateActionKind.Split or CorporateActionKind.TickerChange
        || action is { Kind: CorporateActionKind.Merger, Cash: 0m, Ratio: > 0m };

    /// <summary>Year to date as of <paramref name="asOf"/>: household and account totals, rows, and buy blackouts.</summary>
    public HouseholdTaxView View(DateOnly asOf, IEnumerable<string> accounts) => new(
        asOf,
        Gains.YearToDate(asOf),
        [.. accounts.Select(a => new AccountTaxView(a, Gains.YearToDate(asOf, a), [.. WashSales.BuyBlackouts(a, asOf)]))],
        [.. Gains.Rows(year: asOf.Year, through: asOf)]);

    /// <summary>The pre-trade wash-sale question for one lot of one account.</summary>
    public WashSaleCheck CheckLossSale(string account, TaxLot lot, string root, decimal quantity, DateOnly date)
    {
        var preview = WashSales.PreviewLossSale(account, lot.Symbol, lot.Id, quantity, date, root);
        return new WashSaleCheck(account, lot.Id, quantity, date, preview.WashedQuantity, [.. preview.Replacements]);
    }

    private FillOutcome Adjusted(IReadOnlyList<RealizedLot> rows, IReadOnlyList<WashSaleAdjustment> adjustments)
    {
        foreach (var adjustment in adjustments) Gains.Apply(adjustment);
        return new FillOutcome(rows, adjustments);
    }
}
