using System.Collections.Concurrent;

namespace Households.Domain.Monitoring;

/// <summary>Silo-local ordinals for securities, so prices and positions are arrays, not dictionaries.
/// Ordinals are assigned on first sight and never reused during the process's life.</summary>
public sealed class SecurityIndex
{
    private readonly ConcurrentDictionary<string, int> _ordinals = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private string[] _symbols = new string[256];
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public int OrdinalOf(string symbol)
    {
        if (_ordinals.TryGetValue(symbol, out var ordinal)) return ordinal;
        lock (_gate)
        {
            if (_ordinals.TryGetValue(symbol, out ordinal)) return ordinal;
            ordinal = _count;
            if (ordinal == _symbols.Length) Array.Resize(ref _symbols, _symbols.Length * 2);
            _symbols[ordinal] = symbol;
            _ordinals[symbol] = ordinal;
            Volatile.Write(ref _count, ordinal + 1);
            return ordinal;
        }
    }

    public bool TryGetOrdinal(string symbol, out int ordinal) => _ordinals.TryGetValue(symbol, out ordinal);

    public string SymbolOf(int ordinal) => Volatile.Read(ref _symbols)[ordinal];
}
