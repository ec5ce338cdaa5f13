using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;

namespace Households.LoadTest;

/// <summary>What the API load measured. Latency runs from each request's scheduled start (open loop: a generator or
/// server that falls behind shows as latency); <c>SendLag</c> is how late the generator itself started requests.</summary>
internal sealed record ApiResult(string Path, int TargetRps, double Seconds, double WarmupSeconds, long Sent, long Succeeded, long Failed,
    long NotSent, double AchievedRps, double P50Ms, double P90Ms, double P99Ms, double P999Ms, double MaxMs, double SendLagP50Ms,
    double SendLagP99Ms, long ResponseBytes, IReadOnlyDictionary<string, long> Statuses, double[] P99MsBySecond);

/// <summary>The one place the load generator's requests get their credentials: the API takes a JWT bearer token
/// (minted with the silo's <c>Auth:SigningKey</c>, e.g. by <c>households token</c>), given as <c>--token</c> or env
/// <c>HOUSEHOLDS_TOKEN</c>. Without a token no header is sent (an API without authentication, or one that refuses).</summary>
internal static class ApiAuth
{
    public static AuthenticationHeaderValue? Header(LoadTestOptions options) =>
        options.Token is { Length: > 0 } token ? new AuthenticationHeaderValue("Bearer", token) : null;
}

/// <summary>A bounded open-loop HTTP load: requests start on a fixed schedule (<c>rps</c> a second for <c>seconds</c>),
/// whatever earlier ones are doing, so a slow server shows as latency, not as a lower offered rate. The scheduler thread wakes about once a millisecond and starts every
/// request that has come due since (a timer cannot wake 5,000 times a second). At most
/// <see cref="MaxInFlight"/> requests are outstanding; a request that cannot start is counted as not sent.</summary>
internal static class ApiLoad
{
    public const int MaxInFlight = 4096;

    /// <summary>Line the standalone load prints when its warm-up is over and the measured seconds begin.</summary>
    public const string MeasuringLine = "api: measuring";

    /// <summary><c>--mode api</c>: the warm-up, then the measured load against <c>--api-url</c>, the result as JSON in
    /// <c>--out</c>. The pipeline runs it as a child process and starts its batches at <see cref="MeasuringLine"/>.</summary>
    public static async Task<int> Standalone(LoadTestOptions o)
    {
        if (o.ApiUrl is null || o.ApiRps <= 0 || o.Households <= 0)
        {
            Console.Error.WriteLine("error: --mode api needs --api-url, --api-rps and --households");
            return 2;
        }
        using var http = Client(o.ApiUrl, ApiAuth.Header(o));
        var pick = new Random(o.Seed);
        string NextPath() => o.ApiPath.Replace("{id}", $"HH{pick.Next(o.Households) + 1:D6}");
        if (o.ApiWarmupSeconds > 0)
        {
            var warm = await Run(http, NextPath, o.ApiPath, o.ApiRps, o.ApiWarmupSeconds, Console.WriteLine);
            Console.WriteLine($"api warm-up ({o.ApiWarmupSeconds:0} s, not measured): {warm.AchievedRps:N0} rps, p50 {warm.P50Ms:0.0} p99 {warm.P99Ms:0.0} ms");
        }
        Console.WriteLine(MeasuringLine);
        var result = await Run(http, NextPath, o.ApiPath, o.ApiRps, o.ApiSeconds, Console.WriteLine) with { WarmupSeconds = o.ApiWarmupSeconds };
        Report.Write(o.Out, result);
        return 0;
    }

    /// <summary>The client every run shares (its connections stay open from the warm-up to the measured run).</summary>
    public static HttpClient Client(string baseUrl, AuthenticationHeaderValue? auth)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 1024,
            PooledConnectionLifetime = TimeSpan.FromMinutes(30),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            UseProxy = false,
            UseCookies = false,
        };
        var http = new HttpClient(handler, disposeHandler: true) { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = auth;
        return http;
    }

    public static async Task<ApiResult> Run(HttpClient http, Func<string> nextPath, string pathLabel, int rps, double seconds, Action<string> progress)
    {
        var total = (long)(rps * seconds);
        // Per request slot: latency and send lag in ms (NaN: not answered, not measured). No locks on the hot path.
        var latencies = new double[total];
        var lags = new double[total];
        Array.Fill(latencies, double.NaN);
        Array.Fill(lags, double.NaN);
        var statuses = new ConcurrentDictionary<string, long>();
        long bytes = 0, notSent = 0, answered = 0;
        using var inFlight = new SemaphoreSlim(MaxInFlight);
        var pending = new List<Task>((int)Math.Min(total, int.MaxValue));
        var clock = Stopwatch.StartNew();

        async Task Send(long slot, double scheduled, string path)
        {
            try
            {
                lags[slot] = clock.Elapsed.TotalMilliseconds - scheduled;
                using var response = await http.GetAsync(path, HttpCompletionOption.ResponseContentRead).ConfigureAwait(false);
                latencies[slot] = clock.Elapsed.TotalMilliseconds - scheduled;
                Interlocked.Add(ref bytes, response.Content.Headers.ContentLength ?? 0);
                Interlocked.Increment(ref answered);
                statuses.AddOrUpdate(((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture), 1, (_, n) => n + 1);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                statuses.AddOrUpdate(ex.GetType().Name, 1, (_, n) => n + 1);
            }
            finally { inFlight.Release(); }
        }

        // The schedule runs on its own thread and starts each request itself (up to its first wait): a pool thread
        // woken by a timer and a queued work item per request added milliseconds of the generator's own lag.
        var scheduler = new Thread(() =>
        {
            var nextReport = 5.0;
            long next = 0;
            while (next < total)
            {
                var due = Math.Min(total, (long)(clock.Elapsed.TotalSeconds * rps) + 1);
                for (; next < due; next++)
                {
                    if (!inFlight.Wait(0)) { notSent++; continue; }
                    pending.Add(Send(next, next * 1000.0 / rps, nextPath()));
                }
                if (clock.Elapsed.TotalSeconds >= nextReport)
                {
                    progress($"api: {next:N0} started in {clock.Elapsed.TotalSeconds:0} s, " +
                        $"{Interlocked.Read(ref answered):N0} answered, {MaxInFlight - inFlight.CurrentCount:N0} in flight");
                    nextReport += 5;
                }
                if (next < total) Thread.Sleep(1);
            }
        }) { IsBackground = true, Name = "api-load-schedule" };
        scheduler.Start();
        await Task.Run(scheduler.Join);
        await Task.WhenAll(pending);
        var elapsed = clock.Elapsed.TotalSeconds;
        var measured = latencies.Where(double.IsFinite).ToList();
        measured.Sort();
        var lag = lags.Where(double.IsFinite).ToList();
        lag.Sort();
        // p99 of the requests scheduled in each second: where the slow ones cluster (a GC pause, a scan, a decision).
        var bySecond = Enumerable.Range(0, (int)Math.Ceiling(total / (double)rps)).Select(second =>
        {
            var slice = latencies.Skip(second * rps).Take(rps).Where(double.IsFinite).Order().ToList();
            return Math.Round(BareLoop.Percentile(slice, 0.99), 1);
        }).ToArray();
        var sent = total - notSent;
        var ok = statuses.Where(kv => kv.Key.StartsWith('2')).Sum(kv => kv.Value);
        return new ApiResult(pathLabel, rps, seconds, 0, sent, ok, sent - ok, notSent, measured.Count / Math.Max(elapsed, 1e-9),
            BareLoop.Percentile(measured, 0.5), BareLoop.Percentile(measured, 0.9), BareLoop.Percentile(measured, 0.99),
            BareLoop.Percentile(measured, 0.999), measured.Count == 0 ? 0 : measured[^1],
            BareLoop.Percentile(lag, 0.5), BareLoop.Percentile(lag, 0.99), Interlocked.Read(ref bytes), new SortedDictionary<string, long>(statuses), bySecond);
    }
}
