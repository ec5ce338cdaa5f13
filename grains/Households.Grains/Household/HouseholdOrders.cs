using Households.Contracts;
using Households.Domain.Execution;
using Households.Persistence.Journal;

namespace Households.Grains.Household;

/// <summary>
/// A household's orders beside its books (issue #17): orders-mode accounts' trades go out as orders
/// (<see cref="OrderBook.Open"/>) and their fills come back as execution reports, booked through the one path every fill
/// takes (<see cref="HouseholdBooks.Fill"/>: the accounts apply, the wash-sale ledger records, one household write), lots
/// relieved at the fill's own price. The orders and the reports applied are stored with their journal entries in one write.
/// <para>Crash safety: a report's fills are keyed by the order and its piece count (<see cref="OrderBook.Fills"/>), so a report
/// retried after a failure between the fills' write and the orders' write books under the same keys, which the books answer
/// as already applied.</para>
/// </summary>
public sealed class HouseholdOrders(IPersistentState<HouseholdState> state, HouseholdBooks books, IJournal journal, TimeProvider clock,
    Silo.OrderFileWriter? files = null)
{
    private OrderBook? _book;

    public OrderBook Book => _book ??= new OrderBook(state.State.Orders, state.State.Executions);

    /// <summary>The state was read again: the book is rebuilt from it.</summary>
    public void Reload() => _book = null;

    /// <summary>Sends a proposal's orders once (a retried execution finds them sent) and journals each; returns the proposal's orders.</summary>
    public async Task<BrokerOrder[]> Send(RebalanceProposal proposal, IReadOnlyList<(OptimizedTrade Trade, TradeRequest Order)> toSend,
        Func<string, decimal?> reference, decimal limitTolerance)
    {
        if (toSend.Count > 0 && !Book.Sent(proposal.Id))
        {
            var now = clock.GetUtcNow();
            var sent = Book.Open(proposal, toSend, reference, limitTolerance, now);
            await Save([.. sent.Select(o => OrderJournal.Sent(o, now))]);
            files?.Sent(sent); // stored first: the order file is a delivery of what is recorded
        }
        return [.. Book.Orders.Where(o => o.ProposalId == proposal.Id)];
    }

    /// <summary>Applies a batch of execution reports, checked whole first (<see cref="OrderBook.Check"/>: bad input anywhere
    /// changes nothing). Returns each report's result and the accounts whose orders resolved and that should be decided again.</summary>
    public async Task<(ExecutionResult[] Results, string[] Resolved)> Apply(HouseholdSpec spec, IReadOnlyList<OrderExecution> batch, ISet<string> fresh)
    {
        var now = clock.GetUtcNow();
        var replays = Book.Check(batch, now);
        var expired = Book.Expire(now);
        var entries = expired.Select(o => OrderJournal.Expired(o, now)).ToList();
        var closed = new List<BrokerOrder>(expired);
        var results = new ExecutionResult[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            var e = batch[i];
            if ((replays[i] ?? Book.Executed(e.ExecutionId)) is { } first) { results[i] = first with { Replayed = true }; continue; }
            var order = Book.Find(e.ClientOrderId)!;
            var requests = OrderBook.Fills(order, e);
            TradeResult[] fills = [];
            string? refused = null;
            if (requests.Length > 0)
            {
                var outcomes = await books.Fill(spec, [.. requests.Select(r => (order.AccountId, r))], fresh);
                fills = [.. outcomes.Select(o => o.Applied).OfType<TradeResult>()];
                refused = outcomes.FirstOrDefault(o => o.Refused is not null)?.Refused;
                // Nothing booked: the report is not recorded, so the desk may send it again once the books allow it.
                if (fills.Length == 0) { results[i] = new ExecutionResult(e.ExecutionId, order, [], refused, false); continue; }
            }
            var result = new ExecutionResult(e.ExecutionId, OrderBook.Advance(order, e, fills.Sum(f => f.Request.Quantity), pieces: requests.Length), [.. fills], refused, false);
            Book.Record(result);
            entries.Add(OrderJournal.Executed(result, now));
            if (!result.Order.IsOpen) closed.Add(result.Order);
            results[i] = result;
        }
        var resolved = Resolved(closed);
        if (entries.Count > 0) await Save([.. entries]);
        return (results, resolved);
    }

    /// <summary>Expires the open orders whose trade date has closed (journaled); returns the accounts to decide again.</summary>
    public async Task<string[]> ExpireDue()
    {
        var now = clock.GetUtcNow();
        var expired = Book.Expire(now);
        if (expired.Length == 0) return [];
        var resolved = Resolved(expired);
        await Save([.. expired.Select(o => OrderJournal.Expired(o, now))]);
        return resolved;
    }

    /// <summary>Leaves the accounts with open orders out of a decision (journaled): returns the inputs to decide on.</summary>
    public async Task<AccountDecisionInput[]> Defer(string householdId, AccountDecisionInput[] inputs, string key)
    {
        var open = Book.AccountsWithOpenOrders();
        var deferred = inputs.Where(i => open.Contains(i.Spec.Id)).Select(i => i.Spec.Id).ToArray();
        if (deferred.Length == 0) return inputs;
        // Journaled and stored once per account and wait: a busy account's triggers every batch write nothing more.
        var fresh = deferred.Except(state.State.Deferred, StringComparer.Ordinal).ToArray();
        if (fresh.Length > 0)
        {
            state.State.Deferred = [.. state.State.Deferred.Union(fresh, StringComparer.Ordinal)];
            await Save(OrderJournal.Deferred(householdId, fresh, clock.GetUtcNow(), key));
        }
        return [.. inputs.Where(i => !open.Contains(i.Spec.Id))];
    }

    /// <summary>The accounts to decide again after <paramref name="closed"/> orders closed: an account waits
    /// (<see cref="HouseholdState.Deferred"/>) when an order of it closed with quantity released (canceled, rejected, expired) or a
    /// decision left it out, and is decided again once it has no open order left.</summary>
    private string[] Resolved(IEnumerable<BrokerOrder> closed)
    {
        var waiting = state.State.Deferred.Union(closed.Where(o => o.Status != OrderStatus.Filled).Select(o => o.AccountId), StringComparer.Ordinal).ToList();
        var open = Book.AccountsWithOpenOrders();
        var accounts = waiting.Where(a => !open.Contains(a)).ToArray();
        state.State.Deferred = [.. waiting.Where(open.Contains)];
        return accounts;
    }

    /// <summary>Writes the orders and reports with their journal entries (in the outbox), then appends the entries.</summary>
    private async Task Save(params JournalEntry[] entries)
    {
        var before = (state.State.Orders, state.State.Executions, state.State.Outbox);
        Book.Prune();
        (state.State.Orders, state.State.Executions, state.State.Outbox) = (Book.Orders, Book.Executions, entries);
        try { await state.WriteStateAsync(); }
        catch
        {
            (state.State.Orders, state.State.Executions, state.State.Outbox) = before;
            _book = null;
            throw;
        }
        await journal.Append(entries);
    }
}
