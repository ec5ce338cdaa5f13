namespace Households.Domain.Monitoring;

/// <summary>What the incremental scan keeps between batches for one set of monitor entries (issue #18 goal 4): the recent
/// price vectors accounts were last evaluated at, how far the market has moved from each (<see cref="PriceSlack.Reach"/>,
/// once per batch for all accounts), and the entries' holdings, so the scan's market value needs no pass over the
/// positions of a skipped account. Thread-safe: the silo's scan workers share one.</summary>
public sealed class IncrementalScan
{
    /// <summary>How many recent batches an account may have been evaluated at: one evaluated longer ago is evaluated again.
    /// A batch a second keeps ten minutes (4.8 MB at 600 × 1,000 securities).</summary>
    public const int Epochs = 600;

    /// <summary>After a scan where most accounts moved past their slack, this many scans (that one included) run full before an
    /// incremental one learns the slacks again (<see cref="MonitorScan.IncrementalWorthwhile"/>).</summary>
    public const int ProbeEvery = 10;

    /// <summary>Full scans still to run before the next incremental one may learn the slacks again.</summary>
    internal int FullScansAhead;

    private readonly Lock _gate = new();
    private readonly double[]?[] _epochs = new double[Epochs][];
    private readonly long[] _epochSequences = new long[Epochs];
    private int _nextEpoch;
    private PriceVector? _reachFor;
    private int _currentEpoch;
    private double[] _reach = new double[Epochs];
    private double[] _shares = new double[64];
    private double _cash;

    /// <summary>The epoch of <paramref name="current"/> and every epoch's reach to it (∞ for an empty slot): registers the
    /// batch the first time it is asked for. Each worker asks once per chunk; the reaches are computed once per batch.</summary>
    internal (int Epoch, double[] Reach) Begin(PriceVector current)
    {
        lock (_gate)
        {
            if (ReferenceEquals(_reachFor, current)) return (_currentEpoch, _reach);
            var epoch = -1;
            for (var e = 0; e < Epochs; e++)
                if (_epochs[e] is not null && _epochSequences[e] == current.Sequence && ReferenceEquals(_epochs[e], current.Values)) epoch = e;
            if (epoch < 0)
            {
                epoch = _nextEpoch;
                _nextEpoch = (_nextEpoch + 1) % Epochs;
                _epochs[epoch] = current.Values;
                _epochSequences[epoch] = current.Sequence;
            }
            // A new array each batch: a worker still on the previous batch keeps reading the reaches it was given.
            var reach = new double[Epochs];
            for (var e = 0; e < Epochs; e++)
                reach[e] = _epochs[e] is { } values ? (e == epoch ? 0 : PriceSlack.Reach(values, current.Values)) : double.PositiveInfinity;
            _reach = reach;
            _currentEpoch = epoch;
            _reachFor = current;
            return (epoch, reach);
        }
    }

    /// <summary>The sequence of the batch in epoch slot <paramref name="epoch"/> (0 if none).</summary>
    internal long SequenceOf(int epoch) => Volatile.Read(ref _epochSequences[epoch]);

    /// <summary>Moves an entry's holdings in the tally from the snapshot last counted to <paramref name="now"/> (null: the
    /// entry left the monitor).</summary>
    public void Retally<TTarget>(MonitorEntry<TTarget> entry, AccountSnapshot? now)
    {
        if (ReferenceEquals(entry.Tallied, now)) return; // only the entry's scan worker (or the monitor between scans) moves it
        lock (_gate)
        {
            if (ReferenceEquals(entry.Tallied, now)) return;
            if (entry.Tallied is { } before) Count(before, -1);
            if (now is not null) Count(now, 1);
            entry.Tallied = now;
        }
    }

    private void Count(AccountSnapshot s, int sign)
    {
        _cash += sign * s.Cash;
        foreach (ref readonly var row in s.Positions.AsSpan())
        {
            if (row.Quantity == 0) continue;
            if (row.Ordinal >= _shares.Length) Array.Resize(ref _shares, Math.Max(row.Ordinal + 1, _shares.Length * 2));
            _shares[row.Ordinal] += sign * row.Quantity;
        }
    }

    /// <summary>The value of every entry's holdings at <paramref name="prices"/> (positions without a price left out): the
    /// scan's market value, which the full scan sums account by account.</summary>
    public double MarketValue(PriceVector prices)
    {
        lock (_gate)
        {
            var value = _cash;
            var values = prices.Values;
            for (var o = 0; o < _shares.Length && o < values.Length; o++)
                if (_shares[o] != 0 && !double.IsNaN(values[o])) value += _shares[o] * values[o];
            return value;
        }
    }
}
