using System.Globalization;

namespace Households.Domain.Risk;

/// <summary>A bounded daily-close history of the price stream a silo sees, for estimating the risk model: the last
/// prices of each business day, the most recent <c>capacity</c> days. Each batch costs a reference write; a day's row is
/// taken when the next day's first batch arrives (the price vectors are immutable, so no copy). Thread-safe.</summary>
public sealed class DailyCloses(int capacity)
{
    private readonly Lock _lock = new();
    private readonly Queue<(DateOnly Date, double[] Values)> _days = new();
    private DateOnly _pendingDate;
    private double[]? _pending;

    public int Capacity { get; } = capacity >= 2 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity));

    /// <summary>Closed days held (the day in progress is not one).</summary>
    public int Days { get { lock (_lock) return _days.Count; } }

    /// <summary>Prices by ordinal as of a batch dated <paramref name="date"/>; NaN where a security has none.</summary>
    public void Observe(DateOnly date, double[] values)
    {
        lock (_lock)
        {
            if (_pending is not null && date > _pendingDate)
            {
                _days.Enqueue((_pendingDate, _pending));
                while (_days.Count > Capacity) _days.Dequeue();
            }
            if (_pending is null || date >= _pendingDate) { _pendingDate = date; _pending = values; }
        }
    }

    /// <summary>Simple daily returns over the closed days of the securities priced (positive) on every one of them, moved
    /// and accepted by <paramref name="include"/>; null with fewer than <paramref name="minPeriods"/> returns or two securities.
    /// A security whose price never moved (a money-market fund) is left out: it has no risk to estimate.</summary>
    public ReturnSeries? Returns(Func<int, string?> symbolOf, Func<string, bool> include, int minPeriods)
    {
        (DateOnly Date, double[] Values)[] days;
        lock (_lock) days = [.. _days];
        if (days.Length < 2 || days.Length - 1 < minPeriods) return null;
        var width = days.Min(d => d.Values.Length);
        var columns = new List<(int Ordinal, string Symbol)>();
        for (int j = 0; j < width; j++)
        {
            var moved = false;
            var complete = true;
            for (int t = 0; t < days.Length && complete; t++)
            {
                var p = days[t].Values[j];
                complete = p > 0 && double.IsFinite(p);
                if (t > 0 && complete && p != days[t - 1].Values[j]) moved = true;
            }
            if (complete && moved && symbolOf(j) is { } s && include(s)) columns.Add((j, s));
        }
        if (columns.Count < 2) return null;
        var r = new double[days.Length - 1, columns.Count];
        for (int t = 1; t < days.Length; t++)
            for (int c = 0; c < columns.Count; c++)
                r[t - 1, c] = days[t].Values[columns[c].Ordinal] / days[t - 1].Values[columns[c].Ordinal] - 1;
        return new ReturnSeries(columns.Select(c => c.Symbol).ToArray(),
            days.Skip(1).Select(d => d.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).ToArray(), r);
    }
}
