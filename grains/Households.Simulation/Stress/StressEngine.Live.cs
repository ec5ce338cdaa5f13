using System.Collections.Concurrent;
using System.Diagnostics;
using Households.Contracts;
using Households.Domain.Decisions;
using Households.Domain.Monitoring;
using Households.Simulation.Scenarios;

namespace Households.Simulation.Stress;

/// <summary>A household as the live monitor holds it: its accounts' snapshots (what the scan evaluates), without books
/// or ledger. The input of a firm-wide stress screen.</summary>
public sealed record MonitoredHousehold(string Household, AccountSnapshot[] Accounts);

public static partial class StressEngine
{
    /// <summary>
    /// A firm-wide stress over live state: every household as the silo's monitor holds it is screened through the same
    /// monitor code as <see cref="Run(IEnumerable{HouseholdStressSnapshot}, StressShock, StressMarket, StressOptions?)"/>
    /// (the raw shock, each checkpoint's crossings and cooldowns), without waking a grain. The households a checkpoint
    /// triggers then decide through the full run (<see cref="DecisionEngine"/>, the broker's rules, their books and
    /// ledger from <paramref name="books"/>), the most at stake first (dollars out of band plus dollars harvestable at
    /// the end), until <paramref name="decideFor"/> has passed; the rest are counted as deferred with their screened
    /// figures, exactly as a decision budget defers them. The report says how many were decided and deferred.
    /// </summary>
    /// <param name="index">The ordinals the snapshots' positions carry; the market's securities must be in its order.</param>
    /// <param name="books">Reads the named households' books and ledgers (a copy; nothing is written).</param>
    public static async Task<StressResult> RunLive(IReadOnlyList<MonitoredHousehold> households, SecurityIndex index, Scenario scenario, StressMarket market,
        Func<IReadOnlyList<string>, CancellationToken, Task<HouseholdStressSnapshot[]>> books, TimeSpan decideFor, StressOptions? options = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(households);
        ArgumentNullException.ThrowIfNull(market);
        ArgumentNullException.ThrowIfNull(books);
        options ??= new StressOptions();
        options.Validate();
        if (decideFor < TimeSpan.Zero) throw new Domain.BadInputException("decideWithinSeconds must be >= 0");
        var started = Stopwatch.GetTimestamp();
        var shock = StressShock.Build(scenario, market.Securities, s => market.Prices.TryGetValue(s, out var p) ? p : null, market.Universe, market.AsOf, options.StepDays);
        var (totals, triggered) = await Task.Run(() => Screen(households, index, shock, market, options), ct);

        // The households with the most at stake decide first; a chunk's books are read while the one before decides.
        var order = triggered.OrderByDescending(h => h.AtStake).ThenBy(h => h.Run.Row.Household, StringComparer.Ordinal).ToArray();
        var decided = new HashSet<string>(StringComparer.Ordinal);
        // The decisions' own index (a household's snapshots name securities the monitor's may not know yet; its index is not ours to grow).
        var context = new Context(market, shock, IndexOf(market), options.MaxDecisionsPerCheckpoint, options.Reminder);
        var decideFrom = Stopwatch.GetTimestamp();
        var chunk = 8 * options.MaxParallelism;
        Task<HouseholdStressSnapshot[]> Read(int from) => books([.. order.Skip(from).Take(chunk).Select(h => h.Run.Row.Household)], ct);
        var next = order.Length > 0 && decideFor > TimeSpan.Zero ? Read(0) : null;
        for (var from = 0; next is not null; from += chunk)
        {
            var snapshots = await next;
            next = from + chunk < order.Length ? Read(from + chunk) : null;
            var run = await Task.Run(() => Aggregate(snapshots, (household, worker) => RunHousehold(household, context, worker),
                options with { AllHouseholdsUpTo = chunk, KeepDrift = false }), ct);
            totals.Firm.Add(run.Firm);
            totals.Rows.AddRange(run.Rows);
            decided.UnionWith(snapshots.Select(h => h.Spec.Id));
            if (Stopwatch.GetElapsedTime(decideFrom) >= decideFor)
            {
                if (next is not null) _ = next.ContinueWith(static t => t.Exception, TaskScheduler.Default); // its books are not needed
                break;
            }
        }
        foreach (var h in order.Where(h => !decided.Contains(h.Run.Row.Household)))
        {
            totals.Firm.Add(h.Run);
            totals.Rows.Add(h.Run.Row);
        }
        return totals.Report(shock, market, options, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>A household a checkpoint of the screen triggered: its screened run (no decision: its decisions counted as
    /// deferred) and the dollars at stake at the end of the scenario.</summary>
    private sealed record Screened(HouseholdRun Run, double AtStake);

    /// <summary>The monitor's pass over every household's live snapshots: the totals of the households no checkpoint
    /// triggered, and the triggered ones apart.</summary>
    private static (Totals Quiet, List<Screened> Triggered) Screen(IReadOnlyList<MonitoredHousehold> households, SecurityIndex index, StressShock shock,
        StressMarket market, StressOptions options)
    {
        // The snapshots' positions carry the index's ordinals and the shock's prices are in the securities' order.
        if (market.Securities.Count < index.Count)
            throw new ArgumentException($"the market has {market.Securities.Count} securities, the monitor's index {index.Count}", nameof(market));
        for (var o = 0; o < index.Count; o++)
            if (!string.Equals(market.Securities[o].Symbol, index.SymbolOf(o), StringComparison.Ordinal))
                throw new ArgumentException($"security {o} is {market.Securities[o].Symbol}, the monitor's index says {index.SymbolOf(o)}", nameof(market));
        var ctx = new Context(market, shock, index, 0, options.Reminder);
        var triggered = new ConcurrentBag<Screened>();
        var quiet = Aggregate(households, (household, worker) =>
        {
            var t = new Tally { Households = 1, TradedAt = new decimal[shock.Checkpoints], ValueAt = new decimal[shock.Checkpoints] };
            var entries = household.Accounts.Select((s, a) => new MonitorEntry<int>(a, s)).ToArray();
            var (maxBefore, maxAfter) = Walk(entries, [.. entries.Select(_ => new TriggerCooldowns())], ctx, worker, t, (_, _) => t.DecisionsDeferred++);
            var figures = t.ToFigures(0);
            var run = new HouseholdRun(figures, new StressHouseholdRow(household.Household, maxBefore, maxAfter, figures), t);
            if (t.DecisionsDeferred == 0) return run;
            triggered.Add(new Screened(run, (double)figures.HarvestableLossesAfter + (double)figures.MarketValueAfter * maxAfter));
            return null;
        }, options);
        return (quiet, [.. triggered]);
    }

    private static SecurityIndex IndexOf(StressMarket market)
    {
        var index = new SecurityIndex();
        foreach (var s in market.Securities) index.OrdinalOf(s.Symbol);
        return index;
    }
}
