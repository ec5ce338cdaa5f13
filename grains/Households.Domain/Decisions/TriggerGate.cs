using Households.Contracts;

namespace Households.Domain.Decisions;

/// <summary>How often triggers may act. A (kind, subject) that fired is quiet for <see cref="Cooldown"/>, so a
/// security hovering at a threshold does not fire every tick; an account acts at most
/// <see cref="PerAccountPerHour"/> times an hour, and the firm at most <see cref="FirmPerSecond"/> times a second
/// (with bursts up to <see cref="FirmBurst"/>).</summary>
public sealed record TriggerPolicy(TimeSpan Cooldown, int PerAccountPerHour, double FirmPerSecond, int FirmBurst)
{
    public static TriggerPolicy Default { get; } = new(TimeSpan.FromMinutes(30), 6, 200, 1000);

    public void Validate()
    {
        if (Cooldown < TimeSpan.Zero) throw new BadInputException("cooldown must be >= 0");
        if (PerAccountPerHour < 1) throw new BadInputException("perAccountPerHour must be >= 1");
        if (!(FirmPerSecond > 0) || double.IsInfinity(FirmPerSecond)) throw new BadInputException("firmPerSecond must be > 0");
        if (FirmBurst < 1) throw new BadInputException("firmBurst must be >= 1");
    }
}

/// <summary>One account's cooldowns and hourly budget. Cash, restriction and model-change triggers are events a
/// person caused: they skip the cooldown and the hourly budget (a dropped event would never come back; the account
/// sends them to its household whatever the firm-wide budget says too). Kept as the list of the times the account acted
/// with what it admitted then (at most the hourly budget within an hour): a (kind, subject) is cooling while a
/// recent enough act admitted it. A million live accounts hold no map entry per subject.</summary>
public sealed class TriggerCooldowns
{
    // Per act only the (kind, subject) keys of the market triggers it admitted: the triggers themselves (about 110
    // bytes each) would stay alive for the hour, and after a market-wide move that is millions of them.
    private readonly Queue<(DateTimeOffset At, (TriggerKind Kind, string Subject)[] Cooling)> _acted = new();

    /// <summary>The triggers that may act now (empty when none may); records them as fired.</summary>
    public IReadOnlyList<Trigger> Admit(IReadOnlyList<Trigger> triggers, DateTimeOffset now, TriggerPolicy policy)
    {
        var keep = policy.Cooldown > TimeSpan.FromHours(1) ? policy.Cooldown : TimeSpan.FromHours(1);
        while (_acted.TryPeek(out var t) && now - t.At >= keep) _acted.Dequeue();
        List<Trigger>? admitted = null;
        foreach (var t in triggers)
            if (!IsCooling(t, now, policy.Cooldown)) (admitted ??= []).Add(t);
        if (admitted is null) return [];
        if (CountWithinHour(now) >= policy.PerAccountPerHour)
        {
            // Over the hourly budget only events pass: they are never dropped.
            var events = admitted.Where(t => !IsMarketTrigger(t.Kind)).ToList();
            return events;
        }
        _acted.Enqueue((now, [.. admitted.Where(t => IsMarketTrigger(t.Kind)).Select(t => (t.Kind, t.Subject))]));
        return admitted;
    }

    private int CountWithinHour(DateTimeOffset now)
    {
        var count = 0;
        foreach (var (at, _) in _acted) if (now - at < TimeSpan.FromHours(1)) count++;
        return count;
    }

    private bool IsCooling(Trigger t, DateTimeOffset now, TimeSpan cooldown)
    {
        if (!IsMarketTrigger(t.Kind)) return false;
        foreach (var (at, cooling) in _acted)
        {
            if (now >= at + cooldown) continue;
            foreach (var (kind, subject) in cooling)
                if (kind == t.Kind && string.Equals(subject, t.Subject, StringComparison.Ordinal)) return true;
        }
        return false;
    }

    /// <summary>Drift and harvest triggers come from prices and may be cooled and budgeted; every other kind is an event.</summary>
    public static bool IsMarketTrigger(TriggerKind kind) => kind is TriggerKind.Drift or TriggerKind.Harvest;

    /// <summary>Cash, restriction, model and policy changes: events a person caused, each its own cause of a decision (an
    /// order resolving is the system's event, and the newest says all a decision needs).</summary>
    public static bool IsClientEvent(TriggerKind kind) => kind is TriggerKind.Cash or TriggerKind.Restriction or TriggerKind.ModelChange or TriggerKind.Policy;
}

/// <summary>A token bucket: <c>rate</c> tokens a second, at most <c>burst</c> saved up. Thread-safe.</summary>
public sealed class TokenBucket(double rate, int burst, DateTimeOffset start)
{
    private readonly Lock _gate = new();
    private double _tokens = burst;
    private DateTimeOffset _last = start;

    public bool TryTake(DateTimeOffset now)
    {
        lock (_gate)
        {
            if (now > _last)
            {
                _tokens = Math.Min(burst, _tokens + (now - _last).TotalSeconds * rate);
                _last = now;
            }
            if (_tokens < 1) return false;
            _tokens -= 1;
            return true;
        }
    }
}
