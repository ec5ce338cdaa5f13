using Households.Contracts;
using Households.Domain.Decisions;
using Households.Domain.Harvesting;
using Households.Domain.Market;
using Households.Domain.Models;
using Households.Domain.Risk;
using Households.Domain.WashSales;

namespace Households.Domain.Stress;

/// <summary>Generated firms (the demo firm, the load test's synthetic firm) as stress inputs, with the market the
/// embedded silo would decide with: the universe's securities and initial prices, its identical groups, the stock
/// replacement ranking and the default fund substitutes, its factor risk model.</summary>
public static class StressFirm
{
    public static StressMarket MarketOf(SimulatedUniverse universe, DateOnly asOf, DecisionSettings settings, TriggerPolicy? triggers = null)
    {
        var securities = universe.Securities;
        var bySymbol = securities.ToDictionary(s => s.Symbol, StringComparer.Ordinal);
        var prices = new Dictionary<string, decimal>(StringComparer.Ordinal);
        for (var i = 0; i < universe.Count; i++) prices[universe[i].Symbol] = Math.Round((decimal)universe.InitialPrices[i], 4);
        var identical = new SubstantiallyIdentical(securities.Where(s => s.IdenticalGroup is not null).Select(s => (s.Symbol, s.IdenticalGroup!)));
        var decisions = new DecisionMarket(s => bySymbol.GetValueOrDefault(s), identical, new Dictionary<string, string[]>(),
            ReplacementSelector.FromUniverse(universe, FundSubstitutes.Default), new SecurityRiskModels(universe), settings);
        return new StressMarket(decisions, securities, prices, asOf, universe, triggers ?? TriggerPolicy.Default);
    }

    /// <summary>Resolves each model once (models of models flattened by the live resolver).</summary>
    public static Func<string, ResolvedTarget?> Targets(IReadOnlyList<TargetModel> models, SimulatedUniverse universe)
    {
        var byId = models.ToDictionary(m => m.Id, StringComparer.Ordinal);
        var bySymbol = universe.Securities.ToDictionary(s => s.Symbol, StringComparer.Ordinal);
        var resolved = new System.Collections.Concurrent.ConcurrentDictionary<string, ResolvedTarget?>(StringComparer.Ordinal);
        return id => resolved.GetOrAdd(id, m => byId.ContainsKey(m) ? ModelResolver.Resolve(m, 1, x => byId.GetValueOrDefault(x), s => bySymbol.GetValueOrDefault(s)) : null);
    }

    public static (StressMarket Market, IEnumerable<HouseholdStressSnapshot> Households) Demo(DemoFirmData firm, DecisionSettings settings)
    {
        var targets = Targets(firm.Models, firm.Universe);
        return (MarketOf(firm.Universe, firm.AsOf, settings), firm.Households.Select(h => StressEngine.FromOpening(h, targets)));
    }

    /// <summary>The synthetic firm streamed household by household (never materialized).</summary>
    public static (StressMarket Market, IEnumerable<HouseholdStressSnapshot> Households) Synthetic(SyntheticFirm firm, DecisionSettings settings)
    {
        var targets = Targets(firm.Models, firm.Universe);
        return (MarketOf(firm.Universe, firm.Options.AsOf, settings), firm.Households().Select(h => StressEngine.FromOpening(h, targets)));
    }
}
