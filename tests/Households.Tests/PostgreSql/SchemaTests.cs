using System.Reflection;
using Households.Persistence;
using Npgsql;
using Xunit;

namespace Households.Tests.PostgreSql;

public sealed class SchemaTests(PostgresFixture db) : IClassFixture<PostgresFixture>
{
    /// <summary>
    /// Query keys the Orleans 10.4.2 AdoNet providers look up in OrleansQuery. Source: the providers'
    /// <c>DbStoredQueries</c> (every property is required at start-up) plus the optional keys
    /// (<c>CleanupDefunctSiloEntryKey</c>: conditional Dead-row cleanup; <c>DeleteStorageKey</c>:
    /// DeleteStateOnClear = true). <see cref="ProviderRequiredKeys_AreAllInTheTestList"/> keeps this
    /// list honest against the referenced provider assemblies.
    /// </summary>
    public static readonly TheoryData<string, string> OrleansQueryKeys = new()
    {
        { "clustering", "UpdateIAmAlivetimeKey" },
        { "clustering", "InsertMembershipVersionKey" },
        { "clustering", "InsertMembershipKey" },
        { "clustering", "UpdateMembershipKey" },
        { "clustering", "MembershipReadRowKey" },
        { "clustering", "MembershipReadAllKey" },
        { "clustering", "DeleteMembershipTableEntriesKey" },
        { "clustering", "GatewaysQueryKey" },
        { "clustering", "CleanupDefunctSiloEntriesKey" },
        { "clustering", "CleanupDefunctSiloEntryKey" },
        { "persistence", "WriteToStorageKey" },
        { "persistence", "ReadFromStorageKey" },
        { "persistence", "ClearStorageKey" },
        { "persistence", "DeleteStorageKey" },
        { "reminders", "ReadReminderRowsKey" },
        { "reminders", "ReadReminderRowKey" },
        { "reminders", "ReadRangeRows1Key" },
        { "reminders", "ReadRangeRows2Key" },
        { "reminders", "UpsertReminderRowKey" },
        { "reminders", "DeleteReminderRowKey" },
        { "reminders", "DeleteReminderRowsKey" },
    };

    [Fact]
    public void ScriptNames_AreEmbeddedInApplicationOrder()
    {
        Assert.Equal(
            ["001-orleans-main.sql", "002-orleans-clustering.sql", "003-orleans-persistence.sql",
             "004-orleans-reminders.sql", "010-households-journal.sql", "020-households-grain-state.sql", "021-households-live-header.sql",
             "022-households-state-changes.sql"],
            PostgresSchema.ScriptNames);
    }

    [Fact]
    public async Task Apply_Twice_IsIdempotent()
    {
        await PostgresSchema.ApplyAsync(db.ConnectionString);
        var first = await SnapshotAsync(db.ConnectionString);
        await PostgresSchema.ApplyAsync(db.ConnectionString);
        var second = await SnapshotAsync(db.ConnectionString);

        Assert.Contains("orleansquery", first.Tables);
        Assert.Contains("orleansmembershiptable", first.Tables);
        Assert.Contains("orleansmembershipversiontable", first.Tables);
        Assert.Contains("orleansstorage", first.Tables);
        Assert.Contains("orleansreminderstable", first.Tables);
        Assert.Contains("households_journal", first.Tables);
        Assert.Contains("households_schema_version", first.Tables);
        Assert.Equal(OrleansQueryKeys.Count(), first.QueryCount);

        Assert.Equal(first.Tables, second.Tables);
        Assert.Equal(first.Functions, second.Functions);
        Assert.Equal(first.Indexes, second.Indexes);
        Assert.Equal(first.Queries, second.Queries);
        Assert.Equal(first.QueryCount, second.QueryCount);
        Assert.Equal(first.Versions, second.Versions);
        Assert.Equal(PostgresSchema.ScriptNames, second.Versions.Select(v => v.Split('=')[0]).ToArray());
    }

    [Fact]
    public async Task Apply_ConcurrentlyFromSeveralSilos_AllSucceed()
    {
        var fresh = await db.CreateDatabaseAsync();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => PostgresSchema.ApplyAsync(fresh))));
        var snapshot = await SnapshotAsync(fresh);
        Assert.Equal(OrleansQueryKeys.Count(), snapshot.QueryCount);
    }

    [Theory]
    [MemberData(nameof(OrleansQueryKeys))]
    public async Task OrleansQueryKey_IsInstalled(string provider, string queryKey)
    {
        await PostgresSchema.ApplyAsync(db.ConnectionString);
        await using var connection = await OpenAsync(db.ConnectionString);
        await using var command = new NpgsqlCommand("SELECT QueryText FROM OrleansQuery WHERE QueryKey = @key", connection);
        command.Parameters.AddWithValue("key", queryKey);
        var text = await command.ExecuteScalarAsync() as string;
        Assert.False(string.IsNullOrWhiteSpace(text), $"{provider} query {queryKey} is missing");
    }

    [Fact]
    public void ProviderRequiredKeys_AreAllInTheTestList()
    {
        var listed = OrleansQueryKeys.Select(row => (string)row[1]).ToHashSet();
        var assemblies = new[]
        {
            typeof(Orleans.Configuration.AdoNetClusteringSiloOptions).Assembly,
            typeof(Orleans.Configuration.AdoNetGrainStorageOptions).Assembly,
            typeof(Orleans.Configuration.AdoNetReminderTableOptions).Assembly,
        };
        var required = new List<string>();
        foreach (var assembly in assemblies)
        {
            var stored = assembly.GetTypes().SingleOrDefault(t => t.Name == "DbStoredQueries");
            if (stored is null)
            {
                continue;
            }

            var keys = stored.GetProperties(BindingFlags.Instance | BindingFlags.NonPublic).Select(p => p.Name).ToArray();
            required.AddRange(keys);
        }

        // Persistence 10.4.2 declares no DbStoredQueries properties; it selects its keys by name.
        Assert.Contains("GatewaysQueryKey", required);
        Assert.Contains("UpsertReminderRowKey", required);
        Assert.All(required, key => Assert.Contains(key, listed));
    }

    [Fact]
    public async Task Journal_AcceptsInsert_AndRejectsDuplicateIdempotencyKeyForSameAccount()
    {
        await PostgresSchema.ApplyAsync(db.ConnectionString);
        var household = "hh-" + Guid.NewGuid().ToString("N");
        await using var connection = await OpenAsync(db.ConnectionString);

        var id = await InsertJournalAsync(connection, household, "acct-1", "trade.proposed", "idem-1");
        Assert.True(id > 0);

        var duplicate = await Assert.ThrowsAsync<PostgresException>(
            () => InsertJournalAsync(connection, household, "acct-1", "trade.proposed", "idem-1"));
        Assert.Equal(PostgresErrorCodes.UniqueViolation, duplicate.SqlState);

        // The same key on another account, and rows without a key, are independent.
        Assert.True(await InsertJournalAsync(connection, household, "acct-2", "trade.proposed", "idem-1") > id);
        await InsertJournalAsync(connection, household, "acct-1", "price.note", null);
        await InsertJournalAsync(connection, household, "acct-1", "price.note", null);

        await using var count = new NpgsqlCommand(
            "SELECT count(*) FROM households_journal WHERE household_id = @household", connection);
        count.Parameters.AddWithValue("household", household);
        Assert.Equal(4L, (long)(await count.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Journal_IsAppendOnly()
    {
        await PostgresSchema.ApplyAsync(db.ConnectionString);
        var household = "hh-" + Guid.NewGuid().ToString("N");
        await using var connection = await OpenAsync(db.ConnectionString);
        var id = await InsertJournalAsync(connection, household, null, "household.created", "created");

        await using var update = new NpgsqlCommand("UPDATE households_journal SET kind = 'x' WHERE id = @id", connection);
        update.Parameters.AddWithValue("id", id);
        await Assert.ThrowsAsync<PostgresException>(() => update.ExecuteNonQueryAsync());

        await using var delete = new NpgsqlCommand("DELETE FROM households_journal WHERE id = @id", connection);
        delete.Parameters.AddWithValue("id", id);
        await Assert.ThrowsAsync<PostgresException>(() => delete.ExecuteNonQueryAsync());
    }

    private static async Task<long> InsertJournalAsync(
        NpgsqlConnection connection, string household, string? account, string kind, string? idempotencyKey)
    {
        await using var insert = new NpgsqlCommand(
            """
            INSERT INTO households_journal (household_id, account_id, kind, occurred_at, idempotency_key, payload)
            VALUES (@household, @account, @kind, @occurred, @idem, CAST(@payload AS jsonb))
            RETURNING id
            """, connection);
        insert.Parameters.AddWithValue("household", household);
        insert.Parameters.AddWithValue("account", NpgsqlTypes.NpgsqlDbType.Text, (object?)account ?? DBNull.Value);
        insert.Parameters.AddWithValue("kind", kind);
        insert.Parameters.AddWithValue("occurred", DateTime.UtcNow);
        insert.Parameters.AddWithValue("idem", NpgsqlTypes.NpgsqlDbType.Text, (object?)idempotencyKey ?? DBNull.Value);
        insert.Parameters.AddWithValue("payload", """{"symbol":"VTI","quantity":10}""");
        return (long)(await insert.ExecuteScalarAsync())!;
    }

    internal static async Task<NpgsqlConnection> OpenAsync(string connectionString)
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return connection;
    }

    private sealed record Snapshot(
        string[] Tables, string[] Functions, string[] Indexes, string[] Queries, long QueryCount, string[] Versions);

    private static async Task<Snapshot> SnapshotAsync(string connectionString)
    {
        await using var connection = await OpenAsync(connectionString);
        return new Snapshot(
            await ListAsync(connection,
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1"),
            await ListAsync(connection,
                """
                SELECT p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')'
                  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                 WHERE n.nspname = 'public' ORDER BY 1
                """),
            await ListAsync(connection,
                "SELECT indexname || ': ' || indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1"),
            await ListAsync(connection, "SELECT QueryKey || '=' || md5(QueryText) FROM OrleansQuery ORDER BY 1"),
            (long)(await new NpgsqlCommand("SELECT count(*) FROM OrleansQuery", connection).ExecuteScalarAsync())!,
            await ListAsync(connection,
                "SELECT script_name || '=' || sha256 || '@' || applied_at FROM households_schema_version ORDER BY 1"));
    }

    private static async Task<string[]> ListAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return [.. rows];
    }
}
