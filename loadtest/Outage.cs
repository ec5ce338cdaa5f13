using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Households.Auth;
using Households.Contracts;
using Households.Domain.Monitoring;
using Households.Grains.Prices;
using Households.Grains.Silo;
using Households.Simulation.Firms;
using Microsoft.Extensions.DependencyInjection;

namespace Households.LoadTest;

/// <summary>The database goes away and comes back (issue #18, goal 9) at load-test scale. With every account watched,
/// one batch of a scenario sets decisions flowing; batches keep coming every interval; a reader GETs households' live
/// state and a writer POSTs small buys through the API, each with its own idempotency key, retrying a refused write
/// with the same key as a client does (after <c>Retry-After</c> on a 503). After <see cref="LoadTestOptions.OutageLeadSeconds"/>
/// the PostgreSQL server is stopped (<c>--outage-stop</c>) for <see cref="LoadTestOptions.OutageSeconds"/>, then started
/// again. Then, once the journal is quiet and every write is answered: every acknowledged key is one fill in the journal,
/// and the books of every account with a fill in the phase agree with the journal (its fill keys are in the account's
/// books, and each key the books keep is journaled).</summary>
internal static class Outage
{
    private sealed record Window(double From, double To)
    {
        public bool Holds(double t) => t >= From && t < To;
    }

    private sealed class Calls
    {
        public readonly ConcurrentDictionary<string, int> During = new(), Outside = new();
        public readonly ConcurrentBag<double> MsDuring = [], MsOutside = [];

        public void Add(bool during, string outcome, double ms)
        {
            (during ? During : Outside).AddOrUpdate(outcome, 1, (_, n) => n + 1);
            (during ? MsDuring : MsOutside).Add(ms);
        }

        public object Summary() => new
        {
            during = During.OrderBy(p => p.Key).ToDictionary(), outside = Outside.OrderBy(p => p.Key).ToDictionary(),
            ms_during_p50 = Pct(MsDuring, 0.5), ms_during_p99 = Pct(MsDuring, 0.99), ms_during_max = MsDuring.DefaultIfEmpty().Max(),
            ms_outside_p50 = Pct(MsOutside, 0.5), ms_outside_p99 = Pct(MsOutside, 0.99),
        };

        private static double Pct(IEnumerable<double> values, double p) => BareLoop.Percentile([.. values.Order()], p);
    }

    public static async Task<object> Run(LoadTestOptions o, SyntheticFirm firm, IServiceProvider services, IGrainFactory grains,
        PriceStream stream, IPriceFeedGrain feed, ConcurrentQueue<MonitorStatus> scans, string apiUrl, string connection)
    {
        var scenario = Households.Simulation.Scenarios.ScenarioSet.Default[o.Shock ?? "equities-12-1d"];
        // The scenario's batch first, then the market goes on moving from the shocked prices.
        Task<long> Publish() => feed.Publish(stream.NextShocked(scenario));
        var issuer = services.GetRequiredService<TokenIssuer>();
        HttpClient Client(string subject)
        {
            var http = ApiLoad.Client(apiUrl, new AuthenticationHeaderValue("Bearer", issuer.Mint(HouseholdsAuth.Admin, subject: subject)));
            http.Timeout = TimeSpan.FromSeconds(60);
            return http;
        }
        using var writer = Client("outage-writer");
        using var reader = Client("outage-reader");
        // A short connect timeout: while the database is away the phase's samples fail fast.
        await using var journal = new JournalWatch(connection, connectTimeoutSeconds: 5);
        var watermark = await journal.Scalar("SELECT coalesce(max(id), 0) FROM households_journal");
        var clock = Stopwatch.StartNew();
        var outage = new Window(o.OutageLeadSeconds, double.PositiveInfinity);
        bool During() => outage.Holds(clock.Elapsed.TotalSeconds);
        using var stop = new CancellationTokenSource();

        // Batches every interval for the whole phase, the scenario's first; the monitor must scan them all, outage or not.
        var published = new ConcurrentDictionary<long, bool>();
        var batches = Task.Run(async () =>
        {
            published[await Publish()] = false;
            for (var b = 1; !stop.IsCancellationRequested; b++)
            {
                var due = TimeSpan.FromMilliseconds(b * (double)o.IntervalMs);
                if (clock.Elapsed < due) await Task.Delay(due - clock.Elapsed);
                if (stop.IsCancellationRequested) break;
                published[await Publish()] = During();
            }
        });

        // The reader: a household's live state, 50 a second.
        var reads = new Calls();
        var pick = new Random(o.Seed + 7);
        var readerLoop = Task.Run(async () =>
        {
            var inFlight = new List<Task>();
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var due = TimeSpan.FromMilliseconds(n * 20.0);
                if (clock.Elapsed < due) await Task.Delay(due - clock.Elapsed);
                var path = $"/api/households/HH{pick.Next(firm.HouseholdCount) + 1:D6}/live";
                inFlight.Add(Task.Run(async () =>
                {
                    var during = During();
                    var started = Stopwatch.GetTimestamp();
                    string outcome;
                    try { using var r = await reader.GetAsync(path); outcome = ((int)r.StatusCode).ToString(); }
                    catch (TaskCanceledException) { outcome = "timeout"; }
                    catch (HttpRequestException e) { outcome = $"error {e.HttpRequestError}"; }
                    reads.Add(during, outcome, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }));
                inFlight.RemoveAll(t => t.IsCompleted);
            }
            await Task.WhenAll(inFlight);
        });

        // The writer: a buy of one share of something the account holds, ten new keys a second until 30 s after the
        // restart; each key retried until it is acknowledged (201, or 200 for a replay) or refused as bad input.
        var writes = new Calls();
        var acknowledged = new ConcurrentDictionary<string, (string Account, int Attempts, double Seconds)>();
        var refused = new ConcurrentDictionary<string, string>();
        var writerAccounts = new ConcurrentDictionary<string, bool>();
        var prices = new ConcurrentDictionary<string, decimal>();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var newKeysUntil = o.OutageLeadSeconds + o.OutageSeconds + 30.0;
        var writerLoop = Task.Run(async () =>
        {
            var inFlight = new List<Task>();
            for (var n = 0; clock.Elapsed.TotalSeconds < newKeysUntil; n++)
            {
                var due = TimeSpan.FromMilliseconds(n * 100.0);
                if (clock.Elapsed < due) await Task.Delay(due - clock.Elapsed);
                var household = firm.HouseholdAt((n * 7919) % firm.HouseholdCount);
                var opening = household.Accounts[0];
                if (opening.Lots.IsDefaultOrEmpty) continue;
                var symbol = opening.Lots[0].Symbol;
                var price = prices.GetOrAdd(symbol, s => Math.Round(opening.Lots[0].BasisPerShare, 2));
                var key = $"outage-{o.Seed}-{watermark}-{n}";
                writerAccounts[opening.Spec.Id] = true;
                inFlight.Add(Task.Run(async () =>
                {
                    var body = new { idempotencyKey = key, date = today, symbol, side = "buy", quantity = 1m, price };
                    var first = clock.Elapsed.TotalSeconds;
                    for (var attempt = 1; attempt <= 200; attempt++)
                    {
                        var during = During();
                        var started = Stopwatch.GetTimestamp();
                        TimeSpan wait;
                        try
                        {
                            using var r = await writer.PostAsJsonAsync($"/api/accounts/{opening.Spec.Id}/trades", body);
                            writes.Add(during, ((int)r.StatusCode).ToString(), Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                            if (r.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK)
                            {
                                acknowledged[key] = (opening.Spec.Id, attempt, clock.Elapsed.TotalSeconds - first);
                                return;
                            }
                            if (r.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Conflict or HttpStatusCode.UnprocessableEntity or HttpStatusCode.NotFound)
                            {
                                refused[key] = $"{(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}";
                                return;
                            }
                            wait = r.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(5);
                        }
                        catch (Exception e) when (e is TaskCanceledException or HttpRequestException)
                        {
                            writes.Add(during, e is TaskCanceledException ? "timeout" : "error", Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                            wait = TimeSpan.FromSeconds(5);
                        }
                        await Task.Delay(wait);
                    }
                }));
                inFlight.RemoveAll(t => t.IsCompleted);
            }
            await Task.WhenAll(inFlight);
        });

        Console.WriteLine($"outage: {scenario.Name} published; the database stops in {o.OutageLeadSeconds} s for {o.OutageSeconds} s");
        var journalSamples = new List<object>();
        async Task Sample()
        {
            long? rows = null;
            try { rows = await journal.Scalar($"SELECT count(*) FROM households_journal WHERE id > {watermark}"); } catch (Exception) { }
            journalSamples.Add(new { seconds = Math.Round(clock.Elapsed.TotalSeconds, 1), rows });
        }
        while (clock.Elapsed.TotalSeconds < o.OutageLeadSeconds) { await Sample(); await Task.Delay(1000); }
        var stopped = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"outage: stopping the database at +{stopped:0.0} s: {Shell(o.OutageStop!)}");
        outage = new Window(stopped, double.PositiveInfinity);
        while (clock.Elapsed.TotalSeconds < stopped + o.OutageSeconds) { await Sample(); await Task.Delay(1000); }
        var starting = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"outage: starting the database at +{starting:0.0} s: {Shell(o.OutageStart!)}");
        outage = new Window(stopped, clock.Elapsed.TotalSeconds);

        // After the restart: until every write is answered (at most 10 minutes); then the batches and reads stop and the
        // decisions already admitted finish (the journal quiet for 10 s, at most 2 minutes) before the books are compared.
        while (!writerLoop.IsCompleted && clock.Elapsed < TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(starting))
        {
            await Task.Delay(1000);
            await Sample();
            if (journalSamples.Count % 10 == 0)
                Console.WriteLine($"outage +{clock.Elapsed.TotalSeconds:0} s: {acknowledged.Count:N0} writes acknowledged, {refused.Count:N0} refused as bad input");
        }
        var answered = clock.Elapsed.TotalSeconds;
        if (!writerLoop.IsCompleted) Console.WriteLine("outage: some writes were still unanswered after 10 minutes");
        stop.Cancel();
        await Task.WhenAll(batches, readerLoop);
        var last = await journal.UntilQuiet($"SELECT count(*) FROM households_journal WHERE id > {watermark}", TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(2));

        // The monitor: every batch published during the outage scanned?
        var scanned = scans.ToArray().ToDictionary(s => s.BatchSequence, s => s);
        var duringBatches = published.Where(p => p.Value).Select(p => p.Key).Order().ToList();
        var scannedDuring = duringBatches.Where(scanned.ContainsKey).Select(s => scanned[s].PublishedToScannedMilliseconds).Order().ToList();

        // Every acknowledged key once in the journal; the books of the accounts with fills in the phase agree with it.
        var keyCounts = new Dictionary<string, long>();
        await using (var command = journal.Database.CreateCommand(
            $"SELECT idempotency_key, count(*) FROM households_journal WHERE kind = 'Fill' AND idempotency_key LIKE 'fill:outage-{o.Seed}-{watermark}-%' GROUP BY 1"))
        await using (var r = await command.ExecuteReaderAsync())
            while (await r.ReadAsync()) keyCounts[r.GetString(0)["fill:".Length..]] = r.GetInt64(1);
        var lost = acknowledged.Keys.Where(k => !keyCounts.ContainsKey(k)).ToList();
        var doubled = keyCounts.Where(p => p.Value != 1).Select(p => p.Key).ToList();
        var unacknowledgedInJournal = keyCounts.Keys.Where(k => !acknowledged.ContainsKey(k) && !refused.ContainsKey(k)).ToList();

        var books = await journal.CompareBooks(grains, watermark, writerAccounts.Keys, 5_000);
        var differences = books.Differences;
        foreach (var d in differences.Take(10)) Console.WriteLine($"outage: difference: {d}");
        var retried = acknowledged.Values.Where(a => a.Attempts > 1).ToList();
        var result = new
        {
            scenario = scenario.Name, lead_seconds = o.OutageLeadSeconds, outage_seconds = starting - stopped, stop_command = o.OutageStop, start_command = o.OutageStart,
            batches_published_during = duringBatches.Count, batches_scanned_during = scannedDuring.Count,
            published_to_scanned_ms_during_p50 = BareLoop.Percentile(scannedDuring, 0.5), published_to_scanned_ms_during_p99 = BareLoop.Percentile(scannedDuring, 0.99),
            reads = reads.Summary(), writes = writes.Summary(),
            write_keys = acknowledged.Count + refused.Count, acknowledged = acknowledged.Count, refused_as_bad_input = refused.Count,
            refused_examples = refused.Values.Take(3).ToList(),
            acknowledged_after_retries = retried.Count, retry_seconds_max = retried.Select(a => a.Seconds).DefaultIfEmpty().Max(),
            acknowledged_but_not_journaled = lost.Count, journaled_more_than_once = doubled.Count, journaled_but_not_acknowledged = unacknowledgedInJournal.Count,
            accounts_compared = books.AccountsCompared, accounts_with_fills_in_phase = books.AccountsWithFills, books_journal_differences = differences.Count,
            seconds_until_every_write_answered = answered - starting, decisions_per_second_allowed = o.DecisionsPerSecond,
            journal_rows_in_phase = last, journal_samples = journalSamples,
        };
        Console.WriteLine($"outage: {duringBatches.Count} batches published while the database was away, {scannedDuring.Count} scanned " +
            $"(p99 {BareLoop.Percentile(scannedDuring, 0.99):0} ms); reads during: {string.Join(", ", reads.During.Select(p => $"{p.Key}×{p.Value}"))}; " +
            $"writes during: {string.Join(", ", writes.During.Select(p => $"{p.Key}×{p.Value}"))}; {acknowledged.Count} keys acknowledged " +
            $"({retried.Count} after retries), {lost.Count} lost, {doubled.Count} doubled; {differences.Count} book/journal differences over {books.AccountsCompared} accounts");
        return result;
    }

    private static string Shell(string command)
    {
        using var process = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", command]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return $"exit {process.ExitCode} {output.Trim().ReplaceLineEndings(" ")}";
    }
}
