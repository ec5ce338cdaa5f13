using System.Runtime.CompilerServices;
using Npgsql;
using NpgsqlTypes;
using Orleans.Serialization;
using Orleans.Storage;

namespace Households.Grains.Silo;

/// <summary>The "households" grain storage under the PostgreSQL profile: one row per grain state in
/// <c>households_grain_state</c> (state name, grain key, version, Orleans-serialized payload). The project's own table
/// rather than the AdoNet provider's, so a firm's books can be loaded with COPY (<see cref="BooksLoader"/>) and read back
/// in one COPY at a silo's start (<see cref="BooksWarmStart"/>). Writes are optimistic: a write names the version it
/// read, and a write that finds another version fails with <see cref="InconsistentStateException"/> (the grains re-read
/// and retry), so two activations of one grain after a silo failure never overwrite each other's books.</summary>
public sealed class PostgresGrainStorage(NpgsqlDataSource database, Serializer serializer) : IGrainStorage
{
    public const string Table = "households_grain_state";

    // A market shock wakes thousands of households and accounts at once, each reading its state: they wait their turn
    // here, without a deadline, rather than time out in the connection pool's queue and fail the activation. Three
    // quarters of the pool; the journal's appends use the rest.
    private readonly SemaphoreSlim _slots = new(Math.Max(1, new NpgsqlConnectionStringBuilder(database.ConnectionString).MaxPoolSize * 3 / 4));

    private async Task InTurn(Func<Task> operation)
    {
        await _slots.WaitAsync();
        try { await operation(); }
        finally { _slots.Release(); }
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        InTurn(() => Read(stateName, grainId, grainState));

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        InTurn(() => Write(stateName, grainId, grainState));

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        InTurn(() => Clear(stateName, grainId, grainState));

    private async Task Read<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await using var command = database.CreateCommand($"SELECT etag, payload FROM {Table} WHERE state_name = $1 AND grain_key = $2");
        command.Parameters.Add(new NpgsqlParameter { Value = stateName });
        command.Parameters.Add(new NpgsqlParameter { Value = KeyOf(grainId) });
        await using var reader = await command.ExecuteReaderAsync();
        if (await reader.ReadAsync())
        {
            grainState.ETag = reader.GetInt64(0).ToString(System.Globalization.CultureInfo.InvariantCulture);
            grainState.State = serializer.Deserialize<T>(reader.GetFieldValue<byte[]>(1));
            grainState.RecordExists = true;
        }
        else
        {
            grainState.ETag = null;
            grainState.State = Activator.CreateInstance<T>();
            grainState.RecordExists = false;
        }
    }

    private async Task Write<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var payload = serializer.SerializeToArray(grainState.State);
        var expected = Version(grainState.ETag);
        // A first write inserts; it finds a row only if another activation wrote first.
        await using var command = database.CreateCommand(expected is null
            ? $"INSERT INTO {Table} (state_name, grain_key, etag, payload) VALUES ($1, $2, 1, $3) ON CONFLICT DO NOTHING RETURNING etag"
            : $"UPDATE {Table} SET etag = etag + 1, payload = $3, modified_on = now() WHERE state_name = $1 AND grain_key = $2 AND etag = $4 RETURNING etag");
        command.Parameters.Add(new NpgsqlParameter { Value = stateName });
        command.Parameters.Add(new NpgsqlParameter { Value = KeyOf(grainId) });
        command.Parameters.Add(new NpgsqlParameter { Value = payload, NpgsqlDbType = NpgsqlDbType.Bytea });
        if (expected is { } version) command.Parameters.Add(new NpgsqlParameter { Value = version });
        var written = await command.ExecuteScalarAsync();
        if (written is not long etag)
            throw new InconsistentStateException($"{stateName} of {grainId} was written by another activation (this one read version {grainState.ETag ?? "none"})",
                "unknown", grainState.ETag ?? "none");
        grainState.ETag = etag.ToString(System.Globalization.CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    private async Task Clear<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (Version(grainState.ETag) is { } expected)
        {
            await using var command = database.CreateCommand($"DELETE FROM {Table} WHERE state_name = $1 AND grain_key = $2 AND etag = $3");
            command.Parameters.Add(new NpgsqlParameter { Value = stateName });
            command.Parameters.Add(new NpgsqlParameter { Value = KeyOf(grainId) });
            command.Parameters.Add(new NpgsqlParameter { Value = expected });
            if (await command.ExecuteNonQueryAsync() == 0)
                throw new InconsistentStateException($"{stateName} of {grainId} was written by another activation", "unknown", grainState.ETag!);
        }
        grainState.ETag = null;
        grainState.RecordExists = false;
        grainState.State = Activator.CreateInstance<T>();
    }

    /// <summary>Every stored state of <paramref name="stateName"/>, streamed in one COPY (a silo's cold start reads a
    /// million accounts this way, not one query per grain).</summary>
    public async IAsyncEnumerable<(string Key, byte[] Payload)> ReadAll(string stateName, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        // The state name is one of the grains' own constants; quoted as a literal all the same.
        var literal = "'" + stateName.Replace("'", "''", StringComparison.Ordinal) + "'";
        await using var reader = await connection.BeginBinaryExportAsync(
            $"COPY (SELECT grain_key, payload FROM {Table} WHERE state_name = {literal}) TO STDOUT (FORMAT BINARY)", ct);
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
}
