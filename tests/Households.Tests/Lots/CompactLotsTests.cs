using Households.Contracts;
using Households.Domain.Lots;
using Households.Domain.Monitoring;
using Xunit;

namespace Households.Tests.Lots;

public sealed class CompactLotsTests
{
    private static readonly DateOnly Day = new(2024, 3, 15);

    private static LotPiece Own(string account, int n, string symbol, decimal quantity, decimal basis) =>
        new(new TaxLot($"{account}-L{n}", symbol, quantity, basis, Day, Day.AddDays(-40)), $"{account}-L{n}");

    [Fact]
    public void Regular_lots_come_back_exactly_with_their_decimal_scale()
    {
        var pieces = new[]
        {
            Own("A1", 1, "EQ", 12.300m, 1_234.50m),
            Own("A1", 2, "BD", 0.001m, 0.00m),
            Own("A1", 3, "EQ", 987_654.321m, 12_345_678.91m),
        };
        var lots = CompactLots.From("A1", pieces);

        Assert.Equal(0, lots.WholeCount);
        Assert.Equal(["EQ", "BD"], lots.Symbols.AsEnumerable());
        Assert.Equal(new ushort[] { 0, 1, 0 }, lots.Positions);
        Assert.Equal(pieces, lots.ToList());
        // Equal decimals can differ in scale; the persisted text must not: 12.300 stays 12.300.
        Assert.Equal("12.300", lots.Piece(0).Lot.Quantity.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("0.00", lots.Piece(1).Lot.Basis.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(1_234.5, lots.Bases[0]);
    }

    [Fact]
    public void A_lot_names_its_security_in_two_bytes_so_an_account_of_more_than_65536_securities_is_refused()
    {
        var most = Enumerable.Range(0, 65_536).Select(i => Own("A1", i + 1, $"S{i}", 1m, 10m)).ToList();
        var lots = CompactLots.From("A1", most);
        Assert.Equal(65_536, lots.Symbols.Length);
        Assert.Equal(ushort.MaxValue, lots.Positions[^1]);
        Assert.Equal("S65535", lots.SymbolOf(65_535));
        var refused = Assert.Throws<Households.Domain.BadInputException>(() => CompactLots.From("A1", [.. most, Own("A1", 65_537, "S65536", 1m, 10m)]));
        Assert.Equal("account A1 holds more than 65,536 securities", refused.Message);
    }

    [Fact]
    public void The_monitor_keeps_18_bytes_a_lot_and_20_a_position()
    {
        // At 1M accounts: 114 M lots and 43 M positions, watched in memory (issue #18 goal 5).
        Assert.Equal(2 + 8 + 8, sizeof(ushort) + sizeof(double) + sizeof(double)); // position index, quantity, basis
        Assert.Equal(20, System.Runtime.CompilerServices.Unsafe.SizeOf<PositionRow>());
        var row = new PositionRow(4_999, 300, -1, 12.5f, 1_234.567);
        Assert.Equal((4_999, (short)300, (short)-1, 12.5f, 1_234.567), (row.Ordinal, row.SecurityLine, row.ClassLine, row.HarvestPrice, row.Quantity));
    }

    [Fact]
    public void Lots_that_do_not_fit_the_columns_are_kept_whole()
    {
        var pieces = new[]
        {
            new LotPiece(new TaxLot("trade-7", "EQ", 10m, 1_000m, Day, Day), "trade-7"),        // foreign id
            new LotPiece(new TaxLot("A1-L2", "EQ", 5m, 500m, Day, Day), "A1-L1"),               // wash-sale split: root differs
            Own("A1", 3, "EQ", 12_345_678.123456789m, 10m),                                   // 17 significant digits
            Own("A1", 4, "EQ", 3m, 0.1234567890123456789m),                                     // scale beyond 15
            Own("A1", 5, "EQ", 7m, 70m),
            new LotPiece(new TaxLot("A1-L06", "EQ", 1m, 1m, Day, Day), "A1-L06"),               // leading zero
        };
        var lots = CompactLots.From("A1", pieces);

        Assert.Equal(5, lots.WholeCount);
        Assert.Equal(pieces, lots.ToList());
        Assert.Same(pieces[0], lots.Piece(0));
        Assert.Equal(7.0, lots.Quantities[4]);
    }

    [Fact]
    public void Packed_lots_unpack_to_the_same_pieces_and_columns_bit_for_bit()
    {
        var pieces = new[]
        {
            Own("A1", 1, "EQ", 12.300m, 1_234.50m),
            Own("A1", 2, "BD", 0.001m, 0.00m),
            Own("A1", 3, "EQ", -987_654.321m, 12_345_678.91m),                                // a short position's sign survives
            new LotPiece(new TaxLot("trade-7", "EQ", 10m, 1_000m, Day, Day), "trade-7"),        // foreign id: kept whole
            new LotPiece(new TaxLot("A1-L5", "Ü-FUND", 5m, 500m, Day.AddDays(-3000), Day), "A1-L1"), // wash-sale root, non-ASCII symbol
            Own("A1", 6, "EQ", 3m, 0.1234567890123456789m),                                     // scale beyond 15: whole
            Own("A1", 9, "BD", 7.5m, 70.125m),                                                  // numbering gap
        };
        var lots = CompactLots.From("A1", pieces);
        var packed = lots.Pack();
        var back = CompactLots.Unpack("A1", packed);

        Assert.Equal(pieces, back.ToList());
        Assert.Equal(lots.Symbols, back.Symbols);
        Assert.Equal(lots.Positions, back.Positions);
        Assert.Equal(lots.Quantities.Select(BitConverter.DoubleToInt64Bits), back.Quantities.Select(BitConverter.DoubleToInt64Bits));
        Assert.Equal(lots.Bases.Select(BitConverter.DoubleToInt64Bits), back.Bases.Select(BitConverter.DoubleToInt64Bits));
        Assert.Equal(3, back.WholeCount);
        Assert.Equal("12.300", back.Piece(0).Lot.Quantity.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(pieces, CompactLots.Unpack("A1", back.Pack()).ToList());
    }

    [Fact]
    public void A_regular_account_packs_to_a_few_bytes_a_lot()
    {
        // 100 lots of one account, quantities to 3 places and bases to cents, bought on consecutive days: the form a
        // million accounts are stored and read in at a silo's start.
        var pieces = Enumerable.Range(1, 100)
            .Select(n => new LotPiece(new TaxLot($"A1-L{n}", $"S{n % 40:000}", 10m + n * 0.125m, 1_000m + n * 10.37m, Day.AddDays(n), Day.AddDays(n)), $"A1-L{n}"))
            .ToArray();
        var packed = CompactLots.From("A1", pieces).Pack();

        Assert.Equal(pieces, CompactLots.Unpack("A1", packed).ToList());
        // Version, count and symbol count 3; 40 symbols of 1 + 4 bytes; columns and two uniform scales 3; per lot: position 1,
        // quantity in thousandths (10,125..22,500) 3, basis in cents (101,037..203,700) 3, days since the previous lot 1,
        // and the first lot's day number 2 bytes more: 1,008 bytes, against ~100 a lot serialized as LotPiece.
        Assert.Equal(3 + 40 * 5 + 3 + 100 * (1 + 3 + 3 + 1) + 2, packed.Length);
    }

    [Fact]
    public void Accounts_unpacked_from_storage_share_one_string_per_symbol()
    {
        var first = CompactLots.Unpack("A1", CompactLots.From("A1", [Own("A1", 1, "SHARED-EQ", 1m, 10m)]).Pack());
        var second = CompactLots.Unpack("A2", CompactLots.From("A2", [Own("A2", 1, "SHARED-EQ", 2m, 20m)]).Pack());

        Assert.Equal("SHARED-EQ", first.Symbols[0]);
        Assert.Same(first.Symbols[0], second.Symbols[0]);
    }

    [Fact]
    public void Damaged_packed_lots_are_refused_not_misread()
    {
        var packed = CompactLots.From("A1", [Own("A1", 1, "EQ", 12.300m, 1_234.50m)]).Pack();

        Assert.Throws<InvalidDataException>(() => CompactLots.Unpack("A1", packed.AsSpan(0, packed.Length - 1)));
        Assert.Throws<InvalidDataException>(() => CompactLots.Unpack("A1", [.. packed, 0]));
        Assert.Throws<InvalidDataException>(() => CompactLots.Unpack("A1", [2, .. packed[1..]]));
    }

    [Fact]
    public void The_snapshot_shares_the_lot_columns_and_harvests_on_total_basis()
    {
        var lots = CompactLots.From("A1", [Own("A1", 1, "EQ", 100m, 10_000m), Own("A1", 2, "EQ", 50m, 4_000m)]);
        var index = new SecurityIndex();
        var harvest = new HarvestPolicy(true, 0.05m, 100m, 0);
        var snapshot = AccountSnapshot.Build("A1", 0m, lots, null, harvest, _ => null, index);

        Assert.Same(lots.Quantities, snapshot.LotQuantities);
        Assert.Same(lots.Bases, snapshot.LotBasis);
        Assert.Same(lots.Positions, snapshot.LotPositions);
        var prices = new double[index.Count];
        prices[index.OrdinalOf("EQ")] = 90; // lot 1: basis 100/share, loss 1,000 (10%); lot 2: basis 80/share, a gain
        var flags = new byte[snapshot.LineCount + snapshot.LotCount];
        Assert.True(TriggerKernel.Evaluate(snapshot, prices, new double[Math.Max(1, snapshot.LineCount)], flags, out var value));
        Assert.Equal(13_500, value);
        Assert.Equal([1, 0], flags[snapshot.LineCount..]);
    }
}
