using Households.Contracts;

namespace Households.Domain.Decisions;

/// <summary>
/// The triggers an account sent its household — market triggers and a client's events — that the household has not yet
/// confirmed deciding (its proposals persisted). A household's inbox lives in memory: when its silo dies, triggers waiting
/// there die with it; the account's cooldown and the monitor's held flag would keep a market condition quiet for hours,
/// and a deposit or withdrawal would wait for whatever triggered the household next. So after a silo's death the
/// account sends these again, and the household drops the ones its proposals already name
/// (<see cref="ProposalBook.Undecided"/>): each trigger is decided once, across the move (issue #18 goal 7).
/// In memory, like the cooldowns: an account that deactivates has its household's confirmation or nothing to resend.
/// </summary>
public sealed class AwaitingDecision
{
    /// <summary>The most kept (the oldest market triggers go first, a client's events last): a household far behind has
    /// them in its inbox anyway.</summary>
    public const int Max = 256;
    private readonly List<Trigger> _sent = [];

    public int Count => _sent.Count;

    /// <summary>The triggers waiting for the household's confirmation, oldest first.</summary>
    public Trigger[] Waiting => [.. _sent];

    /// <summary>Triggers just sent to the household.</summary>
    public void Sent(IEnumerable<Trigger> admitted)
    {
        _sent.AddRange(admitted);
        if (_sent.Count <= Max) return;
        // A direct index crossing hundreds of thresholds must not push out the withdrawal its client asked for.
        var excess = _sent.Count - Max;
        var kept = new List<Trigger>(Max);
        foreach (var t in _sent)
            if (excess > 0 && TriggerCooldowns.IsMarketTrigger(t.Kind)) excess--;
            else kept.Add(t);
        if (kept.Count > Max) kept.RemoveRange(0, kept.Count - Max);
        _sent.Clear();
        _sent.AddRange(kept);
    }

    /// <summary>The household decided this account's triggers detected up to <paramref name="detectedThrough"/>.</summary>
    public void Decided(DateTimeOffset detectedThrough) => _sent.RemoveAll(t => t.DetectedAt <= detectedThrough);
}
