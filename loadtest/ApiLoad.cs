using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;

namespace Households.LoadTest;

internal sealed record ApiResult(string Path, int TargetRps, int Seconds, long Sent, long Succeeded, long Failed, long NotSent,
    double AchievedRps, double P50Ms, double P99Ms, double MaxMs, IReadOnlyDictionary<string, long> Statuses);

/// <summary>The one place the load generator's requests get their credentials: the API takes a JWT bearer token
/// (minted with the silo's <c>Auth:SigningKey</c>, e.g. by <c>households token</c>), given as <c>--token</c> or env
/// <c>HOUSEHOLDS_TOKEN</c>. Without a token no header is sent (an API without authentication, or one that refuses).</summary>
internal static class ApiAuth
{
    public static AuthenticationHeaderValue? Header(LoadTestOptions options) =>
        options.Token is { Length: > 0 } token ? new AuthenticationHeaderValue("Bearer", token) : null;
}

/// <summary>A bounded open-loop HTTP load: requests start on a fixed schedule (<c>rps</c> a second for <c>seconds</c>),
/// whatever earlier ones are doing, so a slow server shows as latency, not as a lower offered rate. At most
/// <see cref="MaxInFlight"/> requests are outstanding; a request that cannot start is counted as not sent.</summary>
internal static class ApiLoad
{
    public const int MaxInFlight = 4096;

    public static async Task<ApiResult> Run(string baseUrl, Func<string> nextPath, string pathLabel, int rps, int seconds,
        AuthenticationHeaderValue? auth, Action<string> progress)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 1024, PooledConnectionLifetime = TimeSpan.FromMinutes(30) };
        using var http = new HttpClient(handler) { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = auth;
        var latencies = new ConcurrentBag<double>();
        var statuses = new ConcurrentDictionary<string, long>();
        using var inFlight = new SemaphoreSlim(MaxInFlight);
        var pending = new List<Task>();
        long total = (long)rps * seconds, sent = 0, notSent = 0;
        var clock = Stopwatch.StartNew();
        var nextReport = 5.0;
        while (sent + notSent < total)
        {
            var due = (sent + notSent) * 1000.0 / rps;
            var now = clock.Elapsed.TotalMilliseconds;
            if (due > now + 1) { await Task.Delay(TimeSpan.FromMilliseconds(due - now)); continue; }
            if (!inFlight.Wait(0)) { notSent++; continue; }
            sent++;
            pending.Add(One(http, nextPath(), inFlight, latencies, statuses));
            if (clock.Elapsed.TotalSeconds >= nextReport)
            {
                progress($"api: {sent:N0} sent in {clock.Elapsed.TotalSeconds:0} s, {latencies.Count:N0} answered");
                nextReport += 5;
            }
        }
        await Task.WhenAll(pending);
        var elapsed = clock.Elapsed.TotalSeconds;
        var sorted = latencies.ToList();
        sorted.Sort();
        var ok = statuses.Where(kv => kv.Key.StartsWith('2')).Sum(kv => kv.Value);
        return new ApiResult(pathLabel, rps, seconds, sent, ok, sent - ok, notSent, sorted.Count / Math.Max(elapsed, 1e-9),
            BareLoop.Percentile(sorted, 0.5), BareLoop.Percentile(sorted, 0.99), sorted.Count == 0 ? 0 : sorted[^1],
            new SortedDictionary<string, long>(statuses));
    }

    private static async Task One(HttpClient http, string path, SemaphoreSlim inFlight, ConcurrentBag<double> latencies,
        ConcurrentDictionary<string, long> statuses)
    {
        await Task.Yield();
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await http.GetAsync(path, HttpCompletionOption.ResponseContentRead);
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            statuses.AddOrUpdate(((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture), 1, (_, n) => n + 1);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            statuses.AddOrUpdate(ex.GetType().Name, 1, (_, n) => n + 1);
        }
        finally { inFlight.Release(); }
    }
}
