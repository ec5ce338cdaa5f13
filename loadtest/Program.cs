using System.Diagnostics;
using System.Text.Json;
using Households.Contracts;
using Households.Domain.Market;
using Households.Domain.Models;
using Households.Domain.Monitoring;

// The bare in-process loop: the same snapshots and the same TriggerKernel/MonitorScan the silo monitor runs, with
// no actors: the physical limit of trigger evaluation on this machine. (The actor pipeline run of issue 6 is not
// built yet.) Bounded: it always stops after --seconds.
var options = LoadTestOptions.Parse(args);
Console.WriteLine($"bare loop: {options.Accounts:N0} accounts, a batch every {options.IntervalMs} ms for {options.Seconds} s (seed {options.Seed})");

var build = Stopwatch.StartNew();
var firm = SyntheticFirm.Build(options.Accounts, options.Seed);
var securities = firm.Universe.Securities.ToDictionary(s => s.Symbol, StringComparer.Ordinal);
var models = firm.Models.ToDictionary(m => m.Id, StringComparer.Ordinal);
var targets = new Dictionary<string, ResolvedTarget>(StringComparer.Ordinal);
ResolvedTarget TargetOf(string id) => targets.TryGetValue(id, out var t) ? t
    : targets[id] = ModelResolver.Resolve(id, 1, models.GetValueOrDefault, securities.GetValueOrDefault);
var index = new SecurityIndex();
foreach (var s in firm.Universe.Securities) index.OrdinalOf(s.Symbol);
var entries = new List<MonitorEntry<int>>(options.Accounts);
long lots = 0;
foreach (var household in firm.Households())
{
    foreach (var a in household.Accounts)
    {
        var target = a.Spec.ModelId is { } m ? TargetOf(m) : null;
        entries.Add(new MonitorEntry<int>(entries.Count, AccountSnapshot.Build(a.Spec.Id, a.Cash, a.Lots, target, a.Spec.Harvest, securities.GetValueOrDefault, index)));
        lots += a.Lots.Length;
    }
}
Console.WriteLine($"built {entries.Count:N0} accounts, {lots:N0} lots in {build.Elapsed.TotalSeconds:0.0} s");

var simulator = new MarketSimulator(firm.Universe, options.Seed, MarketSimulatorOptions.Default with { StepDays = 0.05, FatTails = true });
var scratch = new ScanScratch();
var scans = new List<double>();
long evaluations = 0, triggers = 0, accountsTriggered = 0;
var gcBefore = GC.GetTotalPauseDuration();
var run = Stopwatch.StartNew();
var entryArray = entries.ToArray();
for (long batch = 1; run.Elapsed.TotalSeconds < options.Seconds; batch++)
{
    var due = TimeSpan.FromMilliseconds(options.IntervalMs * (batch - 1));
    if (run.Elapsed < due) Thread.Sleep(due - run.Elapsed);
    simulator.Step();
    var values = new double[index.Count];
    var prices = simulator.Prices;
    for (var i = 0; i < firm.Universe.Count; i++) values[index.OrdinalOf(firm.Universe[i].Symbol)] = prices[i];
    var vector = new PriceVector(batch, DateTimeOffset.UtcNow, values, []);
    var started = Stopwatch.GetTimestamp();
    var counts = MonitorScan.Run<int>(entryArray, vector, TimeProvider.System, scratch, (_, _) => { });
    scans.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    evaluations += counts.Positions + counts.Lots;
    triggers += counts.Triggers;
    accountsTriggered += counts.AccountsTriggered;
    Console.WriteLine($"batch {batch}: scanned {counts.Accounts:N0} accounts in {scans[^1]:0.0} ms, {counts.Triggers:N0} triggers");
}
var elapsedScan = scans.Sum() / 1000;
scans.Sort();
var result = new
{
    mode = "bare-loop",
    accounts = entries.Count,
    lots,
    batches = scans.Count,
    evaluations_per_second_of_scan = evaluations / Math.Max(elapsedScan, 1e-9),
    scan_ms_p50 = scans[scans.Count / 2],
    scan_ms_p99 = scans[Math.Min(scans.Count - 1, (int)(scans.Count * 0.99))],
    scan_ms_max = scans[^1],
    triggers,
    accounts_triggered = accountsTriggered,
    gc_pause_ms = (GC.GetTotalPauseDuration() - gcBefore).TotalMilliseconds,
    peak_working_set_mb = Process.GetCurrentProcess().PeakWorkingSet64 / 1024.0 / 1024.0,
};
var json = JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true });
File.WriteAllText(options.Out, json);
Console.WriteLine(json);
Console.WriteLine($"result written to {options.Out}");
return triggers > 0 ? 0 : 1;

internal sealed record LoadTestOptions(int Accounts, int Seconds, int IntervalMs, int Seed, string Out)
{
    public static LoadTestOptions Parse(string[] args)
    {
        int Int(string name, int fallback, int min, int max)
        {
            var i = Array.IndexOf(args, name);
            if (i < 0) return fallback;
            if (i + 1 < args.Length && int.TryParse(args[i + 1], out var v) && v >= min && v <= max) return v;
            Console.Error.WriteLine($"error: {name} must be an integer in [{min}, {max}]");
            Environment.Exit(2);
            return fallback;
        }
        var outIndex = Array.IndexOf(args, "--out");
        return new LoadTestOptions(Int("--accounts", 10_000, 1, 2_000_000), Int("--seconds", 10, 1, 3600), Int("--interval-ms", 1000, 10, 60_000),
            Int("--seed", 42, 0, int.MaxValue), outIndex >= 0 && outIndex + 1 < args.Length ? args[outIndex + 1] : "loadtest-result.json");
    }
}
