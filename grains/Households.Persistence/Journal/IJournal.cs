using System.Diagnostics.Metrics;
using Households.Contracts;
using Microsoft.Extensions.Logging;

namespace Households.Persistence.Journal;

/// <summary>The append-only audit journal. Appends are durable when the task completes (callers append before
/// they acknowledge); an entry whose idempotency key was already used for that account (or, without an account,
/// that household) is dropped, so a retried append lands once. Where the dropped entry is not the one its key names
/// (<see cref="JournalKeys"/>), the drop is logged as an error and counted (<see cref="EntriesDroppedForReusedKeys"/>).</summary>
public interface IJournal
{
    /// <summary>Entries this journal object dropped because their key names a different entry already journaled (not a
    /// daily note's key): zero unless keys are reused. Each is also logged as an error and counted by the meter
    /// <c>Households</c> (<c>households.journal.reused_keys</c>).</summary>
    long EntriesDroppedForReusedKeys { get; }

    Task Append(IReadOnlyList<JournalEntry> entries, CancellationToken ct = default);

    Task<IReadOnlyList<JournalEntry>> Query(JournalQuery query, CancellationToken ct = default);

    /// <summary>Every entry of one household, oldest first (ascending id): the input of a journal replay.</summary>
    Task<IReadOnlyList<JournalEntry>> History(string householdId, CancellationToken ct = default);

    /// <summary>The entry of <paramref name="accountId"/> with idempotency key <paramref name="idempotencyKey"/> (at most one:
    /// keys are unique per account), or null: how a retry is answered once the books no longer keep its key.</summary>
    Task<JournalEntry?> Find(string accountId, string idempotencyKey, CancellationToken ct = default);
}

/// <summary>How a journal reports an entry dropped under a key that names a different entry (<see cref="JournalKeys"/>).</summary>
public static class ReusedJournalKeys
{
    private static readonly Meter Meter = new("Households", "1.0");
    private static readonly Counter<long> Dropped = Meter.CreateCounter<long>(
        "households.journal.reused_keys", "{entry}", "Journal entries dropped because their key names a different entry");

    /// <summary>Says that <paramref name="dropped"/> was dropped for a key that names <paramref name="stored"/> (its id),
    /// a different entry: the error a reused key makes, which idempotency alone would keep silent.</summary>
    public static void Report(ILogger logger, JournalEntry dropped, long stored)
    {
        Dropped.Add(1);
        logger.LogError("Journal entry dropped: its key {Key} ({Household}, {Account}) names entry {Stored}, a different one; dropped {Kind} \"{Summary}\"",
            dropped.IdempotencyKey, dropped.HouseholdId, dropped.AccountId ?? "household", stored, dropped.Kind, dropped.Summary);
    }
}

public static class JournalPayload
{
    public const int MaxLimit = 1000;

    public static void Validate(JournalQuery query)
    {
        if (query.Limit is < 1 or > MaxLimit) throw new ArgumentOutOfRangeException(nameof(query), $"limit must be between 1 and {MaxLimit}");
        if (query.From is { } from && query.To is { } to && to < from) throw new ArgumentOutOfRangeException(nameof(query), "to must not be before from");
    }
}

/// <summary>The embedded profile's journal: in this process's memory (one silo, nothing installed).</summary>
public sealed class InMemoryJournal(ILogger<InMemoryJournal>? logger = null) : IJournal
{
    private readonly ILogger logger = logger ?? (ILogger)Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    private readonly Lock _gate = new();
    private readonly List<JournalEntry> _entries = [];
    private readonly Dictionary<(string Scope, string Key), int> _keys = [];
    private long _reused;

    public long EntriesDroppedForReusedKeys => Interlocked.Read(ref _reused);

    public Task Append(IReadOnlyList<JournalEntry> entries, CancellationToken ct = default)
    {
        lock (_gate)
        {
            foreach (var e in entries)
            {
                if (e.IdempotencyKey is { } key)
                {
                    var scoped = (e.AccountId ?? "household:" + e.HouseholdId, key);
                    if (_keys.TryGetValue(scoped, out var at))
                    {
                        if (!JournalKeys.NamesDailyNote(key) && !JournalKeys.SameEntry(_entries[at], e))
                        {
                            Interlocked.Increment(ref _reused);
                            ReusedJournalKeys.Report(logger, e, _entries[at].Id);
                        }
                        continue;
                    }
                    _keys.Add(scoped, _entries.Count);
                }
                _entries.Add(e with { Id = _entries.Count + 1 });
            }
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<JournalEntry>> Query(JournalQuery q, CancellationToken ct = default)
    {
        JournalPayload.Validate(q);
        lock (_gate)
        {
            // Paged in the listing's order, like PostgresJournal: after the entry named by BeforeId (else lower ids).
            var cursor = q.BeforeId is { } b ? _entries.Find(e => e.Id == b) : null;
            bool After(JournalEntry e) => q.BeforeId is null
                || (cursor is null ? e.Id < q.BeforeId : e.OccurredAt < cursor.OccurredAt || (e.OccurredAt == cursor.OccurredAt && e.Id < cursor.Id));
            IReadOnlyList<JournalEntry> found = _entries.AsEnumerable().Reverse()
                .Where(e => (q.HouseholdId is null || e.HouseholdId == q.HouseholdId) && (q.AccountId is null || e.AccountId == q.AccountId)
                    && (q.From is null || e.OccurredAt >= q.From) && (q.To is null || e.OccurredAt < q.To)
                    && (q.Kind is null || e.Kind == q.Kind) && After(e))
                .OrderByDescending(e => e.OccurredAt).ThenByDescending(e => e.Id)
                .Take(q.Limit).ToList();
            return Task.FromResult(found);
        }
    }

    public Task<IReadOnlyList<JournalEntry>> History(string householdId, CancellationToken ct = default)
    {
        lock (_gate)
        {
            IReadOnlyList<JournalEntry> found = _entries.Where(e => e.HouseholdId == householdId).ToList();
            return Task.FromResult(found);
        }
    }

    public Task<JournalEntry?> Find(string accountId, string idempotencyKey, CancellationToken ct = default)
    {
        lock (_gate)
            return Task.FromResult(_entries.Find(e => e.AccountId == accountId && e.IdempotencyKey == idempotencyKey));
    }
}
