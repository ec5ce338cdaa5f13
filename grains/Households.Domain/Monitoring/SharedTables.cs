using System.Collections.Concurrent;
using Households.Contracts;

namespace Households.Domain.Monitoring;

/// <summary>One copy of each snapshot table that many accounts hold alike: the drift lines of a model (levels, keys,
/// targets and bands), the symbols of a direct index and its rows of factor loadings. Every account that follows a model
/// and holds what it targets has the same tables, so a million parked accounts need a few thousand of them instead of a
/// million (at 1M accounts the lines alone were about 1 GB, most of it direct indexes' 300 lines each). Used by the warm
/// start, which builds every parked snapshot at once and then drops this object; a live grain's snapshot keeps its own
/// tables, so nothing here outlives the accounts that share it. Thread-safe (the warm start builds on every core).
/// Snapshot tables are never changed after the build.</summary>
public sealed class SharedTables
{
    private readonly Pool<DriftLevel> _levels = new(EqualityComparer<DriftLevel>.Default);
    private readonly Pool<string> _keys = new(StringComparer.Ordinal);
    private readonly Pool<LineRow> _lines = new(EqualityComparer<LineRow>.Default);
    private readonly Pool<FactorRow?> _rows = new(ReferenceEqualityComparer.Instance);

    /// <summary>Tables offered.</summary>
    public long Offered => _levels.Offered + _keys.Offered + _lines.Offered + _rows.Offered;

    /// <summary>Distinct tables kept.</summary>
    public int Distinct => _levels.Count + _keys.Count + _lines.Count + _rows.Count;

    public DriftLevel[] Share(DriftLevel[] table) => _levels.Share(table);
    public string[] Share(string[] table) => _keys.Share(table);
    public LineRow[] Share(LineRow[] table) => _lines.Share(table);
    public FactorRow?[] Share(FactorRow?[] table) => _rows.Share(table);

    private sealed class Pool<T> : IEqualityComparer<T[]>
    {
        private readonly IEqualityComparer<T> _element;
        private readonly ConcurrentDictionary<T[], T[]> _tables;
        private long _offered;

        public Pool(IEqualityComparer<T> element)
        {
            _element = element;
            _tables = new(this);
        }

        public long Offered => Interlocked.Read(ref _offered);
        public int Count => _tables.Count;

        public T[] Share(T[] table)
        {
            if (table.Length == 0) return table;
            Interlocked.Increment(ref _offered);
            return _tables.GetOrAdd(table, table);
        }

        public bool Equals(T[]? a, T[]? b) => ReferenceEquals(a, b) || a is not null && b is not null && a.AsSpan().SequenceEqual(b, _element);

        public int GetHashCode(T[] table)
        {
            var hash = new HashCode();
            hash.Add(table.Length);
            foreach (var x in table) hash.Add(x is null ? 0 : _element.GetHashCode(x));
            return hash.ToHashCode();
        }
    }
}
