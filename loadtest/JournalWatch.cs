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

    /// <summary>The database's clock now (the journal's <c>recorded_at</c> is stamped by it).</summary>
    public async Task<DateTimeOffset> Timestamp()
    {
        await using var command = Database.CreateCommand("SELECT now()");
        return new DateTimeOffset((DateTime)(await command.ExecuteScalarAsync())!, TimeSpan.Zero);
    }

    /// <summary>Percentiles (0–1) of the single numeric column <paramref name="valuesSql"/> returns; NaN when it returns no row.</summary>
    public async Task<double[]> Percentiles(string valuesSql, double[] at)
    {
        await using var command = Database.CreateCommand(
            $"SELECT percentile_cont(@at) WITHIN GROUP (ORDER BY v) FROM ({valuesSql}) AS t(v)");
        command.Parameters.AddWithValue("at", at);
        return await command.ExecuteScalarAsync() is double[] values ? values : [.. at.Select(_ => double.NaN)];
    }

    public ValueTask DisposeAsync() => Database.DisposeAsync();
}
