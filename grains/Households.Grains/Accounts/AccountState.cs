using Households.Contracts;
using Households.Domain.Lots;
using Households.Domain.Reliability;
using Households.Grains.Silo;

namespace Households.Grains.Accounts;

/// <summary>An account's books of record as stored (<see cref="AccountGrain"/>); ids are the stored payload's, never reused.
/// A fill is stored as an <see cref="AccountFilled"/> appended to the last snapshot of this state (<see cref="IAppendableState"/>).</summary>
[GenerateSerializer]
public sealed class AccountState : IAppendableState
{
    [Id(0)] public AccountSpec? Spec { get; set; }
    [Id(1)] public decimal Cash { get; set; }
    /// <summary>Open lots with the purchase each piece comes from (a wash-sale split keeps its root). The persisted
    /// form only: a live grain holds its lots as <see cref="CompactLots"/> and fills this list just for a write.</summary>
    [Id(2)] public List<LotPiece> Lots { get; set; } = [];
    /// <summary>Results of applied trades by idempotency key: a retry returns the original result. Only the trades dated from
    /// <see cref="TradesKeptSince"/> on are kept (the idempotency window).</summary>
    [Id(3)] public Dictionary<string, TradeResult> AppliedTrades { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Cash movements applied, by idempotency key: those dated from <see cref="CashKeptSince"/> on.</summary>
    [Id(4)] public Dictionary<string, CashMovement> CashMovements { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Withdrawal requests not yet paid, by idempotency key.</summary>
    [Id(5)] public Dictionary<string, decimal> PendingWithdrawals { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Journal entries of the last write, stored with it and appended after it (again on activation:
    /// appends are keyed, so a crash between the write and the append loses no entry and doubles none).</summary>
    [Id(6)] public JournalEntry[] Outbox { get; set; } = [];
    /// <summary>Wash-sale adjustments applied, by loss and lot: the household may send one again after a crash.</summary>
    [Id(7)] public HashSet<string> AppliedAdjustments { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Corporate actions applied, by action id: applying one again answers its first effect. Those dated from
    /// <see cref="CorporateActionsKeptSince"/> on (an effect stored without its date is kept).</summary>
    [Id(8)] public Dictionary<string, CorporateActionEffect> CorporateActions { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Corrections of record applied (transfers of shares, accepted reconciliations), by key: applying one again
    /// answers its first effect. Those dated from <see cref="CorrectionsKeptSince"/> on.</summary>
    [Id(9)] public Dictionary<string, BookCorrectionEffect> BookCorrections { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Sale proceeds in <see cref="Cash"/> not yet settled (T+1) and not committed to a purchase; an account stored
    /// before settlement was kept loads with none: all its cash settled.</summary>
    [Id(10)] public List<UnsettledCash> Unsettled { get; set; } = [];
    /// <summary>The open lots packed as the grain holds them (<see cref="CompactLots.Pack"/>): what is written since
    /// issue #18, so a million accounts' books are a few bytes a lot and read back without an object per lot.
    /// <see cref="Lots"/> is read when this is absent (state written before).</summary>
    [Id(11)] public byte[]? PackedLots { get; set; }
    /// <summary>The first trade date whose results <see cref="AppliedTrades"/> keeps: older ones were dropped by a later fill's
    /// write (<see cref="Households.Domain.Reliability.IdempotencyWindow"/>), and a trade dated before it is refused rather than
    /// applied, since its key may be one of them. Null (state written before, or nothing dropped yet): every result is kept.</summary>
    [Id(12)] public DateOnly? TradesKeptSince { get; set; }
    /// <summary>The first date whose cash movements <see cref="CashMovements"/> keeps (waiting withdrawals are kept until
    /// paid); a movement dated before it and not kept is looked up in the journal before it is recorded. Null: all kept.</summary>
    [Id(13)] public DateOnly? CashKeptSince { get; set; }
    /// <summary>The first action date whose effects <see cref="CorporateActions"/> keeps; older ones are in the journal.</summary>
    [Id(14)] public DateOnly? CorporateActionsKeptSince { get; set; }
    /// <summary>The first correction date whose effects <see cref="BookCorrections"/> keeps; older ones are in the journal.</summary>
    [Id(15)] public DateOnly? CorrectionsKeptSince { get; set; }
    /// <summary>The triggers of a client's events (cash, restrictions, policy) stored with the event itself and kept until
    /// the household confirms deciding them: a new activation after the account's silo died sends them again, where the
    /// held copy in memory (<see cref="Households.Domain.Decisions.AwaitingDecision"/>) died with the silo.</summary>
    [Id(16)] public List<Trigger> EventsUndecided { get; set; } = [];

    // Not stored: the lot changes of fills folded in by a read, and what the next write may be.
    [NonSerialized] private List<LotChanges>? _lotChanges;
    [NonSerialized] private NextWrite? _next;

    /// <inheritdoc/>
    public NextWrite Next() => _next ??= new();

    /// <summary>The open lots of <paramref name="accountId"/> in the form a live grain and the monitor hold them, with the
    /// lot changes of the fills stored since the snapshot.</summary>
    public CompactLots TakeLots(string accountId)
    {
        var lots = PackedLots is { } packed ? CompactLots.Unpack(accountId, packed) : CompactLots.From(accountId, Lots ?? []);
        if (_lotChanges is { } changes)
        {
            var pieces = lots.ToList();
            foreach (var change in changes) pieces = change.Apply(pieces);
            lots = CompactLots.From(accountId, pieces);
            _lotChanges = null;
        }
        Lots = [];
        PackedLots = null;
        return lots;
    }

    /// <summary>Marks the next write as this fill alone: it is appended rather than the whole state rewritten.</summary>
    public void Filled(AccountFilled? fill) => Next().Change(fill);

    void IAppendableState.Fold(object change)
    {
        if (change is not AccountFilled fill) throw new InvalidOperationException($"an account's stored change is {change.GetType().Name}, not a fill");
        Cash = fill.Cash;
        Unsettled = [.. fill.Unsettled];
        (_lotChanges ??= []).Add(new LotChanges(fill.LotsRemoved, fill.LotsPut));
        // The same order as the fill's own write (AccountTrades.Apply): older results dropped, then the fresh ones kept.
        if (fill.TradesKeptSince is { } since) IdempotencyWindow.Prune(AppliedTrades, since);
        TradesKeptSince = fill.TradesKeptSince;
        foreach (var r in fill.Trades) AppliedTrades[r.IdempotencyKey] = r;
    }
}

/// <summary>A fill of an account as stored (issue #18 goal 2): what it changed, appended to the last snapshot of the books
/// instead of rewriting them: the cash after it, the lots it removed and put, the results it keeps by key and the first
/// trade date the books keep results for. Every other part of the books is as the snapshot (or an earlier fill) has it.</summary>
[GenerateSerializer, Immutable, Alias("AccountFilled")]
public sealed record AccountFilled(
    [property: Id(0)] decimal Cash,
    [property: Id(1)] UnsettledCash[] Unsettled,
    [property: Id(2)] string[] LotsRemoved,
    [property: Id(3)] LotPiece[] LotsPut,
    [property: Id(4)] TradeResult[] Trades,
    [property: Id(5)] DateOnly? TradesKeptSince);
