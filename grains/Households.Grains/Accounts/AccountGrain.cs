using Microsoft.Extensions.DependencyInjection;
using Households.Contracts;
using Households.Domain;
using Households.Domain.Accounts;
using Households.Domain.CorporateActions;
using Households.Domain.Lots;
using Households.Domain.Monitoring;
using Households.Domain.Decisions;
using Households.Domain.Reliability;
using Households.Domain.Tax;
using Households.Grains.Silo;
using Households.Persistence.Journal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Households.Grains;

[GenerateSerializer]
public sealed class AccountState
{
    [Id(0)] public AccountSpec? Spec { get; set; }
    [Id(1)] public decimal Cash { get; set; }
    /// <summary>Open lots with the purchase each piece comes from (a wash-sale split keeps its root). The persisted
    /// form only: a live grain holds its lots as <see cref="CompactLots"/> and fills this list just for a write.</summary>
    [Id(2)] public List<LotPiece> Lots { get; set; } = [];
    /// <summary>Results of applied trades by idempotency key: a retry returns the original result.</summary>
    [Id(3)] public Dictionary<string, TradeResult> AppliedTrades { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Cash movements applied, by idempotency key.</summary>
    [Id(4)] public Dictionary<string, CashMovement> CashMovements { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Withdrawal requests not yet paid, by idempotency key.</summary>
    [Id(5)] public Dictionary<string, decimal> PendingWithdrawals { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Journal entries of the last write, stored with it and appended after it (again on activation:
    /// appends are keyed, so a crash between the write and the append loses no entry and doubles none).</summary>
    [Id(6)] public JournalEntry[] Outbox { get; set; } = [];
    /// <summary>Wash-sale adjustments applied, by loss and lot: the household may send one again after a crash.</summary>
    [Id(7)] public HashSet<string> AppliedAdjustments { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Corporate actions applied, by action id: applying one again answers its first effect.</summary>
    [Id(8)] public Dictionary<string, CorporateActionEffect> CorporateActions { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Corrections of record applied (transfers of shares, accepted reconciliations), by key: applying one again
    /// answers its first effect.</summary>
    [Id(9)] public Dictionary<string, BookCorrectionEffect> BookCorrections { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Sale proceeds in <see cref="Cash"/> not yet settled (T+1) and not committed to a purchase; an account stored
    /// before settlement was kept loads with none: all its cash settled.</summary>
    [Id(10)] public List<UnsettledCash> Unsettled { get; set; } = [];
    /// <summary>The open lots packed as the grain holds them (<see cref="CompactLots.Pack"/>): what is written since
    /// issue #18, so a million accounts' books are a few bytes a lot and read back without an object per lot.
    /// <see cref="Lots"/> is read when this is absent (state written before).</summary>
    [Id(11)] public byte[]? PackedLots { get; set; }

    /// <summary>The open lots of <paramref name="accountId"/> in the form a live grain and the monitor hold them.</summary>
    public CompactLots TakeLots(string accountId)
    {
        var lots = PackedLots is { } packed ? CompactLots.Unpack(accountId, packed) : CompactLots.From(accountId, Lots ?? []);
        Lots = [];
        PackedLots = null;
        return lots;
    }
}

/// <summary>An account: books of record in memory and in storage, a compact snapshot in the silo's monitor.</summary>
public sealed class AccountGrain(
    [PersistentState("account", "households")] IPersistentState<AccountState> state,
    PriceBoard board,
    SecurityMaster master,
    AccountMonitor monitor,
    [FromKeyedServices(BusinessClock.Key)] TimeProvider clock,
    IOptions<DecisionOptions> decisions,
    IJournal journal,
    ILogger<AccountGrain> log,
    TriggerLatency latency,
    FirmTriggerBudget firmBudget,
    LiveStateBoard liveBoard,
    Households.Domain.Harvesting.ReplacementSelector replacements,
    TrackingRisk tracking,
    Households.Domain.Calendar.TradingCalendar calendar) : Grain, IAccountGrain
{
    /// <summary>Open triggers an account keeps for its views (the newest; the household got the admitted ones).</summary>
    public const int MaxOpenTriggers = 32;
    /// <summary>Attempts of one operation when storage reports a version (ETag) conflict: each re-reads the stored
    /// state and applies the operation again on it, so the other writer's write and this one both stand.</summary>
    public const int MaxWriteAttempts = 5;
    private readonly List<Trigger> _triggers = [];
    // Made on the first notice: most of a million live accounts never get one.
    private TriggerCooldowns? _cooldowns;
    private ResolvedTarget? _target;
    private MonitorEntry<string>? _entry;
    // The cash the current snapshot was built from (the books may run ahead of it during a write).
    private decimal _snapshotCash;
    private CompactLots _lots = null!;
    // What the live figures are computed from, published on the silo's live board; a read through a grain call since
    // the last change means a household on another silo keeps the figures and must hear of a change.
    private AccountLiveSource? _live;
    private bool _liveRead;

    private DateTimeOffset _activatedAt;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _activatedAt = clock.GetUtcNow();
        if (state.State.Outbox.Length > 0) await journal.Append(state.State.Outbox, cancellationToken);
        TakeLots();
        if (state.State.Spec is not null) await Watch();
    }

    /// <summary>The stored lots move into columns; the state's list stays empty until a write needs it.</summary>
    private void TakeLots()
    {
        _lots = state.State.TakeLots(this.GetPrimaryKeyString());
    }

    /// <summary>Writes the state with the lots packed, then lets the bytes go again.</summary>
    private async Task WriteState()
    {
        state.State.PackedLots = _lots.Pack();
        try { await state.WriteStateAsync(); }
        finally { state.State.PackedLots = null; }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_entry is not null) monitor.Unregister(_entry);
        if (_live is not null) liveBoard.Withdraw(_live);
        return Task.CompletedTask;
    }

    public async Task Open(AccountOpening opening)
    {
        AccountValidation.Check(opening, opening.Spec?.HouseholdId ?? "");
        if (opening.Spec!.Id != this.GetPrimaryKeyString()) throw new BadInputException($"account id {opening.Spec.Id} does not match {this.GetPrimaryKeyString()}");
        if (state.State.Spec is { } existing)
        {
            if (SameSpec(existing, opening.Spec) && state.State.Cash == opening.Cash && _lots.Lots().SequenceEqual(opening.Lots)) return;
            throw new BadInputException($"account {existing.Id} already exists");
        }
        state.State = new AccountState { Spec = opening.Spec, Cash = opening.Cash };
        _lots = CompactLots.From(opening.Spec.Id, [.. opening.Lots.Select(l => new LotPiece(l, l.Id))]);
        await WriteState();
        await Watch();
        if (opening.Spec.ModelId is { } model) await GrainFactory.GetGrain<IModelGrain>(model).Follow(opening.Spec.Id);
    }

    public Task<AccountSpec?> GetSpec() => Task.FromResult(state.State.Spec);

    public Task<LotPiece[]> GetLots() => Task.FromResult(_lots.ToList().ToArray());

    public Task<AccountView> GetView()
    {
        var spec = RequireSpec();
        var prices = board.Current;
        var holdings = new List<HoldingView>();
        decimal marketValue = state.State.Cash;
        foreach (var group in _lots.Lots().GroupBy(l => l.Symbol))
        {
            var price = board.Index.TryGetOrdinal(group.Key, out var o) ? prices.ExactOf(o) ?? 0m : 0m;
            var lots = group.Select(l => new LotView(l, l.Quantity * price, l.Quantity * price - l.Basis,
                HoldingPeriod.TermOf(l.HoldingSince, Today()))).ToArray();
            var value = lots.Sum(l => l.MarketValue);
            marketValue += value;
            holdings.Add(new HoldingView(group.Key, master.Find(group.Key)?.AssetClass ?? "Unknown", group.Sum(l => l.Quantity),
                price, value, 0, lots));
        }
        var withWeights = holdings
            .Select(h => h with { Weight = marketValue > 0 ? (double)(h.MarketValue / marketValue) : 0 })
            .OrderByDescending(h => h.MarketValue).ToArray();
        DriftLine[] drift = _entry is null ? [] : TriggerKernel.DriftLines(_entry.Snapshot, prices.Values);
        var balance = Balance();
        return Task.FromResult(new AccountView(spec, state.State.Cash, marketValue, withWeights, drift, _triggers.ToArray(), prices.Sequence,
            balance.Settled(Today()), [.. balance.Outstanding(Today())]));
    }

    public Task<AccountLiveState> GetLiveState()
    {
        RequireSpec();
        _liveRead = true;
        return Task.FromResult((_live ?? PublishLive()).At(board.Current));
    }

    /// <summary>The live figures changed other than by price (books, cash, target, open triggers): publishes what they
    /// are now computed from, and a household that read them through a call since the last change drops what it keeps
    /// (one-way; an account never waits on its household). Households on this silo see the new source on the board.</summary>
    private AccountLiveSource PublishLive()
    {
        var spec = state.State.Spec!;
        _live = new AccountLiveSource(spec, _entry is null ? state.State.Cash : _snapshotCash, _entry?.Snapshot, _triggers.Count);
        liveBoard.Publish(_live);
        if (_liveRead)
        {
            _liveRead = false;
            GrainFactory.GetGrain<IHouseholdGrain>(spec.HouseholdId).OnAccountChanged(spec.Id).Ignore();
        }
        return _live;
    }

    public async Task<TradeResult> ApplyTrade(TradeRequest trade)
    {
        if (trade is null) throw new BadInputException("trade is required");
        var outcome = (await ApplyTrades([trade]))[0];
        return outcome.Applied ?? throw new BadInputException(outcome.Refused!);
    }

    public Task<TradeOutcome[]> ApplyTrades(TradeRequest[] trades) => Durably(() => ApplyTradesOnce(trades ?? []));

    private async Task<TradeOutcome[]> ApplyTradesOnce(TradeRequest[] trades)
    {
        var spec = RequireSpec();
        // Work on a copy of the books: a refused order changes nothing (the book checks before it moves), a failed write
        // leaves the grain as it was.
        var book = Book(spec);
        var applied = state.State.AppliedTrades;
        var fresh = new Dictionary<string, TradeResult>(StringComparer.Ordinal);
        var outcomes = new TradeOutcome[trades.Length];
        for (var i = 0; i < trades.Length; i++)
        {
            var trade = trades[i];
            var key = trade?.IdempotencyKey ?? "";
            if (trade is null) outcomes[i] = new(null, "trade is required");
            else if (fresh.TryGetValue(key, out var earlier) || applied.TryGetValue(key, out earlier))
                outcomes[i] = earlier.Request == trade ? new(earlier with { Replayed = true }, null)
                    : new(null, $"idempotencyKey {trade.IdempotencyKey} was already used for a different trade");
            else
            {
                try { outcomes[i] = new(fresh[key] = book.Apply(trade), null); }
                catch (BadInputException ex) { outcomes[i] = new(null, ex.Message); }
            }
        }
        if (fresh.Count == 0) return outcomes;
        await Commit(book, () => { foreach (var (key, r) in fresh) applied[key] = r; }, () => { foreach (var key in fresh.Keys) applied.Remove(key); });
        foreach (var r in fresh.Values)
            log.LogDebug("{Account} {Side} {Quantity} {Symbol} at {Price} (key {Key})", spec.Id, r.Request.Side, r.Request.Quantity,
                r.Request.Symbol, r.Request.Price, r.IdempotencyKey);
        return outcomes;
    }

    public Task<TaxLot[]> ApplyWashSaleAdjustments(WashSaleAdjustment[] adjustments) => Durably(() => ApplyWashSaleAdjustmentsOnce(adjustments));

    private async Task<TaxLot[]> ApplyWashSaleAdjustmentsOnce(WashSaleAdjustment[] given)
    {
        var spec = RequireSpec();
        var applied = state.State.AppliedAdjustments;
        // An adjustment already applied (the household sent it again after a crash) is not applied twice.
        var adjustments = given.Where(a => !applied.Contains(AdjustmentKey(a))).ToArray();
        if (adjustments.Length == 0)
        {
            var lots = _lots.Lots();
            return [.. given.Select(a => lots.FirstOrDefault(l => l.Id == a.LotId)).OfType<TaxLot>()];
        }
        var book = Book(spec);
        var adjusted = book.Apply(adjustments);
        var keys = adjustments.Select(AdjustmentKey).ToArray();
        await Commit(book, () => applied.UnionWith(keys), () => applied.ExceptWith(keys));
        foreach (var a in adjustments)
            log.LogDebug("{Account} lot {Lot}: wash sale of loss {Loss} in {LossAccount}, {Disallowed} disallowed (permanent {Permanent})",
                spec.Id, a.LotId, a.LossId, a.LossAccount, a.Disallowed, a.Permanent);
        return adjusted;
    }

    public Task<CorporateActionEffect> ApplyCorporateAction(CorporateAction action) => Durably(async () =>
    {
        var spec = RequireSpec();
        CorporateActionRules.Check(action);
        var applied = state.State.CorporateActions;
        if (applied.TryGetValue(action.Id, out var earlier)) return earlier with { Replayed = true };
        var book = Book(spec);
        var effect = book.Apply(action);
        // An account that holds none of the security stores nothing: the household keeps the action's id.
        if (effect.IsEmpty) return effect;
        await Commit(book, () => applied[action.Id] = effect, () => applied.Remove(action.Id));
        log.LogDebug("{Account}: corporate action {Action} ({Kind} {Symbol}) applied, cash {Cash}", spec.Id, action.Id, action.Kind, action.Symbol, effect.CashDelta);
        // A dividend swept to cash moves no price, so the monitor's scan would see the cash over its band only at the next
        // batch (none until the market opens): the event raises the cash trigger now, with the monitor's band test.
        if (action.Kind == CorporateActionKind.CashDividend && effect is { Reinvested: null, CashDelta: > 0m }
            && _entry is not null && CashBand.Above(_entry.Snapshot, board.Current.Values) is { } cash)
            await OnTriggers([Event(TriggerKind.Cash, cash.Key, cash.Weight) with { Target = cash.Target, Threshold = cash.Tolerance }]);
        return effect;
    });

    public Task<BookCorrectionEffect[]> ApplyBookCorrections(BookCorrection[] corrections) => Durably(async () =>
    {
        var spec = RequireSpec();
        foreach (var c in corrections ?? throw new BadInputException("corrections are required")) BookCorrections.Check(c);
        var applied = state.State.BookCorrections;
        var book = new AccountBook(spec, state.State.Cash, _lots.ToList());
        var effects = new BookCorrectionEffect[corrections.Length];
        var fresh = new Dictionary<string, BookCorrectionEffect>(StringComparer.Ordinal);
        for (var i = 0; i < corrections.Length; i++)
        {
            var c = corrections[i];
            if (fresh.TryGetValue(c.Key, out var earlier) || applied.TryGetValue(c.Key, out earlier))
                effects[i] = earlier.Correction == c ? earlier with { Replayed = true }
                    : throw new BadInputException($"key {c.Key} was already used for a different correction in account {spec.Id}");
            else effects[i] = fresh[c.Key] = book.Apply(c);
        }
        if (fresh.Count == 0) return effects;
        var now = clock.GetUtcNow();
        JournalEntry[] entries = [.. fresh.Values.Select(e => new JournalEntry(0, spec.HouseholdId, spec.Id, JournalKind.BookCorrection, now,
            $"correction:{spec.Id}:{e.Correction.Key}", BookCorrectionJournal.Describe(e), JournalFormat.Payload(e)))];
        await Commit(book, () => { foreach (var (key, e) in fresh) applied[key] = e; }, () => { foreach (var key in fresh.Keys) applied.Remove(key); }, entries);
        foreach (var e in fresh.Values)
            log.LogDebug("{Account}: correction {Key} ({Kind} {Symbol}) from {Source}, cash {Cash}", spec.Id, e.Correction.Key, e.Correction.Kind,
                e.Correction.Symbol, e.Correction.Source, e.CashDelta);
        return effects;
    });

    public Task<string[]> AppliedKeys(string[] keys)
    {
        var s = state.State;
        return Task.FromResult<string[]>([.. (keys ?? []).Where(k => k is not null
            && (s.AppliedTrades.ContainsKey(k) || s.CashMovements.ContainsKey(k) || s.BookCorrections.ContainsKey(k)))]);
    }

    public static string AdjustmentKey(WashSaleAdjustment a) => $"{a.LossId}:{a.LotId}";

    public Task<AccountMonitoring> GetMonitoring()
    {
        var registered = _entry is { Slot: >= 0 };
        return Task.FromResult(new AccountMonitoring(this.GetPrimaryKeyString(), RuntimeIdentity, registered,
            registered ? monitor.Status.BatchSequence : 0, _activatedAt));
    }

    public Task<string[]> GetAppliedTradeKeys() => Task.FromResult(state.State.AppliedTrades.Keys.ToArray());

    public Task<TradeResult?> GetAppliedTrade(string idempotencyKey) =>
        Task.FromResult(state.State.AppliedTrades.TryGetValue(idempotencyKey ?? "", out var t) ? t : null);

    public Task<AccountLedger> GetLedger()
    {
        RequireSpec();
        return Task.FromResult(new AccountLedger(this.GetPrimaryKeyString(), state.State.Cash, [.. _lots.ToList()],
            [.. state.State.AppliedTrades.Keys.Order(StringComparer.Ordinal)],
            [.. state.State.PendingWithdrawals.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new PendingWithdrawal(kv.Key, kv.Value))]));
    }

    /// <summary>Runs an operation that ends in a state write; on a storage version conflict (another activation
    /// wrote first) re-reads the stored state and runs it again, so neither write is lost.</summary>
    private async Task<T> Durably<T>(Func<Task<T>> operation)
    {
        for (var attempt = 1; ; attempt++)
        {
            try { return await operation(); }
            catch (Orleans.Storage.InconsistentStateException ex) when (attempt < MaxWriteAttempts)
            {
                log.LogWarning("{Account}: storage version conflict (attempt {Attempt}): re-reading and retrying. {Reason}",
                    this.GetPrimaryKeyString(), attempt, ex.Message);
                await state.ReadStateAsync();
                TakeLots();
                if (state.State.Spec is not null) RefreshSnapshot();
            }
        }
    }

    /// <summary>Writes the state with the journal entries it implies (stored in the outbox), then appends them.</summary>
    private async Task WriteAndJournal(JournalEntry[] entries)
    {
        var before = state.State.Outbox;
        state.State.Outbox = entries;
        try { await WriteState(); }
        catch { state.State.Outbox = before; throw; }
        if (entries.Length > 0) await journal.Append(entries);
    }

    /// <summary>A working copy of the books: a sale's proceeds settle on the calendar's next trading day (T+1).</summary>
    private AccountBook Book(AccountSpec spec) => new(spec, state.State.Cash, _lots.ToList(), state.State.Unsettled, calendar);

    private CashBalance Balance() => new(state.State.Cash, state.State.Unsettled);

    /// <summary>Swaps in the new books and writes them; a failed write restores the books as they were.</summary>
    private async Task Commit(AccountBook book, Action record, Action undo, JournalEntry[]? entries = null)
    {
        var before = (state.State.Cash, _lots, state.State.Outbox, state.State.Unsettled);
        state.State.Cash = book.Cash;
        state.State.Unsettled = [.. book.Balance.Outstanding(Today())];
        _lots = CompactLots.From(book.Spec.Id, book.Lots.Snapshot());
        if (entries is not null) state.State.Outbox = entries;
        record();
        try
        {
            await WriteState();
        }
        catch
        {
            (state.State.Cash, _lots, state.State.Outbox, state.State.Unsettled) = before;
            undo();
            throw;
        }
        RefreshSnapshot();
        if (entries is { Length: > 0 }) await journal.Append(entries);
    }

    public Task OnTriggers(Trigger[] triggers)
    {
        // Price-driven notices carry their batch's publication time: tick-to-trigger latency ends here.
        if (triggers.Length > 0 && triggers[0].Kind is TriggerKind.Drift or TriggerKind.Harvest) latency.Record(clock.GetUtcNow() - triggers[0].BatchPublishedAt);
        var open = _triggers.Count;
        _triggers.AddRange(triggers);
        if (_triggers.Count > MaxOpenTriggers) _triggers.RemoveRange(0, _triggers.Count - MaxOpenTriggers);
        if (_triggers.Count != open && state.State.Spec is not null) PublishLive();
        // Guarded: the arguments are boxed before the level check, millions of times after a market-wide move.
        if (log.IsEnabled(LogLevel.Debug))
            foreach (var t in triggers)
                log.LogDebug("{Account} {Kind} trigger on {Subject}: {Observed} against {Target}", t.AccountId, t.Kind, t.Subject, t.Observed, t.Target);
        // Cooldowns and the account's hourly budget first; then a one-way notice (never awaited: the household
        // calls accounts, so an account never waits on its household).
        var admitted = (_cooldowns ??= new()).Admit(triggers, clock.GetUtcNow(), decisions.Value.Triggers);
        if (admitted.Count == 0 || state.State.Spec is not { } spec) return Task.CompletedTask;
        // The firm-wide budget is taken here, before the household wakes: after a market-wide move a million accounts
        // cross thresholds at once, and waking each household only to refuse it costs an activation and its memory.
        // A refused trigger stays among the account's open triggers; its cooldown brings it back later. Events (cash,
        // restrictions, model changes) always go: a person caused them and none may be lost.
        if (admitted.All(t => TriggerCooldowns.IsMarketTrigger(t.Kind)) && !firmBudget.TryTake())
        {
            log.LogDebug("{Account}: firm-wide trigger budget exhausted; {Count} triggers kept open, not sent", spec.Id, admitted.Count);
            return Task.CompletedTask;
        }
        GrainFactory.GetGrain<IHouseholdGrain>(spec.HouseholdId).OnAccountTriggers(spec.Id, [.. admitted]).Ignore();
        return Task.CompletedTask;
    }

    public Task<AccountDecisionInput> GetDecisionInput()
    {
        var spec = RequireSpec();
        return Task.FromResult(new AccountDecisionInput(spec, CashBalance.Spendable(state.State.Cash), _lots.Lots(), _target,
            state.State.PendingWithdrawals.Values.Sum()));
    }

    public Task<decimal> RecordCash(CashMovement movement) => Durably(() => RecordCashOnce(movement));

    private async Task<decimal> RecordCashOnce(CashMovement movement)
    {
        var spec = RequireSpec();
        CashValidation.Check(movement);
        if (state.State.CashMovements.TryGetValue(movement.IdempotencyKey, out var earlier))
            return earlier == movement ? state.State.Cash
                : throw new BadInputException($"idempotencyKey {movement.IdempotencyKey} was already used for a different cash movement");
        var before = state.State.Cash;
        if (movement.Kind == CashKind.Withdrawal) state.State.PendingWithdrawals[movement.IdempotencyKey] = movement.Amount;
        else if (CashValidation.IsOutflow(movement.Kind) && movement.Amount > before)
            throw new BadInputException($"{CashValidation.Name(movement.Kind)} of {movement.Amount:0.00} exceeds the {before:0.00} cash held");
        else state.State.Cash += CashValidation.Signed(movement);
        state.State.CashMovements[movement.IdempotencyKey] = movement;
        try { await WriteAndJournal([CashEntry(spec, JournalReplay.CashKeyPrefix, movement)]); }
        catch
        {
            state.State.Cash = before;
            state.State.PendingWithdrawals.Remove(movement.IdempotencyKey);
            state.State.CashMovements.Remove(movement.IdempotencyKey);
            throw;
        }
        RefreshSnapshot();
        await OnTriggers([Event(TriggerKind.Cash, movement.Kind.ToString().ToLowerInvariant(), (double)movement.Amount)]);
        return state.State.Cash;
    }

    public Task<WithdrawalPayment> PayWithdrawals() => Durably(PayWithdrawalsOnce);

    private async Task<WithdrawalPayment> PayWithdrawalsOnce()
    {
        var spec = RequireSpec();
        var today = Today();
        var balance = Balance();
        // Paid from settled cash only: unsettled sale proceeds wait for their settlement date (T+1).
        var settled = balance.Settled(today);
        decimal paid = 0;
        var payments = new List<CashMovement>();
        var waiting = new List<decimal>();
        foreach (var (key, amount) in state.State.PendingWithdrawals.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList())
        {
            if (waiting.Count > 0 || amount > settled - paid)
            {
                waiting.Add(amount);
                continue;
            }
            paid += amount;
            payments.Add(state.State.CashMovements.TryGetValue(key, out var m) ? m : new CashMovement(key, CashKind.Withdrawal, amount, today, null));
        }
        // What the cash covers once the unsettled proceeds settle waits for settlement; the rest waits for a sale.
        var unsettled = balance.UnsettledOn(today);
        var awaiting = unsettled > 0 ? Math.Min(waiting.Sum(), state.State.Cash - paid) : 0;
        var result = new WithdrawalPayment(paid, awaiting, awaiting > 0 ? balance.Outstanding(today).Max(u => u.SettlesOn) : null);
        if (paid == 0) return result;
        foreach (var p in payments) state.State.PendingWithdrawals.Remove(p.IdempotencyKey);
        state.State.Cash -= paid;
        try { await WriteAndJournal([.. payments.Select(p => CashEntry(spec, JournalReplay.PaidKeyPrefix, p))]); }
        catch
        {
            state.State.Cash += paid;
            foreach (var p in payments) state.State.PendingWithdrawals[p.IdempotencyKey] = p.Amount;
            throw;
        }
        RefreshSnapshot();
        return result;
    }

    private JournalEntry CashEntry(AccountSpec spec, string prefix, CashMovement m) =>
        new(0, spec.HouseholdId, spec.Id, JournalKind.Cash, clock.GetUtcNow(), prefix + m.IdempotencyKey,
            System.FormattableString.Invariant($"{(prefix == JournalReplay.PaidKeyPrefix ? "Paid withdrawal" : m.Kind.ToString())} of {m.Amount:0.00} in {spec.Id} ({m.IdempotencyKey})"),
            JournalFormat.Payload(m));

    public async Task UpdateRestrictions(Restriction[] restrictions)
    {
        var spec = RequireSpec();
        RestrictionValidation.Check(restrictions);
        state.State.Spec = spec with { Restrictions = restrictions };
        try { await WriteState(); }
        catch { state.State.Spec = spec; throw; }
        await OnTriggers([Event(TriggerKind.Restriction, "restrictions", restrictions.Length)]);
    }

    public async Task SetPolicy(InvestmentPolicy? policy)
    {
        var spec = RequireSpec();
        if (policy is not null) Households.Domain.Decisions.PolicyValidation.Check(policy);
        state.State.Spec = spec with { Policy = policy };
        try { await WriteState(); }
        catch { state.State.Spec = spec; throw; }
        await OnTriggers([Event(TriggerKind.Policy, "policy", 0)]);
    }

    /// <summary>A trigger caused by an event (cash, restriction, model change) rather than a price.</summary>
    private Trigger Event(TriggerKind kind, string subject, double observed)
    {
        var now = clock.GetUtcNow();
        return new Trigger(kind, this.GetPrimaryKeyString(), subject, observed, 0, 0, board.Current.Sequence, now, now);
    }

    public Task<Trigger[]> GetTriggers() => Task.FromResult(_triggers.ToArray());

    public async Task OnModelChanged(string modelId)
    {
        if (state.State.Spec is null) return;
        await Watch();
        await OnTriggers([Event(TriggerKind.ModelChange, modelId, _target?.Version ?? 0)]);
    }

    private async Task Watch()
    {
        var spec = state.State.Spec!;
        _target = null;
        if (spec.ModelId is { } modelId)
        {
            try { _target = await GrainFactory.GetGrain<IModelGrain>(modelId).Resolve(); }
            catch (BadInputException ex) { log.LogWarning("{Account} follows model {Model} that cannot be resolved: {Reason}", spec.Id, modelId, ex.Message); }
        }
        foreach (var symbol in _lots.Symbols) await master.FindOrRefresh(symbol, GrainFactory);
        RefreshSnapshot();
    }

    private void RefreshSnapshot()
    {
        var spec = state.State.Spec!;
        var snapshot = BooksWarmStart.Snapshot(spec, state.State.Cash, _lots, _target, master, board, replacements, tracking);
        _snapshotCash = state.State.Cash;
        if (_entry is null) _entry = monitor.Register(spec.Id, snapshot, spec.HouseholdId);
        else _entry.Update(snapshot);
        PublishLive();
    }

    private static bool SameSpec(AccountSpec a, AccountSpec b) =>
        a with { Restrictions = [] } == b with { Restrictions = [] } && a.Restrictions.SequenceEqual(b.Restrictions);

    private AccountSpec RequireSpec() => state.State.Spec ?? throw new BadInputException($"account {this.GetPrimaryKeyString()} does not exist");

    private DateOnly Today() => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
}
