using Households.Contracts;
using Households.Domain.Decisions;
using Households.Domain.Monitoring;
using Households.Grains.Silo;
using Microsoft.Extensions.Logging;

namespace Households.Grains.Accounts;

/// <summary>An account's triggers: the monitor's notices and the events a person caused (cash, restrictions, policy, model
/// changes). The newest are kept for the account's views; each is admitted by the account's cooldowns and hourly budget
/// (the silo's firm-wide budget was taken by the monitor before it sent the notice), then sent to the household one-way
/// (the household calls accounts, so an account never waits on its household).</summary>
public sealed class AccountTriggers(string accountId, TriggerLatency latency, DecisionOptions decisions,
    PriceBoard board, TimeProvider clock, IGrainFactory grains, ILogger log, AccountsAwaitingHousehold? awaiting = null, NoticePacing? load = null)
{
    /// <summary>Open triggers an account keeps for its views (the newest; the household got the admitted ones).</summary>
    public const int MaxOpen = 32;
    private readonly List<Trigger> _open = [];
    // Made on the first notice: most of a million live accounts never get one.
    private TriggerCooldowns? _cooldowns;
    // Sent to the household, not yet confirmed decided: sent again if a silo dies (the household may have died with them).
    private readonly AwaitingDecision _awaiting = new();

    public int Count => _open.Count;

    public Trigger[] Open => [.. _open];

    /// <summary>Keeps the triggers among the open ones (the newest <see cref="MaxOpen"/>); true when the open triggers changed.</summary>
    public bool Keep(Trigger[] triggers)
    {
        // Price-driven notices carry their batch's publication time: tick-to-trigger latency ends here.
        if (triggers.Length > 0 && triggers[0].Kind is TriggerKind.Drift or TriggerKind.Harvest) latency.Record(clock.GetUtcNow() - triggers[0].BatchPublishedAt);
        var open = _open.Count;
        _open.AddRange(triggers);
        if (_open.Count > MaxOpen) _open.RemoveRange(0, _open.Count - MaxOpen);
        return _open.Count != open;
    }

    /// <summary>Sends the triggers the cooldowns and budgets admit to the household.</summary>
    public void Admit(Trigger[] triggers, AccountSpec? spec)
    {
        // Guarded: the arguments are boxed before the level check, millions of times after a market-wide move.
        if (log.IsEnabled(LogLevel.Debug))
            foreach (var t in triggers)
                log.LogDebug("{Account} {Kind} trigger on {Subject}: {Observed} against {Target}", t.AccountId, t.Kind, t.Subject, t.Observed, t.Target);
        var admitted = (_cooldowns ??= new()).Admit(triggers, clock.GetUtcNow(), decisions.Triggers);
        if (admitted.Count > 0 && spec is not null)
        {
            grains.GetGrain<IHouseholdGrain>(spec.HouseholdId).OnAccountTriggers(spec.Id, [.. admitted]).Ignore();
            _awaiting.Sent(admitted);
            if (_awaiting.Count > 0) awaiting?.Add(accountId, HeldForHousehold.Triggers);
        }
        // A monitor notice (market triggers only: the pacing counted it on its way) that the cooldowns refused whole never
        // reaches a household: it stops counting now, not at the end of the wake window (with a shock's repeated batches most
        // notices are such repeats, and each held one of the silo's deciding slots for 5 s while few households decided).
        // One passed on stops counting when it reaches its household, which then counts itself while it decides.
        else if (NoticePacing.Counted(triggers)) load?.Arrived();
    }

    /// <summary>The household confirmed deciding the triggers detected up to <paramref name="detectedThrough"/>.</summary>
    public void Decided(DateTimeOffset detectedThrough)
    {
        _awaiting.Decided(detectedThrough);
        if (_awaiting.Count == 0) awaiting?.Remove(accountId, HeldForHousehold.Triggers);
    }

    /// <summary>Sends the household the triggers it has not confirmed deciding (a silo died); false when there are none.</summary>
    public bool ResendUndecided(AccountSpec? spec)
    {
        if (_awaiting.Count == 0 || spec is null) return false;
        grains.GetGrain<IHouseholdGrain>(spec.HouseholdId).OnAccountTriggersResent(spec.Id, _awaiting.Waiting).Ignore();
        return true;
    }

    /// <summary>Sends the household a client's events stored undecided (a new activation) and holds them as if just sent.</summary>
    public void Resend(Trigger[] events, AccountSpec spec)
    {
        grains.GetGrain<IHouseholdGrain>(spec.HouseholdId).OnAccountTriggersResent(spec.Id, events).Ignore();
        _awaiting.Sent(events);
        awaiting?.Add(accountId, HeldForHousehold.Triggers);
    }

    /// <summary>A trigger caused by an event (cash, restriction, model change) rather than a price.</summary>
    public Trigger Event(TriggerKind kind, string subject, double observed)
    {
        var now = clock.GetUtcNow();
        return new Trigger(kind, accountId, subject, observed, 0, 0, board.Current.Sequence, now, now);
    }
}
