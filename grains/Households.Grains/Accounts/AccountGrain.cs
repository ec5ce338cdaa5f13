using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Households.Contracts;
using Households.Domain;
using Households.Domain.Accounts;
using Households.Domain.Lots;
using Households.Domain.Monitoring;
using Households.Domain.Decisions;
using Households.Domain.Reliability;
using Households.Grains.Silo;
using Households.Persistence.Journal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Households.Grains.Accounts;

/// <summary>An account: books of record in memory and in storage (<see cref="AccountRecord"/>), a compact snapshot in the
/// silo's monitor and live figures on the silo's live board. What changes the lots is <see cref="AccountTrades"/>', cash
/// <see cref="AccountCash"/>', triggers <see cref="AccountTriggers"/>', what it shows <see cref="AccountViews"/>'.</summary>
[BooksOwnerPlacement]
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
    LiveStateBoard liveBoard,
    Households.Domain.Harvesting.ReplacementSelector replacements,
    TrackingRisk tracking,
    Households.Domain.Calendar.TradingCalendar calendar,
    IOptions<BooksOptions> books,
    AccountsAwaitingHousehold? awaiting = null) : Grain, IAccountGrain, AccountRecord.IOwner
{
    /// <summary>Open triggers an account keeps for its views (the newest; the household got the admitted ones).</summary>
    public const int MaxOpenTriggers = AccountTriggers.MaxOpen;
    private AccountRecord? _record;
    private AccountTriggers? _triggers;
    private ResolvedTarget? _target;
    private MonitorEntry<string>? _entry;
    // The cash the current snapshot was built from (the books may run ahead of it during a write).
    private decimal _snapshotCash;
    // What the live figures are computed from, published on the silo's live board; a read through a grain call since
    // the last change means a household on another silo keeps the figures and must hear of a change.
    private AccountLiveSource? _live;
    private bool _liveRead;
    private DateTimeOffset _activatedAt;
    // Keys of fills applied by this activation that the household has not confirmed recording (its ledger and the journal):
    // a household that died between the two writes is asked to catch up when membership declares its silo dead.
    private HashSet<string>? _unrecorded;

    private string Id => this.GetPrimaryKeyString();
    private AccountRecord Record => _record ??= new(state, Id, journal, clock, calendar, log, this);
    // Made on the first trigger: most of a million live accounts never get one.
    private AccountTriggers Triggers => _triggers ??= new(Id, latency, decisions.Value, board, clock, GrainFactory, log, awaiting,
        ServiceProvider.GetService<FirmTriggerBudget>()?.Pacing);
    private AccountTrades Trades => new(Record, clock, log, books.Value.IdempotencyWindow());
    private AccountCash Cash => new(Record, clock, books.Value.IdempotencyWindow());
    private AccountViews Views => new(Record, board, master);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _activatedAt = clock.GetUtcNow();
        if (state.State.Outbox.Length > 0) await journal.Append(state.State.Outbox, cancellationToken);
        Record.TakeLots();
        if (state.State.Spec is not null) await Watch();
        // A client's events stored and not confirmed decided: the household that held them may have died with this account's
        // silo (or before it), so they go to it again; it drops those a filed proposal names.
        if (state.State is { Spec: { } spec, EventsUndecided.Count: > 0 }) Triggers.Resend([.. state.State.EventsUndecided], spec);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_entry is not null) monitor.Unregister(_entry);
        if (_live is not null) liveBoard.Withdraw(_live);
        awaiting?.Forget(Id); // held in memory: nothing is held for a resend any more
        // Fills still not confirmed recorded after the account sat idle: the household's write failed or it died unseen.
        if (_unrecorded is { Count: > 0 } && state.State.Spec is { } spec)
        {
            log.LogWarning("{Account}: {Count} fills not confirmed recorded by household {Household} at deactivation; asking it to catch up", Id, _unrecorded.Count, spec.HouseholdId);
            GrainFactory.GetGrain<IHouseholdGrain>(spec.HouseholdId).CatchUp().Ignore();
        }
        // Fills appended since the last snapshot are folded into one row (issue #18 goal 2).
        if (_record is not null) await _record.Snapshot();
    }

    public async Task Open(AccountOpening opening)
    {
        AccountValidation.Check(opening, opening.Spec?.HouseholdId ?? "");
        if (opening.Spec!.Id != Id) throw new BadInputException($"account id {opening.Spec.Id} does not match {Id}");
        if (state.State.Spec is { } existing)
        {
            if (SameSpec(existing, opening.Spec) && state.State.Cash == opening.Cash && Record.Lots.Lots().SequenceEqual(opening.Lots)) return;
            throw new BadInputException($"account {existing.Id} already exists");
        }
        Record.Open(new AccountState { Spec = opening.Spec, Cash = opening.Cash }, [.. opening.Lots.Select(l => new LotPiece(l, l.Id))]);
        await Record.Write();
        await Watch();
        if (opening.Spec.ModelId is { } model) await GrainFactory.GetGrain<IModelGrain>(model).Follow(opening.Spec.Id);
    }

    public Task<AccountSpec?> GetSpec() => Task.FromResult(state.State.Spec);

    public Task<LotPiece[]> GetLots() => Task.FromResult(Record.Lots.ToList().ToArray());

    public Task<AccountView> GetView() => Task.FromResult(Views.View(_entry?.Snapshot, _triggers?.Open ?? []));

    public Task<AccountLedger> GetLedger() => Task.FromResult(Views.Ledger(Id));

    public Task<AccountLiveState> GetLiveState()
    {
        Record.RequireSpec();
        _liveRead = true;
        return Task.FromResult((_live ?? PublishLive()).At(board.Current));
    }

    /// <summary>The live figures changed other than by price (books, cash, target, open triggers): publishes what they
    /// are now computed from, and a household that read them through a call since the last change drops what it keeps
    /// (one-way; an account never waits on its household). Households on this silo see the new source on the board.</summary>
    private AccountLiveSource PublishLive()
    {
        var spec = state.State.Spec!;
        _live = new AccountLiveSource(spec.Id, spec.Type, spec.ModelId, _entry is null ? state.State.Cash : _snapshotCash, _entry?.Snapshot, _triggers?.Count ?? 0);
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

    public async Task<TradeOutcome[]> ApplyTrades(TradeRequest[] trades)
    {
        var outcomes = await Record.Durably(() => Trades.Apply(trades ?? []));
        foreach (var outcome in outcomes)
            if (outcome.Applied is { } applied) (_unrecorded ??= new(StringComparer.Ordinal)).Add(applied.IdempotencyKey);
        if (_unrecorded is { Count: > 0 }) awaiting?.Add(Id, HeldForHousehold.Fills, state.State.Spec?.HouseholdId);
        return outcomes;
    }

    public Task OnFillsRecorded(string[] keys)
    {
        if (_unrecorded is null) return Task.CompletedTask;
        _unrecorded.ExceptWith(keys ?? []);
        if (_unrecorded.Count == 0) awaiting?.Remove(Id, HeldForHousehold.Fills);
        return Task.CompletedTask;
    }

    public Task<TaxLot[]> ApplyWashSaleAdjustments(WashSaleAdjustment[] adjustments) => Record.Durably(() => Trades.ApplyWashSaleAdjustments(adjustments));

    public Task<CorporateActionEffect> ApplyCorporateAction(CorporateAction action) => Record.Durably(async () =>
    {
        var effect = await Trades.ApplyCorporateAction(action);
        // A dividend swept to cash moves no price, so the monitor's scan would see the cash over its band only at the next
        // batch (none until the market opens): the event raises the cash trigger now, with the monitor's band test.
        if (!effect.Replayed && action.Kind == CorporateActionKind.CashDividend && effect is { Reinvested: null, CashDelta: > 0m }
            && _entry is not null && CashBand.Above(_entry.Snapshot, board.Current.Values) is { } cash)
            await OnTriggers([Triggers.Event(TriggerKind.Cash, cash.Key, cash.Weight) with { Target = cash.Target, Threshold = cash.Tolerance }]);
        return effect;
    });

    public Task<BookCorrectionEffect[]> ApplyBookCorrections(BookCorrection[] corrections) => Record.Durably(() => Trades.ApplyBookCorrections(corrections));

    public Task<string[]> AppliedKeys(string[] keys) => Trades.AppliedKeys(keys);

    public static string AdjustmentKey(WashSaleAdjustment a) => AccountTrades.AdjustmentKey(a);

    public Task<AccountMonitoring> GetMonitoring()
    {
        var registered = _entry is { Slot: >= 0 };
        return Task.FromResult(new AccountMonitoring(Id, RuntimeIdentity, registered, registered ? monitor.Status.BatchSequence : 0, _activatedAt));
    }

    public Task<string[]> GetAppliedTradeKeysSince(DateOnly? since) => Task.FromResult(
        state.State.AppliedTrades.Where(t => !IdempotencyWindow.Expired(t.Value.Request.TradeDate, since)).Select(t => t.Key).ToArray());

    public Task<TradeResult?> GetAppliedTrade(string idempotencyKey) =>
        Task.FromResult(state.State.AppliedTrades.TryGetValue(idempotencyKey ?? "", out var t) ? t : null);

    public async Task OnDecided(DateTimeOffset detectedThrough)
    {
        _triggers?.Decided(detectedThrough);
        if (state.State.EventsUndecided.Count == 0) return;
        try { await Record.Durably(async () => { await Record.EventsDecided(detectedThrough); return true; }); }
        catch (Exception ex)
        {
            // Kept in the stored state: sent again by a later activation, where a filed proposal naming them drops them.
            log.LogWarning("{Account}: the client's events decided through {Through:O} stay stored as undecided ({Error})", Id, detectedThrough, ex.Message);
        }
    }

    public Task ResendUndecided()
    {
        _triggers?.ResendUndecided(state.State.Spec);
        return Task.CompletedTask;
    }

    public Task OnTriggers(Trigger[] triggers)
    {
        if (Triggers.Keep(triggers) && state.State.Spec is not null) PublishLive();
        Triggers.Admit(triggers, state.State.Spec);
        return Task.CompletedTask;
    }

    public Task<AccountDecisionInput> GetDecisionInput()
    {
        var spec = Record.RequireSpec();
        return Task.FromResult(new AccountDecisionInput(spec, CashBalance.Spendable(state.State.Cash), ImmutableCollectionsMarshal.AsImmutableArray(Record.Lots.Lots()), _target,
            state.State.PendingWithdrawals.Values.Sum()));
    }

    public Task<decimal> RecordCash(CashMovement movement) => Record.Durably(async () =>
    {
        var raises = Triggers.Event(TriggerKind.Cash, ClientEvents.CashSubject(movement.Kind), (double)movement.Amount);
        var (cash, recorded) = await Cash.Record(movement, raises);
        if (recorded) await OnTriggers([raises]);
        return cash;
    });

    public Task<WithdrawalPayment> PayWithdrawals() => Record.Durably(Cash.PayWithdrawals);

    public async Task UpdateRestrictions(Restriction[] restrictions)
    {
        var spec = Record.RequireSpec();
        RestrictionValidation.Check(restrictions);
        var raises = Triggers.Event(TriggerKind.Restriction, ClientEvents.RestrictionsSubject, restrictions.Length);
        await Record.ChangeSpec(spec with { Restrictions = [.. restrictions] }, ClientEvents.RestrictionsSet(spec, restrictions, raises.DetectedAt), raises);
        await OnTriggers([raises]);
    }

    public async Task SetPolicy(InvestmentPolicy? policy)
    {
        var spec = Record.RequireSpec();
        if (policy is not null) PolicyValidation.Check(policy);
        var raises = Triggers.Event(TriggerKind.Policy, ClientEvents.AccountPolicySubject, 0);
        await Record.ChangeSpec(spec with { Policy = policy }, ClientEvents.PolicySet(spec, policy, raises.DetectedAt), raises);
        await OnTriggers([raises]);
    }

    public Task<Trigger[]> GetTriggers() => Task.FromResult(_triggers?.Open ?? []);

    public async Task OnModelChanged(string modelId)
    {
        if (state.State.Spec is null) return;
        await Watch();
        // A model this account left still lists it among its followers: its change is not this account's.
        if (state.State.Spec is not { } spec || spec.ModelId != modelId) return;
        var heard = new ModelChangeHeard(modelId, _target?.Version ?? 0);
        var raises = Triggers.Event(TriggerKind.ModelChange, modelId, heard.Version);
        // Stored with the account and journaled before the household hears of it, as a client's restrictions are: the
        // decision it owes survives this account's silo dying first.
        await Record.Durably(async () =>
        {
            await Record.WriteAndJournal([ClientEvents.ModelChanged(spec, heard, raises.DetectedAt)], raises);
            return true;
        });
        await OnTriggers([raises]);
    }

    /// <summary>Resolves the account's model, makes sure the security master knows its symbols and (re)registers its snapshot.</summary>
    private async Task Watch()
    {
        var spec = state.State.Spec!;
        _target = null;
        if (spec.ModelId is { } modelId)
        {
            try { _target = await GrainFactory.GetGrain<IModelGrain>(modelId).Resolve(); }
            catch (BadInputException ex) { log.LogWarning("{Account} follows model {Model} that cannot be resolved: {Reason}", spec.Id, modelId, ex.Message); }
        }
        foreach (var symbol in Record.Lots.Symbols) await master.FindOrRefresh(symbol, GrainFactory);
        RefreshSnapshot();
    }

    void AccountRecord.IOwner.BooksChanged() => RefreshSnapshot();

    private void RefreshSnapshot()
    {
        var spec = state.State.Spec!;
        var snapshot = BooksWarmStart.Snapshot(spec, state.State.Cash, Record.Lots, _target, master, board, replacements, tracking);
        _snapshotCash = state.State.Cash;
        if (_entry is null) _entry = monitor.Register(spec.Id, snapshot, spec.HouseholdId);
        else _entry.Update(snapshot);
        PublishLive();
    }

    private static bool SameSpec(AccountSpec a, AccountSpec b) =>
        a with { Restrictions = [] } == b with { Restrictions = [] } && a.Restrictions.SequenceEqual(b.Restrictions);
}
