using System.Reflection;
using System.Security.Cryptography;
using Npgsql;

namespace Households.Persistence;

/// <summary>
/// Installs (or refreshes) the Households PostgreSQL schema: the Orleans AdoNet query catalogue,
/// membership, grain storage and reminder tables, and the product tables. The scripts are the
/// embedded resources <c>Sql/*.sql</c> of this project, applied in name order.
/// </summary>
/// <remarks>
/// Safe to call on every silo start: all scripts run in one transaction that first takes a
/// transaction-scoped advisory lock, so silos starting together apply the schema one after the
/// other, and every script is idempotent, so applying it again is a no-op that succeeds (query
/// texts and routines are refreshed to this build's versions). Each script's SHA-256 is recorded
/// in <c>households_schema_version</c>.
/// </remarks>
public static class PostgresSchema
{
    private const string ResourcePrefix = "Households.Persistence.Sql.";

    /// <summary>Advisory lock key for schema installation ("HHSCHEMA" as ASCII).</summary>
    private const long AdvisoryLockKey = 0x4848_5343_4845_4D41;

    private static readonly Assembly ScriptAssembly = typeof(PostgresSchema).Assembly;

    /// <summary>Embedded script names (file names, e.g. <c>001-orleans-main.sql</c>) in application order.</summary>
    public static IReadOnlyList<string> ScriptNames { get; } = ScriptAssembly
        .GetManifestResourceNames()
        .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)
                    && n.EndsWith(".sql", StringComparison.OrdinalIgnoreCase))
        .Select(n => n[ResourcePrefix.Length..])
        .Order(StringComparer.Ordinal)
        .ToArray();

    /// <summary>Reads one embedded script by its file name (see <see cref="ScriptNames"/>).</summary>
    public static string ReadScript(string scriptName)
    {
        using var stream = ScriptAssembly.GetManifestResourceStream(ResourcePrefix + scriptName)
            ?? throw new ArgumentException($"No embedded schema script '{scriptName}'.", nameof(scriptName));
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Applies all schema scripts to the database named by <paramref name="connectionString"/>.</summary>
    public static async Task ApplyAsync(string connectionString, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        if (ScriptNames.Count == 0)
        {
            throw new InvalidOperationException("No embedded schema scripts found (Sql/*.sql must be EmbeddedResource).");
        }

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);

        await using (var prelude = new NpgsqlCommand(
            "SET LOCAL client_min_messages = warning; SELECT pg_advisory_xact_lock(@key);", connection, transaction))
        {
            prelude.Parameters.AddWithValue("key", AdvisoryLockKey);
            prelude.CommandTimeout = 300; // may wait for another silo's installation
            await prelude.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        foreach (var name in ScriptNames)
        {
            var script = ReadScript(name);
            // The script text carries no values: it is sent as-is, with no parameters.
            await using (var apply = new NpgsqlCommand(script, connection, transaction))
            {
                apply.CommandTimeout = 300;
                await apply.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }

            await using var record = new NpgsqlCommand(
                """
                INSERT INTO households_schema_version (script_name, sha256)
                VALUES (@name, @sha256)
                ON CONFLICT (script_name) DO UPDATE
                   SET sha256 = EXCLUDED.sha256, applied_at = now()
                 WHERE households_schema_version.sha256 <> EXCLUDED.sha256;
                """, connection, transaction);
            record.Parameters.AddWithValue("name", name);
            record.Parameters.AddWithValue("sha256", Sha256Hex(script));
            await record.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        await transaction.CommitAsync(ct).ConfigureAwait(false);
    }

    private static string Sha256Hex(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
}
