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

namespace Households.Grains;

/// <summary>A household: knows its accounts, aggregates them, and is the single door for their trades, so its
/// wash-sale ledger sees every purchase and loss sale of every account in trade order.</summary>
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
    IOptions<NotificationOptions> notices) : Grain, IHouseholdGrain
{
    public const int MaxAccounts = HouseholdValidation.MaxAccounts;
    public static readonly TimeSpan ExpiryCheck = TimeSpan.FromMinutes(1);
    /// <summary>Attempts of one fill or batch when storage reports a version (ETag) conflict.</summary>
    public const int MaxWriteAttempts = 5;
    /// <summary>The longest a household keeps its activation for a session to open (its inbox lives in memory): a long weekend.</summary>
    public static readonly TimeSpan MaxWaitForOpen = TimeSpan.FromDays(5);
    private HouseholdBooks? _books;
    private ProposalBook? _proposals;
    private HouseholdLiveCache? _live;
    private IGrainTimer? _expiryTimer;
    private HouseholdEventRing? _ring;
    private readonly TriggerInbox _inbox = new();
    private long _decisionCount;
    private HouseholdFigures? _reported;
    /// <summary>Set while an approval files the re-optimized proposal it executes at once: the advisor queue is not told of
    /// a proposal that never waits (it hears of the outcome after the execution).</summary>
    private bool _executingNow;

    private HouseholdBooks Books => _books ??= new(this.GetPrimaryKeyString(), state, GrainFactory, journal, master, clock, log, Cleared);
    private ProposalBook Proposals => _proposals ??= new ProposalBook(this.GetPrimaryKeyString(), state.State.Proposals, state.State.NextProposal);
    private HouseholdLiveCache Live => _live ??= new(board, liveBoard, GrainFactory);
    private HouseholdEventRing Events => _ring ??= new HouseholdEventRing(clock);
    private HouseholdOrders? _orders;
    private HouseholdOrders Orders => _orders ??= new(state, Books, journal, clock, ServiceProvider.GetService<OrderFileWriter>());
    private HouseholdCorporateActions CorporateActions => new(this.GetPrimaryKeyString(), state, Books, GrainFactory, journal, clock);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await master.EnsureLoaded(GrainFactory);
        if (Proposals.HasPending || Orders.Book.HasOpen) WatchExpiry();
        if (Proposals.HasPending) ReportPending(); // the advisor queue's index may have missed the last change (its notice is one-way)
        // Finish what a crash may have interrupted: the last write's journal entries and wash-sale adjustments.
        // The ledger is restored and the fills an account applied that it never recorded are caught up on the first
        // use of the ledger (EnsureCaughtUp; the watchdog's sweep asks every household for it), not here: a wake for
        // a live-state read needs neither and stays cheap.
        if (state.State.Outbox.Length > 0) await journal.Append(state.State.Outbox, cancellationToken);
        if (state.State.Spec is null || state.State.PendingAdjustments.Length == 0) return;
        try { await Books.SendAdjustments(state.State.PendingAdjustments); }
        catch (Exception ex)
        {
            // Reads stay available; the next activation sends them again (accounts apply each adjustment once).
            log.LogWarning(ex, "{Household}: wash-sale adjustments on activation failed; sent again on the next activation", state.State.Spec.Id);
        }
    }

    public async Task<string[]> CatchUp()
    {
        if (state.State.Spec is not { } spec) return [];
        var done = await Books.CatchUp(spec);
        ReportFigures();
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

    private void Event(string kind, string? account, string? proposal, string summary) => Events.Add(kind, account, proposal, summary);

    /// <summary>Tells the firm-stats grain this household's harvested losses and pending proposals, one-way and only
    /// when they changed (absolute figures, so a lost or repeated notice does no harm).</summary>
    private void ReportFigures()
    {
        if (state.State.Spec is not { } spec || state.State.WashSales is null) return;
        var figures = Households.Domain.Firm.FirmFigures.Of(spec.Id, Books.Tax.Gains, Proposals.All, Today());
        if (figures == _reported || (_reported is null && figures.HarvestedLossesYearToDate == 0 && figures.PendingProposals == 0)) { _reported = figures; return; }
        _reported = figures;
        GrainFactory.GetGrain<IFirmStatsGrain>(FirmStatsGrain.Key).ReportHousehold(figures).Ignore();
    }

    public async Task Create(HouseholdSpec household, AccountOpening[] accounts)
    {
        HouseholdValidation.Check(household, accounts, this.GetPrimaryKeyString());
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

    public async Task<HouseholdView> GetView()
    {
        var spec = RequireSpec();
        await Books.EnsureCaughtUp();
        var accounts = await Task.WhenAll(spec.AccountIds.Select(id => GrainFactory.GetGrain<IAccountGrain>(id).GetView()));
        return HouseholdAggregation.View(spec, accounts, Books.Tax.View(Today(), spec.AccountIds));
    }

    public Task<TradeResult> RecordTrade(string accountId, TradeRequest trade)
    {
        var spec = RequireAccount(accountId);
        TradeValidation.Check(trade);
        return Durably(fresh => Books.Record(spec, accountId, trade, fresh));
    }

    public Task<CustodianTransactionOutcome[]> ApplyCustodianTransactions(CustodianTransaction[] rows, bool rehearseOnly)
    {
        var spec = RequireSpec();
        if (rows is null || rows.Length == 0) throw new BadInputException("transactions are required");
        return Durably(fresh => new HouseholdCustodianTransactions(Books, GrainFactory).Apply(spec, rows, rehearseOnly, fresh));
    }

    public Task<BookCorrectionEffect[]> CorrectBooks(string accountId, BookCorrection[] corrections)
    {
        RequireAccount(accountId);
        // In the household's turn, so no fill of the account interleaves with the correction.
        return GrainFactory.GetGrain<IAccountGrain>(accountId).ApplyBookCorrections(corrections);
    }

    public Task<HouseholdCorporateAction> ApplyCorporateAction(CorporateAction action)
    {
        var spec = RequireSpec();
        Households.Domain.CorporateActions.CorporateActionRules.Check(action);
        return Durably(_ => CorporateActions.Apply(spec, action));
    }

    /// <summary>Runs a fill or a batch of fills; on a storage version conflict (another activation wrote first) re-reads the
    /// state, rebuilds the ledger and proposals from it and goes again (the accounts answer the fills they applied as
    /// replays; <paramref name="operation"/>'s set keeps the keys applied for this call, which are no replays to it).</summary>
    private async Task<T> Durably<T>(Func<ISet<string>, Task<T>> operation)
    {
        var fresh = new HashSet<string>(StringComparer.Ordinal);
        for (var attempt = 1; ; attempt++)
        {
            try { return await operation(fresh); }
            catch (Orleans.Storage.InconsistentStateException ex) when (attempt < MaxWriteAttempts)
            {
                log.LogWarning("{Household}: storage version conflict (attempt {Attempt}): re-reading and retrying. {Reason}",
                    this.GetPrimaryKeyString(), attempt, ex.Message);
                await state.ReadStateAsync();
                Books.Reload();
                Orders.Reload();
                _proposals = null;
                Live.Stale();
            }
        }
    }

    /// <summary>Fills were stored: the live state, the event stream and the firm's figures hear of them.</summary>
    private void Cleared(IReadOnlyList<TradeResult> fills)
    {
        Live.Stale();
        foreach (var f in fills) Event("trade", f.AccountId, null, $"{f.Request.Side} {f.Request.Quantity:0.####} {f.Request.Symbol} @ {f.Request.Price:0.00}");
        ReportFigures();
    }

    public Task OnAccountTriggers(string accountId, Trigger[] triggers)
    {
        if (state.State.Spec is null) return Task.CompletedTask;
        foreach (var kind in triggers.GroupBy(t => t.Kind))
            Event("trigger", accountId, null, $"{kind.Key}: {string.Join(", ", kind.Select(t => t.Subject).Distinct().Take(5))}");
        AnnounceHarvest(accountId, triggers);
        // Interleaved: only the inbox changes here; one decision at a time takes everything waiting.
        if (_inbox.Add(triggers)) this.AsReference<IHouseholdGrain>().DecideWaiting().Ignore();
        return Task.CompletedTask;
    }

    public async Task DecideWaiting()
    {
        if (session.ClosedUntil(clock.GetUtcNow()) is { } open)
        {
            // Outside trading hours the triggers wait in the inbox, undecided; the session gate wakes the household at the open.
            _inbox.Hold();
            WaitFor(open, $"market closed: {_inbox.Count} triggers wait for the open");
            return;
        }
        try
        {
            if (state.State.Spec is not { } spec) { _inbox.Take(); return; }
            var triggers = _inbox.Take();
            if (triggers.Length == 0) return;
            var now = clock.GetUtcNow();
            await journal.Append(triggers.Select(t => ProposalJournal.Trigger(spec.Id, t, now)).ToArray());
            var accounts = triggers.Select(t => t.AccountId).ToHashSet(StringComparer.Ordinal);
            try { await Decide(triggers, decisions.Value.PlanEachAccountAlone ? accounts : null); }
            catch (BadInputException ex) { log.LogWarning("{Household}: no decision for the triggers of {Accounts}: {Reason}", spec.Id, string.Join(", ", accounts), ex.Message); }
        }
        finally
        {
            if (_inbox.Done()) this.AsReference<IHouseholdGrain>().DecideWaiting().Ignore();
        }
    }

    public async Task OnSessionOpen()
    {
        if (state.State.Spec is not { } spec) return;
        // Withdrawals that waited for settlement first: a decision below then sees the cash they leave.
        var paid = AwaitSettlement(await Books.PayWithdrawals(spec.AccountIds));
        foreach (var line in paid) Event("cash", null, null, line);
        if (_inbox.Release()) this.AsReference<IHouseholdGrain>().DecideWaiting().Ignore();
    }

    /// <summary>Withdrawals waiting for sale proceeds to settle are paid at the open of the settlement day: the session gate
    /// wakes the household then. Returns the lines for the proposal's note.</summary>
    private List<string> AwaitSettlement(WithdrawalsPaid paid)
    {
        if (paid.SettlesOn is { } date) WaitFor(session.OpenOn(date), $"withdrawals wait for settlement on {date:yyyy-MM-dd}");
        return paid.Lines;
    }

    private void WaitFor(DateTimeOffset open, string why)
    {
        session.WakeAt(this.GetPrimaryKeyString(), open);
        // The waiting triggers are in memory: the activation stays until the open (business time; the demo's session clock
        // never waits for one).
        var wait = open - clock.GetUtcNow();
        if (wait > TimeSpan.Zero) DelayDeactivation(wait < MaxWaitForOpen ? wait + ExpiryCheck : MaxWaitForOpen);
        Event("waiting", null, null, why);
        log.LogDebug("{Household}: {Why} (until {Open})", this.GetPrimaryKeyString(), why, open);
    }

    /// <summary>Orders reach the market only in its sessions (docs/architecture.md, trading hours): outside them a person's
    /// approval or rebalance is refused, naming the next open, and nothing changes.</summary>
    private void RequireOpenMarket(string what)
    {
        if (session.ClosedUntil(clock.GetUtcNow()) is { } open)
            throw new BadInputException($"the market is closed: {what} in trading hours; the next session opens {open:yyyy-MM-dd HH:mm} UTC");
    }

    public Task<RebalanceProposal[]> Rebalance(Trigger[] causes)
    {
        RequireSpec();
        RequireOpenMarket("a rebalance trades");
        return Decide(causes ?? [], null);
    }

    public Task<RebalanceProposal[]> GetProposals()
    {
        RequireSpec();
        var now = clock.GetUtcNow();
        var orders = Orders.Book.OrdersAt(now).ToLookup(o => o.ProposalId, StringComparer.Ordinal);
        return Task.FromResult<RebalanceProposal[]>([.. Proposals.AllAt(now).Select(p => orders.Contains(p.Id) ? p with { Orders = [.. orders[p.Id]] } : p)]);
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
        var (results, resolved) = await Durably(fresh => Orders.Apply(spec, executions ?? [], fresh));
        DecideAgain(resolved);
        return results;
    }

    /// <summary>Accounts whose orders resolved with quantity released, or whose decision waited for them: an event trigger each
    /// (<see cref="TriggerKind.OrderResolved"/>), decided like any other.</summary>
    private void DecideAgain(string[] accounts)
    {
        if (accounts.Length == 0) return;
        var now = clock.GetUtcNow();
        var triggers = accounts.Select(a => new Trigger(TriggerKind.OrderResolved, a, "orders", 0, 0, 0, board.Current.Sequence, now, now)).ToArray();
        foreach (var t in triggers) Event("trigger", t.AccountId, null, "OrderResolved: orders");
        if (_inbox.Add(triggers)) this.AsReference<IHouseholdGrain>().DecideWaiting().Ignore();
    }

    public async Task<HouseholdStressSnapshot> GetStressSnapshot()
    {
        var spec = RequireSpec();
        await Books.EnsureCaughtUp();
        return await Books.StressSnapshot(spec) with { Transition = state.State.Transition };
    }

    public async Task<RebalanceProposal> Approve(string proposalId, Approver by)
    {
        var spec = RequireSpec();
        await Books.EnsureCaughtUp();
        await ExpireDue();
        var existing = Proposals.Get(proposalId);
        if (existing.Status == ProposalStatus.Executed) return existing; // a retried approval returns the first result
        if (existing is { Status: ProposalStatus.Superseded, SupersededBy: { } next }) return Proposals.Get(next);
        RequireOpenMarket("an approved proposal executes");
        var now = clock.GetUtcNow();
        var p = Proposals.ForDecision(proposalId, now) with { DecidedBy = by };
        await journal.Append([ProposalJournal.Proposal(p with { Note = "approved" }, JournalKind.Approval, now)]);
        var prices = Quotes(p.Trades.Select(t => t.Symbol));
        var moved = ProposalRules.PricesMoved(p, prices, decisions.Value.RevalidationTolerance);
        var washes = p.Trades.Any(t => t.Side == TradeSide.Buy && Books.Tax.WashSales.PurchaseWouldWash(t.Account, t.Symbol, Today()));
        if (!moved && !washes) return await Execute(p with { Note = "approved" });

        // Re-validation failed: re-optimize the same accounts at live prices and against the live ledger.
        var accounts = p.Trades.Select(t => t.Account).ToHashSet(StringComparer.Ordinal);
        var inputs = await Task.WhenAll(accounts.Select(id => GrainFactory.GetGrain<IAccountGrain>(id).GetDecisionInput()));
        var fresh = Proposals.Reoptimized(p, (await Plan(inputs, p.Causes)).Result, moved, board.Current.Sequence, now, decisions.Value.ProposalLifetime);
        _executingNow = true;
        try { await SaveProposals(ProposalJournal.Proposal(Proposals.Get(p.Id), JournalKind.Proposal, now), ProposalJournal.Proposal(fresh, JournalKind.Proposal, now)); }
        finally { _executingNow = false; }
        HouseholdsMetrics.Proposal(ProposalStatus.Superseded);
        log.LogDebug("{Household}: proposal {Proposal} re-optimized on approval as {Fresh}", spec.Id, p.Id, fresh.Id);
        return await Execute(fresh with { Note = $"approved as {p.Id}, re-optimized", DecidedBy = by });
    }

    public async Task<RebalanceProposal> Reject(string proposalId, string? note, Approver by)
    {
        RequireSpec();
        await ExpireDue();
        var now = clock.GetUtcNow();
        var p = Proposals.ForDecision(proposalId, now) with { Status = ProposalStatus.Rejected, DecidedAt = now, Note = note ?? "rejected", DecidedBy = by };
        Proposals.Put(p);
        await SaveProposals(ProposalJournal.Proposal(p, JournalKind.Rejection, now));
        HouseholdsMetrics.Proposal(ProposalStatus.Rejected);
        return p;
    }

    /// <summary>Runs the optimizer over the household's accounts and files what it proposes: discretionary accounts'
    /// trades execute now, the others wait for approval. Proposals are persisted before anything executes.</summary>
    private async Task<RebalanceProposal[]> Decide(Trigger[] causes, IReadOnlyCollection<string>? onlyAccounts)
    {
        var spec = RequireSpec();
        await Books.EnsureCaughtUp();
        await ExpireDue();
        var ids = onlyAccounts ?? spec.AccountIds;
        var inputs = await Task.WhenAll(ids.Select(id => GrainFactory.GetGrain<IAccountGrain>(id).GetDecisionInput()));
        // Accounts with an open custodian break wait for its resolution (firm setting, off by default).
        if (decisions.Value.BlockOnBreaks && (inputs = await ReconciliationBlock.Tradable(GrainFactory, inputs)).Length == 0) return [];
        // Open orders count as planned: their accounts wait for them to fill, be canceled or rejected, or expire.
        if ((inputs = await Orders.Defer(spec.Id, inputs, $"{board.Current.Sequence}:{++_decisionCount}:{Events.Epoch}")).Length == 0) return [];
        var plan = await Plan(inputs, causes);
        var result = plan.Result;
        if (result.Trades.Length == 0)
        {
            // Withdrawals the settled cash already covers are paid whether or not anything trades.
            AwaitSettlement(await Books.PayWithdrawals(ids));
            return [];
        }
        var now = clock.GetUtcNow();
        var discretionary = inputs.Where(i => i.Spec.Discretionary).Select(i => i.Spec.Id).ToHashSet(StringComparer.Ordinal);
        var (changed, pending, replaced, execute) = Proposals.File(result, discretionary, causes, board.Current.Sequence, now, decisions.Value.ProposalLifetime);
        if (pending is not null) HouseholdsMetrics.Proposal(ProposalStatus.Pending);
        foreach (var _ in replaced) HouseholdsMetrics.Proposal(ProposalStatus.Superseded);
        await SaveProposals([.. changed.Select(p => ProposalJournal.Proposal(p, JournalKind.Proposal, now))]);
        if (pending is not null) WatchExpiry();
        var executed = execute is null ? null : await Execute(execute with { Note = "discretionary" });
        if (execute is null) AwaitSettlement(await Books.PayWithdrawals(ids));
        return [.. new[] { pending, executed }.OfType<RebalanceProposal>()];
    }

    /// <summary>Asks the one decision engine (<see cref="DecisionEngine"/>) and journals what it refused, overrode, relaxed
    /// or could not do, so every decision explains itself.</summary>
    private async Task<HouseholdPlan> Plan(IReadOnlyList<AccountDecisionInput> inputs, Trigger[] causes)
    {
        var today = Today();
        var spec = RequireSpec();
        var plan = DecisionEngine.Decide(Request(spec, inputs, causes), Market);
        var result = plan.Result;
        HouseholdsMetrics.Solved(result.SolveMilliseconds, result.Status);
        log.LogDebug("{Household}: {Outcome} ({Status} in {Ms:0.0} ms) for {Causes}: {Trades} trades, tracking error {Before:P2} -> {After:P2}",
            spec.Id, plan.Record.Outcome, result.Status, result.SolveMilliseconds, string.Join(",", causes.Select(c => c.Kind).Distinct()),
            result.Trades.Length, result.TrackingErrorBefore, result.TrackingErrorAfter);
        var entries = ProposalJournal.Explained(plan, spec.Id, today, clock.GetUtcNow(), () => $"{board.Current.Sequence}:{++_decisionCount}:{Events.Epoch}");
        if (entries.Length > 0) await journal.Append(entries);
        if (plan.Record.Outcome == DecisionOutcome.NoPlan) log.LogWarning("{Household}: no plan: {Reason}", spec.Id, plan.Record.Reason);
        return plan;
    }

    private DecisionRequest Request(HouseholdSpec spec, IReadOnlyList<AccountDecisionInput> inputs, Trigger[] causes)
    {
        var today = Today();
        // Under a configured feed a security without a recent price is neither bought nor sold (docs/architecture.md).
        if (feed.Value.HoldsStale && board.Current.Sequence != 0)
        {
            var now = clock.GetUtcNow();
            var symbols = inputs.SelectMany(a => a.Lots.Select(l => l.Symbol).Concat(a.Target?.Weights.Select(w => w.Key) ?? [])).ToHashSet(StringComparer.Ordinal);
            inputs = Domain.Prices.StalePrices.HoldRestrictions(inputs, board.Priced.Stale(now, feed.Value.StaleAfter, symbols), now);
        }
        return new DecisionRequest(spec.Id, inputs, causes, Books.Tax, s => board.QuoteOf(s)?.Price, today,
            ProposalRules.TurnoverOn(Proposals.All, today, inputs, s => board.QuoteOf(s)?.Price), spec.Tax, state.State.Transition);
    }

    public async Task<HouseholdPreview> Preview()
    {
        var spec = RequireSpec();
        await Books.EnsureCaughtUp();
        var inputs = await Task.WhenAll(spec.AccountIds.Select(id => GrainFactory.GetGrain<IAccountGrain>(id).GetDecisionInput()));
        // Asked by a person, like a rebalance: the daily turnover budget of market-caused decisions does not apply.
        var request = Request(spec, inputs, []);
        var market = Market;
        var preview = PlanPreview.Of(request, market, DecisionEngine.Decide(request, market));
        if (state.State.Transition is not { Budget: { } budget } transition) return preview;
        var path = TransitionPlanner.ForHousehold(spec, inputs, master.Find, s => board.QuoteOf(s)?.Price, risk, decisions.Value.Settings, transition, budget,
            request.Today, Books.Tax.Gains);
        return preview with { Transition = path };
    }

    public async Task<HouseholdSpec> SetTaxProfile(TaxProfile? profile)
    {
        var spec = RequireSpec();
        if (profile is not null) Households.Domain.Tax.TaxProfiles.Check(profile);
        var changed = spec with { Tax = profile };
        await Recorded("tax profile", profile, () => state.State.Spec = changed, () => state.State.Spec = spec);
        return changed;
    }

    public async Task<HouseholdSpec> SetPolicy(InvestmentPolicy? policy)
    {
        var spec = RequireSpec();
        if (policy is not null) Households.Domain.Decisions.PolicyValidation.Check(policy);
        var changed = spec with { Policy = policy };
        await Recorded("investment policy", policy, () => state.State.Spec = changed, () => state.State.Spec = spec);
        return changed;
    }

    /// <summary>Persists a change of how the household is managed with its journal entry (through the outbox), then asks for
    /// a decision under it: a person made the change, so it is an event that skips the cooldowns.</summary>
    private async Task Recorded(string what, object? payload, Action apply, Action undo)
    {
        var spec = RequireSpec();
        var now = clock.GetUtcNow();
        var entry = new JournalEntry(0, spec.Id, null, JournalKind.PolicyChange, now, $"policy:{spec.Id}:{what}:{now.UtcTicks}",
            payload is null ? $"{what} cleared" : $"{what} set", Households.Domain.Tax.JournalFormat.Payload(payload ?? new { }));
        apply();
        state.State.Outbox = [entry];
        try { await state.WriteStateAsync(); }
        catch { undo(); throw; }
        await journal.Append([entry]);
        var trigger = new Trigger(TriggerKind.Policy, spec.AccountIds[0], what, 0, 0, 0, board.Current.Sequence, now, now);
        if (_inbox.Add([trigger])) this.AsReference<IHouseholdGrain>().DecideWaiting().Ignore();
    }

    /// <summary>The simulated broker: fills at once at the board's latest price moved against the trade by the slippage (the
    /// household's turn never waits for a price, so its reads answer while it executes); sells first (lot by lot, as the
    /// optimizer chose them), then the buys they fund, released together and cleared as one batch (<see cref="HouseholdBooks.Release"/>).</summary>
    private async Task<RebalanceProposal> Execute(RebalanceProposal p)
    {
        var spec = RequireSpec();
        var quotes = Quotes(p.Trades.Select(t => t.Symbol));
        var (fills, problems, toSend) = await Durably(fresh => Books.Release(spec, p, quotes, Today(), Market, fresh, s => board.QuoteOf(s)?.Price,
            a => execution.Value.ModeOf(a) == ExecutionMode.Orders));
        var orders = await Orders.Send(p, toSend, s => quotes.TryGetValue(s, out var q) ? q : null, execution.Value.LimitTolerance);
        if (orders.Length > 0) { problems.Add($"{orders.Length} orders sent"); WatchExpiry(); }
        problems.AddRange(AwaitSettlement(await Books.PayWithdrawals(spec.AccountIds)));
        var now = clock.GetUtcNow();
        var done = Proposals.Executed(p, fills, problems, now, ordersSent: orders.Length > 0);
        await SaveProposals(ProposalJournal.Proposal(done, JournalKind.Proposal, now));
        HouseholdsMetrics.Proposal(done.Status);
        HouseholdsMetrics.Executed(fills);
        return done;
    }

    /// <summary>The market this household decides and executes in: the firm's settings under the household's policy.</summary>
    private DecisionMarket Market
    {
        get
        {
            var market = new DecisionMarket(master.Find, master.Identical, decisions.Value.Substitutes, replacements.Current, risk, decisions.Value.Settings);
            return state.State.Spec is { } spec ? market.ForHousehold(spec) : market;
        }
    }

    private Dictionary<string, decimal> Quotes(IEnumerable<string> symbols) =>
        symbols.Distinct().Select(board.QuoteOf).OfType<SecurityQuote>().ToDictionary(q => q.Symbol, q => q.Price, StringComparer.Ordinal);

    private async Task ExpireDue()
    {
        DecideAgain(await Orders.ExpireDue());
        var expired = Proposals.Expire(clock.GetUtcNow());
        if (expired.Length == 0) return;
        await SaveProposals(expired.Select(p => ProposalJournal.Proposal(p, JournalKind.Expiry, clock.GetUtcNow())).ToArray());
        foreach (var p in expired) HouseholdsMetrics.Proposal(p.Status);
    }

    private void WatchExpiry()
    {
        _expiryTimer ??= this.RegisterGrainTimer(async () =>
        {
            await ExpireDue();
            if (Proposals.HasPending || Orders.Book.HasOpen) return;
            _expiryTimer?.Dispose();
            _expiryTimer = null;
        }, ExpiryCheck, ExpiryCheck);
    }

    /// <summary>Writes the proposals with their journal entries (in the outbox), then appends the entries.</summary>
    private async Task SaveProposals(params JournalEntry[] entries)
    {
        var before = state.State.Proposals.ToDictionary(p => p.Id, p => p.Status, StringComparer.Ordinal);
        state.State.Proposals = Proposals.All;
        state.State.NextProposal = Proposals.NextNumber;
        state.State.Outbox = entries;
        await state.WriteStateAsync();
        Live.Stale();
        await journal.Append(entries);
        foreach (var p in Proposals.All.Where(p => !before.TryGetValue(p.Id, out var was) || was != p.Status).Reverse())
            Event(before.ContainsKey(p.Id) ? $"proposal-{p.Status.ToString().ToLowerInvariant()}" : "proposal-created", null, p.Id,
                $"{p.Id} {p.Status.ToString().ToLowerInvariant()}: {p.Trades.Length} trades{(p.Note is { } n ? $" ({n})" : "")}");
        ReportFigures();
        var pendingBefore = before.Where(kv => kv.Value == ProposalStatus.Pending).Select(kv => kv.Key);
        if (!_executingNow && !pendingBefore.ToHashSet(StringComparer.Ordinal).SetEquals(Proposals.All.Where(p => p.Status == ProposalStatus.Pending).Select(p => p.Id))) ReportPending();
    }

    /// <summary>Tells the advisor queue's index this household's pending proposals, one-way (absolute and time-stamped, so
    /// a lost or late notice does no harm; re-sent on activation), with the marginal rates and taxable accounts its rows
    /// need, so reading the queue never wakes a household.</summary>
    private void ReportPending()
    {
        if (state.State.Spec is not { } spec || state.State.WashSales is null) return;
        var rates = Households.Domain.Tax.TaxProfiles.Marginal(spec.Tax, Books.Tax.Gains.YearToDate(Today()), decisions.Value.Settings.Rates);
        var taxable = spec.AccountIds.Where(a => Books.Tax.WashSales.ProfileOf(a) is { } p && TaxTreatment.IsTaxable(p.Type)).ToArray();
        var pending = Proposals.All.Where(p => p.Status == ProposalStatus.Pending).ToArray();
        GrainFactory.GetGrain<IAdvisorQueueGrain>(AdvisorQueueGrain.Key)
            .Report(new HouseholdPending(spec.Id, spec.Name, spec.AdvisorId, rates, taxable, state.State.Transition?.Budget is not null, pending, clock.GetUtcNow()))
            .Ignore();
    }

    /// <summary>A harvest trigger whose loss net of costs reaches the firm's threshold is announced to the advisor, once per
    /// account a day (the delivery id says so; the notifications grain drops a repeat).</summary>
    private void AnnounceHarvest(string accountId, Trigger[] triggers)
    {
        var threshold = notices.Value.HarvestThreshold;
        if (threshold <= 0 || state.State.Spec is not { } spec) return;
        var loss = triggers.Where(t => t.Kind == TriggerKind.Harvest).Sum(t => (decimal)Math.Abs(t.Observed));
        if (loss < threshold) return;
        var now = clock.GetUtcNow();
        GrainFactory.GetGrain<IAdvisorNotificationsGrain>(AdvisorNotificationsGrain.Key).Notify(new AdvisorNotice(0, "harvest-opportunity", spec.Id, spec.AdvisorId, null,
            System.FormattableString.Invariant($"{spec.Name}: harvestable losses of {loss:0.00} in {accountId}"), now,
            $"harvest-opportunity:{spec.Id}:{accountId}:{Today():yyyyMMdd}", Math.Round(loss, 2))).Ignore();
    }

    public async Task<WashSaleCheck> CheckLossSale(string accountId, string lotId, decimal quantity, DateOnly date)
    {
        RequireAccount(accountId);
        await Books.EnsureCaughtUp();
        return await Books.CheckLossSale(accountId, lotId, quantity, date);
    }

    public async Task<BuyBlackout[]> BuyBlackouts(string accountId, DateOnly date)
    {
        RequireAccount(accountId);
        await Books.EnsureCaughtUp();
        return Books.Tax.WashSales.BuyBlackouts(accountId, date).ToArray();
    }

    public async Task<TransitionPolicy> SetTransitionPolicy(TransitionPolicy policy)
    {
        var spec = RequireSpec();
        TransitionRules.Check(policy, spec.AccountIds);
        var before = state.State.Transition;
        await Recorded("tax budget", policy, () => state.State.Transition = policy, () => state.State.Transition = before);
        return policy;
    }

    public Task<TransitionPolicy> GetTransitionPolicy()
    {
        RequireSpec();
        return Task.FromResult(state.State.Transition ?? TransitionPolicy.None);
    }

    private HouseholdSpec RequireSpec() => state.State.Spec ?? throw new BadInputException($"household {this.GetPrimaryKeyString()} does not exist");

    private HouseholdSpec RequireAccount(string accountId) => RequireSpec() is var spec && spec.AccountIds.Contains(accountId) ? spec
        : throw new BadInputException($"account {accountId} is not in household {spec.Id}");

    private DateOnly Today() => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
}
