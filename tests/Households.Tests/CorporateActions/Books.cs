using Households.Contracts;
using Households.Domain.Accounts;
using Households.Domain.Tax;
using Households.Domain.WashSales;

namespace Households.Tests.CorporateActions;

/// <summary>A household's books the way the grains hold them, without the grains: each account's <see cref="AccountBook"/>
/// and one <see cref="HouseholdTaxLedger"/>; trades and corporate actions take the grains' path (the account applies, the
/// ledger clears, the adjustments go back to the accounts).</summary>
internal sealed class Books
{
    public HouseholdTaxLedger Ledger { get; } = new();
    public Dictionary<string, AccountBook> Accounts { get; } = new(StringComparer.Ordinal);

    public static DateOnly D(string s) => DateOnly.Parse(s);

    public Books Open(string id, AccountType type = AccountType.Taxable, bool reinvest = false, bool fractional = false, params TaxLot[] lots)
    {
        var spec = new AccountSpec(id, "H", id, type, true, null, [], false, LotRelief.Fifo, HarvestPolicy.Off, fractional, null, null, reinvest);
        Accounts[id] = new AccountBook(spec, 100_000m, lots.Select(l => new LotPiece(l, l.Id)));
        _opening.Add((new AccountTaxProfile(id, type), lots));
        return this;
    }

    // The ledger takes a household's opening lots at once, in purchase-date order across its accounts.
    private readonly List<(AccountTaxProfile, IReadOnlyList<TaxLot>)> _opening = [];

    private void Ready()
    {
        if (_opening.Count == 0) return;
        Ledger.OpenAccounts(_opening);
        _opening.Clear();
    }

    public static TaxLot Lot(string id, string symbol, decimal quantity, decimal basis, string purchased) =>
        new(id, symbol, quantity, basis, D(purchased), D(purchased));

    public FillOutcome Trade(string account, string key, string date, string symbol, TradeSide side, decimal quantity, decimal price, string? lot = null)
    {
        Ready();
        Ledger.EnsureInOrder(D(date));
        var fill = Accounts[account].Apply(new TradeRequest(key, D(date), symbol, side, quantity, price, lot, null, 0m));
        var outcome = side == TradeSide.Buy ? Ledger.RecordPurchase(account, fill.CreatedLot!) : Ledger.RecordSale(account, D(date), fill.Sales);
        Adjust(outcome.Adjustments);
        return outcome;
    }

    public (CorporateActionEffect[] Effects, FillOutcome Outcome) Apply(CorporateAction action)
    {
        Ready();
        Ledger.EnsureInOrder(action.Date);
        var effects = Accounts.Values.Select(b => b.Apply(action)).Where(e => !e.IsEmpty).ToArray();
        var outcome = Ledger.RecordCorporateAction(action, effects);
        Adjust(outcome.Adjustments);
        return (effects, outcome);
    }

    private void Adjust(IReadOnlyList<WashSaleAdjustment> adjustments)
    {
        foreach (var g in adjustments.GroupBy(a => a.Account)) Accounts[g.Key].Apply(g);
    }

    public TaxLot LotOf(string account, string id) => Accounts[account].Lots.Find(id) ?? throw new InvalidOperationException($"no lot {id} in {account}");

    public decimal Cash(string account) => Accounts[account].Cash;
}
