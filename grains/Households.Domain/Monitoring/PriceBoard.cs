using Households.Contracts;
using Households.Domain.Prices;

namespace Households.Domain.Monitoring;

/// <summary>One immutable set of prices by security ordinal. <see cref="Values"/> feeds the monitor's math;
/// <see cref="Exact"/> the books of record. A price not yet seen is NaN / 0.</summary>
public sealed class PriceVector(long sequence, DateTimeOffset publishedAt, double[] values, decimal[] exact)
{
    public static PriceVector Empty { get; } = new(0, DateTimeOffset.MinValue, [], []);
    public long Sequence { get; } = sequence;
    public DateTimeOffset PublishedAt { get; } = publishedAt;
    public double[] Values { get; } = values;
    public decimal[] Exact { get; } = exact;

    public double ValueOf(int ordinal) => ordinal < Values.Length ? Values[ordinal] : double.NaN;

    public decimal? ExactOf(int ordinal) => ordinal < Exact.Length && !double.IsNaN(Values[ordinal]) ? Exact[ordinal] : null;
}

/// <summary>The silo-local price board: each batch builds a new <see cref="PriceVector"/> and swaps it in
/// atomically, so the monitor and grains read a consistent set without locks.</summary>
public sealed class PriceBoard(SecurityIndex index)
{
    private readonly Lock _writer = new();
    private PriceVector _current = PriceVector.Empty;

    public SecurityIndex Index { get; } = index;

    /// <summary>When each security was last priced (the batch's business time), whichever source published it.</summary>
    public StalePriceTracker Priced { get; } = new();

    public PriceVector Current => Volatile.Read(ref _current);

    /// <summary>Applies a batch unless it is older than what the board already shows; returns the vector in force.</summary>
    public PriceVector Apply(PriceBatch batch)
    {
        lock (_writer)
        {
            var current = _current;
            if (batch.Sequence <= current.Sequence && current.Sequence != 0) return current;
            foreach (var q in batch.Quotes) Index.OrdinalOf(q.Symbol);
            var size = Index.Count;
            var values = new double[size];
            var exact = new decimal[size];
            Array.Fill(values, double.NaN);
            Array.Copy(current.Values, values, current.Values.Length);
            Array.Copy(current.Exact, exact, current.Exact.Length);
            foreach (var q in batch.Quotes)
            {
                if (q.Price <= 0) continue; // a non-positive quote is a feed error; keep the last good price
                var i = Index.OrdinalOf(q.Symbol);
                values[i] = (double)q.Price;
                exact[i] = q.Price;
            }
            Priced.Priced(batch.Quotes.Where(q => q.Price > 0).Select(q => q.Symbol), batch.AsOf);
            var next = new PriceVector(batch.Sequence, batch.PublishedAt, values, exact);
            Volatile.Write(ref _current, next);
            return next;
        }
    }

    public SecurityQuote? QuoteOf(string symbol)
    {
        var v = Current;
        if (!Index.TryGetOrdinal(symbol, out var i) || v.ExactOf(i) is not { } price) return null;
        return new SecurityQuote(symbol, price, v.Sequence, v.PublishedAt);
    }
}
