namespace Households.Domain.Decisions;

/// <summary>When a household tries again a decision that failed for a reason outside the request (a call to an account on a
/// silo that just died, the database away): its triggers were given back, and they are decided after a pause that doubles
/// with each failure in a row, from 1 s to at most 30 s, six tries in all (about a minute: a silo's death is declared and
/// its accounts are found on the survivors within seconds). After that the triggers are dropped, as bad input's are; the
/// monitor reports a condition that still holds again once its hold lapses.</summary>
public sealed class DecisionRetry
{
    private int _failures; // in a row

    /// <summary>A decision failed: the pause before trying again, or null when its triggers are dropped (and the count
    /// starts over).</summary>
    public TimeSpan? Failed()
    {
        var pause = After(++_failures);
        if (pause is null) _failures = 0;
        return pause;
    }

    /// <summary>A decision was made (or refused as bad input, which no retry mends): the count starts over.</summary>
    public void Succeeded() => _failures = 0;

    /// <summary>The failures in a row after which the triggers are dropped.</summary>
    public const int MaxFailures = 6;

    /// <summary>The pause before trying again after <paramref name="failures"/> failures in a row (1 or more); null when the
    /// triggers are dropped instead.</summary>
    public static TimeSpan? After(int failures) => failures switch
    {
        < 1 => throw new ArgumentOutOfRangeException(nameof(failures), failures, "a retry follows a failure"),
        >= MaxFailures => null,
        _ => TimeSpan.FromSeconds(Math.Min(30, 1 << (failures - 1))),
    };
}
