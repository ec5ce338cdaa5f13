using Households.Grains.Silo;
using Households.Simulation.Market;
using Households.Simulation.Firms;
using System.Diagnostics;
using Households.Contracts;
using Households.Domain.Market;
using Households.Domain.Models;
using Households.Domain.Monitoring;

namespace Households.LoadTest;

/// <summary>The seeded price path both runs share: each step is a full-universe batch, rounded to 4 decimals as quotes.</summary>
internal sealed class PriceStream(SimulatedUniverse universe, int seed, double stepDays = 0.05)
{
    private readonly MarketSimulator _simulator = new(universe, seed, MarketSimulatorOptions.Default with { StepDays = stepDays, FatTails = true });

    public PriceQuote[] Next()
    {
        _simulator.Step();
        var prices = _simulator.Prices;
        var quotes = new PriceQuote[universe.Count];
        for (var i = 0; i < quotes.Length; i++) quotes[i] = new PriceQuote(universe[i].Symbol, Math.Round((decimal)prices[i], 4));
        return quotes;
    }

    /// <summary>The current prices with a scenario's whole move applied at once (a one-batch shock).</summary>
    public PriceQuote[] Shocked(Households.Simulation.Scenarios.Scenario scenario)
    {
        var shocked = Households.Simulation.Scenarios.ScenarioApplier.Shocked(scenario, universe, _simulator.Prices);
        var quotes = new PriceQuote[universe.Count];
        for (var i = 0; i < quotes.Length; i++) quotes[i] = new PriceQuote(universe[i].Symbol, Math.Round((decimal)shocked[i], 4));
        return quotes;
    }

    /// <summary>One step of the market with a scenario's whole move applied: the market after the shock goes on moving.</summary>
    public PriceQuote[] NextShocked(Households.Simulation.Scenarios.Scenario scenario)
    {
        _simulator.Step();
        return Shocked(scenario);
    }

    /// <summary>The vector a price board would build from these quotes.</summary>
    public static PriceVector Vector(long sequence, PriceQuote[] quotes, SecurityIndex index)
    {
        foreach (var q in quotes) index.OrdinalOf(q.Symbol);
        var values = new double[index.Count];
        Array.Fill(values, double.NaN);
        foreach (var q in quotes) values[index.OrdinalOf(q.Symbol)] = (double)q.Price;
        return new PriceVector(sequence, DateTimeOffset.UtcNow, values, []);
    }
}

internal sealed record BareResult(int Accounts, long Lots, int Batches, int Workers, long Evaluations, double EvaluationsPerSecond,
    double ScanMsP50, double ScanMsP99, double ScanMsMax, long Triggers, bool Incremental = false, double AccountsEvaluatedShare = 1);

/// <summary>The bare loop: the same snapshots through the same <see cref="ParallelScan"/> on the same number of threads,
/// with no actors, no messages and no price board: the physical limit of trigger evaluation on this machine.</summary>
internal static class BareLoop
{
    public static BareResult Run(IReadOnlyList<AccountSnapshot> snapshots, IReadOnlyList<PriceVector> batches, int workers,
        FlagHold hold, Action<string>? progress = null, bool incremental = false)
    {
        var entries = new MonitorEntry<int>[snapshots.Count];
        long lots = 0;
        for (var i = 0; i < entries.Length; i++)
        {
            entries[i] = new MonitorEntry<int>(i, snapshots[i]);
            lots += snapshots[i].LotCount;
        }
        var scratches = Enumerable.Range(0, workers).Select(_ => new ScanScratch()).ToArray();
        var scan = incremental ? new IncrementalScan() : null;
        // The first batch sets every entry's flags (as the silo's first batch does); it is not timed.
        if (batches.Count > 0) ParallelScan.RunParallel<int>(entries, entries.Length, batches[0], TimeProvider.System, scratches, (_, _) => { }, hold,
            incremental: scan);
        var scans = new List<double>();
        long evaluations = 0, triggers = 0, evaluated = 0, scanned = 0;
        foreach (var batch in batches.Skip(1))
        {
            var started = Stopwatch.GetTimestamp();
            var counts = ParallelScan.RunParallel<int>(entries, entries.Length, batch, TimeProvider.System, scratches, (_, _) => { }, hold,
                incremental: scan);
            scans.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            evaluations += counts.Positions + counts.Lots;
            triggers += counts.Triggers;
            evaluated += counts.AccountsEvaluated;
            scanned += counts.Accounts;
            progress?.Invoke($"bare {(incremental ? "incremental" : "full")} batch {batch.Sequence}: {counts.Accounts:N0} accounts " +
                $"({counts.AccountsEvaluated:N0} evaluated) in {scans[^1]:0.0} ms, {counts.Triggers:N0} triggers");
        }
        var seconds = scans.Sum() / 1000;
        scans.Sort();
        return new BareResult(entries.Length, lots, scans.Count, workers, evaluations, evaluations / Math.Max(seconds, 1e-9),
            Percentile(scans, 0.5), Percentile(scans, 0.99), scans.Count == 0 ? 0 : scans[^1], triggers, incremental,
            evaluated / (double)Math.Max(1, scanned));
    }

    public static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    /// <summary>The standalone bare run (<c>--mode bare</c>): snapshots built straight from the synthetic firm.</summary>
    public static int Standalone(LoadTestOptions options)
    {
        Console.WriteLine($"bare loop: {options.Accounts:N0} accounts, {options.Workers} workers, {options.Seconds} batches (seed {options.Seed})");
        var build = Stopwatch.StartNew();
        var firm = SyntheticFirm.Build(options.Accounts, options.Seed);
        var securities = firm.Universe.Securities.ToDictionary(s => s.Symbol, StringComparer.Ordinal);
        var models = firm.Models.ToDictionary(m => m.Id, StringComparer.Ordinal);
        var targets = new Dictionary<string, ResolvedTarget>(StringComparer.Ordinal);
        ResolvedTarget TargetOf(string id) => targets.TryGetValue(id, out var t) ? t
            : targets[id] = ModelResolver.Resolve(id, 1, models.GetValueOrDefault, securities.GetValueOrDefault);
        var index = new SecurityIndex();
        var snapshots = new List<AccountSnapshot>(options.Accounts);
        foreach (var household in firm.Households())
            foreach (var a in household.Accounts)
                snapshots.Add(AccountSnapshot.Build(a.Spec.Id, a.Cash, a.Lots, a.Spec.ModelId is { } m ? TargetOf(m) : null, a.Spec.Harvest,
                    securities.GetValueOrDefault, index));
        Console.WriteLine($"built {snapshots.Count:N0} accounts in {build.Elapsed.TotalSeconds:0.0} s");
        var stream = new PriceStream(firm.Universe, options.Seed, options.StepDays);
        var batches = Enumerable.Range(1, options.Seconds + 1).Select(b => PriceStream.Vector(b, stream.Next(), index)).ToList();
        var gc = GC.GetTotalPauseDuration();
        var hold = FlagHold.After(Households.Domain.Decisions.TriggerPolicy.Default.Cooldown);
        var result = Run(snapshots, batches, options.Workers, hold, Console.WriteLine);
        var incremental = Run(snapshots, batches, options.Workers, hold, Console.WriteLine, incremental: true);
        if (incremental.Triggers != result.Triggers) Console.Error.WriteLine($"error: incremental scan found {incremental.Triggers:N0} triggers, full {result.Triggers:N0}");
        var json = Report.Write(options.Out, new
        {
            mode = "bare-loop",
            step_days = options.StepDays,
            bare = result,
            bare_incremental = incremental,
            gc_pause_ms = (GC.GetTotalPauseDuration() - gc).TotalMilliseconds,
            peak_resident_mb = Report.PeakResidentMb(),
        });
        Console.WriteLine(json);
        return result.Triggers > 0 && incremental.Triggers == result.Triggers ? 0 : 1;
    }
}
