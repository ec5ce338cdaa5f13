using System.Globalization;
using Households.Contracts;
using Households.Domain;
using Households.Domain.Reliability;
using Households.Persistence.Journal;

namespace Households.Grains.Household;

/// <summary>
/// A corporate action in one household, beside <see cref="HouseholdBooks"/> and through the same ledger: every account
/// applies it to its own lots and cash and persists (idempotent by action id), then the household clears the effects in
/// its wash-sale and realized-gains ledger and stores them with their journal entries and any wash-sale adjustments (a
/// dividend reinvestment is a purchase) in one write, appended and sent after it as a fill's are. A household that fails
/// between the two writes answers the action again from the accounts' stored effects when it is retried (the firm-wide
/// action resumes), like a retried fill.
/// </summary>
public sealed class HouseholdCorporateActions(string householdId, IPersistentState<HouseholdState> state, HouseholdBooks books,
    IGrainFactory grains, IJournal journal, TimeProvider clock, IdempotencyWindow window)
{
    public async Task<HouseholdCorporateAction> Apply(HouseholdSpec spec, CorporateAction action)
    {
        if (state.State.CorporateActions.TryGetValue(action.Id, out var done))
            return done.Action == action ? done.Result with { Replayed = true }
                : throw new BadInputException($"corporate action {action.Id} was already applied with different content");
        if (IdempotencyWindow.Expired(action.Date, state.State.CorporateActionsKeptSince) && await Journaled(spec, action) is { } journaled)
            return journaled;
        if (!books.CaughtUp) await books.CatchUp(spec);
        var tax = books.Tax;
        try { tax.EnsureInOrder(action.Date); }
        catch (BadInputException ex)
        {
            // Only a household that holds the security is refused; the others have nothing to apply.
            return await Holds(spec, action.Symbol) ? new HouseholdCorporateAction(householdId, [], [], [], ex.Message) : Untouched;
        }
        var effects = await Task.WhenAll(spec.AccountIds.Select(id => grains.GetGrain<IAccountGrain>(id).ApplyCorporateAction(action)));
        var touched = effects.Where(e => !e.IsEmpty).Select(e => e with { Replayed = false }).ToArray();
        // A household holding none of the security stores nothing, unless an open loss must follow it (split, ticker change,
        // stock-for-stock merger).
        if (touched.Length == 0 && !(Households.Domain.Tax.HouseholdTaxLedger.FollowsOpenLosses(action) && tax.WashSales.HasOpenLoss(action.Symbol)))
            return Untouched;

        var before = (state.State.WashSales, state.State.Realized, state.State.Outbox, state.State.PendingAdjustments);
        var keptSince = state.State.CorporateActionsKeptSince;
        Action undoKept = () => state.State.CorporateActions.Remove(action.Id);
        HouseholdCorporateAction result;
        try
        {
            var outcome = tax.RecordCorporateAction(action, touched);
            result = new HouseholdCorporateAction(householdId, [.. touched], [.. outcome.Realized], [.. outcome.Adjustments]);
            (state.State.CorporateActionsKeptSince, undoKept) = window.Keep(state.State.CorporateActions,
                [new(action.Id, new AppliedCorporateAction(action, result))], a => a.Action.Date, keptSince);
            var (ledger, realized) = tax.Snapshot();
            (state.State.WashSales, state.State.Realized) = (ledger, [.. realized]);
            state.State.Outbox = Entries(action, result, clock.GetUtcNow());
            state.State.PendingAdjustments = [.. result.WashSales];
            await state.WriteStateAsync();
        }
        catch
        {
            undoKept();
            state.State.CorporateActionsKeptSince = keptSince;
            (state.State.WashSales, state.State.Realized, state.State.Outbox, state.State.PendingAdjustments) = before;
            books.Reload(); // the ledger is rebuilt from the last written state on next use
            throw;
        }
        await journal.Append(state.State.Outbox);
        await books.SendAdjustments(result.WashSales);
        return result;
    }

    private HouseholdCorporateAction Untouched => new(householdId, [], [], []);

    /// <summary>An action dated before the window the household keeps results for, answered from the journal if it was applied:
    /// each account's effect and the wash-sale adjustments, marked replayed (the realized rows are the tax report's). Null when
    /// no account journaled it: it was never applied here, or touched nothing.</summary>
    private async Task<HouseholdCorporateAction?> Journaled(HouseholdSpec spec, CorporateAction action)
    {
        var effects = new List<CorporateActionEffect>();
        foreach (var id in spec.AccountIds)
            if (await journal.FindRecord<CorporateActionEffect>(id, JournalReplay.CorporateActionKey(action.Id, id), JournalKind.CorporateAction) is { } effect)
                effects.Add(effect with { Replayed = true });
        if (effects.Count == 0) return null;
        var adjustments = new List<WashSaleAdjustment>();
        // Adjustments are numbered per action from 0, each journaled under the account whose lot it adjusts.
        for (var i = 0; ; i++)
        {
            WashSaleAdjustment? found = null;
            foreach (var id in spec.AccountIds)
                found ??= await journal.FindRecord<WashSaleAdjustment>(id, WashKey(action.Id, i), JournalKind.WashSale);
            if (found is null) break;
            adjustments.Add(found);
        }
        return new HouseholdCorporateAction(householdId, [.. effects], [], [.. adjustments], Replayed: true);
    }

    private async Task<bool> Holds(HouseholdSpec spec, string symbol)
    {
        foreach (var id in spec.AccountIds)
            if ((await grains.GetGrain<IAccountGrain>(id).GetLots()).Any(p => p.Lot.Symbol == symbol)) return true;
        return false;
    }

    /// <summary>One entry per account (payload: its <see cref="CorporateActionEffect"/>, which the journal replay applies) and
    /// one per wash-sale adjustment; keyed by the action, so a re-append lands once.</summary>
    public static JournalEntry[] Entries(CorporateAction action, HouseholdCorporateAction result, DateTimeOffset at)
    {
        var entries = result.Accounts.Select(e => new JournalEntry(0, result.HouseholdId, e.AccountId, JournalKind.CorporateAction, at,
            JournalReplay.CorporateActionKey(action.Id, e.AccountId), Describe(action, e, result.Realized.Where(r => r.Account == e.AccountId)),
            Households.Domain.Tax.JournalFormat.Payload(e))).ToList();
        entries.AddRange(result.WashSales.Select((a, i) => new JournalEntry(0, result.HouseholdId, a.Account, JournalKind.WashSale, at,
            WashKey(action.Id, i), Households.Domain.Tax.TradeJournal.Describe(a), Households.Domain.Tax.JournalFormat.Payload(a))));
        return [.. entries];
    }

    private static string WashKey(string actionId, int i) => $"wash:ca:{actionId}:{i}";

    private static string Describe(CorporateAction action, CorporateActionEffect e, IEnumerable<RealizedLot> realized)
    {
        var rows = realized.ToList();
        return string.Create(CultureInfo.InvariantCulture,
            $"Corporate action {action.Id}: {action.Kind} of {action.Symbol}{(action.NewSymbol is { } n ? " into " + n : "")} on {action.Date:yyyy-MM-dd} in {e.AccountId}: {e.Before.Length} lots before, {e.After.Length} after; cash {e.CashDelta:0.00}; recognized {rows.Sum(r => r.Recognized):0.00}")
            + (e.Reinvested is { } lot ? string.Create(CultureInfo.InvariantCulture, $"; reinvested {lot.Quantity} shares in lot {lot.Id}") : "");
    }
}
