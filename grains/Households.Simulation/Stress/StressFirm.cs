using Households.Simulation.Market;
using Households.Simulation.Firms;
using Households.Contracts;
using Households.Domain.Decisions;
using Households.Domain.Harvesting;
using Households.Domain.Market;
using Households.Domain.Models;
using Households.Domain.Risk;
using Households.Domain.WashSales;

namespace Households.Simulation.Stress;

/// <summary>Generated firms (the demo firm, the load test's synthetic firm) as stress inputs, with the market the
/// embedded silo would decide with: the universe's securities and initial prices, its identical groups, the stock
/// replacement ranking and the default fund substitutes, its factor risk model.</summary>
public static class StressFirm
{
    public static StressMarket MarketOf(SimulatedUniverse universe, DateOnly asOf, DecisionSettings settings, TriggerPolicy? triggers = null)
    {
        var securities = universe.Securities;
        var prices = new Dictionary<string, decimal>(StringComparer.Ordinal);
        for (var i = 0; i < universe.Count; i++) prices[universe[i].Symbol] = Math.Round((decimal)universe.InitialPrices[i], 4);
        var decisions = DecisionMarkets.OfUniverse(universe, settings);
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

    /// <summary>The synthetic firm, never materialized: each household is generated when a worker asks for it by index,
    /// so generation runs in parallel too.</summary>
    public static (StressMarket Market, IEnumerable<HouseholdStressSnapshot> Households) Synthetic(SyntheticFirm firm, DecisionSettings settings)
    {
        var targets = Targets(firm.Models, firm.Universe);
        return (MarketOf(firm.Universe, firm.Options.AsOf, settings),
            new GeneratedList<HouseholdStressSnapshot>(firm.HouseholdCount, h => StressEngine.FromOpening(firm.HouseholdAt(h), targets)));
    }

    /// <summary>A read-only list whose items are made on each access; as an <see cref="IList{T}"/> it lets
    /// <see cref="Parallel.ForEach{T}(IEnumerable{T}, ParallelOptions, Func{T, ParallelLoopState, T, T})"/> hand out index
    /// ranges instead of enumerating under a lock.</summary>
    private sealed class GeneratedList<T>(int count, Func<int, T> make) : IList<T>, IReadOnlyList<T>
    {
        public T this[int index] { get => (uint)index < (uint)count ? make(index) : throw new ArgumentOutOfRangeException(nameof(index)); set => throw new NotSupportedException(); }
        public int Count => count;
        public bool IsReadOnly => true;
        public IEnumerator<T> GetEnumerator() { for (var i = 0; i < count; i++) yield return make(i); }
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
        public void Add(T item) => throw new NotSupportedException();
        public void Clear() => throw new NotSupportedException();
        public bool Contains(T item) => throw new NotSupportedException();
        public void CopyTo(T[] array, int arrayIndex) { for (var i = 0; i < count; i++) array[arrayIndex + i] = make(i); }
        public int IndexOf(T item) => throw new NotSupportedException();
        public void Insert(int index, T item) => throw new NotSupportedException();
        public bool Remove(T item) => throw new NotSupportedException();
        public void RemoveAt(int index) => throw new NotSupportedException();
    }
}
