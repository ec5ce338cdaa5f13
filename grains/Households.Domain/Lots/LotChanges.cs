using Households.Contracts;

namespace Households.Domain.Lots;

/// <summary>
/// What a change of an account's books did to its lots, by lot id: the lots it removed and the ones it put (a new lot, or
/// a lot whose quantity or basis changed, in place). A fill is stored as this change rather than the whole list (issue #18
/// goal 2: writes that scale with the trades, not with the books).
/// </summary>
public sealed record LotChanges(string[] Removed, LotPiece[] Put)
{
    /// <summary>The change from <paramref name="before"/> to <paramref name="after"/>, or null when applying it would not
    /// give <paramref name="after"/> exactly, lot for lot and in order (a lot id held twice, lots reordered): the books are
    /// then stored whole.</summary>
    public static LotChanges? Between(IReadOnlyList<LotPiece> before, IReadOnlyList<LotPiece> after) =>
        KeyedChanges.Between(before, after, p => p.Lot.Id, (a, b) => a == b) is (var put, var removed)
        && new LotChanges(removed, put) is var change && change.Apply(before).SequenceEqual(after) ? change : null;

    /// <summary>The lots after this change: removed ones dropped, a put lot in its old place or, when new, at the end.</summary>
    public List<LotPiece> Apply(IReadOnlyList<LotPiece> lots) => KeyedChanges.Apply(lots, Put, Removed, p => p.Lot.Id);
}
