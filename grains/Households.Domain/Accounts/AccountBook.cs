using System.Collections.Immutable;
using Households.Contracts;
using Households.Domain.Calendar;
using Households.Domain.Lots;

namespace Households.Domain.Accounts;

/// <summary>An account's books of record: cash and lots. Applying a trade validates it, relieves or creates lots
/// and moves cash; a rejected trade changes nothing. With a <see cref="TradingCalendar"/> a sale's proceeds settle T+1
/// (<see cref="CashBalance"/>); without one (the simulations, which step whole days) they settle at once.</summary>
public sealed class AccountBook
{
    private readonly TradingCalendar? _calendar;

    public AccountBook(AccountSpec spec, decimal cash, IEnumerable<LotPiece> lots, IEnumerable<UnsettledCash>? unsettled = null, TradingCalendar? calendar = null)
    {
        Spec = spec;
        Balance = new CashBalance(cash, unsettled);
        Lots = new LotBook(lots);
        _calendar = calendar;
    }

    public AccountSpec Spec { get; }
    public CashBalance Balance { get; }
    public decimal Cash => Balance.Total;
    public LotBook Lots { get; private set; }

    /// <summary>Applies the household's wash-sale adjustments to this account's replacement lots, all or none:
    /// when one does not fit, the lots are restored as they were before the first.</summary>
    public TaxLot[] Apply(IEnumerable<WashSaleAdjustment> adjustments)
    {
        var before = Lots.Snapshot();
        try
        {
            return adjustments.Select(a => a.Account == Spec.Id ? Lots.Apply(a) : throw new BadInputException($"adjustment for {a.Account} sent to {Spec.Id}")).ToArray();
        }
        catch (BadInputException)
        {
            Lots = new LotBook(before);
            throw;
        }
    }

    /// <summary>Applies a fill. The new lot of a buy is named after the idempotency key, so a replayed journal
    /// recreates the same ids.</summary>
    public TradeResult Apply(TradeRequest trade)
    {
        TradeValidation.Check(trade);
        if (trade.Side == TradeSide.Buy)
        {
            var cost = trade.Quantity * trade.Price + trade.Commission;
            if (cost > Balance.SpendableCash) throw new BadInputException($"buy of {trade.Quantity} {trade.Symbol} costs {cost:0.00} but the account holds {Cash:0.00} cash");
            var lot = Lots.Buy(LotIdFor(trade), trade.Symbol, trade.Quantity, trade.Price, trade.TradeDate, trade.Commission);
            Balance.Spend(cost, trade.TradeDate);
            return new TradeResult(trade.IdempotencyKey, Spec.Id, trade, lot, [], Cash, false, [], []);
        }

        // No margin: a sale's commission may not exceed its proceeds, so a sale never takes cash below zero.
        if (trade.Commission > trade.Quantity * trade.Price)
            throw new BadInputException($"commission {trade.Commission:0.00} exceeds the sale's proceeds {trade.Quantity * trade.Price:0.00}");
        var relief = trade.LotId is not null ? LotRelief.SpecificLot : trade.Relief ?? Spec.DefaultRelief;
        var sales = Lots.Sell(trade.Symbol, trade.Quantity, trade.Price, trade.TradeDate, relief, trade.LotId, trade.Commission);
        var taxable = TaxTreatment.IsTaxable(Spec.Type);
        var realized = sales.Select(s => new RealizedLot(trade.TradeDate, Spec.Id, trade.Symbol, s.Lot.Id, s.Quantity, s.Proceeds,
            s.Basis, s.Gain, 0m, taxable ? s.Gain : 0m, s.Term, false)).ToImmutableArray();
        // Cash moves by the exact net proceeds; the per-lot slices are pro rata and may differ in the 28th digit.
        Balance.Sold(new UnsettledCash(trade.IdempotencyKey, trade.Quantity * trade.Price - trade.Commission, trade.TradeDate,
            _calendar?.SettlementDate(trade.TradeDate) ?? trade.TradeDate));
        return new TradeResult(trade.IdempotencyKey, Spec.Id, trade, null, realized, Cash, false, [.. sales], []);
    }

    /// <summary>Applies a validated cash movement now: deposits and dividends add cash; a withdrawal is paid only
    /// when the cash settled on its date covers it (no margin, no unsettled proceeds), otherwise it is refused and nothing changes.</summary>
    public decimal Apply(CashMovement movement)
    {
        CashValidation.Check(movement);
        if (movement.Kind == CashKind.Withdrawal) Balance.Withdraw(movement.Amount, movement.Date);
        else if (CashValidation.IsOutflow(movement.Kind))
        {
            // A fee, transfer or journal out the custodian already made leaves from any cash, never below zero.
            if (movement.Amount > Cash) throw new BadInputException($"{CashValidation.Name(movement.Kind)} of {movement.Amount:0.00} exceeds the {Cash:0.00} cash held");
            Balance.Reset(Cash - movement.Amount, movement.Date);
        }
        else Balance.Receive(movement.Amount);
        return Cash;
    }

    /// <summary>Applies a corporate action to this account's lots and cash (<see cref="CorporateActions.CorporateActionRules"/>):
    /// all or nothing, a refusal leaves the books as they were.</summary>
    public CorporateActionEffect Apply(CorporateAction action)
    {
        var before = Lots.Snapshot();
        try
        {
            var effect = CorporateActions.CorporateActionRules.Apply(Spec, Lots, action, Cash);
            Balance.Reset(effect.CashAfter, action.Date);
            return effect;
        }
        catch (BadInputException)
        {
            Lots = new LotBook(before);
            throw;
        }
    }

    /// <summary>Applies a correction of record (<see cref="BookCorrections"/>): all or nothing, never a trade.</summary>
    public BookCorrectionEffect Apply(BookCorrection correction)
    {
        var before = Lots.Snapshot();
        try
        {
            var (lotsBefore, lotsAfter, cash) = BookCorrections.Apply(Spec, Lots, Cash, correction);
            var effect = new BookCorrectionEffect(Spec.Id, correction, lotsBefore, lotsAfter, cash - Cash, cash);
            Balance.Reset(cash, correction.Date);
            return effect;
        }
        catch (BadInputException)
        {
            Lots = new LotBook(before);
            throw;
        }
    }

    private const string BoughtLotPrefix = "T-";

    public static string LotIdFor(TradeRequest trade) => BoughtLotPrefix + trade.IdempotencyKey;

    /// <summary>The trade key a lot bought through <see cref="Apply"/> was named after; null for any other lot.</summary>
    public static string? OrderKeyOf(string lotId) => lotId.StartsWith(BoughtLotPrefix, StringComparison.Ordinal) ? lotId[BoughtLotPrefix.Length..] : null;
}

public static class TaxTreatment
{
    /// <summary>Gains in IRAs, Roth IRAs and 529 plans are not taxed when realized; taxable and grantor-trust
    /// accounts are the household taxpayer's.</summary>
    public static bool IsTaxable(AccountType type) => type is AccountType.Taxable or AccountType.Trust;
}

public static class TradeValidation
{
    public const int MaxKeyLength = 128;

    public static void Check(TradeRequest trade)
    {
        if (trade is null) throw new BadInputException("trade is required");
        InputRules.Id(trade.IdempotencyKey, "idempotencyKey", MaxKeyLength);
        InputRules.Symbol(trade.Symbol, "symbol");
        InputRules.OptionalId(trade.LotId, "lotId");
        InputRules.Quantity(trade.Quantity, "quantity");
        InputRules.Price(trade.Price, "price");
        InputRules.Range(trade.Commission, "commission", 0m, true, CashValidation.MaxAmount);
        if (!Enum.IsDefined(trade.Side)) throw new BadInputException("side must be buy or sell");
        if (trade.Relief is { } relief && !Enum.IsDefined(relief)) throw new BadInputException("relief must be fifo, lifo, hifo, minTax or specificLot");
        InputRules.Date(trade.TradeDate, "tradeDate");
        if (trade.Side == TradeSide.Buy && trade.LotId is not null) throw new BadInputException("lotId applies to sells only");
    }
}

/// <summary>A household as created: its id is the grain's key, its accounts are given once each and belong to it.</summary>
public static class HouseholdValidation
{
    public const int MaxAccounts = 50;

    public static void Check(HouseholdSpec household, AccountOpening[] accounts, string key)
    {
        if (household is null) throw new BadInputException("household is required");
        InputRules.Id(household.Id, "id");
        if (household.Id != key) throw new BadInputException($"household id {household.Id} does not match {key}");
        InputRules.Text(household.Name, "name");
        InputRules.Id(household.AdvisorId, "advisorId");
        if (accounts is null || accounts.Length == 0) throw new BadInputException("accounts must not be empty");
        if (accounts.Length > MaxAccounts) throw new BadInputException($"a household holds at most {MaxAccounts} accounts");
        foreach (var a in accounts) AccountValidation.Check(a, household.Id);
        var ids = accounts.Select(a => a.Spec.Id).ToList();
        if (ids.Distinct(StringComparer.Ordinal).Count() != ids.Count) throw new BadInputException("account ids must be unique");
        if (!ids.OrderBy(x => x, StringComparer.Ordinal).SequenceEqual(household.AccountIds.OrderBy(x => x, StringComparer.Ordinal)))
            throw new BadInputException("accountIds must list exactly the accounts given");
    }
}

public static class AccountValidation
{
    public static void Check(AccountOpening opening, string householdId)
    {
        var spec = opening.Spec ?? throw new BadInputException("account spec is required");
        InputRules.Id(spec.Id, "account id");
        InputRules.Text(spec.Name, $"account {spec.Id}: name");
        InputRules.OptionalId(spec.ModelId, $"account {spec.Id}: modelId");
        if (spec.HouseholdId != householdId) throw new BadInputException($"account {spec.Id}: householdId must be {householdId}");
        if (!Enum.IsDefined(spec.Type)) throw new BadInputException($"account {spec.Id}: unknown account type");
        if (opening.Cash < 0) throw new BadInputException($"account {spec.Id}: cash must be >= 0");
        if (opening.Cash > CashValidation.MaxAmount) throw new BadInputException($"account {spec.Id}: cash must be at most {CashValidation.MaxAmount}");
        if (!Enum.IsDefined(spec.DefaultRelief)) throw new BadInputException($"account {spec.Id}: unknown defaultRelief");
        if (spec.Execution is { } mode && !Enum.IsDefined(mode)) throw new BadInputException($"account {spec.Id}: execution must be simulated or orders");
        RestrictionValidation.Check(spec.Restrictions, $"account {spec.Id}: restrictions");
        if (spec.Harvest is null) throw new BadInputException($"account {spec.Id}: harvest policy is required");
        if (spec.Harvest.MinLossPercent is < 0 or > 1) throw new BadInputException($"account {spec.Id}: harvest.minLossPercent must be between 0 and 1");
        if (spec.Harvest.MinLossDollars is < 0 or > CashValidation.MaxAmount) throw new BadInputException($"account {spec.Id}: harvest.minLossDollars must be between 0 and {CashValidation.MaxAmount}");
        if (spec.Harvest.EstimatedCostBps is < 0 or > 10_000) throw new BadInputException($"account {spec.Id}: harvest.estimatedCostBps must be between 0 and 10000");
        if (spec.MinTrade is < 0 or > CashValidation.MaxAmount) throw new BadInputException($"account {spec.Id}: minTrade must be between 0 and {CashValidation.MaxAmount}");
        if (spec.TrackingErrorBand is <= 0 or >= 1) throw new BadInputException($"account {spec.Id}: trackingErrorBand must be above 0 and below 1");
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var lot in opening.Lots)
        {
            if (lot is null) throw new BadInputException($"account {spec.Id}: a lot is null");
            InputRules.Id(lot.Id, $"account {spec.Id}: lot id");
            if (!ids.Add(lot.Id)) throw new BadInputException($"account {spec.Id}: lot ids must be present and unique ({lot.Id})");
            InputRules.Symbol(lot.Symbol, $"account {spec.Id}: lot {lot.Id} symbol");
            InputRules.Quantity(lot.Quantity, $"account {spec.Id}: lot {lot.Id} quantity");
            if (lot.Basis < 0) throw new BadInputException($"account {spec.Id}: lot {lot.Id} basis must be >= 0");
            if (lot.Basis > InputRules.MaxQuantity * InputRules.MaxPrice) throw new BadInputException($"account {spec.Id}: lot {lot.Id} basis is out of range");
            InputRules.Date(lot.Purchased, $"account {spec.Id}: lot {lot.Id} purchased");
            InputRules.Date(lot.HoldingSince, $"account {spec.Id}: lot {lot.Id} holdingSince");
            if (lot.HoldingSince > lot.Purchased) throw new BadInputException($"account {spec.Id}: lot {lot.Id} holdingSince must not be after purchased");
        }
    }
}

public static class CashValidation
{
    public const decimal MaxAmount = 1_000_000_000_000m;

    public static void Check(CashMovement movement)
    {
        if (movement is null) throw new BadInputException("cash movement is required");
        InputRules.Id(movement.IdempotencyKey, "idempotencyKey", TradeValidation.MaxKeyLength);
        InputRules.OptionalId(movement.Symbol, "symbol");
        if (!Enum.IsDefined(movement.Kind)) throw new BadInputException("kind must be deposit, withdrawal, dividend, interest, fee, transferIn, transferOut, journalIn or journalOut");
        if (movement.Amount <= 0 || movement.Amount > MaxAmount) throw new BadInputException($"amount must be > 0 and at most {MaxAmount}");
        InputRules.Date(movement.Date, "date");
        if (movement.Kind == CashKind.Dividend && string.IsNullOrWhiteSpace(movement.Symbol)) throw new BadInputException("symbol is required for a dividend");
    }

    /// <summary>Money that leaves the account at once (a withdrawal is a request the household raises cash for instead):
    /// never below zero, there is no margin.</summary>
    public static bool IsOutflow(CashKind kind) => kind is CashKind.Fee or CashKind.TransferOut or CashKind.JournalOut;

    /// <summary>The movement's effect on cash: + in, − out (a withdrawal counts when it is paid).</summary>
    public static decimal Signed(CashMovement movement) => IsOutflow(movement.Kind) || movement.Kind == CashKind.Withdrawal ? -movement.Amount : movement.Amount;

    public static string Name(CashKind kind) => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(kind.ToString());
}

public static class RestrictionValidation
{
    public const int MaxRestrictions = 1000;

    /// <summary>A restriction names either a symbol or a sector, with a known kind and a displayable reason.</summary>
    public static void Check(IReadOnlyList<Restriction>? restrictions, string field = "restrictions")
    {
        if (restrictions is null) throw new BadInputException($"{field} are required");
        if (restrictions.Count > MaxRestrictions) throw new BadInputException($"{field}: at most {MaxRestrictions} restrictions");
        for (var i = 0; i < restrictions.Count; i++)
        {
            var r = restrictions[i];
            if (r is null || !Enum.IsDefined(r.Kind)) throw new BadInputException($"{field}[{i}].kind must be exclude, noBuy or hold");
            if (string.IsNullOrWhiteSpace(r.Symbol) == string.IsNullOrWhiteSpace(r.Sector)) throw new BadInputException($"{field}[{i}]: a restriction names either a symbol or a sector");
            if (r.Symbol is not null) InputRules.Id(r.Symbol, $"{field}[{i}].symbol");
            InputRules.Text(r.Sector, $"{field}[{i}].sector", required: false);
            InputRules.Text(r.Reason, $"{field}[{i}].reason", required: false, maxLength: 500);
        }
    }
}
