using Households.Domain;
using Households.Contracts;
using Households.Domain.Market;

namespace Households.Simulation.Scenarios;

/// <summary>Turns a <see cref="Scenario"/> into per-security total returns and price paths over a universe (see
/// <see cref="Scenario"/> for which shock a security takes).</summary>
public static class ScenarioApplier
{
    /// <summary>Total return of every security of <paramref name="universe"/> over the whole scenario, in universe order.
    /// Throws <see cref="BadInputException"/> when the scenario names a security the universe does not have.</summary>
    public static double[] TotalReturns(Scenario scenario, SimulatedUniverse universe)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(universe);
        foreach (var symbol in scenario.Securities.Keys)
            if (!universe.Contains(symbol)) throw new BadInputException($"scenario {scenario.Name}: shocks.securities.{symbol}: not in the universe");
        var factorLog = new double[FactorMarketModel.FactorCount];
        for (int k = 0; k < factorLog.Length; k++)
            factorLog[k] = scenario.Factors.TryGetValue(FactorMarketModel.FactorNames[k], out var f) ? Math.Log(1 + f) : 0;
        var result = new double[universe.Count];
        for (int i = 0; i < result.Length; i++)
        {
            var s = universe[i];
            if (s.Kind == SecurityKind.Cash) continue;
            if (scenario.Securities.TryGetValue(s.Symbol, out var r)
                || scenario.Sectors.TryGetValue(s.Sector, out r)
                || scenario.AssetClasses.TryGetValue(s.AssetClass, out r))
            {
                result[i] = r;
                continue;
            }
            double log = 0;
            for (int k = 0; k < factorLog.Length; k++)
                if (factorLog[k] != 0) log += universe.Model.Loading(i, k) * factorLog[k];
            result[i] = Math.Exp(log) - 1;
        }
        return result;
    }

    /// <summary>The price multiplier of a total return <paramref name="total"/> after <paramref name="day"/> of
    /// <paramref name="days"/> days.</summary>
    public static double Multiplier(double total, int day, int days, ScenarioPathShape shape) => shape switch
    {
        ScenarioPathShape.Linear => 1 + total * day / days,
        _ => Math.Pow(1 + total, (double)day / days),
    };

    /// <summary>Prices day by day: row 0 is <paramref name="start"/>, row d the prices after day d (d = 1…Days).</summary>
    public static double[][] PricePath(Scenario scenario, SimulatedUniverse universe, ReadOnlySpan<double> start)
    {
        if (start.Length != universe.Count) throw new ArgumentException("One start price per security is needed.", nameof(start));
        var totals = TotalReturns(scenario, universe);
        var path = new double[scenario.Days + 1][];
        path[0] = start.ToArray();
        for (int d = 1; d <= scenario.Days; d++)
        {
            var row = new double[totals.Length];
            for (int i = 0; i < row.Length; i++) row[i] = path[0][i] * Multiplier(totals[i], d, scenario.Days, scenario.Path);
            path[d] = row;
        }
        return path;
    }

    /// <summary>Prices at the end of the scenario.</summary>
    public static double[] Shocked(Scenario scenario, SimulatedUniverse universe, ReadOnlySpan<double> start)
    {
        var totals = TotalReturns(scenario, universe);
        var result = new double[totals.Length];
        for (int i = 0; i < result.Length; i++) result[i] = start[i] * (1 + totals[i]);
        return result;
    }
}
