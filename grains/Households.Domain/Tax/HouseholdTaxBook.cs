using Households.Contracts;
using Households.Domain.Lots;
using Households.Domain.WashSales;

namespace Households.Domain.Tax;

/// <summary>An account's open lot, with the account that holds it.</summary>
public sealed record OpenLot(string Account, TaxLot Lot);

/// <summary>
/// A whole household's tax state in one process: a <see cref="LotBook"/> per account, the household's
/// <see cref="WashSaleLedger"/> and <see cref="RealizedGains"/>. It is the replay's engine and shows the order in
/// which the running system (account grains + the household grain) calls the same pieces:
/// buy → <see cref="LotBook.Buy"/> → <see cref="WashSaleLedger.RecordPurchase"/> → apply adjustments;
/// sell → <see cref="LotBook.Sell"/> → <see cref="WashSaleLedger.RecordSale"/> → <see cref="RealizedGains.Record"/>
/// → apply adjustments. An adjustment is applied with <see cref="LotBook.Apply"/> on the replacement's account and
/// <see cref="RealizedGains.Apply"/> on the ledger holding the loss row.
/// </summary>
public sealed class HouseholdTaxBook
{
    private readonly Dictionary<string, LotBook> _books = new(StringComparer.Ordinal);
    private readonly List<string> _accountOrder = [];
    private readonly List<WashSaleAdjustment> _adjustments = [];

    public HouseholdTaxBook(SubstantiallyIdentical? identical = null, TaxRates? rates = null)
        : this(new HouseholdTaxLedger(identical), rates ?? TaxRates.Default) { }

    private HouseholdTaxBook(HouseholdTaxLedger ledger, TaxRates rates)
    {
        Ledger = ledger;
        Rates = rates;
    }

    /// <summary>The same household tax state the household grain keeps; this class adds the accounts' lot books.</summary>
    public HouseholdTaxLedger Ledger { get; }
    public WashSaleLedger WashSales => Ledger.WashSales;
    public RealizedGains Gains => Ledger.Gains;
    public TaxRates Rates { get; }

    /// <summary>The persisted form: the ledger, the realized entries and each account's lot pieces (what the grains
    /// persist, here in one piece).</summary>
    public (WashSaleLedgerState Ledger, IReadOnlyList<RealizedEntry> Realized, IReadOnlyList<(string Account, IReadOnlyList<LotPiece> Lots)> Books) Snapshot() =>
        (WashSales.Snapshot(), Gains.Snapshot(), _accountOrder.Select(a => (a, _books[a].Snapshot())).ToList());

    public static HouseholdTaxBook Restore(
        (WashSaleLedgerState Ledger, IReadOnlyList<RealizedEntry> Realized, IReadOnlyList<(string Account, IReadOnlyList<LotPiece> Lots)> Books) state,
        SubstantiallyIdentical? identical = null, TaxRates? rates = null)
    {
        var book = new HouseholdTaxBook(HouseholdTaxLedger.Restore(state.Ledger, state.Realized, identical), rates ?? TaxRates.Default);
        foreach (var (account, lots) in state.Books)
        {
            book._books[account] = new LotBook(lots);
            book._accountOrder.Add(account);
        }
        return book;
    }

    /// <summary>Every adjustment made since this object was created or restored, in the order made.</summary>
    public IReadOnlyList<WashSaleAdjustment> Adjustments => _adjustments;

    public IReadOnlyList<string> Accounts => _accountOrder;

    public void OpenAccount(AccountTaxProfile profile)
    {
        WashSales.RegisterAccount(profile);
        if (_books.TryAdd(profile.Account, new LotBook())) _accountOrder.Add(profile.Account);
    }

    public LotBook BookOf(string account) =>
        _books.GetValueOrDefault(account) ?? throw new BadInputException($"account {account} is not open");

    public TaxLot Buy(string account, string lotId, string symbol, decimal quantity, decimal price, DateOnly date)
    {
        Ledger.EnsureInOrder(date);
        var lot = BookOf(account).Buy(lotId, symbol, quantity, price, date);
        Apply(Ledger.RecordPurchase(account, lot).Adjustments);
        return BookOf(account).Find(lotId) ?? lot;
    }

    public IReadOnlyList<LotSale> Sell(string account, string symbol, decimal quantity, decimal price, DateOnly date,
        LotRelief method, string? lotId = null)
    {
        if (WashSales.ProfileOf(account) is null) throw new BadInputException($"account {account} is not open");
        Ledger.EnsureInOrder(date);
        var sales = BookOf(account).Sell(symbol, quantity, price, date, method, lotId, 0m, Rates);
        Apply(Ledger.RecordSale(account, date, sales).Adjustments);
        return sales;
    }

    /// <summary>Open lots of all accounts: accounts in the order they were opened, lots in book order.</summary>
    public IReadOnlyList<OpenLot> OpenLots =>
        _accountOrder.SelectMany(a => _books[a].Lots.Select(l => new OpenLot(a, l))).ToList();

    private void Apply(IReadOnlyList<WashSaleAdjustment> adjustments)
    {
        foreach (var adjustment in adjustments)
        {
            BookOf(adjustment.Account).Apply(adjustment);
            _adjustments.Add(adjustment);
        }
    }
}
