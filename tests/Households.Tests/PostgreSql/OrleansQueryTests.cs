using Households.Persistence;
using Npgsql;
using Xunit;

namespace Households.Tests.PostgreSql;

/// <summary>
/// The lost-race semantics of the stored Orleans queries, executed exactly as the providers do:
/// the query text from OrleansQuery with named parameters.
/// </summary>
public sealed class OrleansQueryTests(PostgresFixture db) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task Membership_ConditionalWrites_LoseRacesWithoutPartialChanges()
    {
        await PostgresSchema.ApplyAsync(db.ConnectionString);
        await using var connection = await SchemaTests.OpenAsync(db.ConnectionString);
        var cluster = "c-" + Guid.NewGuid().ToString("N");
        var now = DateTime.UtcNow;

        Assert.Equal(1, await RunScalarAsync(connection, "InsertMembershipVersionKey", ("DeploymentId", cluster)));
        Assert.Equal(0, await RunScalarAsync(connection, "InsertMembershipVersionKey", ("DeploymentId", cluster)));

        (string, object?)[] Silo(int version) =>
        [
            ("DeploymentId", cluster), ("Address", "127.0.0.1"), ("Port", 11111), ("Generation", 7),
            ("SiloName", "silo-1"), ("HostName", "host"), ("Status", 3), ("ProxyPort", 30000),
            ("StartTime", now), ("IAmAliveTime", now), ("Version", version),
        ];

        Assert.Equal(0, await RunScalarAsync(connection, "InsertMembershipKey", Silo(5)));   // stale table version
        Assert.Equal(1, await RunScalarAsync(connection, "InsertMembershipKey", Silo(0)));
        Assert.Equal(0, await RunScalarAsync(connection, "InsertMembershipKey", Silo(1)));   // row exists: bump undone
        Assert.Equal(1, await VersionAsync(connection, cluster));

        (string, object?)[] Update(int version, int status) =>
        [
            ("DeploymentId", cluster), ("Address", "127.0.0.1"), ("Port", 11111), ("Generation", 7),
            ("Status", status), ("SuspectTimes", null), ("IAmAliveTime", now.AddSeconds(5)), ("Version", version),
        ];

        Assert.Equal(0, await RunScalarAsync(connection, "UpdateMembershipKey", Update(0, 6)));  // stale
        Assert.Equal(1, await RunScalarAsync(connection, "UpdateMembershipKey", Update(1, 6)));
        Assert.Equal(2, await VersionAsync(connection, cluster));

        // Dead, not suspected, silent since before the cut-off: pruned.
        await RunAsync(connection, "CleanupDefunctSiloEntriesKey",
            ("DeploymentId", cluster), ("IAmAliveTime", now.AddMinutes(10)));
        await using var count = new NpgsqlCommand(
            "SELECT count(*) FROM OrleansMembershipTable WHERE DeploymentId = @cluster", connection);
        count.Parameters.AddWithValue("cluster", cluster);
        Assert.Equal(0L, (long)(await count.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Storage_Write_ComparesAndSwapsOnVersion()
    {
        await PostgresSchema.ApplyAsync(db.ConnectionString);
        await using var connection = await SchemaTests.OpenAsync(db.ConnectionString);
        var service = "s-" + Guid.NewGuid().ToString("N");

        (string, object?)[] Write(int? version, byte[] payload) =>
        [
            ("GrainIdHash", 123), ("GrainIdN0", 1L), ("GrainIdN1", 2L), ("GrainTypeHash", 456),
            ("GrainTypeString", "probe"), ("GrainIdExtensionString", null), ("ServiceId", service),
            ("GrainStateVersion", version), ("PayloadBinary", payload),
        ];

        Assert.Equal(1, await RunScalarAsync(connection, "WriteToStorageKey", Write(null, [1])));
        Assert.Null(await RunScalarAsync(connection, "WriteToStorageKey", Write(null, [2])));   // lost first-write race
        Assert.Equal(2, await RunScalarAsync(connection, "WriteToStorageKey", Write(1, [3])));
        Assert.Equal(1, await RunScalarAsync(connection, "WriteToStorageKey", Write(1, [4])));  // stale ETag: unchanged

        Assert.Equal(3, await RunScalarAsync(connection, "ClearStorageKey", Write(2, [])));
        Assert.Equal(4, await RunScalarAsync(connection, "DeleteStorageKey", Write(3, [])));
        Assert.Equal(1, await RunScalarAsync(connection, "WriteToStorageKey", Write(null, [5])));
    }

    private static async Task<int?> RunScalarAsync(
        NpgsqlConnection connection, string queryKey, params (string Name, object? Value)[] parameters)
    {
        await using var command = await CommandAsync(connection, queryKey, parameters);
        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? null : Convert.ToInt32(value);
    }

    private static async Task RunAsync(
        NpgsqlConnection connection, string queryKey, params (string Name, object? Value)[] parameters)
    {
        await using var command = await CommandAsync(connection, queryKey, parameters);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<NpgsqlCommand> CommandAsync(
        NpgsqlConnection connection, string queryKey, (string Name, object? Value)[] parameters)
    {
        await using var lookup = new NpgsqlCommand("SELECT QueryText FROM OrleansQuery WHERE QueryKey = @key", connection);
        lookup.Parameters.AddWithValue("key", queryKey);
        var text = (string)(await lookup.ExecuteScalarAsync())!;
        var command = new NpgsqlCommand(text, connection);
        foreach (var (name, value) in parameters)
        {
            // Like the providers: untyped parameters, NULL as DBNull.
            command.Parameters.Add(new NpgsqlParameter(name, value ?? DBNull.Value));
        }

        return command;
    }

    private static async Task<int> VersionAsync(NpgsqlConnection connection, string cluster)
    {
        await using var command = new NpgsqlCommand(
            "SELECT Version FROM OrleansMembershipVersionTable WHERE DeploymentId = @cluster", connection);
        command.Parameters.AddWithValue("cluster", cluster);
        return (int)(await command.ExecuteScalarAsync())!;
    }
}
