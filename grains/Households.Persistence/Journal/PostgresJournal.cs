using System.Text.Json.Nodes;
using Households.Contracts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;

namespace Households.Persistence.Journal;

/// <summary>The journal in <c>households_journal</c> (PostgreSQL profile). Every value is a parameter. Appends are
/// group-committed (<see cref="GroupCommit{TItem,TResult}"/>): a shock's thousands of fills reach the table in a few
/// multi-row inserts a second, each append returning once the insert holding its entries committed.</summary>
public sealed class PostgresJournal : IJournal, IDisposable
{
    // A batch stops at about 2,000 rows, so a flood of trigger entries (a settling batch's) commits in steps well inside
    // the command timeout: unbounded, the 100,000-account settling flood made inserts that ran past its 30 s.
    private const int Workers = 2, MaxAppends = 512, MaxRows = 2_000;

    /// <summary>The journal's table.</summary>
    public const string Table = "households_journal";

    private readonly NpgsqlDataSource dataSource;
    private readonly ILogger logger;
    private readonly GroupCommit<IReadOnlyList<JournalEntry>, bool> _appends;
    private long _reused;

    public PostgresJournal(NpgsqlDataSource dataSource, ILogger<PostgresJournal>? logger = null)
    {
        this.dataSource = dataSource;
        this.logger = logger ?? (ILogger)NullLogger.Instance;
        _appends = new(Workers, MaxAppends, Insert, weight: entries => entries.Count, maxWeight: MaxRows);
    }

    public long EntriesDroppedForReusedKeys => Interlocked.Read(ref _reused);

    public async Task Append(IReadOnlyList<JournalEntry> entries, CancellationToken ct = default)
    {
        if (entries.Count == 0) return;
        await _appends.Run(entries).WaitAsync(ct);
    }

    /// <summary>How an entry's payload is stored (jsonb), so operators can query it: {"summary": "...", "record": {...}}. The bulk
    /// load COPYs its entries in the same form.</summary>
    public static string Stored(JournalEntry e) => new JsonObject { ["summary"] = e.Summary, ["record"] = JsonNode.Parse(e.Payload) }.ToJsonString();

    // Keyed entries already in the journal are skipped (the unique indexes on the idempotency key): an outbox appended
    // again after a crash doubles nothing.
    private async Task<IReadOnlyList<bool>> Insert(IReadOnlyList<IReadOnlyList<JournalEntry>> appends, CancellationToken ct)
    {
        var entries = appends.SelectMany(a => a).ToList();
        await using var command = dataSource.CreateCommand("""
            INSERT INTO households_journal (household_id, account_id, kind, occurred_at, idempotency_key, payload)
            SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::jsonb[])
            ON CONFLICT DO NOTHING
            """);
        AddColumns(command, entries, withTime: true);
        var inserted = await command.ExecuteNonQueryAsync(ct);
        if (inserted < entries.Count)
        {
            // The entries are durable now: a check that fails (the database gone since) must not fail their appends.
            try { await CheckSkipped(entries, ct); }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                logger.LogWarning("The journal's {Count} skipped entries were not compared with what their keys name: {Reason}", entries.Count - inserted, ex.Message);
            }
        }
        return new bool[appends.Count];
    }

    /// <summary>The entries as the unnest's array parameters, in the table's column order: household, account, kind,
    /// (occurred_at,) idempotency key, payload (stored as structured JSON so operators can query it: {"summary", "record"}).</summary>
    private static void AddColumns(NpgsqlCommand command, List<JournalEntry> entries, bool withTime)
    {
        command.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => e.HouseholdId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => e.AccountId).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => e.Kind.ToString()).ToArray() });
        if (withTime)
            command.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => e.OccurredAt.ToUniversalTime()).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => e.IdempotencyKey).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = entries.Select(Stored).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
    }

    /// <summary>After an insert that skipped entries: each skipped entry whose key is an event's (not a daily note's,
    /// <see cref="JournalKeys"/>) must be the entry its key names, else it is logged and counted. Entries the insert just
    /// stored compare equal to themselves, and a batch's second entry under one key is compared with its first, so the
    /// query need not know which were skipped. Rare: an outbox replayed, or a refusal noted again the same day.</summary>
    private async Task CheckSkipped(List<JournalEntry> entries, CancellationToken ct)
    {
        var events = entries.Where(e => e.IdempotencyKey is { } k && !JournalKeys.NamesDailyNote(k)).ToList();
        if (events.Count == 0) return;
        await using var command = dataSource.CreateCommand("""
            SELECT t.n, j.id
            FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[])
                 WITH ORDINALITY AS t(household_id, account_id, kind, idempotency_key, payload, n)
            CROSS JOIN LATERAL (
                SELECT id, kind, payload FROM households_journal j
                WHERE t.account_id IS NOT NULL AND j.account_id = t.account_id AND j.idempotency_key = t.idempotency_key
                UNION ALL
                SELECT id, kind, payload FROM households_journal j
                WHERE t.account_id IS NULL AND j.account_id IS NULL AND j.household_id = t.household_id
                  AND j.idempotency_key = t.idempotency_key) j
            WHERE j.kind <> t.kind OR j.payload <> t.payload
            """);
        AddColumns(command, events, withTime: false);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            Interlocked.Increment(ref _reused);
            ReusedJournalKeys.Report(logger, events[(int)reader.GetInt64(0) - 1], reader.GetInt64(1));
        }
    }

    public void Dispose() => _appends.Dispose();

    public async Task<IReadOnlyList<JournalEntry>> Query(JournalQuery q, CancellationToken ct = default)
    {
        JournalPayload.Validate(q);
        // Paged in the listing's own order, (occurred_at, id) newest first: the page goes on after the entry named by
        // @before (an id that names no entry: strictly lower ids), so an entry appended late with an earlier time is
        // neither skipped nor listed twice.
        await using var command = dataSource.CreateCommand("""
            WITH cursor AS (SELECT occurred_at, id FROM households_journal WHERE id = @before)
            SELECT id, household_id, account_id, kind, occurred_at, idempotency_key, payload->>'summary', payload->'record'
            FROM households_journal
            WHERE (@household::text IS NULL OR household_id = @household)
              AND (@account::text IS NULL OR account_id = @account)
              AND (@from::timestamptz IS NULL OR occurred_at >= @from)
              AND (@to::timestamptz IS NULL OR occurred_at < @to)
              AND (@kind::text IS NULL OR kind = @kind)
              AND (@before::bigint IS NULL
                   OR (occurred_at, id) < (SELECT occurred_at, id FROM cursor)
                   OR (NOT EXISTS (SELECT 1 FROM cursor) AND id < @before))
            ORDER BY occurred_at DESC, id DESC
            LIMIT @limit
            """);
        command.Parameters.Add(new NpgsqlParameter("household", NpgsqlDbType.Text) { Value = (object?)q.HouseholdId ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("account", NpgsqlDbType.Text) { Value = (object?)q.AccountId ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("from", NpgsqlDbType.TimestampTz) { Value = (object?)q.From?.ToUniversalTime() ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("to", NpgsqlDbType.TimestampTz) { Value = (object?)q.To?.ToUniversalTime() ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("kind", NpgsqlDbType.Text) { Value = (object?)q.Kind?.ToString() ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("before", NpgsqlDbType.Bigint) { Value = (object?)q.BeforeId ?? DBNull.Value });
        command.Parameters.AddWithValue("limit", q.Limit);
        return await Read(command, ct);
    }

    public async Task<IReadOnlyList<JournalEntry>> History(string householdId, CancellationToken ct = default)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT id, household_id, account_id, kind, occurred_at, idempotency_key, payload->>'summary', payload->'record'
            FROM households_journal WHERE household_id = @household ORDER BY id
            """);
        command.Parameters.Add(new NpgsqlParameter("household", NpgsqlDbType.Text) { Value = householdId });
        return await Read(command, ct);
    }

    public async Task<JournalEntry?> Find(string accountId, string idempotencyKey, CancellationToken ct = default)
    {
        // One row at most: ux_households_journal_account_idem.
        await using var command = dataSource.CreateCommand("""
            SELECT id, household_id, account_id, kind, occurred_at, idempotency_key, payload->>'summary', payload->'record'
            FROM households_journal WHERE account_id = @account AND idempotency_key = @key
            """);
        command.Parameters.Add(new NpgsqlParameter("account", NpgsqlDbType.Text) { Value = accountId });
        command.Parameters.Add(new NpgsqlParameter("key", NpgsqlDbType.Text) { Value = idempotencyKey });
        return (await Read(command, ct)).FirstOrDefault();
    }

    private static async Task<IReadOnlyList<JournalEntry>> Read(NpgsqlCommand command, CancellationToken ct)
    {
        var found = new List<JournalEntry>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            found.Add(new JournalEntry(reader.GetInt64(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                Enum.Parse<JournalKind>(reader.GetString(3)), reader.GetFieldValue<DateTimeOffset>(4),
                reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? "" : reader.GetString(6),
                reader.IsDBNull(7) ? "" : reader.GetString(7)));
        }
        return found;
    }
}
