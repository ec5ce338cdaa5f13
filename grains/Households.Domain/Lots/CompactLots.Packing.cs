using System.Buffers;
using System.Text;
using Households.Contracts;

namespace Households.Domain.Lots;

/// <summary>The stored form of an account's lots: the columns as they are held in memory, packed. A regular lot costs
/// about 8 bytes (position, quantity and basis as whole units of their decimal scale, purchase day as a difference),
/// against ~100 for a serialized <see cref="LotPiece"/>; a million accounts' books are read at a silo's start in bulk,
/// so the bytes per lot are the cold start. Unpacking gives back exactly the columns that were packed.</summary>
public sealed partial class CompactLots
{
    private const byte PackVersion = 1;
    [Flags]
    private enum Columns : byte { QuantityScale = 1, BasisScale = 2, HoldingSince = 4, Number = 8, Whole = 16 }

    /// <summary>The lots packed into bytes (<see cref="Unpack"/> reverses it).</summary>
    public byte[] Pack()
    {
        var w = new PackWriter(64 + Count * 10);
        w.Byte(PackVersion);
        w.UVar((ulong)Count);
        w.UVar((ulong)Symbols.Length);
        foreach (var s in Symbols) w.Text(s);
        var columns = (_quantityScale is null ? 0 : Columns.QuantityScale) | (_basisScale is null ? 0 : Columns.BasisScale)
            | (_holdingSince is null ? 0 : Columns.HoldingSince) | (_number is null ? 0 : Columns.Number) | (_whole is null ? 0 : Columns.Whole);
        w.Byte((byte)columns);
        w.Byte(_uniformQuantityScale);
        w.Byte(_uniformBasisScale);
        for (var i = 0; i < Count; i++) w.UVar((ulong)Positions[i]);
        if (_quantityScale is not null) foreach (var s in _quantityScale) w.Byte(s);
        if (_basisScale is not null) foreach (var s in _basisScale) w.Byte(s);
        if (_whole is not null)
        {
            w.UVar((ulong)_whole.Count);
            foreach (var (index, piece) in _whole)
            {
                w.UVar((ulong)index);
                w.Text(piece.Lot.Id);
                w.Text(piece.Lot.Symbol);
                w.Decimal(piece.Lot.Quantity);
                w.Decimal(piece.Lot.Basis);
                w.Var(piece.Lot.Purchased.DayNumber);
                w.Var(piece.Lot.HoldingSince.DayNumber);
                w.Text(piece.Root);
            }
        }
        for (var i = 0; i < Count; i++)
        {
            var whole = _whole?.ContainsKey(i) == true;
            w.Amount(Quantities[i], _quantityScale?[i] ?? _uniformQuantityScale, whole);
            w.Amount(Bases[i], _basisScale?[i] ?? _uniformBasisScale, whole);
        }
        var previous = 0;
        for (var i = 0; i < Count; i++) { w.Var(_purchased[i] - previous); previous = _purchased[i]; }
        if (_holdingSince is not null) for (var i = 0; i < Count; i++) w.Var(_holdingSince[i] - _purchased[i]);
        if (_number is not null) for (var i = 0; i < Count; i++) w.UVar((ulong)_number[i]);
        return w.ToArray();
    }

    /// <summary>The lots of <paramref name="accountId"/> from <see cref="Pack"/>'s bytes; a damaged or foreign payload is refused.</summary>
    public static CompactLots Unpack(string accountId, ReadOnlySpan<byte> packed)
    {
        var r = new PackReader(packed);
        if (r.Byte() != PackVersion) throw new InvalidDataException($"account {accountId}: packed lots of an unknown version");
        var count = checked((int)r.UVar());
        var symbols = new string[checked((int)r.UVar())];
        for (var s = 0; s < symbols.Length; s++) symbols[s] = r.Symbol();
        var columns = (Columns)r.Byte();
        var lots = new CompactLots(accountId, count, null)
        {
            _uniformQuantityScale = r.Byte(),
            _uniformBasisScale = r.Byte(),
        };
        for (var i = 0; i < count; i++)
        {
            var p = checked((int)r.UVar());
            if (p >= symbols.Length) throw new InvalidDataException($"account {accountId}: packed lot {i} names symbol {p} of {symbols.Length}");
            lots.Positions[i] = (ushort)p;
        }
        if (columns.HasFlag(Columns.QuantityScale)) for (var i = 0; i < count; i++) lots._quantityScale![i] = r.Byte();
        else lots._quantityScale = null;
        if (columns.HasFlag(Columns.BasisScale)) for (var i = 0; i < count; i++) lots._basisScale![i] = r.Byte();
        else lots._basisScale = null;
        Dictionary<int, LotPiece>? whole = null;
        if (columns.HasFlag(Columns.Whole))
        {
            var n = checked((int)r.UVar());
            whole = new Dictionary<int, LotPiece>(n);
            for (var k = 0; k < n; k++)
            {
                var index = checked((int)r.UVar());
                var lot = new TaxLot(r.Text(), r.Text(), r.Decimal(), r.Decimal(), DateOnly.FromDayNumber(checked((int)r.Var())),
                    DateOnly.FromDayNumber(checked((int)r.Var())));
                whole[index] = new LotPiece(lot, r.Text());
            }
        }
        for (var i = 0; i < count; i++)
        {
            var raw = whole?.ContainsKey(i) == true;
            lots.Quantities[i] = r.Amount(lots._quantityScale?[i] ?? lots._uniformQuantityScale, raw);
            lots.Bases[i] = r.Amount(lots._basisScale?[i] ?? lots._uniformBasisScale, raw);
        }
        var previous = 0;
        for (var i = 0; i < count; i++) previous = lots._purchased[i] = previous + checked((int)r.Var());
        if (columns.HasFlag(Columns.HoldingSince)) for (var i = 0; i < count; i++) lots._holdingSince![i] = lots._purchased[i] + checked((int)r.Var());
        else lots._holdingSince = null;
        if (columns.HasFlag(Columns.Number)) for (var i = 0; i < count; i++) lots._number![i] = checked((int)r.UVar());
        else lots._number = null;
        if (!r.AtEnd) throw new InvalidDataException($"account {accountId}: packed lots have trailing bytes");
        return new CompactLots(lots, symbols, whole);
    }

    /// <summary>Appends to a growing buffer: unsigned and zig-zag varints, length-prefixed UTF-8, raw decimals.</summary>
    private sealed class PackWriter(int capacity)
    {
        private readonly ArrayBufferWriter<byte> _buffer = new(capacity);

        public void Byte(byte b) { _buffer.GetSpan(1)[0] = b; _buffer.Advance(1); }

        public void UVar(ulong v)
        {
            var span = _buffer.GetSpan(10);
            var n = 0;
            while (v >= 0x80) { span[n++] = (byte)(v | 0x80); v >>= 7; }
            span[n++] = (byte)v;
            _buffer.Advance(n);
        }

        public void Var(long v) => UVar((ulong)((v << 1) ^ (v >> 63)));

        public void Text(string s)
        {
            var bytes = Encoding.UTF8.GetByteCount(s);
            UVar((ulong)bytes);
            Encoding.UTF8.GetBytes(s, _buffer.GetSpan(bytes));
            _buffer.Advance(bytes);
        }

        public void Decimal(decimal d)
        {
            Span<int> bits = stackalloc int[4];
            decimal.GetBits(d, bits);
            foreach (var b in bits) Var(b);
        }

        /// <summary>A regular lot's amount is an exact decimal of its scale: stored as whole units. A lot kept whole
        /// may not be (its column is only the double nearest to it): stored as the double's bits.</summary>
        public void Amount(double value, byte scale, bool raw)
        {
            if (raw)
            {
                BitConverter.TryWriteBytes(_buffer.GetSpan(8), value);
                _buffer.Advance(8);
                return;
            }
            Var((long)Math.Round(value * Pow10[scale]));
        }

        public byte[] ToArray() => _buffer.WrittenSpan.ToArray();
    }

    private ref struct PackReader(ReadOnlySpan<byte> bytes)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;
        private int _at;

        public readonly bool AtEnd => _at == _bytes.Length;

        public byte Byte() => _at < _bytes.Length ? _bytes[_at++] : throw new InvalidDataException("packed lots end early");

        public ulong UVar()
        {
            ulong v = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                var b = Byte();
                v |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80) return v;
            }
            throw new InvalidDataException("packed lots: a number too long");
        }

        public long Var() { var u = UVar(); return (long)(u >> 1) ^ -(long)(u & 1); }

        public string Text()
        {
            var n = checked((int)UVar());
            if (n > _bytes.Length - _at) throw new InvalidDataException("packed lots end early");
            var s = Encoding.UTF8.GetString(_bytes.Slice(_at, n));
            _at += n;
            return s;
        }

        /// <summary>A symbol, as the one shared string for it: a million accounts hold ~100 symbols each, and a string
        /// per account per symbol was 3 GB of a 1M-account silo's 7.8 GB (docs/benchmarks.md).</summary>
        public string Symbol()
        {
            var n = checked((int)UVar());
            if (n > _bytes.Length - _at) throw new InvalidDataException("packed lots end early");
            var bytes = _bytes.Slice(_at, n);
            _at += n;
            if (n > 64) return Encoding.UTF8.GetString(bytes);
            Span<char> chars = stackalloc char[n];
            var length = Encoding.UTF8.GetChars(bytes, chars);
            return SymbolPool.Shared(chars[..length]);
        }

        public decimal Decimal() => new([checked((int)Var()), checked((int)Var()), checked((int)Var()), checked((int)Var())]);

        public double Amount(byte scale, bool raw)
        {
            if (raw)
            {
                if (_bytes.Length - _at < 8) throw new InvalidDataException("packed lots end early");
                var bits64 = BitConverter.ToDouble(_bytes.Slice(_at, 8));
                _at += 8;
                return bits64;
            }
            // The exact decimal the lot was stored from, then the same conversion the column was made with.
            var units = Var();
            if (scale > 28) throw new InvalidDataException("packed lots: a scale beyond 28");
            var magnitude = new decimal((ulong)Math.Abs(units));
            Span<int> bits = stackalloc int[4];
            decimal.GetBits(magnitude, bits);
            return (double)new decimal(bits[0], bits[1], bits[2], units < 0, scale);
        }
    }
}

/// <summary>One string per symbol for every account's unpacked lots (symbols are a firm's securities: a few thousand).</summary>
internal static class SymbolPool
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> Pool = new(StringComparer.Ordinal);
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> Lookup =
        Pool.GetAlternateLookup<ReadOnlySpan<char>>();

    public static string Shared(ReadOnlySpan<char> symbol)
    {
        if (Lookup.TryGetValue(symbol, out var shared)) return shared;
        var created = symbol.ToString();
        return Pool.GetOrAdd(created, created);
    }
}
