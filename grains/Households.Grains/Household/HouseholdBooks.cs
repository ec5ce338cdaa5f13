using System.Runtime.InteropServices;
using System.Runtime.ExceptionServices;
using Households.Contracts;
using Households.Domain;
using Households.Domain.Accounts;
using Households.Domain.Decisions;
using Households.Domain.Reliability;
using Households.Domain.Tax;
using Households.Domain.WashSales;
using Households.Grains.Silo;
using Households.Persistence.Journal;
using Microsoft.Extensions.Logging;

namespace Households.Grains.Household;

/// <summary>
/// The household's books beside its accounts': the wash-sale and realized-gains ledger and every fill's result by
/// "account/key", and the one path by which fills reach them — a proposal's orders, a single fill from the API or an
/// import, a fill an account applied that the ledger missed — each a batch (of one, for a single fill).
/// <para>Crash safety: each account applies and persists its part of a batch first (one write, its results kept by key),
/// then the household clears the results into the ledger and stores them with their journal entries and wash-sale
/// adjustments in one write (the outbox, appended and sent after it and again on activation). A household that fails
/// between the two writes has the accounts' results and not its own: before its next fill it catches up
/// (<see cref="CatchUp"/> reads the accounts' stored results), and a retried order finds its key applied, so the account
/// answers the stored result as a replay and the household clears it then. A key the household stored is never sent again,
/// so each fill enters the ledger once.</para>
/// <para>Results are kept by key for the idempotency <paramref name="window"/> (trade dates back from the latest fill); a
/// retry of an older key is answered from the fill's journal entry, and a fill that old is out of the ledger's date order,
/// so it can never be recorded twice.</para>
/// </summary>
public sealed class HouseholdBooks(string householdId, IPersistentState<HouseholdState> state, IGrainFactory grains, IJournal journal, SecurityMaster master,
    TimeProvider clock, ILogger log, Action<IReadOnlyList<TradeResult>> cleared, IdempotencyWindow window)
{
    private HouseholdTaxLedger? _tax;
    private bool _catchUpTried;

    /// <summary>Whether every fill the accounts applied is in the ledger (as far as this activation knows).</summary>
    public bool CaughtUp { get; private set; }

    public HouseholdTaxLedger Tax => _tax ??= state.State.WashSales is { } ledger
        ? HouseholdTaxLedger.Restore(ledger, state.State.Realized, master.Identical)
        : throw new BadInputException($"household {householdId} does not exist");

    /// <summary>Opens a new household: its accounts (each with its opening lots) and a ledger that holds those lots, stored
    /// with the accounts' opening journal entries.</summary>
    public async Task Open(HouseholdSpec household, AccountOpening[] accounts)
    {
        foreach (var opening in accounts)
        {
            if (await grains.GetGrain<IAccountGrain>(opening.Spec.Id).GetSpec() is { } other && other.HouseholdId != household.Id)
                throw new BadInputException($"account {opening.Spec.Id} already belongs to household {other.HouseholdId}");
        }
        var tax = new HouseholdTaxLedger(master.Identical);
        tax.OpenAccounts(accounts.Select(a => (new AccountTaxProfile(a.Spec.Id, a.Spec.Type, a.Spec.SeparateTaxpayer), (IReadOnlyList<TaxLot>)a.Lots)).ToList());
        await Task.WhenAll(accounts.Select(a => grains.GetGrain<IAccountGrain>(a.Spec.Id).Open(a)));
        state.State.Spec = household;
        (state.State.WashSales, state.State.Realized) = Persisted(tax);
        var now = clock.GetUtcNow();
        state.State.Outbox = [.. accounts.Select(a => new JournalEntry(0, household.Id, a.Spec.Id, JournalKind.AccountOpened, now,
            JournalReplay.OpenedKeyPrefix + a.Spec.Id, System.FormattableString.Invariant($"Opened {a.Spec.Type} account {a.Spec.Id} with {a.Cash:0.00} cash and {a.Lots.Length} lots"),
            JournalFormat.Payload(a)))];
        await state.WriteStateAsync();
        await journal.Append(state.State.Outbox);
        (_tax, CaughtUp) = (tax, true);
    }

    /// <summary>Finishes what a crash may have interrupted after the last write: its journal entries appended and its
    /// wash-sale adjustments sent again (the journal lands each key once, accounts apply each adjustment once). The ledger
    /// itself is caught up on its first use (<see cref="EnsureCaughtUp"/>), not here, so a wake for a read stays cheap.</summary>
    public async Task Resume(CancellationToken cancellationToken)
    {
        if (state.State.Outbox.Length > 0) await journal.Append(state.State.Outbox, cancellationToken);
        if (state.State.Spec is null || state.State.PendingAdjustments.Length == 0) return;
        try { await SendAdjustments(state.State.PendingAdjustments); }
        catch (Exception ex)
        {
            // Reads stay available; the next activation sends them again.
            log.LogWarning(ex, "{Household}: wash-sale adjustments on activation failed; sent again on the next activation", householdId);
        }
    }

    /// <summary>An account's decision input with its lots and the purchase each comes from.</summary>
    private async Task<(AccountDecisionInput Input, LotPiece[] Lots)> ReadAccount(string accountId)
    {
        var account = grains.GetGrain<IAccountGrain>(accountId);
        return (await account.GetDecisionInput(), await account.GetLots());
    }

    /// <summary>A private copy of one account's books (cash and lots with the purchase each comes from), to rehearse on.</summary>
    public async Task<AccountBook> CopyOf(string accountId)
    {
        var (input, lots) = await ReadAccount(accountId);
        return new AccountBook(input.Spec, input.Cash, lots);
    }

    /// <summary>A read-only copy of the books (every account's and the ledger) for the stress test.</summary>
    public async Task<HouseholdStressSnapshot> StressSnapshot(HouseholdSpec spec)
    {
        var accounts = await Task.WhenAll(spec.AccountIds.Select(async id =>
        {
            var (input, lots) = await ReadAccount(id);
            return new StressAccount(input.Spec, input.Cash, [.. lots], input.Target, input.CashToRaise);
        }));
        var (ledger, realized) = Persisted(Tax);
        return new HouseholdStressSnapshot(spec, ImmutableCollectionsMarshal.AsImmutableArray(accounts), ledger, [.. realized]);
    }

    /// <summary>Whether selling part of a lot now would be a wash sale, against the ledger.</summary>
    public async Task<WashSaleCheck> CheckLossSale(string accountId, string lotId, decimal quantity, DateOnly date)
    {
        if (quantity <= 0) throw new BadInputException("quantity must be > 0");
        var piece = (await grains.GetGrain<IAccountGrain>(accountId).GetLots()).FirstOrDefault(p => p.Lot.Id == lotId)
            ?? throw new BadInputException($"lot {lotId} does not exist in account {accountId}");
        if (quantity > piece.Lot.Quantity) throw new BadInputException($"quantity {quantity} exceeds the {piece.Lot.Quantity} shares of lot {lotId}");
        return Tax.CheckLossSale(accountId, piece.Lot, piece.Root, quantity, date);
    }

    /// <summary>The state was read again (another writer wrote first): the ledger is rebuilt from it and caught up again.</summary>
    public void Reload() => (_tax, CaughtUp) = (null, false);

    private static (WashSaleLedgerState, RealizedEntry[]) Persisted(HouseholdTaxLedger tax)
    {
        var (ledger, realized) = tax.Snapshot();
        return (ledger, [.. realized]);
    }

    /// <summary>Catches up once per activation before the ledger is read (views, checks, decisions). A failure is logged
    /// and the read goes on with the ledger as stored; fills run the catch-up themselves and fail loudly.</summary>
    public async Task EnsureCaughtUp()
    {
        if (CaughtUp || _catchUpTried || state.State.Spec is not { } spec) return;
        _catchUpTried = true;
        try { await CatchUp(spec); }
        catch (Exception ex)
        {
            log.LogWarning(ex, "{Household}: catch-up failed; retried before the next trade", spec.Id);
        }
    }

    /// <summary>Clears the fills the accounts applied and the ledger misses (in trade-date order, one write); their keys. Only
    /// fills dated from the first trade date the household keeps are compared: an older one the account still keeps was
    /// recorded and dropped here (a missed fill is never older: the household catches up before its ledger moves on).</summary>
    /// <param name="confirmRecorded">Also tell the accounts the fills the ledger held already (asked after a silo's death: an
    /// activation that died between its write and telling them leaves them holding those fills).</param>
    public async Task<string[]> CatchUp(HouseholdSpec spec, bool confirmRecorded = false)
    {
        var missing = new List<TradeResult>();
        var recorded = new List<(string, string)>();
        foreach (var accountId in spec.AccountIds)
        {
            var account = grains.GetGrain<IAccountGrain>(accountId);
            foreach (var key in await account.GetAppliedTradeKeysSince(state.State.TradesKeptSince))
            {
                if (state.State.Trades.ContainsKey(Key(accountId, key)))
                {
                    if (confirmRecorded) recorded.Add((accountId, key));
                    continue;
                }
                if (await account.GetAppliedTrade(key) is { } applied) missing.Add(applied with { AccountId = accountId });
            }
        }
        var ordered = missing.OrderBy(m => m.Request.TradeDate).ThenBy(m => m.IdempotencyKey, StringComparer.Ordinal).ToList();
        await Clear(spec, ordered);
        Confirm(recorded);
        foreach (var m in ordered)
            log.LogWarning("{Household}: fill {Key} in {Account} was applied by the account but missing from the ledger: recorded now",
                spec.Id, m.IdempotencyKey, m.AccountId);
        CaughtUp = true;
        return [.. ordered.Select(Key)];
    }

    /// <summary>Records one fill (the API's and imports' path): a batch of one; a refused fill throws.</summary>
    public async Task<TradeResult> Record(HouseholdSpec spec, string accountId, TradeRequest trade, ISet<string> fresh)
    {
        var outcome = (await Fill(spec, [(accountId, trade)], fresh))[0];
        return outcome.Applied ?? throw new BadInputException(outcome.Refused!);
    }

    /// <summary>Fills a proposal's orders (<see cref="SimulatedBroker.Orders"/>: sells, then the buys they fund, at the
    /// quotes moved against the trade by the slippage): which are sent, and how far a buy is trimmed to the cash, is decided
    /// on private copies of the books and the ledger by the simulations' rules (<see cref="PlanExecution"/>: dust and washed
    /// sales not sent, each fill seen by the next order's checks), then the orders are released together
    /// (<see cref="Fill"/>). An order stored before (a retried execution) is its stored fill. Returns the fills and a line
    /// per trade without a price and per order not sent or refused. The orders of accounts that <paramref name="sendsOrders"/>
    /// are not filled but returned (<c>ToSend</c>): the desk fills them and reports the executions.</summary>
    public async Task<(List<TradeResult> Fills, List<string> Problems, List<(OptimizedTrade Trade, TradeRequest Order)> ToSend)> Release(HouseholdSpec spec,
        RebalanceProposal proposal, IReadOnlyDictionary<string, decimal> quotes, DateOnly today, DecisionMarket market, ISet<string> fresh,
        Func<string, decimal?> board, Func<AccountSpec, bool> sendsOrders)
    {
        var settings = market.Settings;
        // The books read below must be in the ledger already, or the copies would count a fill twice.
        if (!CaughtUp) await CatchUp(spec);
        var problems = proposal.Trades.Where(t => !quotes.ContainsKey(t.Symbol)).Select(t => $"{t.Symbol}: no price").ToList();
        var orders = SimulatedBroker.Orders(proposal, today,
            t => quotes.TryGetValue(t.Symbol, out var q) ? SimulatedBroker.FillPrice(t.Side, q, settings.SlippageBps) : null, settings.Commission).ToList();
        var sent = new Dictionary<string, TradeRequest>(StringComparer.Ordinal);
        var open = orders.Where(o => !state.State.Trades.ContainsKey(Key(o.Trade.Account, o.Order.IdempotencyKey))).ToList();
        // Every account's books: the protection rule looks at the whole household's taxable lots.
        var read = await Task.WhenAll(spec.AccountIds.Select(ReadAccount));
        var books = read.ToDictionary(a => a.Input.Spec.Id, a => new AccountBook(a.Input.Spec, a.Input.Cash, a.Lots), StringComparer.Ordinal);
        // The board moved since the decision: its protection rule is asked again at the fill.
        var protectedAtFill = PlanExecution.ProtectedAtFill([.. read.Select(a => a.Input)], orders, board, market);
        var (ledger, realized) = Persisted(Tax);
        PlanExecution.Execute(open, id => books.GetValueOrDefault(id), HouseholdTaxLedger.Restore(ledger, realized, master.Identical), settings,
            f => sent[f.Order.IdempotencyKey] = f.Order, problems.Add, protectedAtFill);
        var release = new List<(OptimizedTrade Trade, TradeRequest Order)>();
        var toSend = new List<(OptimizedTrade Trade, TradeRequest Order)>();
        foreach (var (trade, order) in orders)
        {
            if (state.State.Trades.TryGetValue(Key(trade.Account, order.IdempotencyKey), out var earlier)) release.Add((trade, earlier.Request));
            else if (sent.TryGetValue(order.IdempotencyKey, out var request))
                (books.TryGetValue(trade.Account, out var book) && sendsOrders(book.Spec) ? toSend : release).Add((trade, request));
        }
        var outcomes = await Fill(spec, [.. release.Select(r => (r.Trade.Account, r.Order))], fresh);
        var fills = new List<TradeResult>();
        for (var i = 0; i < release.Count; i++)
        {
            if (outcomes[i].Applied is { } fill) fills.Add(fill);
            else problems.Add($"{release[i].Trade.Account} {release[i].Trade.Side} {release[i].Trade.Symbol}: {outcomes[i].Refused}");
        }
        return (fills, problems, toSend);
    }

    /// <summary>Sends orders to their accounts, all of one account in one call, and clears what they applied in the given
    /// order with one household write. A key stored before is answered from the store (a replay) and not sent again.
    /// <paramref name="fresh"/> collects the keys the accounts applied for this caller, across its retries: those are
    /// not replays to it. One outcome per order, in order; an account that failed fails the call after the others'
    /// fills are cleared.</summary>
    public async Task<TradeOutcome[]> Fill(HouseholdSpec spec, IReadOnlyList<(string Account, TradeRequest Order)> orders, ISet<string> fresh)
    {
        if (!CaughtUp) await CatchUp(spec);
        var outcomes = new TradeOutcome[orders.Count];
        var replays = new List<JournalEntry>();
        var send = new List<int>();
        var expired = new List<int>();
        for (var i = 0; i < orders.Count; i++)
        {
            var (account, order) = orders[i];
            var key = Key(account, order.IdempotencyKey);
            if (state.State.Trades.TryGetValue(key, out var earlier))
            {
                if (earlier.Request != order) { outcomes[i] = new(null, $"idempotencyKey {order.IdempotencyKey} was already used for a different trade"); continue; }
                replays.AddRange(TradeJournal.Entries(spec.Id, earlier, clock.GetUtcNow()));
                outcomes[i] = new(earlier with { Replayed = !fresh.Contains(key) }, null);
                continue;
            }
            if (IdempotencyWindow.Expired(order.TradeDate, state.State.TradesKeptSince)) { expired.Add(i); continue; }
            try { Tax.EnsureInOrder(order.TradeDate); }
            catch (BadInputException ex) { outcomes[i] = new(null, ex.Message); continue; }
            send.Add(i);
        }
        if (replays.Count > 0) await journal.Append([.. replays]); // lands once: keyed
        foreach (var i in expired) outcomes[i] = await Expired(orders[i].Account, orders[i].Order);

        var byAccount = send.GroupBy(i => orders[i].Account, StringComparer.Ordinal).ToArray();
        var calls = byAccount.Select(g => grains.GetGrain<IAccountGrain>(g.Key).ApplyTrades([.. g.Select(i => orders[i].Order)])).ToArray();
        try { await Task.WhenAll(calls); }
        catch (Exception) { /* each call is read below */ }
        Exception? failed = null;
        for (var a = 0; a < byAccount.Length; a++)
        {
            if (!calls[a].IsCompletedSuccessfully)
            {
                // The account may have applied its part (a lost answer): catch up before the next fill.
                failed ??= calls[a].Exception?.InnerException ?? new TaskCanceledException();
                CaughtUp = false;
                continue;
            }
            foreach (var (i, outcome) in byAccount[a].Zip(calls[a].Result)) outcomes[i] = outcome;
        }
        var applied = send.Where(i => outcomes[i]?.Applied is not null).ToList();
        foreach (var i in applied.Where(i => !outcomes[i].Applied!.Replayed)) fresh.Add(Key(orders[i].Account, orders[i].Order.IdempotencyKey));
        var results = await Clear(spec, [.. applied.Select(i => outcomes[i].Applied! with { AccountId = orders[i].Account })]);
        for (var j = 0; j < applied.Count; j++) outcomes[applied[j]] = new(results[j], null);
        if (failed is not null) ExceptionDispatchInfo.Throw(failed);
        return outcomes;
    }

    /// <summary>Whether a fill dated <paramref name="tradeDate"/> under <paramref name="key"/> was recorded in
    /// <paramref name="accountId"/> before the first trade date the household keeps by key: the books dropped its result,
    /// the journal has it. Within the window the books' own keys answer, and this is false.</summary>
    public async Task<bool> JournaledBeforeWindow(string accountId, string key, DateOnly tradeDate) =>
        IdempotencyWindow.Expired(tradeDate, state.State.TradesKeptSince) && await JournaledFill(accountId, key) is not null;

    /// <summary>The fill journaled under <paramref name="key"/> in <paramref name="accountId"/>, if any.</summary>
    private async Task<TradeResult?> JournaledFill(string accountId, string key) =>
        await journal.FindRecord<TradeResult>(accountId, TradeJournal.FillKeyPrefix + key, JournalKind.Fill);

    /// <summary>An order dated before the first trade date the household keeps by key: a retry of a fill whose result was
    /// dropped is answered from its journal entry (a replay); anything else is refused, never sent, since a fill that old is
    /// out of the ledger's date order and its key may have been used.</summary>
    private async Task<TradeOutcome> Expired(string accountId, TradeRequest order)
    {
        var keptSince = state.State.TradesKeptSince!.Value;
        if (await JournaledFill(accountId, order.IdempotencyKey) is { } earlier)
        {
            return earlier.Request == order ? new(earlier with { AccountId = accountId, Replayed = true }, null)
                : new(null, $"idempotencyKey {order.IdempotencyKey} was already used for a different trade (applied {earlier.Request.TradeDate:yyyy-MM-dd})");
        }
        return new(null, $"idempotencyKey {order.IdempotencyKey} is not kept and no fill under it is journaled: trade date {order.TradeDate:yyyy-MM-dd} "
            + $"is before {keptSince:yyyy-MM-dd}, the first trade date household {householdId} keeps fills by key for, so it is not recorded");
    }

    /// <summary>Records fills the accounts applied in the ledger, in the order given, and stores them with their journal
    /// entries and wash-sale adjustments in one write; then appends the entries and sends the adjustments (one call per
    /// account). A failed write leaves the books as stored and the fills to be caught up.</summary>
    private async Task<TradeResult[]> Clear(HouseholdSpec spec, IReadOnlyList<TradeResult> applied)
    {
        if (applied.Count == 0) return [];
        var tax = Tax;
        var before = (state.State.WashSales, state.State.Realized, state.State.Outbox, state.State.PendingAdjustments, state.State.TradesKeptSince);
        var results = new TradeResult[applied.Count];
        List<KeyValuePair<string, TradeResult>> dropped = [];
        try
        {
            // The write drops the results the window no longer keeps (never this batch's own).
            var keptSince = window.KeptSince(applied.Max(f => f.Request.TradeDate), state.State.TradesKeptSince);
            dropped = IdempotencyWindow.Prune(state.State.Trades, keptSince);
            state.State.TradesKeptSince = keptSince;
            for (var i = 0; i < applied.Count; i++)
            {
                var fill = applied[i];
                var outcome = fill.Request.Side == TradeSide.Buy
                    ? tax.RecordPurchase(fill.AccountId, fill.CreatedLot!)
                    : tax.RecordSale(fill.AccountId, fill.Request.TradeDate, fill.Sales);
                results[i] = fill with
                {
                    Realized = fill.Request.Side == TradeSide.Sell ? [.. outcome.Realized] : fill.Realized,
                    WashSales = [.. outcome.Adjustments],
                    Replayed = false,
                };
                state.State.Trades[Key(fill)] = results[i];
            }
            var now = clock.GetUtcNow();
            (state.State.WashSales, state.State.Realized) = Persisted(tax);
            state.State.Outbox = [.. results.SelectMany(r => TradeJournal.Entries(spec.Id, r, now))];
            state.State.PendingAdjustments = [.. results.SelectMany(r => r.WashSales)];
            // Appended when the ledger only added realized gains (a later purchase that disallows an earlier loss changes
            // a stored entry: the state is then written whole).
            var realized = state.State.Realized;
            if (realized.Length >= before.Realized.Length && realized.AsSpan(0, before.Realized.Length).SequenceEqual(before.Realized))
            {
                var ledger = WashSaleLedgerChanges.Between(before.WashSales, state.State.WashSales!);
                state.State.Changed(new HouseholdFilled(ledger is null ? state.State.WashSales : null, realized[before.Realized.Length..], results, keptSince,
                    state.State.Outbox, state.State.PendingAdjustments, ledger));
            }
            try { await state.WriteStateAsync(); }
            finally { state.State.Unchanged(); }
        }
        catch
        {
            foreach (var fill in applied) state.State.Trades.Remove(Key(fill));
            foreach (var (key, result) in dropped) state.State.Trades[key] = result;
            (state.State.WashSales, state.State.Realized, state.State.Outbox, state.State.PendingAdjustments, state.State.TradesKeptSince) = before;
            _tax = null; // rebuilt from the last written state on next use
            CaughtUp = false;
            throw;
        }
        var (entries, adjustments) = (state.State.Outbox, state.State.PendingAdjustments);
        await journal.Append(entries);
        cleared(results);
        var adjusted = await SendAdjustments(adjustments);
        Confirm(results.Select(r => (r.AccountId, r.IdempotencyKey)));
        for (var i = 0; i < results.Length; i++)
        {
            if (results[i].CreatedLot is { } created && adjusted.FirstOrDefault(a => a.Account == results[i].AccountId && a.Lot.Id == created.Id) is { Lot: { } now })
                results[i] = results[i] with { CreatedLot = now };
        }
        return results;
    }

    /// <summary>Pays every pending withdrawal the accounts' settled cash covers; returns a line per payment, and per withdrawal
    /// waiting for settlement, for the proposal's note.</summary>
    public async Task<WithdrawalsPaid> PayWithdrawals(IEnumerable<string> accounts)
    {
        var lines = new List<string>();
        DateOnly? settles = null;
        foreach (var account in accounts)
        {
            var payment = await grains.GetGrain<IAccountGrain>(account).PayWithdrawals();
            if (payment.Paid > 0) lines.Add($"{account}: withdrawal of {payment.Paid:0.00} paid");
            if (payment.SettlesOn is not { } date) continue;
            lines.Add($"{account}: withdrawal of {payment.AwaitingSettlement:0.00} waits for the sale proceeds to settle on {date:yyyy-MM-dd}");
            if (settles is null || date > settles) settles = date;
        }
        return new(lines, settles);
    }

    /// <summary>Sends wash-sale adjustments to the accounts holding the replacement lots, one call per account (each applies
    /// an adjustment once); returns the adjusted lots.</summary>
    public async Task<List<(string Account, TaxLot Lot)>> SendAdjustments(IReadOnlyList<WashSaleAdjustment> adjustments)
    {
        var done = new List<(string, TaxLot)>();
        foreach (var group in adjustments.GroupBy(a => a.Account))
        {
            done.AddRange((await grains.GetGrain<IAccountGrain>(group.Key).ApplyWashSaleAdjustments([.. group])).Select(l => (group.Key, l)));
            foreach (var a in group)
                log.LogDebug("{Household}: loss {Loss} sold {SaleDate} in {LossAccount} washed by {Quantity} of lot {Lot} in {Account}: {Disallowed} disallowed",
                    householdId, a.LossId, a.SaleDate, a.LossAccount, a.Quantity, a.LotId, a.Account, a.Disallowed);
        }
        return done;
    }

    /// <summary>Tells each account the fills of its that the ledger and the journal hold (<see cref="IAccountGrain.OnFillsRecorded"/>).</summary>
    private void Confirm(IEnumerable<(string Account, string Key)> fills)
    {
        foreach (var account in fills.GroupBy(f => f.Account, StringComparer.Ordinal))
            grains.GetGrain<IAccountGrain>(account.Key).OnFillsRecorded([.. account.Select(f => f.Key)]).Ignore();
    }

    private static string Key(string account, string tradeKey) => HouseholdState.TradeKey(account, tradeKey);

    private static string Key(TradeResult fill) => HouseholdState.TradeKey(fill);
}

/// <summary>What paying a household's withdrawals did, a line per account, and the last settlement date one still waits for.</summary>
public sealed record WithdrawalsPaid(List<string> Lines, DateOnly? SettlesOn);
