using Households.Domain.Decisions;
using Households.Contracts;
using Households.Domain.Harvesting;
using Households.Domain.Market;
using Households.Domain.Risk;
using Households.Domain.WashSales;

namespace Households.Simulation.Market;

/// <summary>The decision inputs of a generated universe, as the embedded silo would decide with them: the security
/// master, the identical groups, the stock replacement ranking with the default fund substitutes, the factor risk
/// model. The stress test and the backtest build their <see cref="DecisionMarket"/> here.</summary>
public static class DecisionMarkets
{
    /// <param name="replacementPool">Universe indices replacements may come from (default all): a simulation that prices
    /// only some securities passes those, so the engine never picks a replacement it cannot price.</param>
    public static DecisionMarket OfUniverse(SimulatedUniverse universe, DecisionSettings settings, IEnumerable<int>? replacementPool = null)
    {
        ArgumentNullException.ThrowIfNull(universe);
        var securities = universe.Securities;
        var bySymbol = securities.ToDictionary(s => s.Symbol, StringComparer.Ordinal);
        var identical = new SubstantiallyIdentical(securities.Where(s => s.IdenticalGroup is not null).Select(s => (s.Symbol, s.IdenticalGroup!)));
        return new DecisionMarket(s => bySymbol.GetValueOrDefault(s), identical, new Dictionary<string, string[]>(),
            ReplacementSelector.FromUniverse(universe, FundSubstitutes.Default, replacementPool), new SecurityRiskModels(universe), settings);
    }
}
