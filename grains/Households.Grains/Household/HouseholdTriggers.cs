using System.Diagnostics;
using Households.Contracts;
using Households.Domain;
using Households.Domain.Decisions;
using Households.Domain.Monitoring;
using Households.Grains.Silo;
using Households.Persistence.Journal;
using Microsoft.Extensions.Logging;

namespace Households.Grains.Household;

/// <summary>The decision request path: triggers (an account's notices, resolved orders, a change of policy) gather in the
/// household's <see cref="TriggerInbox"/>, and one decision at a time takes everything waiting, journals it and asks
/// <see cref="HouseholdProposals.Decide"/> (on the silo's <see cref="DecisionLane"/> when a firm turns it on). Outside trading hours they wait, undecided, for the session gate's wake-up.
/// <paramref name="askToDecide"/> schedules a decision as a one-way call to the grain itself, so triggers keep arriving
/// (interleaved) while one runs; <paramref name="askToDecideAfter"/> does so after a pause (a failed decision's retry).</summary>
public sealed class HouseholdTriggers(IPersistentState<HouseholdState> state, HouseholdBooks books, HouseholdProposals proposals,
    HouseholdSession session, HouseholdNotices notices, HouseholdEventRing events, IJournal journal, PriceBoard board, TimeProvider clock,
    bool planEachAccountAlone, Action askToDecide, Action<TimeSpan> askToDecideAfter, NoticePacing? load, DecisionLane? lane, IGrainFactory grains, ILogger log,
    HouseholdWrites writes)
{
    private readonly TriggerInbox _inbox = new();
    private readonly TakenTriggers _taken = new();
    private readonly DecisionRetry _retry = new();
    // Counted among the silo's households deciding (the monitor's backpressure) from a decision asked for until none waits.
    private bool _counted;

    private void Ask()
    {
        if (!_counted && load is not null) { load.Begin(); _counted = true; }
        askToDecide();
    }

    /// <summary>Nothing waits to be decided (or it waits for the open, or the household deactivates): no longer counted.</summary>
    public void Idle()
    {
        if (!_counted) return;
        load!.End();
        _counted = false;
    }

    /// <summary>An account's admitted triggers: shown on the event stream, a harvest opportunity announced, then queued.</summary>
    public void FromAccount(string accountId, Trigger[] triggers)
    {
        if (state.State.Spec is null) return;
        foreach (var kind in triggers.GroupBy(t => t.Kind))
            events.Add("trigger", accountId, null, $"{kind.Key}: {string.Join(", ", kind.Select(t => t.Subject).Distinct().Take(5))}");
        notices.Harvest(accountId, triggers);
        if (NoticePacing.Counted(triggers)) load?.Arrived(); // the monitor's notice is here
        Enqueue(triggers);
    }

    /// <summary>Triggers an account sent again after a silo died: those decided already (<see cref="TakenTriggers.Decided"/>:
    /// a filed proposal names them, or this activation took them) are dropped, the rest are received as usual. When all
    /// were decided the account hears so, and stops holding them.</summary>
    public void FromAccountAgain(string accountId, Trigger[] triggers)
    {
        var fresh = triggers.Where(t => !_taken.Decided(t, proposals.Book)).ToArray();
        if (fresh.Length > 0) FromAccount(accountId, fresh);
        else if (triggers.Length > 0) grains.GetGrain<IAccountGrain>(accountId).OnDecided(triggers.Max(t => t.DetectedAt)).Ignore();
    }

    /// <summary>Triggers join the inbox; the first to arrive while no decision waits asks for one.</summary>
    public void Enqueue(Trigger[] triggers)
    {
        if (_inbox.Add(triggers)) Ask();
    }

    /// <summary>Drops the household's own changes a decision took from the stored state (one write, for changes only); a
    /// write that fails leaves them stored, to be decided again by a later activation.</summary>
    private async Task ChangesDecided(Trigger[] decided)
    {
        if (state.State.ChangesUndecided.Count == 0 || !decided.Any(state.State.ChangesUndecided.Contains)) return;
        try
        {
            await writes.Run(async _ =>
            {
                if (state.State.ChangesUndecided.RemoveAll(decided.Contains) > 0) await state.WriteStateAsync();
                return true;
            });
        }
        catch (Exception ex)
        {
            log.LogWarning("{Household}: its decided changes stay stored as undecided ({Error})", state.State.Spec?.Id, ex.Message);
        }
    }

    /// <summary>Accounts whose orders resolved with quantity released, or whose decision waited for them: an event trigger each
    /// (<see cref="TriggerKind.OrderResolved"/>), decided like any other.</summary>
    public void DecideAgain(string[] accounts)
    {
        if (accounts.Length == 0) return;
        var now = clock.GetUtcNow();
        var triggers = accounts.Select(a => new Trigger(TriggerKind.OrderResolved, a, "orders", 0, 0, 0, board.Current.Sequence, now, now)).ToArray();
        foreach (var t in triggers) events.Add("trigger", t.AccountId, null, "OrderResolved: orders");
        Enqueue(triggers);
    }

    /// <summary>Decides over everything waiting (journaled as the decision's causes); asks again when more arrived meanwhile.
    /// A decision that fails for a reason other than bad input (an account's silo died under it, the database is away)
    /// gives back the triggers no filed proposal names and is tried again after a pause (<see cref="DecisionRetry"/>):
    /// before, its triggers, a client's cash event among them, were lost until the condition was reported anew.</summary>
    public async Task DecideWaiting()
    {
        if (session.ClosedUntil() is { } open)
        {
            // Outside trading hours the triggers wait in the inbox, undecided; the session gate wakes the household at the open.
            _inbox.Hold();
            session.WaitFor(open, $"market closed: {_inbox.Count} triggers wait for the open");
            Idle();
            return;
        }
        TimeSpan? retryAfter = null;
        try
        {
            if (state.State.Spec is not { } spec) { _inbox.Take(); return; }
            var waiting = _inbox.Take();
            var triggers = _taken.TakeUndecided(waiting, proposals.Book);
            if (triggers.Length < waiting.Length)
                log.LogInformation("{Household}: {Count} triggers already decided dropped from the inbox", spec.Id, waiting.Length - triggers.Length);
            if (triggers.Length == 0 && !proposals.HasFailedExecutions) return;
            var started = Stopwatch.GetTimestamp();
            var accounts = triggers.Select(t => t.AccountId).ToHashSet(StringComparer.Ordinal);
            try
            {
                // A filed proposal whose execution failed is executed first: its triggers are decided, only not yet traded.
                if (proposals.HasFailedExecutions) await proposals.ExecuteFailed(spec);
                if (triggers.Length > 0)
                {
                    await journal.Append(triggers.Select(t => ProposalJournal.Trigger(spec.Id, t, clock.GetUtcNow())).ToArray());
                    await proposals.Decide(spec, triggers, planEachAccountAlone ? accounts : null, lane);
                }
                _retry.Succeeded();
            }
            catch (BadInputException ex)
            {
                _retry.Succeeded();
                log.LogWarning("{Household}: no decision for the triggers of {Accounts}: {Reason}", spec.Id, string.Join(", ", accounts), ex.Message);
            }
            catch (Exception ex)
            {
                // Another activation wrote the state (a duplicate while a dead silo's directory is rebuilt): this copy is stale
                // and would conflict on every retry. It reads the state again first, so what the other filed counts as decided.
                if (ex is Orleans.Storage.InconsistentStateException) await Reread(spec.Id);
                var undecided = proposals.Book.Undecided(triggers);
                retryAfter = _retry.Failed();
                if (retryAfter is not null)
                {
                    _taken.GiveBack(undecided);
                    _inbox.GiveBack(undecided);
                }
                var unexecuted = proposals.HasFailedExecutions ? "; a filed proposal's execution too" : "";
                log.LogWarning("{Household}: the decision over {Count} triggers failed after {Seconds:0.0} s ({Error}); {Next}", spec.Id, triggers.Length,
                    Stopwatch.GetElapsedTime(started).TotalSeconds, $"{ex.GetType().Name}: {ex.Message}",
                    retryAfter is { } pause ? $"{undecided.Length} undecided triggers tried again in {pause.TotalSeconds:0} s{unexecuted}"
                        : $"{undecided.Length} undecided triggers dropped after {DecisionRetry.MaxFailures} failures in a row{(unexecuted.Length > 0 ? "; a filed proposal waits unexecuted until it expires" : "")}");
                return;
            }
            // Debug: in a shock most decisions wait their turn this long, and a warning each would flood the log.
            if (Stopwatch.GetElapsedTime(started) is { TotalSeconds: > 10 } slow && log.IsEnabled(LogLevel.Debug))
                log.LogDebug("{Household}: the decision over {Count} triggers took {Seconds:0.0} s", spec.Id, triggers.Length, slow.TotalSeconds);
            // Decided, its proposals persisted: the household's own changes among them are no longer stored undecided, and
            // the accounts stop holding the triggers they sent for a resend after a silo's death (an order resolution and a
            // household's change are the household's own, held by no account).
            await ChangesDecided(triggers);
            foreach (var sent in triggers.Where(ClientEvents.SentByAccount).GroupBy(t => t.AccountId, StringComparer.Ordinal))
                grains.GetGrain<IAccountGrain>(sent.Key).OnDecided(sent.Max(t => t.DetectedAt)).Ignore();
        }
        finally
        {
            var waiting = _inbox.Done();
            // Still counted among the silo's deciding households while a retry is due: for triggers given back, or for a
            // filed proposal whose execution failed.
            if (retryAfter is { } pause && (waiting || proposals.HasFailedExecutions)) askToDecideAfter(pause);
            else if (!waiting) Idle();
            else Ask();
        }
    }

    private async Task Reread(string householdId)
    {
        try
        {
            await writes.ReadAgain();
        }
        catch (Exception ex)
        {
            log.LogWarning("{Household}: state not read again after a version conflict ({Reason}); the retry will meet it again", householdId, ex.Message);
        }
    }

    /// <summary>The session opened: withdrawals that waited for settlement are paid first (a decision then sees the cash
    /// they leave), then what waited in the inbox is decided.</summary>
    public async Task OnSessionOpen()
    {
        if (state.State.Spec is not { } spec) return;
        var paid = session.AwaitSettlement(await books.PayWithdrawals(spec.AccountIds));
        foreach (var line in paid) events.Add("cash", null, null, line);
        if (_inbox.Release()) Ask();
    }
}
