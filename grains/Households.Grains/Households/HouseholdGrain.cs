using Households.Contracts;
using Households.Domain;
using Households.Domain.Accounts;
using Households.Domain.Decisions;
using Households.Domain.Risk;
using Households.Domain.Monitoring;
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
    FirmTriggerBudget firmBudget,
    IOptions<DecisionOptions> decisions,
    TimeProvider clock,
    ILogger<HouseholdGrain> log) : Grain, IHouseholdGrain
{
    public const int MaxAccounts = 50;
    public static readonly TimeSpan ExpiryCheck = TimeSpan.FromMinutes(1);
    private HouseholdTaxLedger? _tax;
    private ProposalBook? _proposals;
    private IGrainTimer? _expiryTimer;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await master.EnsureLoaded(GrainFactory);
        if (state.State.WashSales is { } ledger) _tax = HouseholdTaxLedger.Restore(ledger, state.State.Realized, master.Identical);
        if (Proposals.HasPending) WatchExpiry();
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
        await state.WriteStateAsync();
        _tax = tax;
        await GrainFactory.GetGrain<IFirmDirectoryGrain>(FirmDirectoryGrain.Key)
            .Register(new HouseholdSummary(household.Id, household.Name, household.AdvisorId, household.AccountIds.Length));
    }

    public Task<HouseholdSpec?> GetSpec() => Task.FromResult(state.State.Spec);

    public async Task<HouseholdView> GetView()
    {
        var spec = RequireSpec();
        var accounts = await Task.WhenAll(spec.AccountIds.Select(id => GrainFactory.GetGrain<IAccountGrain>(id).GetView()));
        return HouseholdAggregation.View(spec, accounts, Tax.View(Today(), spec.AccountIds));
    }

    public async Task<TradeResult> RecordTrade(string accountId, TradeRequest trade)
    {
        var spec = RequireSpec();
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
            await state.WriteStateAsync();
            applied = result;
        }
        catch
        {
            state.State.Trades.Remove(key);
            _tax = null; // rebuilt from the last written state on next use
            throw;
        }
        await journal.Append(TradeJournal.Entries(spec.Id, applied, clock.GetUtcNow()));
        foreach (var group in outcome.Adjustments.GroupBy(a => a.Account))
        {
            var adjusted = await GrainFactory.GetGrain<IAccountGrain>(group.Key).ApplyWashSaleAdjustments([.. group]);
            if (group.Key == accountId && applied.CreatedLot is { } created && adjusted.FirstOrDefault(l => l.Id == created.Id) is { } now)
                applied = applied with { CreatedLot = now };
            foreach (var a in group)
                log.LogInformation("{Household}: loss {Loss} sold {SaleDate} in {LossAccount} washed by {Quantity} of lot {Lot} in {Account}: {Disallowed} disallowed",
                    spec.Id, a.LossId, a.SaleDate, a.LossAccount, a.Quantity, a.LotId, a.Account, a.Disallowed);
        }
        return applied;
    }

    public async Task OnAccountTriggers(string accountId, Trigger[] triggers)
    {
        if (state.State.Spec is not { } spec) return;
        var now = clock.GetUtcNow();
        await journal.Append(triggers.Select(t => ProposalJournal.Trigger(spec.Id, t, now)).ToArray());
        if (!firmBudget.TryTake())
        {
            log.LogWarning("{Household}: firm-wide trigger budget exhausted; {Count} triggers of {Account} recorded, not acted on", spec.Id, triggers.Length, accountId);
            return;
        }
        try { await Decide(triggers, decisions.Value.PlanEachAccountAlone ? [accountId] : null); }
        catch (BadInputException ex) { log.LogWarning("{Household}: no decision for {Account}'s triggers: {Reason}", spec.Id, accountId, ex.Message); }
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

    public async Task<RebalanceProposal> Approve(string proposalId)
    {
        var spec = RequireSpec();
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
        var result = await Plan(inputs, p.Causes);
        var fresh = Proposals.Create(result, [.. result.Trades], p.Causes, board.Current.Sequence, now, decisions.Value.ProposalLifetime);
        var superseded = p with
        {
            Status = ProposalStatus.Superseded, DecidedAt = now, SupersededBy = fresh.Id,
            Note = moved ? "approved; prices moved beyond tolerance, re-optimized" : "approved; the wash-sale ledger changed, re-optimized",
        };
        Proposals.Put(superseded);
        await SaveProposals();
        await journal.Append([ProposalJournal.Proposal(superseded, JournalKind.Proposal, now), ProposalJournal.Proposal(fresh, JournalKind.Proposal, now)]);
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
        await SaveProposals();
        await journal.Append([ProposalJournal.Proposal(p, JournalKind.Rejection, now)]);
        return p;
    }

    /// <summary>Runs the optimizer over the household's accounts and files what it proposes: discretionary accounts'
    /// trades execute now, the others wait for approval. Proposals are persisted before anything executes.</summary>
    private async Task<RebalanceProposal[]> Decide(Trigger[] causes, IReadOnlyCollection<string>? onlyAccounts)
    {
        var spec = RequireSpec();
        await ExpireDue();
        var ids = onlyAccounts ?? spec.AccountIds;
        var inputs = await Task.WhenAll(ids.Select(id => GrainFactory.GetGrain<IAccountGrain>(id).GetDecisionInput()));
        var result = await Plan(inputs, causes);
        if (result.Status != OptimizationStatus.Optimal)
        {
            log.LogWarning("{Household}: optimizer {Status}; no proposal", spec.Id, result.Status);
            return [];
        }
        if (result.Trades.Length == 0) return [];
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
        }
        var execute = auto.Length > 0 ? Proposals.Create(result, auto, causes, board.Current.Sequence, now, lifetime) : null;
        await SaveProposals();
        await journal.Append(replaced.Concat(made).Concat(execute is null ? [] : [execute]).Select(p => ProposalJournal.Proposal(p, JournalKind.Proposal, now)).ToArray());
        if (waiting.Length > 0) WatchExpiry();
        if (execute is not null) made.Add(await Execute(execute with { Note = "discretionary" }));
        return [.. made];
    }

    private async Task<RebalanceResult> Plan(IReadOnlyList<AccountDecisionInput> given, Trigger[] causes)
    {
        var inputs = await WithWashSaleHolds(given);
        var symbols = inputs.SelectMany(i => i.Lots.Select(l => l.Symbol)
                .Concat(i.Target?.Weights.Where(w => w.Level == DriftLevel.Security).Select(w => w.Key) ?? []))
            .ToHashSet(StringComparer.Ordinal);
        var today = Today();
        var blockedKeys = WashSaleGuard.OpenLossKeys(inputs.Select(i => i.Spec.Id), Tax.WashSales, today);
        // Replacements: the firm's substitute table for funds; for a harvested stock, the most similar stock by factor
        // exposure in its sector that the ledger does not block.
        var substitutes = decisions.Value.Substitutes;
        var replacements = symbols.Where(substitutes.ContainsKey).ToDictionary(s => s, s => (IReadOnlyList<string>)substitutes[s]);
        foreach (var subject in causes.Where(c => c.Kind == TriggerKind.Harvest).Select(c => c.Subject).Distinct())
        {
            var choice = replacementSelector.Choose(subject, s => WashSaleGuard.IsBlocked(blockedKeys, master.Identical, s));
            if (choice.Symbol is { } replacement && !replacements.ContainsKey(subject)) replacements[subject] = [replacement];
        }
        symbols.UnionWith(replacements.Values.SelectMany(r => r));
        var securities = symbols.Select(master.Find).OfType<Security>().ToDictionary(s => s.Symbol, StringComparer.Ordinal);
        var prices = Quotes(symbols);
        var blocked = WashSaleGuard.BlockedPurchases(blockedKeys, securities.Values, master.Identical);
        var result = RebalancePlanner.Plan(inputs, securities, prices, blocked, replacements, risk, today, decisions.Value.Settings);
        log.LogInformation("{Household}: optimizer {Status} in {Ms:0.0} ms for {Causes}: {Trades} trades, tracking error {Before:P2} -> {After:P2}",
            this.GetPrimaryKeyString(), result.Status, result.SolveMilliseconds, string.Join(",", causes.Select(c => c.Kind).Distinct()),
            result.Trades.Length, result.TrackingErrorBefore, result.TrackingErrorAfter);
        return result;
    }

    /// <summary>Loss lots whose sale now would be washed are held for this decision (<see cref="WashSaleGuard"/>);
    /// each refusal is journaled with the purchases that cause it.</summary>
    private async Task<AccountDecisionInput[]> WithWashSaleHolds(IReadOnlyList<AccountDecisionInput> inputs)
    {
        var today = Today();
        var (held, refusals) = WashSaleGuard.HoldWashingLosses(inputs, Tax, s => board.QuoteOf(s)?.Price, today);
        foreach (var r in refusals) log.LogInformation("{Account}: harvest of {Lot} refused, wash sale with {Cause}", r.AccountId, r.Lot.Id, r.Cause);
        if (refusals.Length > 0)
            await journal.Append(refusals.Select(r => new JournalEntry(0, state.State.Spec!.Id, r.AccountId, JournalKind.WashSale, clock.GetUtcNow(),
                $"refused:{r.Lot.Id}:{today:yyyyMMdd}", r.Describe(), JournalFormat.Payload(r.Check))).ToArray());
        return held;
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
        if (!await NextBatchAfter(p.PriceSequence)) problems.Add($"no price batch after {p.PriceSequence} within {decisions.Value.NextPriceWait}: filled at the last price");
        var quotes = Quotes(p.Trades.Select(t => t.Symbol));
        foreach (var t in p.Trades.Where(t => !quotes.ContainsKey(t.Symbol))) problems.Add($"{t.Symbol}: no price");
        var orders = SimulatedBroker.Orders(p, today,
            t => quotes.TryGetValue(t.Symbol, out var q) ? SimulatedBroker.FillPrice(t.Side, q, settings.SlippageBps) : null, settings.Commission);
        foreach (var (t, order) in orders)
        {
            var request = order.Side == TradeSide.Buy
                ? SimulatedBroker.Affordable(order, (await GrainFactory.GetGrain<IAccountGrain>(t.Account).GetDecisionInput()).Cash)
                : order;
            if (request.Quantity <= 0) continue;
            try { fills.Add(await RecordTrade(t.Account, request)); }
            catch (BadInputException ex) { problems.Add($"{t.Account} {t.Side} {t.Symbol}: {ex.Message}"); }
        }
        foreach (var account in p.Trades.Select(t => t.Account).Distinct())
        {
            var paid = await GrainFactory.GetGrain<IAccountGrain>(account).PayWithdrawals();
            if (paid > 0) problems.Add($"{account}: withdrawal of {paid:0.00} paid");
        }
        var now = clock.GetUtcNow();
        var note = string.Join("; ", new[] { p.Note }.Concat(problems).OfType<string>());
        var done = p with
        {
            Status = fills.Count > 0 || p.Trades.Length == 0 ? ProposalStatus.Executed : ProposalStatus.Failed,
            DecidedAt = now, Fills = [.. fills], Note = note.Length == 0 ? null : note,
        };
        Proposals.Put(done);
        await SaveProposals();
        await journal.Append([ProposalJournal.Proposal(done, JournalKind.Proposal, now)]);
        return done;
    }

    /// <summary>Waits (bounded) until the board holds a batch newer than <paramref name="sequence"/>.</summary>
    private async Task<bool> NextBatchAfter(long sequence)
    {
        var deadline = clock.GetUtcNow() + decisions.Value.NextPriceWait;
        while (board.Current.Sequence <= sequence)
        {
            if (clock.GetUtcNow() >= deadline) return false;
            await Task.Delay(TimeSpan.FromMilliseconds(25));
        }
        return true;
    }

    private Dictionary<string, decimal> Quotes(IEnumerable<string> symbols) =>
        symbols.Distinct().Select(board.QuoteOf).OfType<SecurityQuote>().ToDictionary(q => q.Symbol, q => q.Price, StringComparer.Ordinal);

    private async Task ExpireDue()
    {
        var expired = Proposals.Expire(clock.GetUtcNow());
        if (expired.Length == 0) return;
        await SaveProposals();
        await journal.Append(expired.Select(p => ProposalJournal.Proposal(p, JournalKind.Expiry, clock.GetUtcNow())).ToArray());
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

    private async Task SaveProposals()
    {
        state.State.Proposals = Proposals.All;
        state.State.NextProposal = Proposals.NextNumber;
        await state.WriteStateAsync();
    }

    public async Task<WashSaleCheck> CheckLossSale(string accountId, string lotId, decimal quantity, DateOnly date)
    {
        var spec = RequireSpec();
        if (!spec.AccountIds.Contains(accountId)) throw new BadInputException($"account {accountId} is not in household {spec.Id}");
        if (quantity <= 0) throw new BadInputException("quantity must be > 0");
        var piece = (await GrainFactory.GetGrain<IAccountGrain>(accountId).GetLots()).FirstOrDefault(p => p.Lot.Id == lotId)
            ?? throw new BadInputException($"lot {lotId} does not exist in account {accountId}");
        if (quantity > piece.Lot.Quantity) throw new BadInputException($"quantity {quantity} exceeds the {piece.Lot.Quantity} shares of lot {lotId}");
        return Tax.CheckLossSale(accountId, piece.Lot, piece.Root, quantity, date);
    }

    public Task<BuyBlackout[]> BuyBlackouts(string accountId, DateOnly date)
    {
        var spec = RequireSpec();
        if (!spec.AccountIds.Contains(accountId)) throw new BadInputException($"account {accountId} is not in household {spec.Id}");
        return Task.FromResult(Tax.WashSales.BuyBlackouts(accountId, date).ToArray());
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
        if (household.Id != this.GetPrimaryKeyString()) throw new BadInputException($"household id {household.Id} does not match {this.GetPrimaryKeyString()}");
        if (string.IsNullOrWhiteSpace(household.Name)) throw new BadInputException("name is required");
        if (string.IsNullOrWhiteSpace(household.AdvisorId)) throw new BadInputException("advisorId is required");
        if (accounts is null || accounts.Length == 0) throw new BadInputException("accounts must not be empty");
        if (accounts.Length > MaxAccounts) throw new BadInputException($"a household holds at most {MaxAccounts} accounts");
        foreach (var a in accounts) AccountValidation.Check(a, household.Id);
        var ids = accounts.Select(a => a.Spec.Id).ToList();
        if (ids.Distinct(StringComparer.Ordinal).Count() != ids.Count) throw new BadInputException("account ids must be unique");
        if (!ids.OrderBy(x => x, StringComparer.Ordinal).SequenceEqual(household.AccountIds.OrderBy(x => x, StringComparer.Ordinal)))
            throw new BadInputException("accountIds must list exactly the accounts given");
    }
}

[GenerateSerializer]
public sealed class DirectoryState
{
    [Id(0)] public SortedDictionary<string, HouseholdSummary> Households { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>The firm's list of households for paging.</summary>
public sealed class FirmDirectoryGrain([PersistentState("directory", "households")] IPersistentState<DirectoryState> state)
    : Grain, IFirmDirectoryGrain
{
    public const string Key = "firm";
    public const int MaxPage = 500;
    private WriteBatcher? _writes;

    public async Task Register(HouseholdSummary household)
    {
        if (state.State.Households.TryGetValue(household.Id, out var existing) && existing == household) return;
        state.State.Households[household.Id] = household;
        await (_writes ??= new WriteBatcher(() => state.WriteStateAsync())).Write();
    }

    public Task<HouseholdPage> List(int skip, int take)
    {
        if (skip < 0) throw new BadInputException("skip must be >= 0");
        if (take is < 1 or > MaxPage) throw new BadInputException($"take must be between 1 and {MaxPage}");
        return Task.FromResult(new HouseholdPage(state.State.Households.Count, state.State.Households.Values.Skip(skip).Take(take).ToArray()));
    }
}
