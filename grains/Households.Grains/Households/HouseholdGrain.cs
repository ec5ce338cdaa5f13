using Microsoft.Extensions.DependencyInjection;
using Households.Contracts;
using Households.Domain;
using Households.Domain.Accounts;
using Households.Domain.Decisions;
using Households.Domain.Risk;
using Households.Domain.Monitoring;
using Households.Domain.Reliability;
using Households.Domain.Tax;
using Households.Domain.WashSales;
using Households.Grains.Silo;
using Households.Persistence.Journal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Households.Grains;

[GenerateSerializer]
public sealed class HouseholdState
{
    [Id(0)] public HouseholdSpec? Spec { get; set; }
    /// <summary>The household-wide wash-sale ledger (IRC §1091 across all accounts of the taxpayer and spouse).</summary>
    [Id(1)] public WashSaleLedgerState? WashSales { get; set; }
    [Id(2)] public RealizedEntry[] Realized { get; set; } = [];
    /// <summary>Results by "account/idempotency key": a retry returns the original result.</summary>
    [Id(3)] public Dictionary<string, TradeResult> Trades { get; set; } = new(StringComparer.Ordinal);
    [Id(4)] public RebalanceProposal[] Proposals { get; set; } = [];
    [Id(5)] public int NextProposal { get; set; } = 1;
    /// <summary>Journal entries of the last write, stored with it and appended after it (again on activation:
    /// appends are keyed, so a crash between the write and the append loses no entry and doubles none).</summary>
    [Id(6)] public JournalEntry[] Outbox { get; set; } = [];
    /// <summary>Wash-sale adjustments of the last recorded trade, sent to the accounts after the write (again on
    /// activation: accounts apply each once).</summary>
    [Id(7)] public WashSaleAdjustment[] PendingAdjustments { get; set; } = [];
}

/// <summary>A household: knows its accounts, aggregates them, and is the single door for their trades, so its
/// wash-sale ledger sees every purchase and loss sale of every account in trade order.</summary>
public sealed class HouseholdGrain(
    [PersistentState("household", "households")] IPersistentState<HouseholdState> state,
    SecurityMaster master,
    IJournal journal,
    PriceBoard board,
    SecurityRiskModels risk,
    Households.Domain.Harvesting.ReplacementSelector replacementSelector,
    IOptions<DecisionOptions> decisions,
    [FromKeyedServices(BusinessClock.Key)] TimeProvider clock,
    ILogger<HouseholdGrain> log,
    LiveStateBoard liveBoard) : Grain, IHouseholdGrain
{
    public const int MaxAccounts = 50;
    public static readonly TimeSpan ExpiryCheck = TimeSpan.FromMinutes(1);
    private HouseholdTaxLedger? _tax;
    private ProposalBook? _proposals;
    private IGrainTimer? _expiryTimer;
    private HouseholdEventRing? _ring;
    private readonly TriggerInbox _inbox = new();
    private HouseholdEventRing Events => _ring ??= new HouseholdEventRing(clock);
    private long _decisionCount;
    private HouseholdFigures? _reported;
    private bool _caughtUp;
    private bool _catchUpTried;
    private bool _appliedByThisCall;
    // The kept live state: the board batch, the change count and the accounts' live sources it was computed from (a
    // source is null for an account on another silo, asked by a call); an answer still in flight is shared.
    private (long Sequence, long Version, AccountLiveSource?[] Sources, Task<HouseholdLiveState?> Answer)? _live;
    private long _liveVersion;
    // The batch and change count of the last answer computed and not kept: an answer is kept on the second read.
    private (long Sequence, long Version) _liveAnswered = (-1, -1);
    /// <summary>Attempts of one trade when storage reports a version (ETag) conflict.</summary>
    public const int MaxWriteAttempts = 5;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await master.EnsureLoaded(GrainFactory);
        if (Proposals.HasPending) WatchExpiry();
        // Finish what a crash may have interrupted: the last write's journal entries and wash-sale adjustments.
        // The ledger is restored and the fills an account applied that it never recorded are caught up on the first
        // use of the ledger (EnsureCaughtUp; the watchdog's sweep asks every household for it), not here: a wake for
        // a live-state read needs neither and stays cheap.
        if (state.State.Outbox.Length > 0) await journal.Append(state.State.Outbox, cancellationToken);
        if (state.State.Spec is null || state.State.PendingAdjustments.Length == 0) return;
        try { await SendAdjustments(state.State.PendingAdjustments); }
        catch (Exception ex)
        {
            // Reads stay available; the next activation sends them again (accounts apply each adjustment once).
            log.LogWarning(ex, "{Household}: wash-sale adjustments on activation failed; sent again on the next activation", state.State.Spec.Id);
        }
    }

    /// <summary>Catches up once per activation before the ledger is read (views, checks, decisions). A failure is logged
    /// and the read goes on with the ledger as stored, as before; trades run the catch-up themselves and fail loudly.</summary>
    private async Task EnsureCaughtUp()
    {
        if (_caughtUp || _catchUpTried || state.State.Spec is not { } spec) return;
        _catchUpTried = true;
        try { await CatchUp(); }
        catch (Exception ex)
        {
            log.LogWarning(ex, "{Household}: catch-up failed; retried before the next trade", spec.Id);
        }
    }

    public async Task<string[]> CatchUp()
    {
        if (state.State.Spec is not { } spec) return [];
        var missing = new List<(string Account, TradeResult Applied)>();
        foreach (var accountId in spec.AccountIds)
        {
            var account = GrainFactory.GetGrain<IAccountGrain>(accountId);
            foreach (var key in await account.GetAppliedTradeKeys())
            {
                if (state.State.Trades.ContainsKey($"{accountId}/{key}")) continue;
                if (await account.GetAppliedTrade(key) is { } applied) missing.Add((accountId, applied));
            }
        }
        var done = new List<string>();
        foreach (var (accountId, applied) in missing.OrderBy(m => m.Applied.Request.TradeDate).ThenBy(m => m.Applied.IdempotencyKey, StringComparer.Ordinal))
        {
            await Clear(spec, accountId, applied with { Replayed = false });
            done.Add($"{accountId}/{applied.IdempotencyKey}");
            log.LogWarning("{Household}: fill {Key} in {Account} was applied by the account but missing from the ledger: recorded now",
                spec.Id, applied.IdempotencyKey, accountId);
        }
        _caughtUp = true;
        ReportFigures();
        return [.. done];
    }

    public Task<HouseholdLiveState?> GetLiveState()
    {
        if (state.State.Spec is not { } spec) return Task.FromResult<HouseholdLiveState?>(null);
        var prices = board.Current;
        var ids = spec.AccountIds;
        if (_live is { } kept && kept.Sequence == prices.Sequence && kept.Version == _liveVersion && !kept.Answer.IsFaulted && !kept.Answer.IsCanceled)
        {
            var same = true;
            for (var i = 0; i < ids.Length && same; i++) same = ReferenceEquals(kept.Sources[i], liveBoard.Find(ids[i]));
            if (same) return kept.Answer;
        }
        var sources = new AccountLiveSource?[ids.Length];
        for (var i = 0; i < ids.Length; i++) sources[i] = liveBoard.Find(ids[i]);
        // The proposals as last written (a decision in progress shows once it is stored).
        var pending = Households.Domain.Firm.FirmFigures.Pending(state.State.Proposals);
        var answer = Array.TrueForAll(sources, s => s is not null)
            ? Task.FromResult<HouseholdLiveState?>(LiveFigures.Household(spec, Array.ConvertAll(sources, s => s!.At(prices)), pending))
            : Ask(spec, sources, prices, pending);
        // Kept only for a household read twice in one batch: an answer nobody asks for again is garbage that survives
        // collections (at thousands of reads a second of households read once a batch, the silo's largest GC cost).
        if (_liveAnswered == (prices.Sequence, _liveVersion)) _live = (prices.Sequence, _liveVersion, sources, answer);
        else (_live, _liveAnswered) = (null, (prices.Sequence, _liveVersion));
        return answer;
    }

    /// <summary>Accounts on this silo answer from their published sources; the others are asked (they tell this household
    /// when their figures change, <see cref="OnAccountChanged"/>).</summary>
    private async Task<HouseholdLiveState?> Ask(HouseholdSpec spec, AccountLiveSource?[] sources, PriceVector prices, int pending)
    {
        var accounts = await Task.WhenAll(spec.AccountIds.Select((id, i) =>
            sources[i] is { } local ? Task.FromResult(local.At(prices)) : GrainFactory.GetGrain<IAccountGrain>(id).GetLiveState()));
        return LiveFigures.Household(spec, accounts, pending);
    }

    public Task OnAccountChanged(string accountId)
    {
        LiveStale();
        return Task.CompletedTask;
    }

    /// <summary>Something the live state shows changed: the next read asks the accounts again.</summary>
    private void LiveStale() => _liveVersion++;

    public Task<HouseholdEvents> GetEvents(long after) => Task.FromResult(Events.Since(after));

    private void Event(string kind, string? account, string? proposal, string summary) => Events.Add(kind, account, proposal, summary);

    /// <summary>Tells the firm-stats grain this household's harvested losses and pending proposals, one-way and only
    /// when they changed (absolute figures, so a lost or repeated notice does no harm).</summary>
    private void ReportFigures()
    {
        if (state.State.Spec is not { } spec || state.State.WashSales is null) return;
        var today = Today();
        var figures = new HouseholdFigures(spec.Id, today.Year,
            Households.Domain.Firm.FirmFigures.HarvestedLosses(Tax.Gains.Rows(year: today.Year, through: today), today.Year),
            Households.Domain.Firm.FirmFigures.Pending(Proposals.All));
        if (figures == _reported || (_reported is null && figures.HarvestedLossesYearToDate == 0 && figures.PendingProposals == 0)) { _reported = figures; return; }
        _reported = figures;
        GrainFactory.GetGrain<IFirmStatsGrain>(FirmStatsGrain.Key).ReportHousehold(figures).Ignore();
    }

    private ProposalBook Proposals => _proposals ??= new ProposalBook(this.GetPrimaryKeyString(), state.State.Proposals, state.State.NextProposal);

    public async Task Create(HouseholdSpec household, AccountOpening[] accounts)
    {
        Validate(household, accounts);
        if (state.State.Spec is { } existing)
        {
            if (existing.Name == household.Name && existing.AdvisorId == household.AdvisorId && existing.AccountIds.SequenceEqual(household.AccountIds)) return;
            throw new BadInputException($"household {household.Id} already exists");
        }
        foreach (var opening in accounts)
        {
            if (await GrainFactory.GetGrain<IAccountGrain>(opening.Spec.Id).GetSpec() is { } other && other.HouseholdId != household.Id)
                throw new BadInputException($"account {opening.Spec.Id} already belongs to household {other.HouseholdId}");
        }
        var tax = new HouseholdTaxLedger(master.Identical);
        tax.OpenAccounts(accounts.Select(a => (new AccountTaxProfile(a.Spec.Id, a.Spec.Type, a.Spec.SeparateTaxpayer), (IReadOnlyList<TaxLot>)a.Lots)).ToList());
        await Task.WhenAll(accounts.Select(a => GrainFactory.GetGrain<IAccountGrain>(a.Spec.Id).Open(a)));
        state.State.Spec = household;
        (state.State.WashSales, state.State.Realized) = Persisted(tax);
        var now = clock.GetUtcNow();
        state.State.Outbox = [.. accounts.Select(a => new JournalEntry(0, household.Id, a.Spec.Id, JournalKind.AccountOpened, now,
            JournalReplay.OpenedKeyPrefix + a.Spec.Id, System.FormattableString.Invariant($"Opened {a.Spec.Type} account {a.Spec.Id} with {a.Cash:0.00} cash and {a.Lots.Length} lots"),
            JournalFormat.Payload(a)))];
        await state.WriteStateAsync();
        await journal.Append(state.State.Outbox);
        _tax = tax;
        _caughtUp = true;
        await GrainFactory.GetGrain<IFirmDirectoryGrain>(FirmDirectoryGrain.Key)
            .Register(new HouseholdSummary(household.Id, household.Name, household.AdvisorId, household.AccountIds.Length));
    }

    public Task<HouseholdSpec?> GetSpec() => Task.FromResult(state.State.Spec);

    public async Task<HouseholdView> GetView()
    {
        var spec = RequireSpec();
        await EnsureCaughtUp();
        var accounts = await Task.WhenAll(spec.AccountIds.Select(id => GrainFactory.GetGrain<IAccountGrain>(id).GetView()));
        return HouseholdAggregation.View(spec, accounts, Tax.View(Today(), spec.AccountIds));
    }

    public async Task<TradeResult> RecordTrade(string accountId, TradeRequest trade)
    {
        _appliedByThisCall = false;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var result = await RecordTradeOnce(accountId, trade);
                // After a conflict the retry finds this call's own fill: it is not a replay for the caller.
                return _appliedByThisCall && result.Replayed ? result with { Replayed = false } : result;
            }
            catch (Orleans.Storage.InconsistentStateException ex) when (attempt < MaxWriteAttempts)
            {
                // Another activation wrote first: re-read, rebuild the ledger and proposals from storage, go again
                // (the account answers the fill it already applied as a replay).
                log.LogWarning("{Household}: storage version conflict (attempt {Attempt}): re-reading and retrying. {Reason}",
                    this.GetPrimaryKeyString(), attempt, ex.Message);
                await state.ReadStateAsync();
                _tax = null;
                _proposals = null;
                _caughtUp = false;
                LiveStale();
            }
        }
    }

    private async Task<TradeResult> RecordTradeOnce(string accountId, TradeRequest trade)
    {
        var spec = RequireSpec();
        if (!_caughtUp) await CatchUp();
        if (!spec.AccountIds.Contains(accountId)) throw new BadInputException($"account {accountId} is not in household {spec.Id}");
        TradeValidation.Check(trade);
        var key = $"{accountId}/{trade.IdempotencyKey}";
        if (state.State.Trades.TryGetValue(key, out var earlier))
        {
            if (earlier.Request != trade) throw new BadInputException($"idempotencyKey {trade.IdempotencyKey} was already used for a different trade");
            await journal.Append(TradeJournal.Entries(spec.Id, earlier, clock.GetUtcNow())); // lands once: keyed
            return earlier with { Replayed = true };
        }
        var tax = Tax;
        tax.EnsureInOrder(trade.TradeDate);
        var account = GrainFactory.GetGrain<IAccountGrain>(accountId);
        // The account applies and persists the fill; if this grain fails before its own write, the retry finds
        // the account's stored result (replayed) and records it in the ledger then.
        var applied = await account.ApplyTrade(trade);
        _appliedByThisCall |= !applied.Replayed;
        return await Clear(spec, accountId, applied);
    }

    /// <summary>Records an account's applied fill in the ledger and journal (stored together), then sends the
    /// wash-sale adjustments it causes to the accounts.</summary>
    private async Task<TradeResult> Clear(HouseholdSpec spec, string accountId, TradeResult applied)
    {
        var trade = applied.Request;
        var key = $"{accountId}/{trade.IdempotencyKey}";
        var tax = Tax;
        var before = (state.State.WashSales, state.State.Realized, state.State.Outbox, state.State.PendingAdjustments);
        FillOutcome outcome;
        try
        {
            outcome = trade.Side == TradeSide.Buy
                ? tax.RecordPurchase(accountId, applied.CreatedLot!)
                : tax.RecordSale(accountId, trade.TradeDate, applied.Sales);
            var result = applied with
            {
                Realized = trade.Side == TradeSide.Sell ? [.. outcome.Realized] : applied.Realized,
                WashSales = [.. outcome.Adjustments],
                Replayed = false,
            };
            state.State.Trades[key] = result;
            (state.State.WashSales, state.State.Realized) = Persisted(tax);
            state.State.Outbox = TradeJournal.Entries(spec.Id, result, clock.GetUtcNow());
            state.State.PendingAdjustments = [.. outcome.Adjustments];
            await state.WriteStateAsync();
            applied = result;
            LiveStale();
        }
        catch
        {
            state.State.Trades.Remove(key);
            (state.State.WashSales, state.State.Realized, state.State.Outbox, state.State.PendingAdjustments) = before;
            _tax = null; // rebuilt from the last written state on next use
            throw;
        }
        await journal.Append(state.State.Outbox);
        Event("trade", accountId, null, $"{trade.Side} {trade.Quantity:0.####} {trade.Symbol} @ {trade.Price:0.00}");
        ReportFigures();
        foreach (var (account, adjusted) in await SendAdjustments(outcome.Adjustments))
        {
            if (account == accountId && applied.CreatedLot is { } created && adjusted.FirstOrDefault(l => l.Id == created.Id) is { } now)
                applied = applied with { CreatedLot = now };
        }
        return applied;
    }

    private async Task<List<(string Account, TaxLot[] Adjusted)>> SendAdjustments(IReadOnlyList<WashSaleAdjustment> adjustments)
    {
        var done = new List<(string, TaxLot[])>();
        foreach (var group in adjustments.GroupBy(a => a.Account))
        {
            done.Add((group.Key, await GrainFactory.GetGrain<IAccountGrain>(group.Key).ApplyWashSaleAdjustments([.. group])));
            foreach (var a in group)
                log.LogInformation("{Household}: loss {Loss} sold {SaleDate} in {LossAccount} washed by {Quantity} of lot {Lot} in {Account}: {Disallowed} disallowed",
                    this.GetPrimaryKeyString(), a.LossId, a.SaleDate, a.LossAccount, a.Quantity, a.LotId, a.Account, a.Disallowed);
        }
        return done;
    }

    public Task OnAccountTriggers(string accountId, Trigger[] triggers)
    {
        if (state.State.Spec is null) return Task.CompletedTask;
        foreach (var kind in triggers.GroupBy(t => t.Kind))
            Event("trigger", accountId, null, $"{kind.Key}: {string.Join(", ", kind.Select(t => t.Subject).Distinct().Take(5))}");
        // Interleaved: only the inbox changes here; one decision at a time takes everything waiting.
        if (_inbox.Add(triggers)) this.AsReference<IHouseholdGrain>().DecideWaiting().Ignore();
        return Task.CompletedTask;
    }

    public async Task DecideWaiting()
    {
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

    public Task<RebalanceProposal[]> Rebalance(Trigger[] causes)
    {
        RequireSpec();
        return Decide(causes ?? [], null);
    }

    public async Task<RebalanceProposal[]> GetProposals()
    {
        RequireSpec();
        await ExpireDue();
        return Proposals.All;
    }

    public async Task<HouseholdStressSnapshot> GetStressSnapshot()
    {
        var spec = RequireSpec();
        await EnsureCaughtUp();
        var accounts = await Task.WhenAll(spec.AccountIds.Select(async id =>
        {
            var account = GrainFactory.GetGrain<IAccountGrain>(id);
            var input = await account.GetDecisionInput();
            return new StressAccount(input.Spec, input.Cash, await account.GetLots(), input.Target, input.CashToRaise);
        }));
        var (ledger, realized) = Persisted(Tax);
        return new HouseholdStressSnapshot(spec, accounts, ledger, realized);
    }

    public async Task<RebalanceProposal> Approve(string proposalId)
    {
        var spec = RequireSpec();
        await EnsureCaughtUp();
        await ExpireDue();
        var existing = Proposals.Get(proposalId);
        if (existing.Status == ProposalStatus.Executed) return existing; // a retried approval returns the first result
        if (existing is { Status: ProposalStatus.Superseded, SupersededBy: { } next }) return Proposals.Get(next);
        var now = clock.GetUtcNow();
        var p = Proposals.ForDecision(proposalId, now);
        await journal.Append([ProposalJournal.Proposal(p with { Note = "approved" }, JournalKind.Approval, now)]);
        var prices = Quotes(p.Trades.Select(t => t.Symbol));
        var moved = ProposalRules.PricesMoved(p, prices, decisions.Value.RevalidationTolerance);
        var washes = p.Trades.Any(t => t.Side == TradeSide.Buy && Tax.WashSales.PurchaseWouldWash(t.Account, t.Symbol, Today()));
        if (!moved && !washes) return await Execute(p with { Note = "approved" });

        // Re-validation failed: re-optimize the same accounts at live prices and against the live ledger.
        var accounts = p.Trades.Select(t => t.Account).ToHashSet(StringComparer.Ordinal);
        var inputs = await Task.WhenAll(accounts.Select(id => GrainFactory.GetGrain<IAccountGrain>(id).GetDecisionInput()));
        var result = (await Plan(inputs, p.Causes)).Result;
        var fresh = Proposals.Create(result, [.. result.Trades], p.Causes, board.Current.Sequence, now, decisions.Value.ProposalLifetime);
        var superseded = p with
        {
            Status = ProposalStatus.Superseded, DecidedAt = now, SupersededBy = fresh.Id,
            Note = moved ? "approved; prices moved beyond tolerance, re-optimized" : "approved; the wash-sale ledger changed, re-optimized",
        };
        Proposals.Put(superseded);
        await SaveProposals(ProposalJournal.Proposal(superseded, JournalKind.Proposal, now), ProposalJournal.Proposal(fresh, JournalKind.Proposal, now));
        HouseholdsMetrics.Proposal(ProposalStatus.Superseded);
        log.LogInformation("{Household}: proposal {Proposal} re-optimized on approval as {Fresh}", spec.Id, p.Id, fresh.Id);
        return await Execute(fresh with { Note = $"approved as {p.Id}, re-optimized" });
    }

    public async Task<RebalanceProposal> Reject(string proposalId, string? note)
    {
        RequireSpec();
        await ExpireDue();
        var now = clock.GetUtcNow();
        var p = Proposals.ForDecision(proposalId, now) with { Status = ProposalStatus.Rejected, DecidedAt = now, Note = note ?? "rejected" };
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
        await EnsureCaughtUp();
        await ExpireDue();
        var ids = onlyAccounts ?? spec.AccountIds;
        var inputs = await Task.WhenAll(ids.Select(id => GrainFactory.GetGrain<IAccountGrain>(id).GetDecisionInput()));
        var plan = await Plan(inputs, causes);
        var result = plan.Result;
        if (result.Trades.Length == 0)
        {
            // Withdrawals the cash already covers are paid whether or not anything trades.
            await PayWithdrawals(ids);
            return [];
        }
        var now = clock.GetUtcNow();
        var discretionary = inputs.Where(i => i.Spec.Discretionary).Select(i => i.Spec.Id).ToHashSet(StringComparer.Ordinal);
        var auto = result.Trades.Where(t => discretionary.Contains(t.Account)).ToArray();
        var waiting = result.Trades.Where(t => !discretionary.Contains(t.Account)).ToArray();
        var lifetime = decisions.Value.ProposalLifetime;
        var made = new List<RebalanceProposal>();
        var replaced = Array.Empty<RebalanceProposal>();
        if (waiting.Length > 0)
        {
            var pending = Proposals.Create(result, waiting, causes, board.Current.Sequence, now, lifetime);
            replaced = Proposals.SupersedePending(pending, now);
            made.Add(pending);
            HouseholdsMetrics.Proposal(ProposalStatus.Pending);
            foreach (var _ in replaced) HouseholdsMetrics.Proposal(ProposalStatus.Superseded);
        }
        var execute = auto.Length > 0 ? Proposals.Create(result, auto, causes, board.Current.Sequence, now, lifetime) : null;
        await SaveProposals(replaced.Concat(made).Concat(execute is null ? [] : [execute]).Select(p => ProposalJournal.Proposal(p, JournalKind.Proposal, now)).ToArray());
        if (waiting.Length > 0) WatchExpiry();
        if (execute is not null) made.Add(await Execute(execute with { Note = "discretionary" }));
        else await PayWithdrawals(ids);
        return [.. made];
    }

    /// <summary>Asks the one decision engine (<see cref="DecisionEngine"/>) and journals what it refused, overrode, relaxed
    /// or could not do, so every decision explains itself.</summary>
    private async Task<HouseholdPlan> Plan(IReadOnlyList<AccountDecisionInput> inputs, Trigger[] causes)
    {
        var today = Today();
        var spec = RequireSpec();
        var plan = DecisionEngine.Decide(new DecisionRequest(spec.Id, inputs, causes, Tax, s => board.QuoteOf(s)?.Price, today,
            ProposalRules.TurnoverOn(Proposals.All, today, inputs, s => board.QuoteOf(s)?.Price)), Market);
        var result = plan.Result;
        HouseholdsMetrics.Solved(result.SolveMilliseconds, result.Status);
        log.LogInformation("{Household}: {Outcome} ({Status} in {Ms:0.0} ms) for {Causes}: {Trades} trades, tracking error {Before:P2} -> {After:P2}",
            spec.Id, plan.Record.Outcome, result.Status, result.SolveMilliseconds, string.Join(",", causes.Select(c => c.Kind).Distinct()),
            result.Trades.Length, result.TrackingErrorBefore, result.TrackingErrorAfter);
        var now = clock.GetUtcNow();
        var entries = plan.Refusals.Select(r => ProposalJournal.Refusal(spec.Id, r, today, now)).ToList();
        if (plan.NeedsExplaining)
            entries.Add(ProposalJournal.Decision(plan.Record, now, $"{board.Current.Sequence}:{++_decisionCount}:{Events.Epoch}"));
        if (entries.Count > 0) await journal.Append([.. entries]);
        if (plan.Record.Outcome == DecisionOutcome.NoPlan) log.LogWarning("{Household}: no plan: {Reason}", spec.Id, plan.Record.Reason);
        return plan;
    }

    /// <summary>The simulated broker: at the next price batch, sells first (lot by lot, as the optimizer chose them),
    /// then buys, each filled at the board's price with slippage and recorded through the same path as any fill
    /// (ledger, books, journal).</summary>
    private async Task<RebalanceProposal> Execute(RebalanceProposal p)
    {
        var settings = decisions.Value.Settings;
        var today = Today();
        var fills = new List<TradeResult>();
        var problems = new List<string>();
        // Filled at once at the board's latest price moved against the trade by the slippage: the household's turn never
        // waits for a price, so its reads answer while it executes.
        var quotes = Quotes(p.Trades.Select(t => t.Symbol));
        var books = new Dictionary<string, AccountDecisionInput>(StringComparer.Ordinal);
        foreach (var t in p.Trades.Where(t => !quotes.ContainsKey(t.Symbol))) problems.Add($"{t.Symbol}: no price");
        var orders = SimulatedBroker.Orders(p, today,
            t => quotes.TryGetValue(t.Symbol, out var q) ? SimulatedBroker.FillPrice(t.Side, q, settings.SlippageBps) : null, settings.Commission);
        foreach (var (t, order) in orders)
        {
            if (!books.TryGetValue(t.Account, out var book))
                books[t.Account] = book = await GrainFactory.GetGrain<IAccountGrain>(t.Account).GetDecisionInput();
            var request = order.Side == TradeSide.Buy ? SimulatedBroker.Affordable(order, book.Cash, book.Spec, settings) : order;
            if (request.Quantity <= 0) continue;
            if (SimulatedBroker.DustAtFill(t, request, book.Spec, settings))
            {
                problems.Add($"{t.Account} {t.Side} {request.Quantity} {t.Symbol} not sent: worth {request.Quantity * request.Price:0.00} at {request.Price:0.00}, below the minimum trade");
                continue;
            }
            if (SimulatedBroker.WashesAtFill(t.Account, t, request, Tax))
            {
                problems.Add($"{t.Account} sell {t.Symbol} lot {request.LotId} not sent: at {request.Price:0.00} it would realize a loss washed by a household purchase");
                continue;
            }
            try
            {
                var fill = await RecordTrade(t.Account, request);
                fills.Add(fill);
                books[t.Account] = book with { Cash = fill.CashAfter };
            }
            catch (BadInputException ex) { problems.Add($"{t.Account} {t.Side} {t.Symbol}: {ex.Message}"); }
        }
        problems.AddRange(await PayWithdrawals(RequireSpec().AccountIds));
        var now = clock.GetUtcNow();
        var note = string.Join("; ", new[] { p.Note }.Concat(problems).OfType<string>());
        var done = p with
        {
            Status = fills.Count > 0 || p.Trades.Length == 0 ? ProposalStatus.Executed : ProposalStatus.Failed,
            DecidedAt = now, Fills = [.. fills], Note = note.Length == 0 ? null : note,
        };
        Proposals.Put(done);
        await SaveProposals(ProposalJournal.Proposal(done, JournalKind.Proposal, now));
        HouseholdsMetrics.Proposal(done.Status);
        HouseholdsMetrics.Executed(fills.SelectMany(f => f.Realized));
        return done;
    }

    /// <summary>Pays every pending withdrawal the accounts' cash covers; returns a line per payment for the proposal's note.</summary>
    private async Task<List<string>> PayWithdrawals(IEnumerable<string> accounts)
    {
        var paid = new List<string>();
        foreach (var account in accounts)
        {
            var amount = await GrainFactory.GetGrain<IAccountGrain>(account).PayWithdrawals();
            if (amount > 0) paid.Add($"{account}: withdrawal of {amount:0.00} paid");
        }
        return paid;
    }

    private DecisionMarket Market => new(master.Find, master.Identical, decisions.Value.Substitutes, replacementSelector, risk, decisions.Value.Settings);

    private Dictionary<string, decimal> Quotes(IEnumerable<string> symbols) =>
        symbols.Distinct().Select(board.QuoteOf).OfType<SecurityQuote>().ToDictionary(q => q.Symbol, q => q.Price, StringComparer.Ordinal);

    private async Task ExpireDue()
    {
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
            if (Proposals.HasPending) return;
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
        LiveStale();
        await journal.Append(entries);
        foreach (var p in Proposals.All.Where(p => !before.TryGetValue(p.Id, out var was) || was != p.Status).Reverse())
            Event(before.ContainsKey(p.Id) ? $"proposal-{p.Status.ToString().ToLowerInvariant()}" : "proposal-created", null, p.Id,
                $"{p.Id} {p.Status.ToString().ToLowerInvariant()}: {p.Trades.Length} trades{(p.Note is { } n ? $" ({n})" : "")}");
        ReportFigures();
    }

    public async Task<WashSaleCheck> CheckLossSale(string accountId, string lotId, decimal quantity, DateOnly date)
    {
        var spec = RequireSpec();
        await EnsureCaughtUp();
        if (!spec.AccountIds.Contains(accountId)) throw new BadInputException($"account {accountId} is not in household {spec.Id}");
        if (quantity <= 0) throw new BadInputException("quantity must be > 0");
        var piece = (await GrainFactory.GetGrain<IAccountGrain>(accountId).GetLots()).FirstOrDefault(p => p.Lot.Id == lotId)
            ?? throw new BadInputException($"lot {lotId} does not exist in account {accountId}");
        if (quantity > piece.Lot.Quantity) throw new BadInputException($"quantity {quantity} exceeds the {piece.Lot.Quantity} shares of lot {lotId}");
        return Tax.CheckLossSale(accountId, piece.Lot, piece.Root, quantity, date);
    }

    public async Task<BuyBlackout[]> BuyBlackouts(string accountId, DateOnly date)
    {
        var spec = RequireSpec();
        if (!spec.AccountIds.Contains(accountId)) throw new BadInputException($"account {accountId} is not in household {spec.Id}");
        await EnsureCaughtUp();
        return Tax.WashSales.BuyBlackouts(accountId, date).ToArray();
    }

    private HouseholdTaxLedger Tax => _tax ??= state.State.WashSales is { } ledger
        ? HouseholdTaxLedger.Restore(ledger, state.State.Realized, master.Identical)
        : throw new BadInputException($"household {this.GetPrimaryKeyString()} does not exist");

    private static (WashSaleLedgerState, RealizedEntry[]) Persisted(HouseholdTaxLedger tax)
    {
        var (ledger, realized) = tax.Snapshot();
        return (ledger, [.. realized]);
    }

    private HouseholdSpec RequireSpec() => state.State.Spec ?? throw new BadInputException($"household {this.GetPrimaryKeyString()} does not exist");

    private DateOnly Today() => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    private void Validate(HouseholdSpec household, AccountOpening[] accounts)
    {
        if (household is null) throw new BadInputException("household is required");
        InputRules.Id(household.Id, "id");
        if (household.Id != this.GetPrimaryKeyString()) throw new BadInputException($"household id {household.Id} does not match {this.GetPrimaryKeyString()}");
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
