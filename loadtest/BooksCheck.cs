using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Households.LoadTest;

/// <summary>--books-check PORTS --connection CONN --journal-since ID: after a run against a cluster (loadtest/takeover.sh's
/// kill in the middle of a shock), every account with a fill journaled after ID has those fills in its books and no fill
/// the journal lacks (issue #18 goal 7: no acknowledged trade lost or applied twice). Reads the books through an Orleans
/// client at the given gateways; prints one JSON object; exits 1 on any difference.</summary>
internal static class BooksCheck
{
    public static async Task<int> Run(LoadTestOptions o)
    {
        if (o.Connection is null) { Console.Error.WriteLine("error: --books-check needs --connection (the firm's database)"); return 2; }
        using var host = await ClusterRun.Client(o.Cluster, TimeSpan.FromMinutes(2));
        await using var journal = new JournalWatch(o.Connection, connectTimeoutSeconds: 10);
        var started = System.Diagnostics.Stopwatch.StartNew();
        var books = await journal.CompareBooks(host.Services.GetRequiredService<IClusterClient>(), o.JournalSince, [], int.MaxValue);
        foreach (var d in books.Differences.Take(10)) Console.Error.WriteLine($"books-check: difference: {d}");
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            journal_since = o.JournalSince, accounts_with_fills = books.AccountsWithFills, fills = books.Fills, accounts_compared = books.AccountsCompared,
            books_journal_differences = books.Differences.Count, seconds = Math.Round(started.Elapsed.TotalSeconds, 1),
        }));
        await host.StopAsync();
        return books.Differences.Count == 0 ? 0 : 1;
    }
}
