using Households.Contracts;

namespace Households.Domain.Market;

/// <summary>A generated security master with starting prices, market capitalizations (stocks only, in $
/// millions; funds and cash carry 0) and the factor model that drives its returns. Order is significant: every
/// per-security array (prices, exposures, returns) is indexed by the security's position here.</summary>
public sealed class SimulatedUniverse
{
    private readonly Security[] _securities;
    private readonly double[] _initialPrices;
    private readonly double[] _marketCaps;
    private readonly Dictionary<string, int> _index;
    private int[]? _stocksByCap;

    public SimulatedUniverse(IReadOnlyList<Security> securities, double[] initialPrices, double[] marketCaps, FactorMarketModel model)
    {
        ArgumentNullException.ThrowIfNull(securities);
        ArgumentNullException.ThrowIfNull(model);
        if (initialPrices.Length != securities.Count || marketCaps.Length != securities.Count || model.SecurityCount != securities.Count)
            throw new ArgumentException("Securities, prices, market caps and exposures must have the same length.");
        _securities = [.. securities];
        _initialPrices = (double[])initialPrices.Clone();
        _marketCaps = (double[])marketCaps.Clone();
        Model = model;
        _index = new Dictionary<string, int>(_securities.Length, StringComparer.Ordinal);
        for (int i = 0; i < _securities.Length; i++)
        {
            if (!(_initialPrices[i] > 0)) throw new ArgumentException($"Price of {_securities[i].Symbol} must be positive.");
            if (!_index.TryAdd(_securities[i].Symbol, i)) throw new ArgumentException($"Duplicate symbol {_securities[i].Symbol}.");
        }
    }

    public int Count => _securities.Length;
    public IReadOnlyList<Security> Securities => _securities;
    public Security this[int index] => _securities[index];
    public ReadOnlySpan<double> InitialPrices => _initialPrices;
    public ReadOnlySpan<double> MarketCaps => _marketCaps;
    public FactorMarketModel Model { get; }

    /// <summary>Position of <paramref name="symbol"/>, or −1.</summary>
    public int IndexOf(string symbol) => _index.TryGetValue(symbol, out int i) ? i : -1;

    public bool Contains(string symbol) => _index.ContainsKey(symbol);

    /// <summary>Indices of the stocks, largest market cap first (ties by position).</summary>
    public IReadOnlyList<int> StocksByMarketCap()
    {
        if (_stocksByCap is null)
        {
            var stocks = Enumerable.Range(0, Count).Where(i => _securities[i].Kind == SecurityKind.Stock).ToArray();
            Array.Sort(stocks, (a, b) => _marketCaps[b] != _marketCaps[a] ? _marketCaps[b].CompareTo(_marketCaps[a]) : a.CompareTo(b));
            _stocksByCap = stocks;
        }
        return _stocksByCap;
    }
}
