using System.Diagnostics;

namespace Households.LoadTest;

/// <summary>The load test's own view of the PostgreSQL journal (its own connections, beside the silo's): counts, and
/// waiting for the journal to fall quiet, as the shock and outage phases do before they measure.</summary>
internal sealed class JournalWatch(string connection, int connectTimeoutSeconds) : IAsyncDisposable
{
    public Npgsql.NpgsqlDataSource Database { get; } = Npgsql.NpgsqlDataSource.Create(
        new Npgsql.NpgsqlConnectionStringBuilder(connection) { Timeout = connectTimeoutSeconds, CommandTimeout = 300 }.ConnectionString);

    /// <summary>The first column of the first row of <paramref name="sql"/> as a count (0 when not a bigint).</summary>
    public async Task<long> Scalar(string sql)
    {
        await using var command = Database.CreateCommand(sql);
        return await command.ExecuteScalarAsync() is long v ? v : 0;
    }

    /// <summary>Polls <paramref name="countSql"/> once a second until it has not changed for <paramref name="quietFor"/>, or
    /// for at most <paramref name="atMost"/>; returns the last count.</summary>
    public async Task<long> UntilQuiet(string countSql, TimeSpan quietFor, TimeSpan atMost)
    {
        var clock = Stopwatch.StartNew();
        long last = -1;
        for (var quietSince = TimeSpan.Zero; clock.Elapsed < atMost; await Task.Delay(1000))
        {
            var rows = await Scalar(countSql);
            if (rows != last) (last, quietSince) = (rows, clock.Elapsed);
            else if (clock.Elapsed - quietSince >= quietFor) break;
        }
        return last;
    }

    public ValueTask DisposeAsync() => Database.DisposeAsync();
}
