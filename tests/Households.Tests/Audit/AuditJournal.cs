using Households.Contracts;
using Households.Domain.Accounts;
using Households.Domain.Decisions;
using Households.Domain.Reliability;
using Households.Domain.Tax;
using Households.Domain.WashSales;

namespace Households.Tests.Audit;

/// <summary>A household's journal written by hand the way the grains write it: accounts open (AccountOpened), fills go
/// through the account's books and the household's wash-sale ledger and are journaled by <see cref="TradeJournal"/>,
/// refusals come from <see cref="WashSaleGuard"/>, cash entries carry the replay's key prefixes. Entry ids rise in
/// journal order.</summary>
public sealed class AuditJournal(string householdId = "HH1")
{
    public static readonly DateOnly Day = new(2026, 3, 2);

    private readonly List<JournalEntry> _entries = [];
    private readonly Dictionary<string, AccountBook> _books = new(StringComparer.Ordinal);
    private readonly HouseholdTaxLedger _tax = new();
    private long _nextId;

    public string HouseholdId => householdId;
    public IReadOnlyList<JournalEntry> Entries => _entries;
    public DateTimeOffset At { get; set; } = new(2026, 3, 2, 15, 0, 0, TimeSpan.Zero);

    public static AccountSpec Account(string id, AccountType type, bool fractional = false, decimal? minTrade = null) =>
        new(id, "HH1", id, type, true, null, [], false, LotRelief.Hifo, HarvestPolicy.Off, fractional, minTrade);

    public static TaxLot Lot(string id, string symbol, decimal quantity, decimal pricePaid, DateOnly purchased) =>
        new(id, symbol, quantity, quantity * pricePaid, purchased, purchased);

    public AuditJournal Open(AccountSpec spec, decimal cash, params TaxLot[] lots)
    {
        var opening = new AccountOpening(spec with { HouseholdId = householdId }, cash, [.. lots]);
        _tax.OpenAccounts([(new AccountTaxProfile(spec.Id, spec.Type), lots)]);
        _books[spec.Id] = new AccountBook(opening.Spec, cash, lots.Select(l => new LotPiece(l, l.Id)));
        Add(new JournalEntry(0, householdId, spec.Id, JournalKind.AccountOpened, At, JournalReplay.OpenedKeyPrefix + spec.Id,
            $"Opened {spec.Type} account {spec.Id}", JournalFormat.Payload(opening)));
        return this;
    }

    /// <summary>A fill as the household records it (HouseholdBooks.Clear): books, then the ledger, then the journal.</summary>
    public TradeResult Trade(string account, string key, TradeSide side, string symbol, decimal quantity, decimal price, string? lotId = null, DateOnly? date = null)
    {
        var applied = _books[account].Apply(new TradeRequest(key, date ?? Day, symbol, side, quantity, price, lotId, null, 0m));
        var outcome = side == TradeSide.Buy
            ? _tax.RecordPurchase(account, applied.CreatedLot!)
            : _tax.RecordSale(account, applied.Request.TradeDate, applied.Sales);
        var result = applied with
        {
            Realized = side == TradeSide.Sell ? [.. outcome.Realized] : applied.Realized,
            WashSales = [.. outcome.Adjustments],
        };
        foreach (var adjusted in outcome.Adjustments.GroupBy(a => a.Account)) _books[adjusted.Key].Apply(adjusted);
        foreach (var e in TradeJournal.Entries(householdId, result, At)) Add(e);
        return result;
    }

    /// <summary>The household's pre-decision wash-sale check, journaled as the household grain does (ProposalJournal.Refusal).</summary>
    public WashSaleRefusal[] HoldWashingLosses(string account, decimal price, DateOnly today)
    {
        var book = _books[account];
        var input = new AccountDecisionInput(book.Spec, book.Cash, [.. book.Lots.Snapshot().Select(p => p.Lot)], null, 0m);
        var (_, refusals) = WashSaleGuard.HoldWashingLosses([input], _tax, _ => price, today);
        foreach (var r in refusals)
            Add(ProposalJournal.Refusal(householdId, r, today, At));
        return refusals;
    }

    public void Cash(string account, CashMovement movement, bool paid = false) =>
        Add(new JournalEntry(0, householdId, account, JournalKind.Cash, At, (paid ? JournalReplay.PaidKeyPrefix : JournalReplay.CashKeyPrefix) + movement.IdempotencyKey,
            $"{movement.Kind} of {movement.Amount:0.00} in {account}", JournalFormat.Payload(movement)));

    public void Decision(DecisionRecord record) =>
        Add(new JournalEntry(0, householdId, null, JournalKind.Decision, At, $"decision:{record.HouseholdId}:{_nextId + 1}",
            $"Decision {record.Outcome}", JournalFormat.Payload(record)));

    public void Add(JournalEntry entry) => _entries.Add(entry with { Id = ++_nextId });
}
