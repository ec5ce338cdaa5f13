using Households.Contracts;
using Households.Domain.Lots;

namespace Households.Domain.Accounts;

/// <summary>An account's books of record: cash and lots. Applying a trade validates it, relieves or creates lots
/// and moves cash; a rejected trade changes nothing.</summary>
public sealed class AccountBook
{
    public AccountBook(AccountSpec spec, decimal cash, IEnumerable<LotPiece> lots)
    {
        Spec = spec;
        Cash = cash;
        Lots = new LotBook(lots);
    }

    public AccountSpec Spec { get; }
    public decimal Cash { get; private set; }
    public LotBook Lots { get; }

    /// <summary>Applies the household's wash-sale adjustments to this account's replacement lots.</summary>
    public TaxLot[] Apply(IEnumerable<WashSaleAdjustment> adjustments) =>
        adjustments.Select(a => a.Account == Spec.Id ? Lots.Apply(a) : throw new BadInputException($"adjustment for {a.Account} sent to {Spec.Id}")).ToArray();

    /// <summary>Applies a fill. The new lot of a buy is named after the idempotency key, so a replayed journal
    /// recreates the same ids.</summary>
    public TradeResult Apply(TradeRequest trade)
    {
        TradeValidation.Check(trade);
        if (trade.Side == TradeSide.Buy)
        {
            var cost = trade.Quantity * trade.Price + trade.Commission;
            if (cost > Cash) throw new BadInputException($"buy of {trade.Quantity} {trade.Symbol} costs {cost:0.00} but the account holds {Cash:0.00} cash");
            var lot = Lots.Buy(LotIdFor(trade), trade.Symbol, trade.Quantity, trade.Price, trade.TradeDate, trade.Commission);
            Cash -= cost;
            return new TradeResult(trade.IdempotencyKey, Spec.Id, trade, lot, [], Cash, false, [], []);
        }

        var relief = trade.LotId is not null ? LotRelief.SpecificLot : trade.Relief ?? Spec.DefaultRelief;
        var sales = Lots.Sell(trade.Symbol, trade.Quantity, trade.Price, trade.TradeDate, relief, trade.LotId, trade.Commission);
        var taxable = TaxTreatment.IsTaxable(Spec.Type);
        var realized = sales.Select(s => new RealizedLot(trade.TradeDate, Spec.Id, trade.Symbol, s.Lot.Id, s.Quantity, s.Proceeds,
            s.Basis, s.Gain, 0m, taxable ? s.Gain : 0m, s.Term, false)).ToArray();
        Cash += sales.Sum(s => s.Proceeds);
        return new TradeResult(trade.IdempotencyKey, Spec.Id, trade, null, realized, Cash, false, [.. sales], []);
    }

    public static string LotIdFor(TradeRequest trade) => $"T-{trade.IdempotencyKey}";
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
        if (string.IsNullOrWhiteSpace(trade.IdempotencyKey)) throw new BadInputException("idempotencyKey is required");
        if (trade.IdempotencyKey.Length > MaxKeyLength) throw new BadInputException($"idempotencyKey must be at most {MaxKeyLength} characters");
        if (string.IsNullOrWhiteSpace(trade.Symbol)) throw new BadInputException("symbol is required");
        if (trade.Quantity <= 0) throw new BadInputException("quantity must be > 0");
        if (trade.Price <= 0) throw new BadInputException("price must be > 0");
        if (trade.Commission < 0) throw new BadInputException("commission must be >= 0");
        if (trade.TradeDate.Year is < 1900 or > 2200) throw new BadInputException("tradeDate is out of range");
        if (trade.Side == TradeSide.Buy && trade.LotId is not null) throw new BadInputException("lotId applies to sells only");
    }
}

public static class AccountValidation
{
    public static void Check(AccountOpening opening, string householdId)
    {
        var spec = opening.Spec ?? throw new BadInputException("account spec is required");
        if (string.IsNullOrWhiteSpace(spec.Id)) throw new BadInputException("account id is required");
        if (spec.HouseholdId != householdId) throw new BadInputException($"account {spec.Id}: householdId must be {householdId}");
        if (!Enum.IsDefined(spec.Type)) throw new BadInputException($"account {spec.Id}: unknown account type");
        if (opening.Cash < 0) throw new BadInputException($"account {spec.Id}: cash must be >= 0");
        if (spec.Harvest is null) throw new BadInputException($"account {spec.Id}: harvest policy is required");
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var lot in opening.Lots ?? [])
        {
            if (string.IsNullOrWhiteSpace(lot.Id) || !ids.Add(lot.Id)) throw new BadInputException($"account {spec.Id}: lot ids must be present and unique ({lot.Id})");
            if (string.IsNullOrWhiteSpace(lot.Symbol)) throw new BadInputException($"account {spec.Id}: lot {lot.Id} symbol is required");
            if (lot.Quantity <= 0) throw new BadInputException($"account {spec.Id}: lot {lot.Id} quantity must be > 0");
            if (lot.Basis < 0) throw new BadInputException($"account {spec.Id}: lot {lot.Id} basis must be >= 0");
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
        if (string.IsNullOrWhiteSpace(movement.IdempotencyKey)) throw new BadInputException("idempotencyKey is required");
        if (movement.IdempotencyKey.Length > TradeValidation.MaxKeyLength) throw new BadInputException($"idempotencyKey must be at most {TradeValidation.MaxKeyLength} characters");
        if (!Enum.IsDefined(movement.Kind)) throw new BadInputException("kind must be deposit, withdrawal or dividend");
        if (movement.Amount <= 0 || movement.Amount > MaxAmount) throw new BadInputException($"amount must be > 0 and at most {MaxAmount}");
        if (movement.Date.Year is < 1900 or > 2200) throw new BadInputException("date is out of range");
        if (movement.Kind == CashKind.Dividend && string.IsNullOrWhiteSpace(movement.Symbol)) throw new BadInputException("symbol is required for a dividend");
    }
}
