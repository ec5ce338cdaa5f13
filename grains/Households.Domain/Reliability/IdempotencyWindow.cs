using Households.Contracts;

namespace Households.Domain.Reliability;

/// <summary>
/// How long the books keep a fill's full result under its idempotency key: the trades dated within
/// <see cref="Days"/> calendar days of the latest trade date the books recorded. The window runs on trade dates, not the
/// clock: a household records fills in trade-date order (a fill dated before its ledger's last event is refused), so a
/// retry of a key whose record was dropped is dated before the ledger's date and can never be applied a second time,
/// however late it comes, and the same journal always prunes to the same records.
/// </summary>
public sealed record IdempotencyWindow(int Days)
{
    /// <summary>31 days: a month's custodian file sent again, and every fill the wash-sale window (30 days) can still match,
    /// is answered from its stored result.</summary>
    public const int DefaultDays = 31;

    /// <summary>The default window.</summary>
    public static IdempotencyWindow Default { get; } = new(DefaultDays);

    /// <summary>The window must keep at least the latest trade date's own fills.</summary>
    public int Days { get; } = Days >= 1 ? Days : throw new ArgumentOutOfRangeException(nameof(Days), Days, "the idempotency window is at least one day");

    /// <summary>The first trade date kept once the books recorded a fill dated <paramref name="latest"/>; it never moves back
    /// (<paramref name="keptSince"/>, the one stored before).</summary>
    public DateOnly KeptSince(DateOnly latest, DateOnly? keptSince = null)
    {
        var since = latest.AddDays(-Days);
        return keptSince is { } before && before > since ? before : since;
    }

    /// <summary>Whether a trade dated <paramref name="tradeDate"/> falls before the records kept: its key, if it was ever
    /// used, is no longer among them.</summary>
    public static bool Expired(DateOnly tradeDate, DateOnly? keptSince) => keptSince is { } since && tradeDate < since;

    /// <summary>Drops from <paramref name="records"/> the fills dated before <paramref name="keptSince"/>; returns what it
    /// dropped, so a failed write can put them back.</summary>
    public static List<KeyValuePair<string, TradeResult>> Prune(Dictionary<string, TradeResult> records, DateOnly keptSince) =>
        Prune(records, r => r.Request.TradeDate, keptSince);

    /// <summary>Adds <paramref name="fresh"/> to <paramref name="records"/> and drops the records the window no longer keeps
    /// once the books hold one dated like the latest of them (see <see cref="Prune{T}"/>). Returns the first date kept (never
    /// earlier than <paramref name="keptSince"/>) and how to undo both for a write that failed. A fresh record dated before
    /// the window (a late one, applied because the journal did not have its key) is kept until the next write drops it.</summary>
    public (DateOnly? KeptSince, Action Undo) Keep<T>(Dictionary<string, T> records, IReadOnlyCollection<KeyValuePair<string, T>> fresh,
        Func<T, DateOnly?> dateOf, DateOnly? keptSince, Func<string, bool>? pinned = null)
    {
        var latest = fresh.Select(f => dateOf(f.Value)).Max();
        var since = latest is { } date ? KeptSince(date, keptSince) : keptSince;
        var dropped = since is { } from ? Prune(records, dateOf, from, pinned) : [];
        foreach (var (key, value) in fresh) records[key] = value;
        return (since, () =>
        {
            foreach (var (key, _) in fresh) records.Remove(key);
            foreach (var (key, value) in dropped) records[key] = value;
        });
    }

    /// <summary>Drops from <paramref name="records"/> those dated before <paramref name="keptSince"/>, except the keys
    /// <paramref name="pinned"/> holds (a withdrawal still to be paid) and records without a date (stored before they had
    /// one: kept, never guessed); returns what it dropped, so a failed write can put them back.</summary>
    public static List<KeyValuePair<string, T>> Prune<T>(Dictionary<string, T> records, Func<T, DateOnly?> dateOf, DateOnly keptSince,
        Func<string, bool>? pinned = null)
    {
        var dropped = records.Where(r => dateOf(r.Value) is { } date && date < keptSince && pinned?.Invoke(r.Key) != true)
            .OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
        foreach (var (key, _) in dropped) records.Remove(key);
        return dropped;
    }
}
