using Households.Contracts;
using Households.Domain.Decisions;
using Households.Domain.Monitoring;
using Households.Domain;
using Households.Grains.Reconciliation;
using Households.Grains.Silo;
using Households.Persistence.Journal;
using Microsoft.Extensions.Logging;

namespace Households.Grains.Household;

/// <summary>
/// A household's proposals: a decision filed (discretionary accounts' trades execute now, the others wait for approval),
/// approved (re-validated against live prices and the ledger, re-optimized when that fails), rejected, expired, executed.
/// Proposals are persisted with their journal entries (the outbox) before anything executes, and the advisor queue and the
/// firm's figures hear of every change of the pending set.
/// </summary>
public sealed class HouseholdProposals(string householdId, IPersistentState<HouseholdState> state, HouseholdBooks books, HouseholdOrders orders,
    HouseholdDecisions decider, HouseholdNotices notices, HouseholdSession session, HouseholdWrites writes, IGrainFactory grains,
    IJournal journal, PriceBoard board, DecisionOptions decisions, ExecutionOptions execution, TimeProvider clock,
    HouseholdEventRing events, Action stale, Action watchExpiry, Action<string[]> decideAgain, ILogger log)
{
    private ProposalBook? _book;
    /// <summary>Set while an approval files the re-optimized proposal it executes at once: the advisor queue is not told of
    /// a proposal that never waits (it hears of the outcome after the execution).</summary>
    private bool _executingNow;
    /// <summary>Discretionary proposals filed to execute at once whose execution has not completed (<see cref="ExecuteFailed"/>).</summary>
    private readonly HashSet<string> _failedExecutions = new(StringComparer.Ordinal);

    public ProposalBook Book => _book ??= new ProposalBook(householdId, state.State.Proposals, state.State.NextProposal);

    /// <summary>The state was read again: the book is rebuilt from it.</summary>
    public void Reload() => _book = null;

    private DateOnly Today() => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    /// <summary>The proposals as of now (a due one shows expired), each with its orders.</summary>
    public RebalanceProposal[] At(DateTimeOffset now)
    {
        var sent = orders.Book.OrdersAt(now).ToLookup(o => o.ProposalId, StringComparer.Ordinal);
        return [.. Book.AllAt(now).Select(p => sent.Contains(p.Id) ? p with { Orders = [.. sent[p.Id]] } : p)];
    }

    /// <summary>Runs the optimizer over the household's accounts and files what it proposes: discretionary accounts'
    /// trades execute now, the others wait for approval. Proposals are persisted before anything executes.</summary>
    public async Task<RebalanceProposal[]> Decide(HouseholdSpec spec, Trigger[] causes, IReadOnlyCollection<string>? onlyAccounts, DecisionLane? lane = null)
    {
        await books.EnsureCaughtUp();
        await ExpireDue();
        var ids = onlyAccounts ?? spec.AccountIds;
        var inputs = await Task.WhenAll(ids.Select(id => grains.GetGrain<IAccountGrain>(id).GetDecisionInput()));
        // Accounts with an open custodian break wait for its resolution (firm setting, off by default).
        if (decisions.BlockOnBreaks && (inputs = await ReconciliationBlock.Tradable(grains, inputs)).Length == 0) return [];
        // Open orders count as planned: their accounts wait for them to fill, be canceled or rejected, or expire.
        if ((inputs = await orders.Defer(spec.Id, inputs, decider.NextDecisionId())).Length == 0) return [];
        var result = (await decider.Plan(spec, inputs, causes, Book.All, lane)).Result;
        if (result.Trades.Length == 0)
        {
            // Withdrawals the settled cash already covers are paid whether or not anything trades.
            session.AwaitSettlement(await books.PayWithdrawals(ids));
            return [];
        }
        var now = clock.GetUtcNow();
        var discretionary = inputs.Where(i => i.Spec.Discretionary).Select(i => i.Spec.Id).ToHashSet(StringComparer.Ordinal);
        var (changed, pending, replaced, execute) = Book.File(result, discretionary, [.. causes], board.Current.Sequence, now, decisions.ProposalLifetime);
        if (pending is not null) HouseholdsMetrics.Proposal(ProposalStatus.Pending);
        foreach (var _ in replaced) HouseholdsMetrics.Proposal(ProposalStatus.Superseded);
        await Save([.. changed.Select(p => ProposalJournal.Proposal(p, JournalKind.Proposal, now))]);
        if (pending is not null) watchExpiry();
        RebalanceProposal? executed = null;
        if (execute is not null)
        {
            // Filed and stored: if the execution fails, the retry of this decision executes it (ExecuteFailed).
            _failedExecutions.Add(execute.Id);
            executed = await Execute(spec, execute with { Note = "discretionary" });
            _failedExecutions.Remove(execute.Id);
        }
        if (execute is null) session.AwaitSettlement(await books.PayWithdrawals(ids));
        return [.. new[] { pending, executed }.OfType<RebalanceProposal>()];
    }

    /// <summary>Approves a pending proposal: executed as proposed while its prices hold and no buy would wash; otherwise the
    /// same accounts are re-optimized at live prices against the live ledger and that proposal executes. A retried
    /// approval answers the first result.</summary>
    public async Task<RebalanceProposal> Approve(HouseholdSpec spec, string proposalId, Approver by)
    {
        await books.EnsureCaughtUp();
        await ExpireDue();
        var existing = Book.Get(proposalId);
        if (existing.Status == ProposalStatus.Executed) return existing;
        if (existing is { Status: ProposalStatus.Superseded, SupersededBy: { } next }) return Book.Get(next);
        session.RequireOpen("an approved proposal executes");
        var now = clock.GetUtcNow();
        var p = Book.ForDecision(proposalId, now) with { DecidedBy = by };
        await journal.Append([ProposalJournal.Proposal(p with { Note = "approved" }, JournalKind.Approval, now)]);
        return await Revalidated(spec, p, "approved", now);
    }

    /// <summary>Whether a discretionary proposal this activation filed failed to execute (<see cref="ExecuteFailed"/>).</summary>
    public bool HasFailedExecutions => _failedExecutions.Count > 0;

    /// <summary>Executes the discretionary proposals this activation filed whose execution failed (an account's silo died under
    /// it, the database was away): re-validated as an approval is, so trying again never trades at prices that moved or into a
    /// wash sale. Before, such a proposal stayed pending until it expired, and its triggers (named by it) were not decided again.
    /// One that expired meanwhile or was decided otherwise is let go.</summary>
    public async Task ExecuteFailed(HouseholdSpec spec)
    {
        foreach (var id in _failedExecutions.ToArray())
        {
            var now = clock.GetUtcNow();
            if (Book.Get(id) is { Status: ProposalStatus.Pending } p && now < p.ExpiresAt)
            {
                try
                {
                    var done = await Revalidated(spec, p, "discretionary, executed when tried again", now);
                    log.LogInformation("{Household}: proposal {Proposal}, whose execution had failed, executed when tried again: {Status}", spec.Id, id, done.Status);
                }
                catch (BadInputException ex)
                {
                    // Refused for good (not a failure to try again): it waits, pending, until it expires.
                    log.LogWarning("{Household}: proposal {Proposal}, whose execution had failed, not executed: {Reason}", spec.Id, id, ex.Message);
                }
            }
            _failedExecutions.Remove(id);
        }
    }

    /// <summary>Executes <paramref name="p"/> as proposed while its prices hold and no buy would wash; otherwise re-optimizes
    /// the same accounts at live prices against the live ledger and executes that (the approval's rule, one place).</summary>
    private async Task<RebalanceProposal> Revalidated(HouseholdSpec spec, RebalanceProposal p, string note, DateTimeOffset now)
    {
        var prices = Quotes(p.Trades.Select(t => t.Symbol));
        var moved = ProposalRules.PricesMoved(p, prices, decisions.RevalidationTolerance);
        var washes = p.Trades.Any(t => t.Side == TradeSide.Buy && books.Tax.WashSales.PurchaseWouldWash(t.Account, t.Symbol, Today()));
        if (!moved && !washes) return await Execute(spec, p with { Note = note });

        // Re-validation failed: re-optimize the same accounts at live prices and against the live ledger.
        var accounts = p.Trades.Select(t => t.Account).ToHashSet(StringComparer.Ordinal);
        var inputs = await Task.WhenAll(accounts.Select(id => grains.GetGrain<IAccountGrain>(id).GetDecisionInput()));
        var fresh = Book.Reoptimized(p, (await decider.Plan(spec, inputs, [.. p.Causes], Book.All)).Result, moved, board.Current.Sequence, now, decisions.ProposalLifetime);
        _executingNow = true;
        try { await Save(ProposalJournal.Proposal(Book.Get(p.Id), JournalKind.Proposal, now), ProposalJournal.Proposal(fresh, JournalKind.Proposal, now)); }
        finally { _executingNow = false; }
        HouseholdsMetrics.Proposal(ProposalStatus.Superseded);
        log.LogDebug("{Household}: proposal {Proposal} re-optimized on approval as {Fresh}", spec.Id, p.Id, fresh.Id);
        return await Execute(spec, fresh with { Note = $"{note} as {p.Id}, re-optimized", DecidedBy = p.DecidedBy });
    }

    /// <summary>Rejects a pending proposal: nothing trades, the rejection is stored and journaled.</summary>
    public async Task<RebalanceProposal> Reject(string proposalId, string? note, Approver by)
    {
        await ExpireDue();
        var now = clock.GetUtcNow();
        var p = Book.ForDecision(proposalId, now) with { Status = ProposalStatus.Rejected, DecidedAt = now, Note = note ?? "rejected", DecidedBy = by };
        Book.Put(p);
        await Save(ProposalJournal.Proposal(p, JournalKind.Rejection, now));
        HouseholdsMetrics.Proposal(ProposalStatus.Rejected);
        return p;
    }

    /// <summary>The simulated broker: fills at once at the board's latest price moved against the trade by the slippage (the
    /// household's turn never waits for a price, so its reads answer while it executes); sells first (lot by lot, as the
    /// optimizer chose them), then the buys they fund, released together and cleared as one batch (<see cref="HouseholdBooks.Release"/>).
    /// Orders-mode accounts' trades go out as orders instead.</summary>
    private async Task<RebalanceProposal> Execute(HouseholdSpec spec, RebalanceProposal p)
    {
        var quotes = Quotes(p.Trades.Select(t => t.Symbol));
        var (filled, problems, toSend) = await writes.Run(fresh => books.Release(spec, p, quotes, Today(), decider.Market, fresh, s => board.QuoteOf(s)?.Price,
            a => execution.ModeOf(a) == ExecutionMode.Orders));
        var sent = await orders.Send(p, toSend, s => quotes.TryGetValue(s, out var q) ? q : null, execution.LimitTolerance);
        if (sent.Length > 0) { problems.Add($"{sent.Length} orders sent"); watchExpiry(); }
        problems.AddRange(session.AwaitSettlement(await books.PayWithdrawals(spec.AccountIds)));
        var now = clock.GetUtcNow();
        var done = Book.Executed(p, filled, problems, now, ordersSent: sent.Length > 0);
        await Save(ProposalJournal.Proposal(done, JournalKind.Proposal, now));
        HouseholdsMetrics.Proposal(done.Status);
        HouseholdsMetrics.Executed(filled);
        return done;
    }

    private Dictionary<string, decimal> Quotes(IEnumerable<string> symbols) =>
        symbols.Distinct().Select(board.QuoteOf).OfType<SecurityQuote>().ToDictionary(q => q.Symbol, q => q.Price, StringComparer.Ordinal);

    /// <summary>Expires the orders and proposals that are due (their accounts decide again) and stores the expiries.</summary>
    public async Task ExpireDue()
    {
        decideAgain(await orders.ExpireDue());
        var expired = Book.Expire(clock.GetUtcNow());
        if (expired.Length == 0) return;
        await Save(expired.Select(p => ProposalJournal.Proposal(p, JournalKind.Expiry, clock.GetUtcNow())).ToArray());
        foreach (var p in expired) HouseholdsMetrics.Proposal(p.Status);
    }

    /// <summary>Writes the proposals with their journal entries (in the outbox), then appends the entries.</summary>
    private async Task Save(params JournalEntry[] entries)
    {
        var before = state.State.Proposals.ToDictionary(p => p.Id, p => p.Status, StringComparer.Ordinal);
        var (proposals, next, outbox) = (state.State.Proposals, state.State.NextProposal, state.State.Outbox);
        state.State.Proposals = Book.All;
        state.State.NextProposal = Book.NextNumber;
        state.State.Outbox = entries;
        if (ProposalChanges.Between(proposals, state.State.Proposals) is { } changes)
            state.State.Changed(ProposalsFiled.Of(changes.Put, changes.Removed, state.State.NextProposal, entries));
        try { await state.WriteStateAsync(); }
        catch
        {
            // Not stored, so not filed: memory goes back to what is durable (the book is rebuilt from it), and a decision
            // that failed here gives its triggers back to be decided again (HouseholdTriggers, DecisionRetry).
            (state.State.Proposals, state.State.NextProposal, state.State.Outbox) = (proposals, next, outbox);
            Reload();
            throw;
        }
        finally { state.State.Unchanged(); }
        stale();
        await journal.Append(entries);
        foreach (var p in Book.All.Where(p => !before.TryGetValue(p.Id, out var was) || was != p.Status).Reverse())
            events.Add(before.ContainsKey(p.Id) ? $"proposal-{p.Status.ToString().ToLowerInvariant()}" : "proposal-created", null, p.Id,
                $"{p.Id} {p.Status.ToString().ToLowerInvariant()}: {p.Trades.Length} trades{(p.Note is { } n ? $" ({n})" : "")}");
        notices.Figures(Book.All);
        var pendingBefore = before.Where(kv => kv.Value == ProposalStatus.Pending).Select(kv => kv.Key);
        if (!_executingNow && !pendingBefore.ToHashSet(StringComparer.Ordinal).SetEquals(Book.All.Where(p => p.Status == ProposalStatus.Pending).Select(p => p.Id)))
            notices.Pending(Book.All);
    }
}
