using Households.Contracts;
using Households.Domain.Market;
using Households.Grains.Prices;
using Households.Grains.Securities;
using Households.Grains.Silo;
using Households.Grains;
using Households.Silo.Hosting;
using Households.Simulation.Firms;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Net;

namespace Households.LoadTest;

/// <summary>Drives a running cluster (e.g. loadtest/multisilo.sh: three silos, AdoNet clustering and storage on
/// PostgreSQL) through an Orleans client: creates the synthetic firm through the household grains (persisted, as a
/// firm's books are), then publishes full-universe batches to the feed grain; each silo's monitor scans the
/// accounts activated on it. Figures come from each silo's /api/monitor and /api/monitor/latency.</summary>
internal static class ClusterRun
{
    public static async Task<int> Run(LoadTestOptions o)
    {
        if (o.SiloUrls.Length == 0) { Console.Error.WriteLine("error: --cluster needs --silo-urls (each silo's HTTP address)"); return 2; }
        var total = Stopwatch.StartNew();
        var firm = SyntheticFirm.Build(o.Accounts, o.Seed);
        Console.WriteLine($"cluster: {o.Accounts:N0} accounts in {firm.HouseholdCount:N0} households; gateways {string.Join(',', o.Cluster)}; " +
            $"a batch every {o.IntervalMs} ms for {o.Seconds} s");
        using var host = await Client(o.Cluster, TimeSpan.FromMinutes(5));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = ApiAuth.Header(o);
        try
        {
            var grains = host.Services.GetRequiredService<IClusterClient>();
            await grains.GetGrain<IUniverseGrain>(UniverseGrain.Key).Upsert([.. firm.Universe.Securities]);
            foreach (var model in DemoFirmSeeder.InDependencyOrder(firm.Models)) await grains.GetGrain<IModelGrain>(model.Id).Define(model);
            var feed = grains.GetGrain<IPriceFeedGrain>(PriceFeedGrain.Key);
            var stream = new PriceStream(firm.Universe, o.Seed, o.StepDays); // first batch only once the firm is live

            // Creation is activation here: each account is opened (written to PostgreSQL) and stays live.
            long created = 0;
            var activation = Stopwatch.StartNew();
            using (new Timer(_ => Console.WriteLine($"creating: {Interlocked.Read(ref created):N0}/{o.Accounts:N0} accounts, {activation.Elapsed.TotalSeconds:0} s"), null, 5000, 5000))
            {
                await Parallel.ForEachAsync(Enumerable.Range(0, firm.HouseholdCount), new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, o.Concurrency / 3) },
                    async (h, _) =>
                    {
                        var household = firm.HouseholdAt(h);
                        await grains.GetGrain<IHouseholdGrain>(household.Household.Id).Create(household.Household, [.. household.Accounts]);
                        Interlocked.Add(ref created, household.Accounts.Count);
                    });
            }
            var activationSeconds = activation.Elapsed.TotalSeconds;
            Console.WriteLine($"created {created:N0} accounts in {activationSeconds:0.0} s ({created / activationSeconds:N0}/s)");

            var settle = await feed.Publish(stream.Next());
            await WaitAll(http, o.SiloUrls, settle, TimeSpan.FromSeconds(120));
            foreach (var url in o.SiloUrls) (await http.PostAsync($"{url}/api/monitor/latency/reset", null)).EnsureSuccessStatusCode();

            var seen = new ConcurrentDictionary<(string Silo, long Sequence), MonitorStatus>();
            using var poll = new CancellationTokenSource();
            var poller = Poll(http, o.SiloUrls, seen, poll.Token);
            var run = Stopwatch.StartNew();
            var published = new List<long>();
            for (var b = 0; b * o.IntervalMs < o.Seconds * 1000; b++)
            {
                var due = TimeSpan.FromMilliseconds(b * (double)o.IntervalMs);
                if (run.Elapsed < due) await Task.Delay(due - run.Elapsed);
                published.Add(await feed.Publish(stream.Next()));
                Console.WriteLine($"batch {published[^1]}: silos scanned {string.Join(", ", o.SiloUrls.Select(u => seen.Keys.Where(k => k.Silo == u).Select(k => k.Sequence).DefaultIfEmpty().Max() is var s && s >= published[0] ? $"#{s - published[0] + 1}" : "-"))}");
            }
            await WaitAll(http, o.SiloUrls, published[^1], TimeSpan.FromSeconds(30));
            var runSeconds = run.Elapsed.TotalSeconds;
            await Task.Delay(1500);
            await poll.CancelAsync();
            await poller;

            var perSilo = new List<object>();
            var lats = new List<LatencySummary>();
            foreach (var url in o.SiloUrls)
            {
                var lat = (await http.GetFromJsonAsync<LatencySummary>($"{url}/api/monitor/latency"))!;
                lats.Add(lat);
                var scans = seen.Where(kv => kv.Key.Silo == url && kv.Key.Sequence >= published[0]).Select(kv => kv.Value).OrderBy(s => s.BatchSequence).ToList();
                perSilo.Add(new { silo = url, summary = Pipeline.Summarize(scans, published.Count, scans.FirstOrDefault()?.Workers ?? 0, runSeconds, lat) });
            }
            // The cluster's batch is done when the slowest silo has scanned it.
            var byBatch = seen.Where(kv => kv.Key.Sequence >= published[0]).GroupBy(kv => kv.Key.Sequence)
                .Where(g => g.Count() == o.SiloUrls.Length).Select(g => (Evaluations: g.Sum(kv => kv.Value.Positions + kv.Value.Lots),
                    Ms: g.Max(kv => kv.Value.PublishedToScannedMilliseconds))).ToList();
            var endToEnd = byBatch.Select(b => b.Ms).Order().ToList();
            var result = new
            {
                mode = "cluster",
                silos = o.SiloUrls.Length,
                date = DateTimeOffset.UtcNow,
                options = new { o.Accounts, o.Seconds, o.IntervalMs, o.Seed },
                accounts_created = created,
                activation_seconds = activationSeconds,
                batches_published = published.Count,
                batches_scanned_by_all = byBatch.Count,
                evaluations_per_second = byBatch.Sum(b => b.Evaluations) / Math.Max(endToEnd.Sum() / 1000, 1e-9),
                published_to_scanned_ms_p50 = BareLoop.Percentile(endToEnd, 0.5),
                published_to_scanned_ms_p99 = BareLoop.Percentile(endToEnd, 0.99),
                notices = lats.Sum(l => l.Notices),
                tick_to_trigger_ms_p50_worst_silo = lats.Max(l => l.P50Milliseconds),
                tick_to_trigger_ms_p99_worst_silo = lats.Max(l => l.P99Milliseconds),
                tick_to_trigger_ms_max = lats.Max(l => l.MaxMilliseconds),
                per_silo = perSilo,
                total_seconds = total.Elapsed.TotalSeconds,
            };
            Console.WriteLine(Report.Write(o.Out, result));
            return lats.Sum(l => l.Notices) > 0 ? 0 : 1;
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private static async Task Poll(HttpClient http, string[] silos, ConcurrentDictionary<(string, long), MonitorStatus> seen, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            foreach (var url in silos)
            {
                try
                {
                    if (await http.GetFromJsonAsync<MonitorStatus>($"{url}/api/monitor", ct) is { } s) seen.TryAdd((url, s.BatchSequence), s);
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or OperationCanceledException) { }
            }
            try { await Task.Delay(50, ct); } catch (OperationCanceledException) { }
        }
    }

    private static async Task WaitAll(HttpClient http, string[] silos, long sequence, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            var done = 0;
            foreach (var url in silos)
                if ((await http.GetFromJsonAsync<MonitorStatus>($"{url}/api/monitor"))?.BatchSequence >= sequence) done++;
            if (done == silos.Length) return;
            await Task.Delay(100);
        }
        Console.WriteLine($"warning: not every silo scanned batch {sequence} within {timeout.TotalSeconds:0} s");
    }

    /// <summary>An Orleans client of the cluster at the given gateway ports on this machine (its host, started).</summary>
    public static async Task<IHost> Client(int[] gatewayPorts, TimeSpan responseTimeout)
    {
        var builder = Host.CreateApplicationBuilder([]);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleansClient(c => c
            .UseStaticClustering([.. gatewayPorts.Select(p => new IPEndPoint(IPAddress.Loopback, p))])
            .Configure<ClusterOptions>(x => { x.ClusterId = "households"; x.ServiceId = "households"; })
            .Configure<ClientMessagingOptions>(m => m.ResponseTimeout = responseTimeout));
        builder.Services.AddStorageExceptionSerialization();
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }
}
