using System.Runtime.CompilerServices;
using Npgsql;
using NpgsqlTypes;
using Orleans.Serialization;
using Households.Persistence;
using Orleans.Storage;

namespace Households.Grains.Silo;

/// <summary>The "households" grain storage under the PostgreSQL profile: one row per grain state in
/// <c>households_grain_state</c> (state name, grain key, version, Orleans-serialized payload). The project's own table
/// rather than the AdoNet provider's, so a firm's books can be loaded with COPY (<see cref="BooksLoader"/>) and read back
/// in one COPY at a silo's start (<see cref="BooksWarmStart"/>). Writes are optimistic: a write names the version it
/// read, and a write that finds another version fails with <see cref="InconsistentStateException"/> (the grains re-read
/// and retry), so two activations of one grain after a silo failure never overwrite each other's books.
/// <para>A state that can be written as one change (<see cref="IAppendableState"/>: a fill, a household's proposals) is appended to
/// <c>households_state_changes</c> instead, under the next version of its row (the row itself keeps its payload, counts the
/// version, so appends and whole writes conflict alike, and takes a household's new live header); every read folds the row's changes in, and a whole
/// write (when a snapshot is due, <see cref="NextWrite.SnapshotDue"/>, or any write that is not one change) stores a new snapshot and drops
/// them in the same statement. A grain that deactivates compacts: it stores the folded state as the snapshot under the same
/// version, so a second activation that read that version (a duplicate during a silo's death) is not fenced out by it.</para></summary>
public sealed class PostgresGrainStorage : IGrainStorage, IDisposable
{
    public const string Table = "households_grain_state";

    /// <summary>The changes appended to a state's rows since its snapshot.</summary>
    public const string Changes = "households_state_changes";

    // A market shock wakes thousands of households and accounts at once, each reading its state and then writing it per
    // fill. One query or one transaction per grain made them queue for connections and for a WAL flush each, until
    // Orleans' activation timeout cancelled them (issue #18: 63,000 activations lost at 100,000 accounts). Reads and
    // writes are group-committed instead: a handful of connections each carry up to a few hundred grains' rows per round
    // trip, and the grains wait in the queue without a deadline.
    private const int Workers = 3, MaxReads = 512, MaxWrites = 256;

    private readonly NpgsqlDataSource _database;
    private readonly Serializer _serializer;
    private readonly LiveStateBoard? _live;
    private readonly GroupCommit<StateKey, StoredState?> _reads;
    private readonly GroupCommit<StateWrite, long?> _writes;

    /// <param name="live">The silo's live board: a household's header goes up on it once the write holding it commits.</param>
    /// <param name="books">Whether fills are appended (<see cref="BooksOptions.AppendFills"/>, on unless set off).</param>
    public PostgresGrainStorage(NpgsqlDataSource database, Serializer serializer, LiveStateBoard? live = null,
        Microsoft.Extensions.Options.IOptions<BooksOptions>? books = null)
    {
        _database = database;
        _serializer = serializer;
        _live = live;
        _appendFills = books?.Value.AppendFills ?? true;
        _reads = new(Workers, MaxReads, ReadBatch);
        // Two writes of one row never share a statement: the second waits for the next batch (and then meets the version
        // the first wrote).
        _writes = new(Workers, MaxWrites, WriteBatch, w => w.Key);
    }

    private readonly bool _appendFills;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, WriteCounts> _written = new(StringComparer.Ordinal),
        _appendedByChange = new(StringComparer.Ordinal);

    /// <summary>Writes committed and the transactions that carried them (the load test reports rows per commit).</summary>
    public (long Batches, long Items) WritesCommitted => _writes.Committed;

    /// <summary>The writes committed so far by state name: whole and appended, and the bytes of payload each kind wrote.</summary>
    public IReadOnlyDictionary<string, StateWriteFigures> WritesByState => Figures(_written);

    /// <summary>The appended writes committed so far by the change's type name (<c>AccountFilled</c>, …).</summary>
    public IReadOnlyDictionary<string, StateWriteFigures> AppendsByChange => Figures(_appendedByChange);

    private static Dictionary<string, StateWriteFigures> Figures(System.Collections.Concurrent.ConcurrentDictionary<string, WriteCounts> counts) =>
        counts.ToDictionary(kv => kv.Key, kv => kv.Value.Figures(), StringComparer.Ordinal);

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (await _reads.Run(new StateKey(stateName, KeyOf(grainId))) is { } stored)
        {
            grainState.ETag = stored.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
            grainState.State = Restore<T>(stored.Payload, stored.Changes);
            grainState.RecordExists = true;
        }
        else
        {
            grainState.ETag = null;
            grainState.State = Activator.CreateInstance<T>();
            grainState.RecordExists = false;
        }
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        // Serialized in the grain's turn: the state may change again as soon as the grain awaits.
        var header = grainState.State is Household.HouseholdState household ? HouseholdLiveHeader.Of(household) : null;
        var expected = Version(grainState.ETag);
        var appendable = grainState.State as IAppendableState;
        var change = appendable?.Next().TakeChange();
        var compact = appendable?.Next().TakeCompaction() == true && expected is not null;
        var append = _appendFills && change is not null && expected is not null && !appendable!.Next().SnapshotDue;
        var write = new StateWrite(new StateKey(stateName, KeyOf(grainId)), expected, append ? _serializer.SerializeToArray<object>(change!) : _serializer.SerializeToArray(grainState.State),
            header is null ? null : _serializer.SerializeToArray(header), append ? StateWriteKind.Append : compact ? StateWriteKind.Compaction : StateWriteKind.Whole);
        if (await _writes.Run(write) is not { } version)
            throw new InconsistentStateException($"{stateName} of {grainId} was written by another activation (this one read version {grainState.ETag ?? "none"}"
                + $"{(append ? ", appending" : compact ? ", compacting" : "")})", "unknown", grainState.ETag ?? "none");
        grainState.ETag = version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
        appendable?.Next().Written(append, write.Payload.Length);
        _written.GetOrAdd(stateName, _ => new WriteCounts()).Add(append, write.Payload.Length);
        if (append) _appendedByChange.GetOrAdd(change!.GetType().Name, _ => new WriteCounts()).Add(true, write.Payload.Length);
        if (header is not null) _live?.Publish(header);
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => Clear(stateName, grainId, grainState);

    private async Task<IReadOnlyList<StoredState?>> ReadBatch(IReadOnlyList<StateKey> keys, CancellationToken ct)
    {
        await using var command = _database.CreateCommand($"""
            SELECT u.ord, t.etag, t.payload,
                   (SELECT array_agg(c.payload ORDER BY c.version) FROM {Changes} c WHERE c.state_name = t.state_name AND c.grain_key = t.grain_key)
            FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(state_name, grain_key, ord)
            JOIN {Table} t ON t.state_name = u.state_name AND t.grain_key = u.grain_key
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = keys.Select(k => k.StateName).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = keys.Select(k => k.GrainKey).ToArray() });
        var found = new StoredState?[keys.Count];
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            found[reader.GetInt64(0) - 1] = new StoredState(reader.GetInt64(1), reader.GetFieldValue<byte[]>(2),
                reader.IsDBNull(3) ? null : reader.GetFieldValue<byte[][]>(3));
        return found;
    }

    // One transaction: the updates name the version each grain read; a first write inserts, and finds a row only if
    // another activation wrote first; an append counts the row's version (naming the one it read, like an update) and
    // stores its change under the new one. A row not returned is a version conflict for its grain alone. A whole write
    // drops the row's changes: the state it writes has them folded in.
    private async Task<IReadOnlyList<long?>> WriteBatch(IReadOnlyList<StateWrite> writes, CancellationToken ct)
    {
        await using var connection = await _database.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using var batch = new NpgsqlBatch(connection, transaction);
        var updates = writes.Where(w => w.Expected is not null && w.Kind != StateWriteKind.Append).ToList();
        var appends = writes.Where(w => w.Kind == StateWriteKind.Append).ToList();
        var inserts = writes.Where(w => w.Expected is null).ToList();
        if (updates.Count > 0)
            batch.BatchCommands.Add(Rows($"""
                WITH written AS (
                    UPDATE {Table} t SET etag = t.etag + u.counted, payload = u.payload, live_header = u.live_header, modified_on = now()
                    FROM unnest($1::text[], $2::text[], $3::bytea[], $4::bytea[], $5::bigint[], $6::int[])
                        AS u(state_name, grain_key, payload, live_header, expected, counted)
                    WHERE t.state_name = u.state_name AND t.grain_key = u.grain_key AND t.etag = u.expected
                    RETURNING t.state_name, t.grain_key, t.etag),
                dropped AS (
                    DELETE FROM {Changes} c USING written w WHERE c.state_name = w.state_name AND c.grain_key = w.grain_key)
                SELECT state_name, grain_key, etag FROM written
                """, updates, withVersions: true, counted: true));
        if (appends.Count > 0)
            batch.BatchCommands.Add(Rows($"""
                WITH counted AS (
                    UPDATE {Table} t SET etag = t.etag + 1, live_header = coalesce(u.live_header, t.live_header), modified_on = now()
                    FROM unnest($1::text[], $2::text[], $3::bytea[], $4::bytea[], $5::bigint[]) AS u(state_name, grain_key, change, live_header, expected)
                    WHERE t.state_name = u.state_name AND t.grain_key = u.grain_key AND t.etag = u.expected
                    RETURNING t.state_name, t.grain_key, t.etag, u.change)
                INSERT INTO {Changes} (state_name, grain_key, version, payload)
                SELECT state_name, grain_key, etag, change FROM counted
                RETURNING state_name, grain_key, version
                """, appends, withVersions: true));
        if (inserts.Count > 0)
            batch.BatchCommands.Add(Rows($"""
                INSERT INTO {Table} (state_name, grain_key, etag, payload, live_header)
                SELECT state_name, grain_key, 1, payload, live_header
                FROM unnest($1::text[], $2::text[], $3::bytea[], $4::bytea[]) AS u(state_name, grain_key, payload, live_header)
                ON CONFLICT DO NOTHING
                RETURNING state_name, grain_key, etag
                """, inserts, withVersions: false));
        var written = new Dictionary<StateKey, long>(writes.Count);
        await using (var reader = await batch.ExecuteReaderAsync(ct))
            do
                while (await reader.ReadAsync(ct)) written[new StateKey(reader.GetString(0), reader.GetString(1))] = reader.GetInt64(2);
            while (await reader.NextResultAsync(ct));
        await transaction.CommitAsync(ct);
        return writes.Select(w => written.TryGetValue(w.Key, out var version) ? version : (long?)null).ToList();
    }

    private static NpgsqlBatchCommand Rows(string sql, List<StateWrite> writes, bool withVersions, bool counted = false)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = writes.Select(w => w.Key.StateName).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = writes.Select(w => w.Key.GrainKey).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = writes.Select(w => w.Payload).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
        command.Parameters.Add(new NpgsqlParameter { Value = writes.Select(w => (object?)w.Header ?? DBNull.Value).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
        if (withVersions) command.Parameters.Add(new NpgsqlParameter { Value = writes.Select(w => w.Expected!.Value).ToArray() });
        // A compaction stores the state the version already names: the version stays.
        if (counted) command.Parameters.Add(new NpgsqlParameter { Value = writes.Select(w => w.Kind == StateWriteKind.Compaction ? 0 : 1).ToArray() });
        return command;
    }

    // Rare (a grain deleting its state): a command of its own, not a queue.
    private async Task Clear<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (Version(grainState.ETag) is { } expected)
        {
            await using var command = _database.CreateCommand($"""
                WITH cleared AS (DELETE FROM {Table} WHERE state_name = $1 AND grain_key = $2 AND etag = $3 RETURNING state_name, grain_key),
                dropped AS (DELETE FROM {Changes} c USING cleared d WHERE c.state_name = d.state_name AND c.grain_key = d.grain_key)
                SELECT count(*) FROM cleared
                """);
            command.Parameters.Add(new NpgsqlParameter { Value = stateName });
            command.Parameters.Add(new NpgsqlParameter { Value = KeyOf(grainId) });
            command.Parameters.Add(new NpgsqlParameter { Value = expected });
            if (await command.ExecuteScalarAsync() is not > 0L)
                throw new InconsistentStateException($"{stateName} of {grainId} was written by another activation", "unknown", grainState.ETag!);
        }
        grainState.ETag = null;
        grainState.RecordExists = false;
        grainState.State = Activator.CreateInstance<T>();
    }

    public void Dispose()
    {
        _reads.Dispose();
        _writes.Dispose();
    }

    /// <summary>Every stored state of <paramref name="stateName"/>, streamed in one COPY (a silo's cold start reads a
    /// million accounts this way, not one query per grain), with the changes appended to it since its snapshot, both read
    /// in one transaction's snapshot of the database. <see cref="Restore{T}"/> makes the state of the two.</summary>
    public async IAsyncEnumerable<(string Key, byte[] Payload, byte[][]? Changes)> ReadAll(string stateName, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var connection = await _database.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        var changes = new Dictionary<string, byte[][]>(StringComparer.Ordinal);
        await using (var command = new NpgsqlCommand($"""
            SELECT grain_key, array_agg(payload ORDER BY version) FROM {Changes} WHERE state_name = $1 GROUP BY grain_key
            """, connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = stateName });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) changes[reader.GetString(0)] = reader.GetFieldValue<byte[][]>(1);
        }
        await foreach (var (key, payload) in Export(connection, stateName, "payload", ct))
            yield return (key, payload, changes.GetValueOrDefault(key));
        await transaction.CommitAsync(ct);
    }

    /// <summary>A stored state with its appended changes folded in, in the order stored.</summary>
    public T Restore<T>(byte[] payload, IReadOnlyList<byte[]>? changes)
    {
        var state = _serializer.Deserialize<T>(payload) ?? throw new InvalidOperationException($"a stored {typeof(T).Name} reads as null");
        (state as IAppendableState)?.Next().Written(false, payload.Length);
        if (changes is not { Count: > 0 }) return state;
        var appendable = state as IAppendableState
            ?? throw new InvalidOperationException($"{typeof(T).Name} has {changes.Count} stored changes but takes none");
        foreach (var change in changes)
        {
            appendable.Fold(_serializer.Deserialize<object>(change) ?? throw new InvalidOperationException($"a stored change of a {typeof(T).Name} reads as null"));
            appendable.Next().Written(true, change.Length);
        }
        return state;
    }

    /// <summary>Every stored household's <see cref="HouseholdLiveHeader"/>, streamed in one COPY: a few dozen bytes each
    /// where the household's state is kilobytes.</summary>
    public async IAsyncEnumerable<HouseholdLiveHeader> ReadHeaders([EnumeratorCancellation] CancellationToken ct = default)
    {
        await foreach (var (_, header) in Export("household", "live_header", ct))
            if (_serializer.Deserialize<HouseholdLiveHeader>(header) is { } read) yield return read;
    }

    private async IAsyncEnumerable<(string Key, byte[] Payload)> Export(string stateName, string column, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var connection = await _database.OpenConnectionAsync(ct);
        await foreach (var row in Export(connection, stateName, column, ct)) yield return row;
    }

    private static async IAsyncEnumerable<(string Key, byte[] Payload)> Export(NpgsqlConnection connection, string stateName, string column,
        [EnumeratorCancellation] CancellationToken ct)
    {
        // The state name is one of the grains' own constants; quoted as a literal all the same.
        var literal = "'" + stateName.Replace("'", "''", StringComparison.Ordinal) + "'";
        await using var reader = await connection.BeginBinaryExportAsync(
            $"COPY (SELECT grain_key, {column} FROM {Table} WHERE state_name = {literal} AND {column} IS NOT NULL) TO STDOUT (FORMAT BINARY)", ct);
        while (await reader.StartRowAsync(ct) >= 0)
        {
            var key = await reader.ReadAsync<string>(NpgsqlDbType.Text, ct);
            var payload = await reader.ReadAsync<byte[]>(NpgsqlDbType.Bytea, ct);
            yield return (key, payload);
        }
    }

    /// <summary>The row key of a grain: its key as Orleans prints it (the grain type is in the state name).</summary>
    public static string KeyOf(GrainId grainId) => grainId.Key.ToString()!;

    private static long? Version(string? etag) =>
        etag is null ? null : long.TryParse(etag, System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : null;

    private readonly record struct StateKey(string StateName, string GrainKey);

    private sealed class WriteCounts
    {
        private long _whole, _wholeBytes, _appended, _appendedBytes;

        public void Add(bool appended, int bytes)
        {
            if (appended) { Interlocked.Increment(ref _appended); Interlocked.Add(ref _appendedBytes, bytes); }
            else { Interlocked.Increment(ref _whole); Interlocked.Add(ref _wholeBytes, bytes); }
        }

        public StateWriteFigures Figures() => new(Interlocked.Read(ref _whole), Interlocked.Read(ref _wholeBytes), Interlocked.Read(ref _appended),
            Interlocked.Read(ref _appendedBytes));
    }

    /// <summary>A write of a state: whole, one change as its payload, or whole under the version it has (<paramref name="Kind"/>).</summary>
    private sealed record StateWrite(StateKey Key, long? Expected, byte[] Payload, byte[]? Header, StateWriteKind Kind = StateWriteKind.Whole);

    /// <summary>How a write stores its state: whole (a snapshot, counting the version), one change appended under the next
    /// version, or whole under the version it already has (a compaction: the changes folded in, nothing new).</summary>
    private enum StateWriteKind { Whole, Append, Compaction }

    private sealed record StoredState(long Version, byte[] Payload, byte[][]? Changes);
}

/// <summary>Writes of one state name: whole (a snapshot) and appended (one change), with the bytes of payload each wrote.</summary>
public sealed record StateWriteFigures(long Whole, long WholeBytes, long Appended, long AppendedBytes)
{
    public StateWriteFigures Since(StateWriteFigures? before) => before is null ? this
        : new(Whole - before.Whole, WholeBytes - before.WholeBytes, Appended - before.Appended, AppendedBytes - before.AppendedBytes);
}
