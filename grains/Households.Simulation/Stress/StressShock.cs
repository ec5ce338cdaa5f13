using Households.Simulation.Market;
using Households.Domain;
using Households.Contracts;
using Households.Domain.Market;
using Households.Simulation.Scenarios;

namespace Households.Simulation.Stress;

/// <summary>A scenario's prices over a security master, checkpoint by checkpoint. Securities of the simulated universe
/// take <see cref="ScenarioApplier.TotalReturns"/> (factor shocks through their loadings); any other security takes
/// the most specific shock that names it (symbol, sector, asset class) and otherwise a factor shock through a coarse
/// loading (1 on the market factor for stocks and equity funds), so a live master with imported securities still moves.</summary>
public sealed class StressShock
{
    private StressShock(Scenario scenario, int[] steps, decimal[][] exact, double[][] values, DateOnly[] dates)
    {
        Scenario = scenario;
        Steps = steps;
        Exact = exact;
        Values = values;
        Dates = dates;
    }

    public Scenario Scenario { get; }
    /// <summary>The scenario days evaluated (the last is <see cref="Scenario.Days"/>); checkpoint k+1 is after Steps[k] days.</summary>
    public int[] Steps { get; }
    /// <summary>Prices by checkpoint (0 = before the shock) and security ordinal; 0 where the security has no price.</summary>
    public decimal[][] Exact { get; }
    /// <summary>The same prices as doubles (NaN where none), for the monitor's kernel.</summary>
    public double[][] Values { get; }
    /// <summary>The trading date of each checkpoint (weekends skipped).</summary>
    public DateOnly[] Dates { get; }
    public int Checkpoints => Values.Length;

    /// <summary>Checkpoints every <paramref name="stepDays"/> trading days; 0 picks daily up to 30 days and every 21 trading
    /// days (about monthly) beyond, so a 17-month crash is evaluated month by month.</summary>
    public static int[] StepDays(int days, int stepDays)
    {
        if (stepDays < 0) throw new BadInputException("stepDays must be >= 0");
        var step = stepDays > 0 ? stepDays : days <= 30 ? 1 : 21;
        var result = new List<int>();
        for (var d = step; d < days; d += step) result.Add(d);
        result.Add(days);
        return [.. result];
    }

    /// <param name="securities">The master in ordinal order (ordinal = position).</param>
    /// <param name="prices">Prices before the shock by symbol; a security without one has none at every checkpoint.</param>
    public static StressShock Build(Scenario scenario, IReadOnlyList<Security> securities, Func<string, decimal?> prices,
        SimulatedUniverse? universe, DateOnly asOf, int stepDays)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var totals = TotalReturns(scenario, securities, universe);
        var steps = StepDays(scenario.Days, stepDays);
        var exact = new decimal[steps.Length + 1][];
        var values = new double[steps.Length + 1][];
        var dates = new DateOnly[steps.Length + 1];
        dates[0] = asOf;
        for (var k = 0; k <= steps.Length; k++)
        {
            exact[k] = new decimal[securities.Count];
            values[k] = new double[securities.Count];
            if (k > 0) dates[k] = AddTradingDays(asOf, steps[k - 1]);
        }
        for (var i = 0; i < securities.Count; i++)
        {
            var before = prices(securities[i].Symbol) is { } p && p > 0 ? p : 0m;
            for (var k = 0; k <= steps.Length; k++)
            {
                var price = before == 0 ? 0m : k == 0 ? before
                    : Math.Max(0.0001m, Math.Round(before * (decimal)ScenarioApplier.Multiplier(totals[i], steps[k - 1], scenario.Days, scenario.Path), 4));
                exact[k][i] = price;
                values[k][i] = price == 0 ? double.NaN : (double)price;
            }
        }
        return new StressShock(scenario, steps, exact, values, dates);
    }

    /// <summary>A simulated market rather than a shock: the seeded <see cref="MarketSimulator"/> (fat tails and calm/stressed
    /// regimes, as the live demo market) stepped one trading day per checkpoint for <paramref name="days"/> days. A universe
    /// security moves from its price before by the simulator's cumulative return; any other security keeps its price. The
    /// long run of a firm — a quarter is 63 days — through the same monitor, engine and broker as a shock.</summary>
    public static StressShock Simulated(SimulatedUniverse universe, IReadOnlyList<Security> securities, Func<string, decimal?> prices,
        DateOnly asOf, int days, int seed)
    {
        if (days < 1) throw new BadInputException("days must be >= 1");
        var simulator = new MarketSimulator(universe, seed, MarketSimulatorOptions.Default with { StepDays = 1, FatTails = true, Regimes = true });
        var start = simulator.Prices.ToArray();
        var columns = securities.Select(s => universe.IndexOf(s.Symbol)).ToArray();
        var before = securities.Select(s => prices(s.Symbol) is { } p && p > 0 ? p : 0m).ToArray();
        var exact = new decimal[days + 1][];
        var values = new double[days + 1][];
        var dates = new DateOnly[days + 1];
        for (var k = 0; k <= days; k++)
        {
            if (k > 0) simulator.Step();
            dates[k] = k == 0 ? asOf : AddTradingDays(dates[k - 1], 1);
            exact[k] = new decimal[securities.Count];
            values[k] = new double[securities.Count];
            for (var i = 0; i < securities.Count; i++)
            {
                var u = columns[i];
                var price = before[i] == 0 ? 0m : k == 0 || u < 0 ? before[i]
                    : Math.Max(0.0001m, Math.Round(before[i] * (decimal)(simulator.Prices[u] / start[u]), 4));
                exact[k][i] = price;
                values[k][i] = price == 0 ? double.NaN : (double)price;
            }
        }
        var empty = new Dictionary<string, double>();
        var scenario = new Scenario($"simulated-{days}d-seed{seed}", $"The demo market simulated for {days} trading days (seed {seed}, fat tails and regimes)",
            days, ScenarioPathShape.Linear, empty, empty, empty, empty);
        return new StressShock(scenario, [.. Enumerable.Range(1, days)], exact, values, dates);
    }

    public static double[] TotalReturns(Scenario scenario, IReadOnlyList<Security> securities, SimulatedUniverse? universe)
    {
        var known = securities.Select(s => s.Symbol).ToHashSet(StringComparer.Ordinal);
        foreach (var symbol in scenario.Securities.Keys)
            if (!known.Contains(symbol)) throw new BadInputException($"scenario {scenario.Name}: shocks.securities.{symbol}: not a security of the firm");
        var fromUniverse = universe is null ? null : ScenarioApplier.TotalReturns(scenario with { Securities = scenario.Securities.Where(kv => universe.Contains(kv.Key)).ToDictionary() }, universe);
        var market = scenario.Factors.TryGetValue(FactorMarketModel.FactorNames[0], out var m) ? m : 0;
        var result = new double[securities.Count];
        for (var i = 0; i < result.Length; i++)
        {
            var s = securities[i];
            if (s.Kind == SecurityKind.Cash) continue;
            var u = universe?.IndexOf(s.Symbol) ?? -1;
            if (u >= 0) { result[i] = fromUniverse![u]; continue; }
            result[i] = scenario.Securities.TryGetValue(s.Symbol, out var r) || scenario.Sectors.TryGetValue(s.Sector, out r)
                || scenario.AssetClasses.TryGetValue(s.AssetClass, out r) ? r
                : s.Kind is SecurityKind.Stock or SecurityKind.EquityFund ? market : 0;
        }
        return result;
    }

    /// <summary><paramref name="days"/> trading days after <paramref name="date"/>, weekends skipped.</summary>
    public static DateOnly AddTradingDays(DateOnly date, int days)
    {
        var d = date;
        for (var n = 0; n < days;)
        {
            d = d.AddDays(1);
            if (d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)) n++;
        }
        return d;
    }
}
