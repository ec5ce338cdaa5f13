using Households.Contracts;

namespace Households.Domain.Lots;

/// <summary>An account's open lots held column-wise for a silo that keeps a million accounts live: about 34 bytes
/// a lot instead of a <see cref="LotPiece"/> object graph (two records, two strings, two decimals, ~200 bytes).
/// Quantities and bases are doubles plus their decimal scale, and a lot is stored this way only when that gives
/// back the exact decimal (bits and scale) and its id is the account's own <c>{account}-L{n}</c> with itself as root;
/// any other lot is kept whole on the side, so <see cref="Piece"/> always returns exactly what was stored.
/// Immutable: the monitor's <c>AccountSnapshot</c> shares <see cref="Symbols"/>, <see cref="Positions"/>,
/// <see cref="Quantities"/> and <see cref="Bases"/> instead of copying them; a change builds a new instance.</summary>
public sealed partial class CompactLots
{
    private static readonly double[] Pow10 = [.. Enumerable.Range(0, 29).Select(i => Math.Pow(10, i))];

    public static CompactLots Empty(string accountId) => From(accountId, []);

    // Columns that are the same for every lot of an account (all quantities to 3 places, holding period from the
    // purchase, lots numbered 1..n in order) collapse to one value; a null array means "use the uniform value".
    private byte[]? _quantityScale;
    private byte[]? _basisScale;
    private byte _uniformQuantityScale, _uniformBasisScale;
    private readonly int[] _purchased;
    private int[]? _holdingSince;
    private int[]? _number;
    private readonly Dictionary<int, LotPiece>? _whole;

    private CompactLots(string accountId, int count, Dictionary<int, LotPiece>? whole)
    {
        AccountId = accountId;
        Positions = new ushort[count];
        Quantities = new double[count];
        Bases = new double[count];
        _quantityScale = new byte[count];
        _basisScale = new byte[count];
        _purchased = new int[count];
        _holdingSince = new int[count];
        _number = new int[count];
        _whole = whole;
    }

    public string AccountId { get; }
    /// <summary>Distinct symbols in first-seen order.</summary>
    public string[] Symbols { get; private init; } = [];
    /// <summary>Per lot: index into <see cref="Symbols"/>. Two bytes a lot, not four: at 1M accounts and 114 M lots the
    /// monitor keeps every parked account's columns in memory, and no account holds 65,536 securities.</summary>
    public ushort[] Positions { get; }
    public double[] Quantities { get; }
    /// <summary>Per lot: total adjusted basis in dollars.</summary>
    public double[] Bases { get; }
    public int Count => Positions.Length;
    /// <summary>Lots that did not fit the compact form and are kept whole.</summary>
    public int WholeCount => _whole?.Count ?? 0;

    /// <summary>The position of <paramref name="symbol"/> among the account's distinct <paramref name="symbols"/> (first-seen
    /// order), added when new. Two bytes a lot: an account of more than 65,536 securities is refused.</summary>
    public static ushort PositionOf(string accountId, string symbol, Dictionary<string, int> symbolOf, List<string> symbols)
    {
        if (symbolOf.TryGetValue(symbol, out var p)) return (ushort)p;
        p = symbols.Count;
        if (p > ushort.MaxValue) throw new BadInputException($"account {accountId} holds more than {ushort.MaxValue + 1:N0} securities");
        symbolOf[symbol] = p;
        symbols.Add(symbol);
        return (ushort)p;
    }

    public static CompactLots From(string accountId, IReadOnlyList<LotPiece> pieces)
    {
        Dictionary<int, LotPiece>? whole = null;
        var symbols = new List<string>();
        var symbolOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var prefix = accountId + "-L";
        // One pass fills the columns; the symbol list is known only at the end.
        var result = new CompactLots(accountId, pieces.Count, null);
        for (var i = 0; i < pieces.Count; i++)
        {
            var piece = pieces[i];
            var lot = piece.Lot;
            result.Positions[i] = PositionOf(accountId, lot.Symbol, symbolOf, symbols);
            result.Quantities[i] = (double)lot.Quantity;
            result.Bases[i] = (double)lot.Basis;
            var regular = TryScale(lot.Quantity, out result._quantityScale![i]) & TryScale(lot.Basis, out result._basisScale![i])
                & TryNumber(lot.Id, prefix, out result._number![i]) && piece.Root == lot.Id;
            result._purchased[i] = lot.Purchased.DayNumber;
            result._holdingSince![i] = lot.HoldingSince.DayNumber;
            if (!regular) (whole ??= [])[i] = piece;
        }
        return new CompactLots(result, [.. symbols], whole).Collapsed();
    }

    private CompactLots Collapsed()
    {
        if (Count == 0) { _quantityScale = _basisScale = null; _holdingSince = _number = null; return this; }
        var q = _quantityScale!;
        var b = _basisScale!;
        if (q.AsSpan().IndexOfAnyExcept(q[0]) < 0) (_uniformQuantityScale, _quantityScale) = (q[0], null);
        if (b.AsSpan().IndexOfAnyExcept(b[0]) < 0) (_uniformBasisScale, _basisScale) = (b[0], null);
        if (_holdingSince!.AsSpan().SequenceEqual(_purchased)) _holdingSince = null;
        var sequential = true;
        for (var i = 0; i < Count && sequential; i++) sequential = _number![i] == i + 1 || _whole?.ContainsKey(i) == true;
        if (sequential) _number = null;
        return this;
    }

    private CompactLots(CompactLots columns, string[] symbols, Dictionary<int, LotPiece>? whole)
    {
        AccountId = columns.AccountId;
        Positions = columns.Positions;
        Quantities = columns.Quantities;
        Bases = columns.Bases;
        _quantityScale = columns._quantityScale;
        _basisScale = columns._basisScale;
        _purchased = columns._purchased;
        _holdingSince = columns._holdingSince;
        _number = columns._number;
        _uniformQuantityScale = columns._uniformQuantityScale;
        _uniformBasisScale = columns._uniformBasisScale;
        Symbols = symbols;
        _whole = whole;
    }

    public string SymbolOf(int lot) => Symbols[Positions[lot]];

    public LotPiece Piece(int i)
    {
        if (_whole is not null && _whole.TryGetValue(i, out var kept)) return kept;
        var number = _number?[i] ?? i + 1;
        var id = AccountId + "-L" + number.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new LotPiece(new TaxLot(id, Symbols[Positions[i]], Exact(Quantities[i], _quantityScale?[i] ?? _uniformQuantityScale),
            Exact(Bases[i], _basisScale?[i] ?? _uniformBasisScale), DateOnly.FromDayNumber(_purchased[i]),
            DateOnly.FromDayNumber(_holdingSince?[i] ?? _purchased[i])), id);
    }

    public List<LotPiece> ToList()
    {
        var list = new List<LotPiece>(Count);
        for (var i = 0; i < Count; i++) list.Add(Piece(i));
        return list;
    }

    public TaxLot[] Lots()
    {
        var lots = new TaxLot[Count];
        for (var i = 0; i < Count; i++) lots[i] = Piece(i).Lot;
        return lots;
    }

    /// <summary>Approximate bytes held, for the load test's bytes-per-account figure.</summary>
    public long EstimatedBytes => 12L * 8 + Count * (4L + 8 + 8 + 4) + (_quantityScale?.Length ?? 0) + (_basisScale?.Length ?? 0)
        + 4L * ((_holdingSince?.Length ?? 0) + (_number?.Length ?? 0)) + 8 * 24 + Symbols.Length * 8L + WholeCount * 250L;

    private static bool TryNumber(string id, string prefix, out int number)
    {
        number = 0;
        if (!id.StartsWith(prefix, StringComparison.Ordinal) || id.Length == prefix.Length || id[prefix.Length] == '0') return false;
        return int.TryParse(id.AsSpan(prefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out number);
    }

    private static bool TryScale(decimal value, out byte scale)
    {
        scale = value.Scale;
        if (scale > 15) return false;
        Span<int> expected = stackalloc int[4], actual = stackalloc int[4];
        decimal.GetBits(value, expected);
        decimal.GetBits(Exact((double)value, scale), actual);
        return actual.SequenceEqual(expected);
    }

    /// <summary>The decimal with <paramref name="scale"/> digits nearest to <paramref name="value"/>.</summary>
    private static decimal Exact(double value, byte scale)
    {
        var units = Math.Round(Math.Abs(value) * Pow10[scale]);
        if (units >= 9e15) return -1m; // beyond a double's exact integers: TryScale then keeps the lot whole
        return new decimal((long)units) is var d && value < 0 ? -Scaled(d, scale) : Scaled(d, scale);
    }

    private static decimal Scaled(decimal units, byte scale)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(units, bits);
        return new decimal(bits[0], bits[1], bits[2], false, scale);
    }
}
