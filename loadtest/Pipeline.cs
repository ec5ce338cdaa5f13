using Households.Contracts;
using Households.Domain.Market;
using Households.Domain.Monitoring;
using Households.Grains.Prices;
using Households.Grains.Securities;
using Households.Grains.Silo;
using Households.Grains;
using Households.Silo.Api;
using Households.Silo.Hosting;
using Households.Simulation.Firms;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;

namespace Households.LoadTest;

internal sealed record PipelineResult(int Accounts, long Lots, long Positions, int BatchesPublished, int BatchesScanned, int Workers,
    long Evaluations, double EvaluationsPerSecond, double ScanOnlyEvaluationsPerSecond, double PublishedToScannedMsP50,
    double PublishedToScannedMsP99, double ScanMsP50, double ScanMsP99, long Triggers, double TriggersPerSecond, long Notices,
    long TickToTriggerMsP50, long TickToTriggerMsP99, long TickToTriggerMsMax, double AccountsEvaluatedShare = 1);

/// <summary>The actor pipeline in one process: the silo with its API on loopback, the synthetic firm's books served by
/// <see cref="SyntheticFirmStorage"/>, every account grain activated (its snapshot registered with the monitor), then
/// full-universe batches published to the price feed grain at a fixed interval for a fixed time.</summary>
internal static class Pipeline
{
    public static async Task<int> InProcess(LoadTestOptions o)
    {
        var total = Stopwatch.StartNew();
        var firm = SyntheticFirm.Build(o.Accounts, o.Seed);
        Console.WriteLine($"pipeline: {o.Accounts:N0} accounts in {firm.HouseholdCount:N0} households, {firm.Universe.Count:N0} securities; " +
            $"a batch every {o.IntervalMs} ms for {o.Seconds} s; {o.Workers} monitor workers (seed {o.Seed})");
        var apiUrl = o.ApiUrl ?? $"http://127.0.0.1:{o.HttpPort}";
        var settings = new Dictionary<string, string?>
        {
            ["Urls"] = apiUrl,
            ["Orleans:SiloPort"] = o.SiloPort.ToString(),
            ["Orleans:GatewayPort"] = o.GatewayPort.ToString(),
            ["Market:Simulate"] = "false",
            // The run measures the monitor and the decisions whatever the day: triggers are not held for the exchange's open.
            ["Market:EnforceTradingHours"] = "false",
            ["Demo:Enabled"] = "false",
            ["Monitor:Workers"] = o.Workers.ToString(),
            // The monitor is the subject: households may start the optimizer only this often firm-wide.
            ["Decisions:FirmPerSecond"] = o.DecisionsPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Decisions:FirmBurst"] = "1",
            ["RateLimit:Enabled"] = "false",
            // The dashboard's grain-call profiler runs until a minute passes without a viewer, so in a run this short it
            // would still be on; the run measures a silo nobody is watching (--set Dashboard:Enabled=true to include it).
            ["Dashboard:Enabled"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Households"] = "Error",
            // Grains still at work when the silo stops (a decision's trade) log placement failures: not the subject.
            ["Logging:LogLevel:Polly"] = "Error",
            ["Logging:LogLevel:Orleans.Runtime.Placement"] = "Error",
        };
        foreach (var (k, v) in o.Settings) settings[k] = v;
        var postgres = o.Books == "postgres";
        BooksLoadReport? load = null;
        if (postgres)
        {
            var cs = o.Connection ?? Environment.GetEnvironmentVariable("ConnectionStrings__Households")
                ?? throw new InvalidOperationException("--books postgres needs --connection or ConnectionStrings__Households");
            if (!o.SkipLoad)
            {
                await Households.Persistence.PostgresSchema.ApplyAsync(cs);
                var serializer = BooksLoader.StateSerializer();
                await using var database = Npgsql.NpgsqlDataSource.Create(cs);
                var rssLoad = Report.ResidentMb();
                load = await BooksLoader.Load(database, serializer, firm, replace: true, line => Console.WriteLine($"bulk load: {line}"));
                Console.WriteLine($"bulk load: {load.Accounts:N0} accounts, {load.Lots:N0} lots, {load.Bytes / 1e6:N0} MB in {load.Took.TotalSeconds:0.0} s " +
                    $"({load.Accounts / load.Took.TotalSeconds:N0} accounts/s); {Report.ResidentMb():N0} MB resident (before {rssLoad:N0})");
            }
            settings["ConnectionStrings:Households"] = cs;
            settings["Orleans:ClusterId"] = $"loadtest-{Guid.NewGuid():N}";
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddHouseholds();
        if (!postgres)
            builder.Services.AddKeyedSingleton<IGrainStorage>(HostingProfile.StorageName, (sp, _) =>
                new SyntheticFirmStorage(firm, sp.GetRequiredService<Serializer>(), sp.GetRequiredService<SecurityMaster>()));
        builder.Services.Configure<GrainCollectionOptions>(c => c.CollectionAge = TimeSpan.FromHours(2));
        // On a shared, overloaded machine a call can wait long behind a million activations; slow is a figure, not a failure.
        builder.Services.Configure<SiloMessagingOptions>(m => { m.ResponseTimeout = TimeSpan.FromMinutes(5); m.SystemResponseTimeout = TimeSpan.FromMinutes(5); });
        var app = builder.Build();
        app.MapHouseholdsApi();
        var siloStart = Stopwatch.StartNew();
        await app.StartAsync();
        try
        {
            if (!postgres && app.Services.GetRequiredKeyedService<IGrainStorage>(HostingProfile.StorageName) is not SyntheticFirmStorage)
                throw new InvalidOperationException("the synthetic firm storage did not replace the profile's storage");
            if (postgres && app.Services.GetRequiredKeyedService<IGrainStorage>(HostingProfile.StorageName) is not PostgresGrainStorage)
                throw new InvalidOperationException("the silo is not on the PostgreSQL books");
            return await Drive(o, firm, app, apiUrl, total, siloStart, load);
        }
        finally
        {
            Console.WriteLine("stopping the silo");
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try { await app.StopAsync(stop.Token); } catch (OperationCanceledException) { Console.WriteLine("silo stop timed out"); }
        }
    }

    private static async Task<int> Drive(LoadTestOptions o, SyntheticFirm firm, WebApplication app, string apiUrl, Stopwatch total,
        Stopwatch siloStart, BooksLoadReport? load)
    {
        var postgres = load is not null || o.Books == "postgres";
        var grains = app.Services.GetRequiredService<IGrainFactory>();
        var monitor = app.Services.GetRequiredService<AccountMonitor>();
        var latency = app.Services.GetRequiredService<TriggerLatency>();
        var board = app.Services.GetRequiredService<PriceBoard>();
        var master = app.Services.GetRequiredService<SecurityMaster>();
        var feed = grains.GetGrain<IPriceFeedGrain>(PriceFeedGrain.Key);

        if (!postgres)
        {
            var universe = grains.GetGrain<IUniverseGrain>(UniverseGrain.Key);
            await universe.Upsert([.. firm.Universe.Securities]);
            master.Load(await universe.GetAll());
            foreach (var model in DemoFirmSeeder.InDependencyOrder(firm.Models)) await grains.GetGrain<IModelGrain>(model.Id).Define(model);
        }
        // No price before the firm is live: each silo re-reads the feed's last batch every 15 s and rescans, and a
        // rescan mid-activation would wake households for half-registered firms.
        var stream = new PriceStream(firm.Universe, o.Seed, o.StepDays);
        var vectors = new List<PriceVector>();

        // Activation: every account grain reads its books and registers its snapshot; households stay asleep. On the
        // PostgreSQL books no grain activates: the silo's warm start reads every account in one COPY and parks it in the monitor.
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        var heapBefore = GC.GetTotalMemory(true);
        var rssBefore = Report.ResidentMb();
        long activated = 0, retries = 0;
        var activation = Stopwatch.StartNew();
        WarmStartReport? warmStart = null;
        if (postgres)
        {
            using var progress = new Timer(_ => Console.WriteLine(
                $"warm start: {monitor.ParkedAccounts:N0}/{o.Accounts:N0} accounts watched, {siloStart.Elapsed.TotalSeconds:0} s since the silo started, {Report.ResidentMb():N0} MB resident"),
                null, 5000, 5000);
            warmStart = await app.Services.GetRequiredService<BooksWarmStart>().Done;
            activated = warmStart.Accounts;
            activation = siloStart; // from the silo's start: the figure is "start to every account watched"
            Console.WriteLine($"warm start: {warmStart.Accounts:N0} accounts, {warmStart.Lots:N0} lots watched in {warmStart.Took.TotalSeconds:0.0} s of reading; " +
                $"{siloStart.Elapsed.TotalSeconds:0.0} s after the silo started; {warmStart.TablesOffered:N0} snapshot tables shared as {warmStart.DistinctTables:N0}");
        }
        else
        {
            using (var progress = new Timer(_ => Console.WriteLine(
                $"activating: {Interlocked.Read(ref activated):N0}/{o.Accounts:N0} accounts, {activation.Elapsed.TotalSeconds:0} s, {Report.ResidentMb():N0} MB resident"),
                null, 5000, 5000))
            {
                await Parallel.ForEachAsync(Enumerable.Range(0, firm.HouseholdCount), new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, o.Concurrency / 3) },
                    async (h, _) =>
                    {
                        var ids = firm.AccountIdsAt(h);
                        for (var attempt = 1; ; attempt++)
                        {
                            try { await Task.WhenAll(ids.Select(id => grains.GetGrain<IAccountGrain>(id).GetSpec())); break; }
                            catch (TimeoutException) when (attempt < 5) { Interlocked.Increment(ref retries); }
                        }
                        Interlocked.Add(ref activated, ids.Length);
                    });
            }
        }
        var activationSeconds = activation.Elapsed.TotalSeconds;
        Console.WriteLine($"activated {activated:N0} accounts in {activationSeconds:0.0} s ({activated / activationSeconds:N0}/s)");
        // Memory of the live accounts alone (households still asleep): grains, compact lots, snapshots.
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        var heapActive = GC.GetTotalMemory(true);
        var rssActive = Report.ResidentMb();
        var bytesPerAccount = (heapActive - heapBefore) / (double)Math.Max(1, activated);
        Console.WriteLine($"live accounts: {(heapActive - heapBefore) / 1048576.0:N0} MB managed heap ({bytesPerAccount:N0} B/account), {rssActive:N0} MB resident");

        // A settling batch: every snapshot joins the scan and its flags are set (the first scan reports every
        // condition that already holds; that burst is not the steady state measured below).
        var scans = new ConcurrentQueue<MonitorStatus>();
        monitor.Scanned += s => scans.Enqueue(s);
        // Every batch goes to the feed and into the bare loop's replay (the settling batch sets the flags there too).
        async Task<long> PublishBatch()
        {
            var quotes = stream.Next();
            var sequence = await feed.Publish(quotes);
            vectors.Add(PriceStream.Vector(sequence, quotes, board.Index));
            return sequence;
        }
        var settleSequence = await PublishBatch();
        var settled = await WaitForScan(scans, settleSequence, TimeSpan.FromSeconds(120));
        Console.WriteLine($"settling batch: {settled?.Accounts:N0} accounts, {settled?.Lots:N0} lots, {settled?.Triggers:N0} triggers, " +
            $"scan {settled?.ScanMilliseconds:0} ms");
        // The first scan reports every condition that already holds: a burst of notices that wakes the households the
        // accounts admit. Let it drain (notices stop arriving for 3 s, at most 5 minutes) before the measured run.
        var drain = Stopwatch.StartNew();
        for (long last = -1, now; drain.Elapsed < TimeSpan.FromMinutes(5) && (now = latency.Summary().Notices) != last; last = now)
            await Task.Delay(3000);
        var drainSeconds = drain.Elapsed.TotalSeconds;
        var settlingNotices = latency.Summary();
        Console.WriteLine($"settling burst drained in {drainSeconds:0} s: {settlingNotices.Notices:N0} notices, p99 {settlingNotices.P99Milliseconds} ms");
        var rssAfter = Report.ResidentMb();

        // Households the API load reads: woken before the measured run (as the watchdog's sweep does at silo start), or
        // left asleep so the load meets each one cold once.
        object? wake = null;
        if (o.ApiRps > 0 && o.ApiWake)
        {
            var clock = Stopwatch.StartNew();
            var slow = new ConcurrentBag<double>();
            await Parallel.ForEachAsync(Enumerable.Range(0, firm.HouseholdCount), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (h, _) =>
            {
                var started = Stopwatch.GetTimestamp();
                await grains.GetGrain<IHouseholdGrain>($"HH{h + 1:D6}").GetLiveState();
                slow.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            });
            var each = slow.Order().ToList();
            wake = new
            {
                households = firm.HouseholdCount, seconds = clock.Elapsed.TotalSeconds, per_second = firm.HouseholdCount / clock.Elapsed.TotalSeconds,
                call_ms_p50 = BareLoop.Percentile(each, 0.5), call_ms_p99 = BareLoop.Percentile(each, 0.99), resident_mb = Report.ResidentMb(),
            };
            Console.WriteLine($"woke {firm.HouseholdCount:N0} households for the API load in {clock.Elapsed.TotalSeconds:0.0} s " +
                $"({firm.HouseholdCount / clock.Elapsed.TotalSeconds:N0}/s, 64 at a time, call p50 {BareLoop.Percentile(each, 0.5):0.0} ms); {Report.ResidentMb():N0} MB resident");
        }

        // The monitor's own warm-up (--monitor-warmup-seconds): batches at the run's interval before the measured run,
        // not measured, the API warm-up overlapping their last seconds. After the settling batch the first batches bring
        // thousands of new crossings a second while conditions near their thresholds cross and are then held; a silo that
        // has been running is past that.
        using var warmStop = new CancellationTokenSource();
        async Task PublishUntilStopped()
        {
            var clock = Stopwatch.StartNew();
            for (var b = 0; !warmStop.IsCancellationRequested; b++)
            {
                var due = TimeSpan.FromMilliseconds(b * (double)o.IntervalMs);
                if (clock.Elapsed < due) await Task.Delay(due - clock.Elapsed);
                if (warmStop.IsCancellationRequested) break;
                await PublishBatch();
            }
        }
        var monitorWarmup = o.MonitorWarmupSeconds > 0 ? Task.Run(PublishUntilStopped) : Task.CompletedTask;
        if (o.MonitorWarmupSeconds > 0)
        {
            Console.WriteLine($"monitor warm-up: a batch every {o.IntervalMs} ms for {o.MonitorWarmupSeconds} s, not measured");
            await Task.Delay(TimeSpan.FromSeconds(Math.Max(0, o.MonitorWarmupSeconds - (o.ApiRps > 0 ? o.ApiWarmupSeconds : 0))));
        }

        // The API client, warmed up (connections, JIT: tiered compilation of the request path takes seconds) before
        // anything is measured: a child process by default, or in this process.
        var apiSeconds = Math.Min(o.ApiSeconds, o.Seconds);
        using var child = o.ApiRps > 0 && o.ApiProcess ? await ApiChild.Start(o, apiUrl, firm.HouseholdCount, apiSeconds) : null;
        using var http = o.ApiRps > 0 && !o.ApiProcess ? ApiLoad.Client(apiUrl, ApiAuth.Header(o)) : null;
        var pick = new Random(o.Seed);
        string NextPath() => o.ApiPath.Replace("{id}", $"HH{pick.Next(firm.HouseholdCount) + 1:D6}");
        if (o.ApiRps > 0 && ApiAuth.Header(o) is null) Console.WriteLine("api: no --token (or HOUSEHOLDS_TOKEN): the silo will refuse every request (401)");
        if (http is not null && o.ApiWarmupSeconds > 0)
        {
            var warm = await ApiLoad.Run(http, NextPath, o.ApiPath, o.ApiRps, o.ApiWarmupSeconds, Console.WriteLine);
            Console.WriteLine($"api warm-up ({o.ApiWarmupSeconds:0} s, not measured): {warm.AchievedRps:N0} rps, p50 {warm.P50Ms:0.0} p99 {warm.P99Ms:0.0} ms");
        }

        warmStop.Cancel();
        await monitorWarmup;
        // The measured run: a batch every interval for the duration, optionally with the API load beside it.
        while (scans.TryDequeue(out _)) { }
        latency.Reset();
        var gcBefore = GC.GetTotalPauseDuration();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var gcCounts = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        using var sampler = o.AllocSample ? new AllocationSampler() : null;
        sampler?.Start();
        using var gcPauses = new GcPauseListener();
        gcPauses.Start();
        var api = child is not null ? child.Result()
            : http is null ? null
            : Task.Run(async () => await ApiLoad.Run(http, NextPath, o.ApiPath, o.ApiRps, apiSeconds, Console.WriteLine) with { WarmupSeconds = o.ApiWarmupSeconds });
        var run = Stopwatch.StartNew();
        var published = new List<long>();
        for (var b = 0; b * o.IntervalMs < o.Seconds * 1000; b++)
        {
            var due = TimeSpan.FromMilliseconds(b * (double)o.IntervalMs);
            if (run.Elapsed < due) await Task.Delay(due - run.Elapsed);
            var sequence = await PublishBatch();
            published.Add(sequence);
            var last = scans.LastOrDefault();
            var l = latency.Summary();
            if (b % Math.Max(1, 1000 / o.IntervalMs) == 0)
                Console.WriteLine($"batch {sequence}: last scan {last?.BatchSequence} {last?.ScanMilliseconds:0} ms (published→scanned {last?.PublishedToScannedMilliseconds:0} ms), " +
                    $"{last?.Triggers:N0} triggers; notices {l.Notices:N0}, tick-to-trigger p50 {l.P50Milliseconds} p99 {l.P99Milliseconds} max {l.MaxMilliseconds} ms; {Report.ResidentMb():N0} MB; GC pause {(GC.GetTotalPauseDuration() - gcBefore).TotalMilliseconds:0} ms, gen0/1/2 {GC.CollectionCount(0) - gcCounts.Item1}/{GC.CollectionCount(1) - gcCounts.Item2}/{GC.CollectionCount(2) - gcCounts.Item3}");
        }
        await WaitForScan(scans, published[^1], TimeSpan.FromSeconds(30));
        var runSeconds = run.Elapsed.TotalSeconds;
        await Task.Delay(1000); // the last notices land
        var apiResult = api is null ? null : await api;
        var gcPause = (GC.GetTotalPauseDuration() - gcBefore).TotalMilliseconds;
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        sampler?.Stop();
        gcPauses.Stop();
        foreach (var (type, bytes, share) in sampler?.Top(40) ?? [])
            Console.WriteLine($"allocated (sampled): {bytes / 1048576.0,8:N1} MB {share,6:P1}  {type}");
        var gcDelta = new { gen0 = GC.CollectionCount(0) - gcCounts.Item1, gen1 = GC.CollectionCount(1) - gcCounts.Item2, gen2 = GC.CollectionCount(2) - gcCounts.Item3 };
        var lat = latency.Summary();
        var done = scans.Where(s => s.BatchSequence >= published[0]).ToList();
        var pipeline = Summarize(done, published.Count, o.Workers, runSeconds, lat);
        Console.WriteLine($"pipeline: {pipeline.BatchesScanned}/{pipeline.BatchesPublished} batches scanned, {pipeline.EvaluationsPerSecond / 1e6:0.0} M evaluations/s " +
            $"(published→scanned), tick-to-trigger p50 {lat.P50Milliseconds} p99 {lat.P99Milliseconds} max {lat.MaxMilliseconds} ms");

        // The bare loop over the very same snapshots and price batches, same scan code and thread count, no actors.
        Console.WriteLine("bare loop over the same snapshots and batches");
        var snapshots = monitor.Snapshots();
        var bareBatches = vectors; // the settling batch sets the flags (untimed); the measured batches follow
        var bare = BareLoop.Run(snapshots, bareBatches, o.Workers, monitor.Hold);
        var bareIncremental = BareLoop.Run(snapshots, bareBatches, o.Workers, monitor.Hold, incremental: true);
        snapshots = null;
        Console.WriteLine($"bare incremental: scan p50 {bareIncremental.ScanMsP50:0.0} ms p99 {bareIncremental.ScanMsP99:0.0} ms, " +
            $"{bareIncremental.AccountsEvaluatedShare:P1} of accounts evaluated, {bareIncremental.Triggers:N0} triggers (full: {bare.Triggers:N0})");
        var ratio = pipeline.EvaluationsPerSecond / Math.Max(bare.EvaluationsPerSecond, 1e-9);
        Console.WriteLine($"bare: {bare.Batches} batches, scan p50 {bare.ScanMsP50:0.0} ms, {bare.EvaluationsPerSecond / 1e6:0.0} M evaluations/s; ratio pipeline/bare {ratio:0.00}");

        object? shock = null, outage = null, stress = null;
        if (o.Stress is { } stressScenario) stress = await Stress(o, stressScenario, apiUrl);
        if (o.OutageSeconds > 0)
            outage = await Outage.Run(o, firm, app.Services, grains, stream, feed, scans, apiUrl, app.Configuration.GetConnectionString("Households")!);
        else if (o.Shock is { } scenario)
            shock = postgres ? await Shock(o, scenario, stream, feed, monitor, scans, app.Configuration.GetConnectionString("Households")!,
                    app.Services.GetRequiredService<PostgresGrainStorage>(), apiUrl, firm.HouseholdCount)
                : throw new InvalidOperationException("--shock needs --books postgres (its decisions are counted in the PostgreSQL journal)");

        var json = Report.Write(o.Out, new
        {
            mode = "pipeline",
            books = o.Books,
            bulk_load = load is null ? null : new { load.Households, load.Accounts, load.Lots, load.Bytes, seconds = load.Took.TotalSeconds },
            warm_start = warmStart is null ? null : new { warmStart.Accounts, warmStart.Lots, reading_seconds = warmStart.Took.TotalSeconds, seconds_after_silo_start = activationSeconds,
                shared_tables = warmStart.DistinctTables, tables_offered = warmStart.TablesOffered },
            shock,
            stress,
            outage,
            machine = new { cores = Environment.ProcessorCount, os = System.Runtime.InteropServices.RuntimeInformation.OSDescription, dotnet = Environment.Version.ToString() },
            date = DateTimeOffset.UtcNow,
            options = new { o.StepDays, o.Accounts, o.Seconds, o.MonitorWarmupSeconds, o.IntervalMs, o.Seed, o.Workers, o.ApiRps, o.ApiSeconds, o.ApiPath, o.ApiWarmupSeconds, o.ApiWake, o.ApiProcess, o.DecisionsPerSecond },
            accounts_live = settled?.Accounts ?? 0,
            lots_live = settled?.Lots ?? 0,
            positions_live = settled?.Positions ?? 0,
            households = firm.HouseholdCount,
            activation_seconds = activationSeconds,
            activations_per_second = activated / activationSeconds,
            activation_timeouts_retried = retries,
            managed_bytes_per_account = bytesPerAccount,
            managed_bytes_per_lot = (heapActive - heapBefore) / (double)Math.Max(1, settled?.Lots ?? 1),
            resident_mb_before_activation = rssBefore,
            resident_mb_accounts_live = rssActive,
            resident_mb_after_settling = rssAfter,
            settling_batch = settled,
            settling_burst = new { notices = settlingNotices, drain_seconds = drainSeconds },
            pipeline,
            bare,
            bare_incremental = bareIncremental,
            ratio_pipeline_to_bare = ratio,
            api = apiResult,
            api_households_woken = wake,
            gc_pause_ms_during_run = gcPause,
            cpu_seconds_during_run = cpuSeconds,
            run_seconds = runSeconds,
            gc_collections_during_run = gcDelta,
            gc_pauses_during_run = gcPauses.Summary(),
            gc_pause_ms_process = GC.GetTotalPauseDuration().TotalMilliseconds,
            peak_resident_mb = Report.PeakResidentMb(),
            total_seconds = total.Elapsed.TotalSeconds,
        });
        Console.WriteLine(json);
        if (pipeline.Triggers == 0 || lat.Notices == 0) { Console.Error.WriteLine("error: no triggers fired during the run"); return 1; }
        if (bare.Batches == 0) { Console.Error.WriteLine("error: the bare-loop comparison did not run"); return 1; }
        return 0;
    }

    /// <summary>Issue #18 goal 8: a firm-wide stress over the silo's live state (<c>POST /api/stress</c> with
    /// <c>decideWithinSeconds</c>), timed from the request to the report, with the process's resident memory around it.</summary>
    private static async Task<object> Stress(LoadTestOptions o, string scenario, string apiUrl)
    {
        using var http = ApiLoad.Client(apiUrl, ApiAuth.Header(o));
        http.Timeout = TimeSpan.FromMinutes(30);
        var residentBefore = Report.ResidentMb();
        Console.WriteLine($"stress: {scenario}, deciding for {o.StressDecideSeconds} s");
        var clock = Stopwatch.StartNew();
        using var sampling = new CancellationTokenSource();
        var peak = Task.Run(async () =>
        {
            var max = residentBefore;
            while (!sampling.IsCancellationRequested)
            {
                max = Math.Max(max, Report.ResidentMb());
                try { await Task.Delay(250, sampling.Token); } catch (OperationCanceledException) { }
            }
            return max;
        });
        using var response = await http.PostAsJsonAsync("/api/stress", new { scenario, decideWithinSeconds = o.StressDecideSeconds });
        var body = await response.Content.ReadAsStringAsync();
        var seconds = clock.Elapsed.TotalSeconds;
        await sampling.CancelAsync();
        var peakMb = await peak;
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"POST /api/stress: {(int)response.StatusCode} {body}");
        using var report = System.Text.Json.JsonDocument.Parse(body);
        var firm = report.RootElement.GetProperty("firm").Clone();
        Console.WriteLine($"stress: report in {seconds:0.0} s: {firm}");
        return new { scenario, decide_within_seconds = o.StressDecideSeconds, seconds, resident_mb_before = residentBefore, peak_resident_mb = peakMb, firm };
    }

    /// <summary>One batch of a named scenario after the measured run; the decisions it causes are counted in the PostgreSQL
    /// journal every second until nothing is appended for 10 s.</summary>
    private static async Task<object> Shock(LoadTestOptions o, string name, PriceStream stream, IPriceFeedGrain feed, AccountMonitor monitor,
        ConcurrentQueue<MonitorStatus> scans, string connection, PostgresGrainStorage storage, string apiUrl, int households)
    {
        var scenario = Households.Simulation.Scenarios.ScenarioSet.Default[name];
        // The observer's own connections: a generous connect timeout, as the silo keeps both cores and the database busy.
        await using var journal = new JournalWatch(connection, connectTimeoutSeconds: 120);
        // The settling batch's decisions finish first (the journal quiet for 10 s, at most 5 minutes): the shock's figures are its own.
        var settle = Stopwatch.StartNew();
        await journal.UntilQuiet("SELECT count(*) FROM households_journal", TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5));
        Console.WriteLine($"shock: the journal was quiet after {settle.Elapsed.TotalSeconds:0} s");
        var watermark = await journal.Scalar("SELECT coalesce(max(id), 0) FROM households_journal");
        // A household decision is one run of the engine, journaled as a Decision entry whether or not it trades; the
        // households decided are those with one, the households with proposals those whose decision filed trades.
        async Task<(long Rows, long Fills, long Proposals, long WithProposals, long Decisions, long Decided)> Since()
        {
            await using var command = journal.Database.CreateCommand(
                "SELECT count(*), count(*) FILTER (WHERE kind = 'Fill'), count(*) FILTER (WHERE kind = 'Proposal'), " +
                "count(DISTINCT household_id) FILTER (WHERE kind = 'Proposal'), count(*) FILTER (WHERE kind = 'Decision'), " +
                $"count(DISTINCT household_id) FILTER (WHERE kind = 'Decision') FROM households_journal WHERE id > {watermark}");
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5));
        }
        var rssBefore = Report.ResidentMb();
        var parkedBefore = monitor.ParkedAccounts;
        var writesBefore = storage.WritesCommitted;
        var (writtenBefore, appendsBefore) = (storage.WritesByState, storage.AppendsByChange);
        // With --api-rps and a paced shock, the API load runs through the shock's seconds too (goal: its p99 during the shock).
        using var api = o.ApiRps > 0 && o.ShockSeconds > 0 && o.ApiProcess ? await ApiChild.Start(o, apiUrl, households, o.ShockSeconds, "shock") : null;
        Console.WriteLine($"shock {name}: {scenario.Description}");
        var publishedAt = await journal.Timestamp();
        var clock = Stopwatch.StartNew();
        var sequence = await feed.Publish(stream.Shocked(scenario));
        var published = new List<long> { sequence };
        var scanned = await WaitForScan(scans, sequence, TimeSpan.FromMinutes(2));
        var scannedSeconds = clock.Elapsed.TotalSeconds;
        var samples = new List<object>();
        var last = (Rows: 0L, Fills: 0L, Proposals: 0L, WithProposals: 0L, Decisions: 0L, Decided: 0L);
        // Quiet means 10 s without a new journal row once decisions have started (they may take a while to start).
        var lastChange = clock.Elapsed.TotalSeconds + 120;
        double peakRss = 0;
        var paced = o.ShockSeconds > 0;
        while (paced ? clock.Elapsed.TotalSeconds < o.ShockSeconds : clock.Elapsed.TotalSeconds - lastChange < 10 && clock.Elapsed < TimeSpan.FromMinutes(15))
        {
            await Task.Delay(1000);
            if (paced) published.Add(await feed.Publish(stream.NextShocked(scenario)));
            var now = await Since();
            peakRss = Math.Max(peakRss, Report.ResidentMb());
            if (now != last) lastChange = clock.Elapsed.TotalSeconds;
            else if (!paced && now.Rows == 0 && clock.Elapsed.TotalSeconds > 120) break;
            samples.Add(new { seconds = Math.Round(clock.Elapsed.TotalSeconds, 1), rows = now.Rows, decisions = now.Decisions, fills = now.Fills, proposals = now.Proposals });
            if (samples.Count % 5 == 0)
                Console.WriteLine($"shock +{clock.Elapsed.TotalSeconds:0} s: {now.Decisions:N0} decisions of {now.Decided:N0} households ({now.WithProposals:N0} with proposals), " +
                    $"{now.Proposals:N0} proposals, {now.Fills:N0} fills, {now.Rows:N0} journal rows; {Report.ResidentMb():N0} MB");
            last = now;
        }
        // Read once more: a shock whose scan outlasts the paced window leaves the loop without a reading.
        last = await Since();
        peakRss = Math.Max(peakRss, Report.ResidentMb());
        var seconds = paced ? clock.Elapsed.TotalSeconds : Math.Max(lastChange, 1e-3);
        // The monitor during the shock: every batch published from the shock on, and how long each took to be scanned.
        if (paced) await WaitForScan(scans, published[^1], TimeSpan.FromSeconds(10));
        var during = scans.Where(s => s.BatchSequence >= sequence).ToList();
        var toScanned = during.Select(s => s.PublishedToScannedMilliseconds).Order().ToList();
        var monitorDuring = new
        {
            batches_published = published.Count, batches_scanned = during.Count,
            published_to_scanned_ms_p50 = BareLoop.Percentile(toScanned, 0.5), published_to_scanned_ms_p99 = BareLoop.Percentile(toScanned, 0.99),
            scan_ms_p50 = BareLoop.Percentile([.. during.Select(s => s.ScanMilliseconds).Order()], 0.5),
        };
        Console.WriteLine($"shock {name}: the monitor scanned {during.Count}/{published.Count} batches, published→scanned p50 {monitorDuring.published_to_scanned_ms_p50:0} " +
            $"p99 {monitorDuring.published_to_scanned_ms_p99:0} ms");
        // Decision latency: from the shock batch's publication to each decided household's first decision, and to its first
        // proposal (the database's clock both ends).
        Task<double[]> FirstAfterBatch(string kind) => journal.Percentiles(
            $"SELECT extract(epoch FROM min(recorded_at) - '{publishedAt:O}'::timestamptz) * 1000 FROM households_journal " +
            $"WHERE id > {watermark} AND kind = '{kind}' GROUP BY household_id", [0.5, 0.99]);
        var latency = await FirstAfterBatch("Decision");
        var proposalLatency = await FirstAfterBatch("Proposal");
        Console.WriteLine($"shock {name}: batch → a household's first decision p50 {latency[0] / 1000:0.0} s, p99 {latency[1] / 1000:0.0} s; " +
            $"first proposal p50 {proposalLatency[0] / 1000:0.0} s, p99 {proposalLatency[1] / 1000:0.0} s");
        var apiResult = api is null ? null : await api.Result();
        if (apiResult is not null)
            Console.WriteLine($"shock {name}: API {apiResult.Succeeded:N0}/{apiResult.Sent:N0} answered, p50 {apiResult.P50Ms:0.0} p99 {apiResult.P99Ms:0.0} ms");
        var (commits, stateRows) = (storage.WritesCommitted.Batches - writesBefore.Batches, storage.WritesCommitted.Items - writesBefore.Items);
        var written = storage.WritesByState.ToDictionary(kv => kv.Key, kv => kv.Value.Since(writtenBefore.GetValueOrDefault(kv.Key)));
        var payloadBytes = written.Values.Sum(w => w.WholeBytes + w.AppendedBytes);
        Console.WriteLine($"shock {name}: {stateRows:N0} grain states written in {commits:N0} commits ({stateRows / Math.Max(commits, 1):N1} a commit), {stateRows / seconds:N0} rows/s, " +
            $"{payloadBytes / 1e6:N1} MB of payload");
        foreach (var (state, w) in written.Where(kv => kv.Value.Whole + kv.Value.Appended > 0).OrderBy(kv => kv.Key, StringComparer.Ordinal))
            Console.WriteLine($"shock {name}:   {state}: {w.Whole:N0} whole ({w.WholeBytes / Math.Max(w.Whole, 1):N0} B each), {w.Appended:N0} fills appended " +
                $"({w.AppendedBytes / Math.Max(w.Appended, 1):N0} B each)");
        var appends = storage.AppendsByChange.ToDictionary(kv => kv.Key, kv => kv.Value.Since(appendsBefore.GetValueOrDefault(kv.Key)));
        foreach (var (change, w) in appends.Where(kv => kv.Value.Appended > 0).OrderBy(kv => kv.Key, StringComparer.Ordinal))
            Console.WriteLine($"shock {name}:   appended as {change}: {w.Appended:N0} ({w.AppendedBytes / w.Appended:N0} B each)");
        Console.WriteLine($"shock {name}: scanned in {scannedSeconds:0.0} s ({scanned?.Triggers:N0} triggers, {scanned?.AccountsTriggered:N0} accounts); " +
            $"{last.Decisions:N0} decisions ({last.Decisions / seconds:N1}/s) of {last.Decided:N0} households in {seconds:0.0} s, {last.WithProposals:N0} of them with proposals; " +
            $"{last.Fills:N0} fills ({last.Fills / seconds:N0}/s), " +
            $"{last.Rows / seconds:N0} journal rows/s; peak {peakRss:N0} MB resident");
        return new
        {
            scenario = name, batch_a_second_for_seconds = o.ShockSeconds, published_to_scanned_seconds = scannedSeconds, triggers = scanned?.Triggers, accounts_triggered = scanned?.AccountsTriggered,
            decisions = last.Decisions, households_decided = last.Decided, households_with_proposals = last.WithProposals, proposals = last.Proposals,
            fills = last.Fills, journal_rows = last.Rows, seconds_until_quiet = seconds, decisions_per_second = last.Decisions / seconds,
            households_decided_per_second = last.Decided / seconds, fills_per_second = last.Fills / seconds,
            journal_rows_per_second = last.Rows / seconds, parked_before = parkedBefore, parked_after = monitor.ParkedAccounts,
            resident_mb_before = rssBefore, peak_resident_mb = peakRss, state_rows_written = stateRows, state_commits = commits,
            state_rows_per_second = stateRows / seconds, state_payload_bytes = payloadBytes, state_writes = written, state_appends = appends, monitor = monitorDuring,
            decision_latency_ms_p50 = latency[0], decision_latency_ms_p99 = latency[1], proposal_latency_ms_p50 = proposalLatency[0],
            proposal_latency_ms_p99 = proposalLatency[1], api = apiResult, samples,
        };
    }

    internal static PipelineResult Summarize(List<MonitorStatus> done, int published, int workers, double runSeconds, LatencySummary lat)
    {
        var evaluations = done.Sum(s => s.Positions + s.Lots);
        var endToEnd = done.Select(s => s.PublishedToScannedMilliseconds).Order().ToList();
        var scanMs = done.Select(s => s.ScanMilliseconds).Order().ToList();
        var triggers = done.Sum(s => (long)s.Triggers);
        var last = done.LastOrDefault();
        return new PipelineResult(last?.Accounts ?? 0, last?.Lots ?? 0, last?.Positions ?? 0, published, done.Count, workers, evaluations,
            evaluations / Math.Max(endToEnd.Sum() / 1000, 1e-9), evaluations / Math.Max(scanMs.Sum() / 1000, 1e-9),
            BareLoop.Percentile(endToEnd, 0.5), BareLoop.Percentile(endToEnd, 0.99), BareLoop.Percentile(scanMs, 0.5), BareLoop.Percentile(scanMs, 0.99),
            triggers, triggers / runSeconds, lat.Notices, lat.P50Milliseconds, lat.P99Milliseconds, lat.MaxMilliseconds,
            done.Sum(s => (double)s.AccountsEvaluated) / Math.Max(1, done.Sum(s => (double)s.Accounts)));
    }

    private static async Task<MonitorStatus?> WaitForScan(ConcurrentQueue<MonitorStatus> scans, long sequence, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (scans.LastOrDefault(s => s.BatchSequence >= sequence) is { } done) return done;
            await Task.Delay(20);
        }
        return null;
    }
}
