using Households.Contracts;
using Households.Domain;
using Households.Domain.Accounts;
using Households.Domain.CorporateActions;
using Households.Domain.Monitoring;
using Households.Domain.Reliability;
using Households.Domain.Tax;
using Households.Persistence.Journal;
using Microsoft.Extensions.Logging;

namespace Households.Grains.Accounts;

/// <summary>What changes an account's lots: trades (the household's fills), wash-sale adjustments of basis (IRC §1091),
/// corporate actions and corrections of record. Each is applied to a working copy of the books and committed with one
/// write; each is kept by its key, so one sent again answers its first result as a replay and changes nothing. Trades are
/// kept by key for the idempotency <paramref name="window"/> only.</summary>
public sealed class AccountTrades(AccountRecord record, TimeProvider clock, ILogger log, IdempotencyWindow window)
{
    public async Task<TradeOutcome[]> Apply(TradeRequest[] trades)
    {
        var spec = record.RequireSpec();
        // Work on a copy of the books: a refused order changes nothing (the book checks before it moves), a failed write
        // leaves the grain as it was.
        var book = record.Book(spec);
        var applied = record.State.AppliedTrades;
        var keptSince = record.State.TradesKeptSince;
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
            else if (IdempotencyWindow.Expired(trade.TradeDate, keptSince))
                // Its key may be one whose result was dropped: applying it could apply a fill twice.
                outcomes[i] = new(null, $"idempotencyKey {trade.IdempotencyKey} is not kept: trade date {trade.TradeDate:yyyy-MM-dd} is before "
                    + $"{keptSince:yyyy-MM-dd}, the first trade date account {spec.Id} keeps fills by key for, so it is not applied");
            else
            {
                try { outcomes[i] = new(fresh[key] = book.Apply(trade), null); }
                catch (BadInputException ex) { outcomes[i] = new(null, ex.Message); }
            }
        }
        if (fresh.Count == 0) return outcomes;
        // The write drops the results the window no longer keeps, only ones stored before this batch: the household sends a
        // batch only when it has caught up, so its ledger holds every one of them.
        var since = window.KeptSince(fresh.Values.Max(r => r.Request.TradeDate), keptSince);
        List<KeyValuePair<string, TradeResult>> dropped = [];
        await record.Commit(book, () =>
        {
            dropped = IdempotencyWindow.Prune(applied, since);
            record.State.TradesKeptSince = since;
            foreach (var (key, r) in fresh) applied[key] = r;
        }, () =>
        {
            foreach (var key in fresh.Keys) applied.Remove(key);
            foreach (var (key, r) in dropped) applied[key] = r;
            record.State.TradesKeptSince = keptSince;
        }, fills: new AccountRecord.Fills([.. fresh.Values], since));
        foreach (var r in fresh.Values)
            log.LogDebug("{Account} {Side} {Quantity} {Symbol} at {Price} (key {Key})", spec.Id, r.Request.Side, r.Request.Quantity,
                r.Request.Symbol, r.Request.Price, r.IdempotencyKey);
        return outcomes;
    }

    public static string AdjustmentKey(WashSaleAdjustment a) => $"{a.LossId}:{a.LotId}";

    public async Task<TaxLot[]> ApplyWashSaleAdjustments(WashSaleAdjustment[] given)
    {
        var spec = record.RequireSpec();
        var applied = record.State.AppliedAdjustments;
        // An adjustment already applied (the household sent it again after a crash) is not applied twice.
        var adjustments = given.Where(a => !applied.Contains(AdjustmentKey(a))).ToArray();
        if (adjustments.Length == 0)
        {
            var lots = record.Lots.Lots();
            return [.. given.Select(a => lots.FirstOrDefault(l => l.Id == a.LotId)).OfType<TaxLot>()];
        }
        var book = record.Book(spec);
        var adjusted = book.Apply(adjustments);
        var keys = adjustments.Select(AdjustmentKey).ToArray();
        await record.Commit(book, () => applied.UnionWith(keys), () => applied.ExceptWith(keys));
        foreach (var a in adjustments)
            log.LogDebug("{Account} lot {Lot}: wash sale of loss {Loss} in {LossAccount}, {Disallowed} disallowed (permanent {Permanent})",
                spec.Id, a.LotId, a.LossId, a.LossAccount, a.Disallowed, a.Permanent);
        return adjusted;
    }

    /// <summary>Applies a corporate action to the account's lots and cash; an account that holds none of the security stores
    /// nothing (the household keeps the action's id).</summary>
    public async Task<CorporateActionEffect> ApplyCorporateAction(CorporateAction action)
    {
        var spec = record.RequireSpec();
        CorporateActionRules.Check(action);
        var state = record.State;
        var applied = state.CorporateActions;
        // An action dated before the window may have been applied: the household journaled its effect here then.
        if (applied.TryGetValue(action.Id, out var earlier)
            || (IdempotencyWindow.Expired(action.Date, state.CorporateActionsKeptSince)
                && (earlier = await record.Journaled<CorporateActionEffect>(JournalKind.CorporateAction, JournalReplay.CorporateActionKey(action.Id, spec.Id))) is not null))
            return earlier with { Replayed = true };
        var book = record.Book(spec);
        var effect = book.Apply(action) with { Date = action.Date };
        if (effect.IsEmpty) return effect;
        var keptSince = state.CorporateActionsKeptSince;
        Action undo = () => { };
        await record.Commit(book, () =>
        {
            (state.CorporateActionsKeptSince, undo) = window.Keep(applied, [new(action.Id, effect)], e => e.Date, keptSince);
        }, () => { undo(); state.CorporateActionsKeptSince = keptSince; });
        log.LogDebug("{Account}: corporate action {Action} ({Kind} {Symbol}) applied, cash {Cash}", spec.Id, action.Id, action.Kind, action.Symbol, effect.CashDelta);
        return effect;
    }

    /// <summary>Corrections of record (shares transferred in or out, a reconciliation's accepted figures): never sales, so the
    /// realized-gains and wash-sale ledgers never see them; journaled as <see cref="JournalKind.BookCorrection"/>.</summary>
    public async Task<BookCorrectionEffect[]> ApplyBookCorrections(BookCorrection[] corrections)
    {
        var spec = record.RequireSpec();
        foreach (var c in corrections ?? throw new BadInputException("corrections are required")) BookCorrections.Check(c);
        var state = record.State;
        var applied = state.BookCorrections;
        var book = new AccountBook(spec, state.Cash, record.Lots.ToList());
        var effects = new BookCorrectionEffect[corrections.Length];
        var fresh = new Dictionary<string, BookCorrectionEffect>(StringComparer.Ordinal);
        for (var i = 0; i < corrections.Length; i++)
        {
            var c = corrections[i];
            // A key dated before the window may have been applied: its journal entry has the effect then.
            if (fresh.TryGetValue(c.Key, out var earlier) || applied.TryGetValue(c.Key, out earlier)
                || (IdempotencyWindow.Expired(c.Date, state.CorrectionsKeptSince)
                    && (earlier = await record.Journaled<BookCorrectionEffect>(JournalKind.BookCorrection, JournalReplay.CorrectionKey(spec.Id, c.Key))) is not null))
                effects[i] = earlier.Correction == c ? earlier with { Replayed = true }
                    : throw new BadInputException($"key {c.Key} was already used for a different correction in account {spec.Id}");
            else effects[i] = fresh[c.Key] = book.Apply(c);
        }
        if (fresh.Count == 0) return effects;
        var now = clock.GetUtcNow();
        JournalEntry[] entries = [.. fresh.Values.Select(e => new JournalEntry(0, spec.HouseholdId, spec.Id, JournalKind.BookCorrection, now,
            JournalReplay.CorrectionKey(spec.Id, e.Correction.Key), BookCorrectionJournal.Describe(e), JournalFormat.Payload(e)))];
        var keptSince = state.CorrectionsKeptSince;
        Action undo = () => { };
        await record.Commit(book, () =>
        {
            (state.CorrectionsKeptSince, undo) = window.Keep(applied, fresh, e => e.Correction.Date, keptSince);
        }, () => { undo(); state.CorrectionsKeptSince = keptSince; }, entries);
        foreach (var e in fresh.Values)
            log.LogDebug("{Account}: correction {Key} ({Kind} {Symbol}) from {Source}, cash {Cash}", spec.Id, e.Correction.Key, e.Correction.Kind,
                e.Correction.Symbol, e.Correction.Source, e.CashDelta);
        return effects;
    }

    /// <summary>The keys among <paramref name="keys"/> the account applied: a trade, a cash movement or a correction.</summary>
    /// <remarks>A cash movement or correction the books no longer keep by key (older than the window) is found in the journal;
    /// a trade's is the household's to find (it knows the trade date, <see cref="Household.HouseholdBooks.JournaledBeforeWindow"/>).</remarks>
    public async Task<string[]> AppliedKeys(string[] keys)
    {
        var s = record.State;
        var spec = record.RequireSpec();
        var applied = new List<string>();
        foreach (var k in keys ?? [])
        {
            if (k is null) continue;
            if (s.AppliedTrades.ContainsKey(k) || s.CashMovements.ContainsKey(k) || s.BookCorrections.ContainsKey(k)
                || (s.CashKeptSince is not null && await record.Journaled<CashMovement>(JournalKind.Cash, JournalReplay.CashKeyPrefix + k) is not null)
                || (s.CorrectionsKeptSince is not null && await record.Journaled<BookCorrectionEffect>(JournalKind.BookCorrection, JournalReplay.CorrectionKey(spec.Id, k)) is not null))
                applied.Add(k);
        }
        return [.. applied];
    }
}
