namespace Households.Domain.Prices;

/// <summary>A symbol whose last price is older than the stale threshold.</summary>
public sealed record StalePrice(string Symbol, DateTimeOffset LastPriced, double MinutesStale);

/// <summary>When each security was last priced, from any source. Written by the price board's one writer and read
/// by grains and the API, hence the lock.</summary>
public sealed class StalePriceTracker
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, DateTimeOffset> _last = new(StringComparer.Ordinal);

    public int Count { get { lock (_lock) return _last.Count; } }

    /// <summary>Records a price at <paramref name="time"/>; an older time than the one known changes nothing.</summary>
    public void Priced(string symbol, DateTimeOffset time)
    {
        lock (_lock)
            if (!_last.TryGetValue(symbol, out var known) || time > known) _last[symbol] = time;
    }

    public DateTimeOffset? LastPriced(string symbol)
    {
        lock (_lock) return _last.TryGetValue(symbol, out var t) ? t : null;
    }

    /// <summary>The symbols not priced for longer than <paramref name="after"/> at <paramref name="now"/>, stalest first.
    /// A symbol never priced is not listed: it has no price to trade at anyway.</summary>
    public IReadOnlyList<StalePrice> Stale(DateTimeOffset now, TimeSpan after)
    {
        lock (_lock)
            return _last.Where(kv => now - kv.Value > after)
                .Select(kv => new StalePrice(kv.Key, kv.Value, Math.Round((now - kv.Value).TotalMinutes, 2)))
                .OrderBy(s => s.LastPriced).ThenBy(s => s.Symbol, StringComparer.Ordinal).ToArray();
    }
}
