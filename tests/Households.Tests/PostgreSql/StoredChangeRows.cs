using Households.Grains.Silo;

namespace Households.Tests.PostgreSql;

/// <summary>The changes a grain state has appended since its snapshot, read from <c>households_state_changes</c> and
/// deserialized as the silo reads them, in version order.</summary>
internal static class StoredChangeRows
{
    public static async Task<object[]> Read(string connectionString, string state, string key)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            "SELECT payload FROM households_state_changes WHERE state_name = $1 AND grain_key = $2 ORDER BY version", connection);
        command.Parameters.AddWithValue(state);
        command.Parameters.AddWithValue(key);
        await using var reader = await command.ExecuteReaderAsync();
        var serializer = BooksLoader.StateSerializer();
        var rows = new List<object>();
        while (await reader.ReadAsync()) rows.Add(serializer.Deserialize<object>((byte[])reader[0])!);
        return [.. rows];
    }
}
