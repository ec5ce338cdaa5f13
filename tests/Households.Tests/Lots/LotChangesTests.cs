using Households.Contracts;
using Households.Domain.Lots;
using Xunit;

namespace Households.Tests.Lots;

/// <summary>A fill stored as what it changed (issue #18 goal 2): the lots removed and put give back the books after it,
/// lot for lot and in order, or no change is offered and the books are stored whole.</summary>
public sealed class LotChangesTests
{
    private static LotPiece Piece(string id, string symbol, decimal quantity, decimal basis, int day, string? root = null) =>
        new(new TaxLot(id, symbol, quantity, basis, new DateOnly(2025, 1, day), new DateOnly(2025, 1, day)), root ?? id);

    private static readonly LotPiece[] Before =
    [
        Piece("L1", "VTI", 100, 20_000m, 2), Piece("L2", "VTI", 50, 11_000m, 3), Piece("L3", "BND", 200, 14_600m, 4),
    ];

    [Fact]
    public void A_sale_and_a_purchase_store_three_lots_of_four_and_give_back_the_books()
    {
        // Sell 120 VTI FIFO: L1 whole, 20 of L2 (basis 11,000 × 30/50 = 6,600 left); buy 10 SCHB.
        LotPiece[] after = [Piece("L2", "VTI", 30, 6_600m, 3), Before[2], Piece("L4", "SCHB", 10, 550m, 20)];

        var change = LotChanges.Between(Before, after);

        Assert.NotNull(change);
        Assert.Equal(["L1"], change.Removed);
        Assert.Equal(["L2", "L4"], change.Put.Select(p => p.Lot.Id));
        Assert.Equal(30m, change.Put[0].Lot.Quantity);
        Assert.Equal(6_600m, change.Put[0].Lot.Basis);
        Assert.Equal(after, change.Apply(Before));
    }

    [Fact]
    public void Unchanged_books_store_an_empty_change_and_a_wash_sale_split_keeps_its_root()
    {
        var none = LotChanges.Between(Before, Before);
        Assert.NotNull(none);
        Assert.Equal((0, 0), (none.Removed.Length, none.Put.Length));
        Assert.Equal(Before, none.Apply(Before));

        // A replacement lot carrying a disallowed loss: new basis, same id, and a piece split from it under L3's root.
        LotPiece[] after = [Before[0], Before[1], Piece("L3", "BND", 150, 11_200m, 4), Piece("L3-w1", "BND", 50, 3_900m, 4, root: "L3")];
        var split = LotChanges.Between(Before, after)!;
        Assert.Equal(["L3", "L3-w1"], split.Put.Select(p => p.Lot.Id));
        Assert.Equal("L3", split.Put[1].Root);
        Assert.Equal(after, split.Apply(Before));
    }

    [Fact]
    public void Books_the_change_cannot_give_back_are_stored_whole()
    {
        // Reordered lots: applying removals and puts in place keeps the old order, so no change is offered.
        Assert.Null(LotChanges.Between(Before, [Before[1], Before[0], Before[2]]));
        // A lot id held twice.
        Assert.Null(LotChanges.Between(Before, [Before[0], Before[0]]));
        Assert.Null(LotChanges.Between([Before[0], Before[0]], [Before[0]]));
    }
}
