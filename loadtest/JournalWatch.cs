using System.Collections.Concurrent;
using System.Diagnostics;
using Households.Contracts;
using Households.Domain.Tax;

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

    /// <summary>No acknowledged trade lost or applied twice: each of <paramref name="accounts"/> (all accounts with a fill
    /// journaled after <paramref name="watermark"/> when null, or those first <paramref name="atMost"/> of them in order) has
    /// those fills in its books, and every trade key its books keep is journaled. Read in this order so decisions still
    /// finishing cannot show as differences: the fills since the watermark (J1), then the books (L), then every journaled
    /// fill of those accounts (J2); J1 ⊆ L and L ⊆ J2 must hold.</summary>
    public async Task<BooksAgainstJournal> CompareBooks(IGrainFactory grains, long watermark, IEnumerable<string> alsoAccounts, int atMost)
    {
        var since = await Fills($"SELECT account_id, idempotency_key FROM households_journal WHERE kind = 'Fill' AND id > {watermark}", null);
        var accounts = alsoAccounts.Union(since.Keys.Order(StringComparer.Ordinal).Take(atMost)).Distinct().ToArray();
        var books = new ConcurrentDictionary<string, HashSet<string>>();
        await Parallel.ForEachAsync(accounts, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (account, _) =>
            books[account] = (await grains.GetGrain<IAccountGrain>(account).GetLedger()).TradeKeys.ToHashSet());
        var all = await Fills("SELECT account_id, idempotency_key FROM households_journal WHERE kind = 'Fill' AND account_id = ANY(@ids)", accounts);
        var differences = new List<string>();
        foreach (var account in accounts)
        {
            foreach (var key in since.GetValueOrDefault(account) ?? []) if (!books[account].Contains(key)) differences.Add($"{account}: journaled fill {key} not in the books");
            var journaled = all.GetValueOrDefault(account) ?? [];
            foreach (var key in books[account]) if (!journaled.Contains(key)) differences.Add($"{account}: fill {key} in the books, not in the journal");
        }
        return new(since.Count, since.Values.Sum(k => k.Count), accounts.Length, differences);
    }

    private async Task<Dictionary<string, HashSet<string>>> Fills(string sql, string[]? ids)
    {
        var fills = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        await using var command = Database.CreateCommand(sql);
        if (ids is not null) command.Parameters.AddWithValue("ids", ids);
        await using var r = await command.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            var account = r.GetString(0);
            if (!fills.TryGetValue(account, out var keys)) fills[account] = keys = [];
            keys.Add(r.GetString(1)[TradeJournal.FillKeyPrefix.Length..]);
        }
        return fills;
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

/// <summary>What <see cref="JournalWatch.CompareBooks"/> found: accounts with fills since the watermark and those fills,
/// the accounts compared, and each difference between their books and the journal.</summary>
internal sealed record BooksAgainstJournal(int AccountsWithFills, int Fills, int AccountsCompared, List<string> Differences);
