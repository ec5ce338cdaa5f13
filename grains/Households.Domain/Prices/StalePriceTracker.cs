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
    public void Priced(string symbol, DateTimeOffset time) => Priced([symbol], time);

    /// <summary>Records a batch's prices at <paramref name="time"/> under one lock (the price board applies a batch at a time).</summary>
    public void Priced(IEnumerable<string> symbols, DateTimeOffset time)
    {
        lock (_lock)
            foreach (var symbol in symbols)
                if (!_last.TryGetValue(symbol, out var known) || time > known) _last[symbol] = time;
    }

    public DateTimeOffset? LastPriced(string symbol)
    {
        lock (_lock) return _last.TryGetValue(symbol, out var t) ? t : null;
    }

    /// <summary>The symbols not priced for longer than <paramref name="after"/> at <paramref name="now"/>, stalest first.
    /// A symbol never priced is not listed: it has no price to trade at anyway.</summary>
    public IReadOnlyList<StalePrice> Stale(DateTimeOffset now, TimeSpan after) => Stale(now, after, null);

    /// <summary>As <see cref="Stale(DateTimeOffset, TimeSpan)"/>, among <paramref name="among"/> only (a household's securities:
    /// a decision need not list the whole firm's).</summary>
    public IReadOnlyList<StalePrice> Stale(DateTimeOffset now, TimeSpan after, IReadOnlySet<string>? among)
    {
        lock (_lock)
            return (among is null ? _last : among.Where(_last.ContainsKey).Select(x => KeyValuePair.Create(x, _last[x]))).Where(kv => now - kv.Value > after)
                .Select(kv => new StalePrice(kv.Key, kv.Value, Math.Round((now - kv.Value).TotalMinutes, 2)))
                .OrderBy(s => s.LastPriced).ThenBy(s => s.Symbol, StringComparer.Ordinal).ToArray();
    }
}
