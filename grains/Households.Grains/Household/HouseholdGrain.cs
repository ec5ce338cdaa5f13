using Microsoft.Extensions.DependencyInjection;
using Households.Contracts;
using Households.Domain;
using Households.Domain.Accounts;
using Households.Domain.Decisions;
using Households.Domain.Risk;
using Households.Domain.Monitoring;
using Households.Grains.Silo;
using Households.Persistence.Journal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Households.Grains.Household;

/// <summary>A household: knows its accounts, aggregates them, and is the single door for their trades, so its
/// wash-sale ledger sees every purchase and loss sale of every account in trade order. The grain holds the turn and the
/// activation (inbox, timers, the session's wake-ups); its collaborators do the work: <see cref="HouseholdBooks"/> (fills
/// and the ledger), <see cref="HouseholdProposals"/> (decisions filed, approved, executed), <see cref="HouseholdDecisions"/>
/// (what the decision engine is asked), <see cref="HouseholdOrders"/>, <see cref="HouseholdPolicyChanges"/>,
/// <see cref="HouseholdNotices"/>, <see cref="HouseholdSession"/>. Placed on an active silo by its id, as accounts are
/// (<see cref="BooksOwnerPlacement"/>): one activated just after a silo's death, for the triggers and catch-ups the survivors
/// send it, is never placed on the dead silo.</summary>
[BooksOwnerPlacement]
public sealed class HouseholdGrain(
    [PersistentState("household", "households")] IPersistentState<HouseholdState> state,
    SecurityMaster master,
    IJournal journal,
    PriceBoard board,
    SecurityRiskModels risk,
    LiveReplacements replacements,
    IOptions<DecisionOptions> decisions,
    [FromKeyedServices(BusinessClock.Key)] TimeProvider clock,
    ILogger<HouseholdGrain> log,
    LiveStateBoard liveBoard,
    IOptions<PriceFeedOptions> feed,
    IOptions<ExecutionOptions> execution,
    TradingSessionGate session,
    IOptions<NotificationOptions> notices,
    IOptions<BooksOptions> books) : Grain, IHouseholdGrain
{
    public const int MaxAccounts = HouseholdValidation.MaxAccounts;
    public static readonly TimeSpan ExpiryCheck = TimeSpan.FromMinutes(1);
    private HouseholdBooks? _books;
    private HouseholdProposals? _proposals;
    private HouseholdOrders? _orders;
    private HouseholdNotices? _notices;
    private HouseholdSession? _session;
    private HouseholdLiveCache? _live;
    private HouseholdEventRing? _ring;
    private IGrainTimer? _expiryTimer;
    private IGrainTimer? _retryTimer;
    private HouseholdTriggers? _triggers;
    private HouseholdDecisions? _decisions;

    private string Id => this.GetPrimaryKeyString();
    private HouseholdBooks Books => _books ??= new(Id, state, GrainFactory, journal, master, clock, log, Cleared, books.Value.IdempotencyWindow());
    private HouseholdLiveCache Live => _live ??= new(board, liveBoard, GrainFactory);
    private HouseholdEventRing Events => _ring ??= new HouseholdEventRing(clock);
    private HouseholdOrders Orders => _orders ??= new(state, Books, journal, clock, ServiceProvider.GetService<OrderFileWriter>());
    private HouseholdNotices Notices => _notices ??= new(state, Books, GrainFactory, clock, decisions.Value, notices.Value);
    private HouseholdSession Session => _session ??= new(Id, session, clock, Events, DelayDeactivation, log);
    private HouseholdWrites Writes => new(state, log, Id, Reloaded);
    private HouseholdDecisions Decisions => _decisions ??= new(state, Books, master, journal, board, risk, replacements, decisions.Value, feed.Value, clock, Events, log);
    private HouseholdProposals Proposals => _proposals ??= new(Id, state, Books, Orders, Decisions, Notices, Session, Writes, GrainFactory, journal, board,
        decisions.Value, execution.Value, clock, Events, Live.Stale, WatchExpiry, accounts => Triggers.DecideAgain(accounts), log);
    private HouseholdTriggers Triggers => _triggers ??= new(state, Books, Proposals, Session, Notices, Events, journal, board, clock,
        decisions.Value.PlanEachAccountAlone, AskToDecide, RetryDecisionAfter,
        ServiceProvider.GetService<FirmTriggerBudget>()?.Pacing, ServiceProvider.GetService<DecisionLane>(), GrainFactory, log, Writes);
    private HouseholdCorporateActions CorporateActions => new(Id, state, Books, GrainFactory, journal, clock, books.Value.IdempotencyWindow());
    private HouseholdReads Reads => new(state, Books, Decisions, Proposals, GrainFactory, clock);
    private HouseholdPolicyChanges PolicyChanges => new(state, Writes, RequireSpec, journal, board, clock, triggers => Triggers.Enqueue(triggers));

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await master.EnsureLoaded(GrainFactory);
        if (Proposals.Book.HasPending || Orders.Book.HasOpen) WatchExpiry();
        if (Proposals.Book.HasPending) Notices.Pending(Proposals.Book.All); // the advisor queue's index may have missed the last change (its notice is one-way)
        await Books.Resume(cancellationToken);
        // The household's own changes stored and not yet decided: their triggers died with the last activation's inbox.
        if (state.State.ChangesUndecided.Count > 0) Triggers.Enqueue([.. state.State.ChangesUndecided]);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _triggers?.Idle(); // a decision still waiting leaves the silo's count with the activation
        // Fills appended since the last snapshot are folded into one row (issue #18 goal 2); nothing is lost if this fails.
        await state.State.Next().Compact(state.WriteStateAsync, log, Id);
    }

    public async Task<string[]> CatchUp()
    {
        if (state.State.Spec is not { } spec) return [];
        var done = await Books.CatchUp(spec, confirmRecorded: true);
        Notices.Figures(Proposals.Book.All);
        return done;
    }

    public Task<HouseholdLiveState?> GetLiveState() =>
        state.State.Spec is { } spec ? Live.Get(spec, state.State.Proposals) : Task.FromResult<HouseholdLiveState?>(null);

    public Task OnAccountChanged(string accountId)
    {
        Live.Stale();
        return Task.CompletedTask;
    }

    public Task<HouseholdEvents> GetEvents(long after) => Task.FromResult(Events.Since(after));

    public async Task Create(HouseholdSpec household, AccountOpening[] accounts)
    {
        HouseholdValidation.Check(household, accounts, Id);
        if (state.State.Spec is { } existing)
        {
            if (existing.Name == household.Name && existing.AdvisorId == household.AdvisorId && existing.AccountIds.SequenceEqual(household.AccountIds)) return;
            throw new BadInputException($"household {household.Id} already exists");
        }
        await Books.Open(household, accounts);
        await GrainFactory.GetGrain<IFirmDirectoryGrain>(FirmDirectoryGrain.Key)
            .Register(new HouseholdSummary(household.Id, household.Name, household.AdvisorId, household.AccountIds.Length));
    }

    public Task<HouseholdSpec?> GetSpec() => Task.FromResult(state.State.Spec);

    public Task<HouseholdView> GetView() => Reads.View(RequireSpec());

    public Task<TradeResult> RecordTrade(string accountId, TradeRequest trade)
    {
        Member(accountId);
        TradeValidation.Check(trade);
        return Writes.Run(fresh => Books.Record(RequireSpec(), accountId, trade, fresh));
    }

    public Task<CustodianTransactionOutcome[]> ApplyCustodianTransactions(CustodianTransaction[] rows, bool rehearseOnly)
    {
        var spec = RequireSpec();
        if (rows is null || rows.Length == 0) throw new BadInputException("transactions are required");
        return Writes.Run(fresh => new HouseholdCustodianTransactions(Books, GrainFactory).Apply(spec, rows, rehearseOnly, fresh));
    }

    // In the household's turn, so no fill of the account interleaves with the correction.
    public Task<BookCorrectionEffect[]> CorrectBooks(string accountId, BookCorrection[] corrections) =>
        GrainFactory.GetGrain<IAccountGrain>(Member(accountId)).ApplyBookCorrections(corrections);

    public Task<HouseholdCorporateAction> ApplyCorporateAction(CorporateAction action)
    {
        var spec = RequireSpec();
        Households.Domain.CorporateActions.CorporateActionRules.Check(action);
        return Writes.Run(_ => CorporateActions.Apply(spec, action));
    }

    /// <summary>Another writer wrote first: what the household derived from the state it had read is dropped.</summary>
    private void Reloaded()
    {
        Books.Reload();
        Orders.Reload();
        Proposals.Reload();
        Live.Stale();
    }

    /// <summary>Fills were stored: the live state, the event stream and the firm's figures hear of them.</summary>
    private void Cleared(IReadOnlyList<TradeResult> fills)
    {
        Live.Stale();
        foreach (var f in fills) Events.Add("trade", f.AccountId, null, $"{f.Request.Side} {f.Request.Quantity:0.####} {f.Request.Symbol} @ {f.Request.Price:0.00}");
        Notices.Figures(Proposals.Book.All);
    }

    public Task OnAccountTriggers(string accountId, Trigger[] triggers)
    {
        Triggers.FromAccount(accountId, triggers);
        return Task.CompletedTask;
    }

    public Task OnAccountTriggersResent(string accountId, Trigger[] triggers)
    {
        // A decision made before the silo died is not made again (HouseholdTriggers.FromAccountAgain).
        Triggers.FromAccountAgain(accountId, triggers ?? []);
        return Task.CompletedTask;
    }

    public Task DecideWaiting() => Triggers.DecideWaiting();

    public Task OnSessionOpen() => Triggers.OnSessionOpen();

    public Task<RebalanceProposal[]> Rebalance(Trigger[] causes)
    {
        var spec = RequireSpec();
        Session.RequireOpen("a rebalance trades");
        return Proposals.Decide(spec, causes ?? [], null);
    }

    public Task<RebalanceProposal[]> GetProposals()
    {
        RequireSpec();
        return Task.FromResult(Proposals.At(clock.GetUtcNow()));
    }

    public Task<BrokerOrder[]> GetOrders()
    {
        RequireSpec();
        return Task.FromResult(Orders.Book.OrdersAt(clock.GetUtcNow()));
    }

    public Task CheckExecutions(OrderExecution[] executions)
    {
        RequireSpec();
        Orders.Book.Check(executions ?? [], clock.GetUtcNow());
        return Task.CompletedTask;
    }

    public async Task<ExecutionResult[]> ApplyExecutions(OrderExecution[] executions)
    {
        var spec = RequireSpec();
        await Books.EnsureCaughtUp();
        var (results, resolved) = await Writes.Run(fresh => Orders.Apply(spec, executions ?? [], fresh));
        Triggers.DecideAgain(resolved);
        return results;
    }

    public Task<HouseholdStressSnapshot> GetStressSnapshot() => Reads.StressSnapshot(RequireSpec());

    public Task<RebalanceProposal> Approve(string proposalId, Approver by) => Proposals.Approve(RequireSpec(), proposalId, by);

    public Task<RebalanceProposal> Reject(string proposalId, string? note, Approver by)
    {
        RequireSpec();
        return Proposals.Reject(proposalId, note, by);
    }

    public Task<HouseholdPreview> Preview() => Reads.Preview(RequireSpec());

    public Task<HouseholdSpec> SetTaxProfile(TaxProfile? profile) => PolicyChanges.SetTaxProfile(profile);

    public Task<HouseholdSpec> SetPolicy(InvestmentPolicy? policy) => PolicyChanges.SetPolicy(policy);

    public Task<TransitionPolicy> SetTransitionPolicy(TransitionPolicy policy) => PolicyChanges.SetTransition(policy);

    public Task<TransitionPolicy> GetTransitionPolicy()
    {
        RequireSpec();
        return Task.FromResult(PolicyChanges.Transition);
    }

    public Task<WashSaleCheck> CheckLossSale(string accountId, string lotId, decimal quantity, DateOnly date) =>
        Reads.CheckLossSale(Member(accountId), lotId, quantity, date);

    public Task<BuyBlackout[]> BuyBlackouts(string accountId, DateOnly date) => Reads.BuyBlackouts(Member(accountId), date);

    private void AskToDecide() => this.AsReference<IHouseholdGrain>().DecideWaiting().Ignore();

    /// <summary>A failed decision is asked for again once, after <paramref name="pause"/> (the activation is kept meanwhile:
    /// the triggers it gave back live in memory).</summary>
    private void RetryDecisionAfter(TimeSpan pause)
    {
        _retryTimer?.Dispose();
        _retryTimer = this.RegisterGrainTimer(() =>
        {
            _retryTimer?.Dispose();
            _retryTimer = null;
            AskToDecide();
            return Task.CompletedTask;
        }, new GrainTimerCreationOptions(pause, Timeout.InfiniteTimeSpan) { KeepAlive = true });
    }

    /// <summary>While proposals are pending or orders open, a timer expires what is due (it stops when nothing is left).</summary>
    private void WatchExpiry()
    {
        _expiryTimer ??= this.RegisterGrainTimer(async () =>
        {
            await Proposals.ExpireDue();
            if (Proposals.Book.HasPending || Orders.Book.HasOpen) return;
            _expiryTimer?.Dispose();
            _expiryTimer = null;
        }, ExpiryCheck, ExpiryCheck);
    }

    private HouseholdSpec RequireSpec() => state.State.Spec ?? throw new BadInputException($"household {Id} does not exist");

    /// <summary>The account's id when it belongs to this household; bad input otherwise.</summary>
    private string Member(string accountId) => RequireSpec() is var spec && spec.AccountIds.Contains(accountId) ? accountId
        : throw new BadInputException($"account {accountId} is not in household {spec.Id}");
}
