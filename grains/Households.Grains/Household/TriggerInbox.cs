using Households.Contracts;
using Households.Domain.Decisions;

namespace Households.Grains.Household;

/// <summary>The triggers a household has received and not yet decided on. Triggers arrive one message per account and
/// batch; deciding once per message let a busy household (direct indexes cross a threshold nearly every batch) fall
/// minutes behind the market with hundreds of messages queued, and its reads timed out behind them. Triggers that
/// arrive while a decision runs wait here and are decided together by the next one; a newer market trigger (or order
/// resolution) on the same account, kind and subject replaces the older (it carries the latest observation). A client's
/// event is never replaced: two deposits made while a decision runs are two causes of the next, each journaled (one
/// replacing the other dropped the first deposit's trigger from the journal and from the decision's causes).</summary>
public sealed class TriggerInbox
{
    private readonly Dictionary<(TriggerKind, string, string, long), Trigger> _waiting = [];

    private static (TriggerKind, string, string, long) Slot(Trigger t) =>
        (t.Kind, t.AccountId, t.Subject, TriggerCooldowns.IsClientEvent(t.Kind) ? t.DetectedAt.UtcTicks : 0);

    /// <summary>True while a decision over the inbox is scheduled or running.</summary>
    public bool Deciding { get; private set; }

    /// <summary>True while the market is closed: triggers gather here and no decision is scheduled until <see cref="Release"/>.</summary>
    public bool Held { get; private set; }

    public int Count => _waiting.Count;

    /// <summary>Adds triggers; true when the caller must schedule a decision (none is scheduled or running, none held).</summary>
    public bool Add(IEnumerable<Trigger> triggers)
    {
        foreach (var t in triggers) _waiting[Slot(t)] = t;
        if (Held || Deciding || _waiting.Count == 0) return false;
        Deciding = true;
        return true;
    }

    /// <summary>Everything waiting, oldest batch first; the inbox is empty afterwards.</summary>
    public Trigger[] Take()
    {
        var all = _waiting.Values.OrderBy(t => t.BatchSequence).ToArray();
        _waiting.Clear();
        return all;
    }

    /// <summary>A failed decision's triggers come back to wait, each unless a newer market trigger on its account, kind and
    /// subject arrived meanwhile (it carries the latest observation). Called before <see cref="Done"/>.</summary>
    public void GiveBack(IEnumerable<Trigger> triggers)
    {
        foreach (var t in triggers) _waiting.TryAdd(Slot(t), t);
    }

    /// <summary>The decision is done; true when triggers arrived meanwhile and another decision must be scheduled.</summary>
    public bool Done()
    {
        Deciding = _waiting.Count > 0;
        return Deciding;
    }

    /// <summary>The scheduled decision found the market closed: everything waits, undecided, for the open.</summary>
    public void Hold()
    {
        Held = true;
        Deciding = false;
    }

    /// <summary>The session opened; true when the caller must schedule a decision over what waited.</summary>
    public bool Release()
    {
        Held = false;
        if (Deciding || _waiting.Count == 0) return false;
        Deciding = true;
        return true;
    }
}
