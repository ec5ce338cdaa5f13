using Npgsql;
using Xunit;

namespace Households.Tests.PostgreSql;

/// <summary>
/// A fresh, empty PostgreSQL database per test class (<c>hh_test_&lt;random&gt;</c>), created from
/// the server named by <c>HOUSEHOLDS_TEST_PG</c> and dropped afterwards. Without that variable
/// every test of the class FAILS (never skips): CI must not pass by running nothing.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    public const string EnvironmentVariable = "HOUSEHOLDS_TEST_PG";

    private readonly List<string> _databases = [];
    private string _serverConnectionString = "";

    /// <summary>Connection string of this class's own database.</summary>
    public string ConnectionString { get; private set; } = "";

    public string DatabaseName { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var server = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(server))
        {
            throw new InvalidOperationException(
                $"PostgreSQL tests need a server: set {EnvironmentVariable} " +
                "(e.g. \"Host=127.0.0.1;Port=55432;Username=postgres;Database=postgres\") or run bash .ci/run.");
        }

        _serverConnectionString = server;
        ConnectionString = await CreateDatabaseAsync();
        DatabaseName = new NpgsqlConnectionStringBuilder(ConnectionString).Database!;
    }

    /// <summary>Creates one more empty database, dropped with this fixture; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        // Database names are identifiers, which cannot be bound as parameters: the name is generated
        // here from hex digits only and quoted as an identifier.
        var name = "hh_test_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(_serverConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {Quote(name)}", connection);
            await create.ExecuteNonQueryAsync();
        }

        lock (_databases)
        {
            _databases.Add(name);
        }

        return new NpgsqlConnectionStringBuilder(_serverConnectionString) { Database = name }.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        if (_serverConnectionString.Length == 0)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_serverConnectionString);
        await connection.OpenAsync();
        foreach (var name in _databases)
        {
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Quote(name)} WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }

    private static string Quote(string identifier) => new NpgsqlCommandBuilder().QuoteIdentifier(identifier);
}
