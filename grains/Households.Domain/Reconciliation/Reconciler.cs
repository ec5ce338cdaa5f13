using System.Collections.Immutable;
using Households.Contracts;

namespace Households.Domain.Reconciliation;

/// <summary>Our books against a custodian's rows, one account at a time. Lots pair by lot id when both sides have one, then
/// by (symbol, acquired, quantity), then by (symbol, acquired); a custodian position without lots is compared with the
/// total of our lots in that symbol. Pure.</summary>
public static class Reconciler
{
    /// <summary>A basis differing by at most a cent, or 0.01 % of ours when that is more, matches (rounding of per-share
    /// figures at the custodian).</summary>
    public const decimal BasisTolerance = 0.01m;
    public const decimal BasisRelativeTolerance = 0.0001m;
    public const decimal CashTolerance = 0.01m;

    public static bool BasisMatches(decimal ours, decimal theirs) =>
        Math.Abs(theirs - ours) <= Math.Max(BasisTolerance, Math.Abs(ours) * BasisRelativeTolerance);

    /// <summary>An account the firm does not have (or the caller may not see).</summary>
    public static AccountReconciliation Unknown(CustodianAccount theirs, DateOnly asOf) =>
        new(theirs.Account, null, asOf, ReconciliationStatus.UnknownAccount, [], 0, null, theirs.Cash);

    public static AccountReconciliation Reconcile(string householdId, IReadOnlyList<TaxLot> lots, decimal cash, CustodianAccount theirs, DateOnly asOf)
    {
        var lines = new List<ReconciliationLine>();
        var positionSymbols = theirs.Rows.Where(r => r.Acquired is null).Select(r => r.Symbol).ToHashSet(StringComparer.Ordinal);
        var ours = lots.Where(l => !positionSymbols.Contains(l.Symbol)).ToList();
        var custodianLots = theirs.Rows.Where(r => r.Acquired is not null).ToList();
        var pairs = Pair(ours, custodianLots);
        foreach (var (our, their) in pairs) lines.Add(Compare(our, their));
        foreach (var their in custodianLots.Where(r => !pairs.Any(p => ReferenceEquals(p.Theirs, r))))
            lines.Add(new ReconciliationLine(ReconciliationKind.MissingLot, their.Symbol, their.LotId, their.LotId, their.Acquired,
                null, their.Quantity, null, their.Basis, their.Quantity, their.Line));
        foreach (var our in ours.Where(l => !pairs.Any(p => ReferenceEquals(p.Ours, l))))
            lines.Add(new ReconciliationLine(ReconciliationKind.ExtraLot, our.Symbol, our.Id, null, our.Purchased,
                our.Quantity, null, our.Basis, null, -our.Quantity, null));
        foreach (var position in theirs.Rows.Where(r => r.Acquired is null))
        {
            var held = lots.Where(l => l.Symbol == position.Symbol).ToList();
            var (quantity, basis) = (held.Sum(l => l.Quantity), held.Sum(l => l.Basis));
            var kind = quantity != position.Quantity ? ReconciliationKind.QuantityBreak
                : !BasisMatches(basis, position.Basis) ? ReconciliationKind.BasisBreak : ReconciliationKind.Matched;
            lines.Add(new ReconciliationLine(kind, position.Symbol, null, null, null, quantity, position.Quantity, basis, position.Basis,
                kind == ReconciliationKind.BasisBreak ? position.Basis - basis : position.Quantity - quantity, position.Line));
        }
        // A symbol the custodian does not list at all, while it lists others lot by lot, is covered by the extra lots above.
        if (theirs.Cash is { } theirCash)
            lines.Add(new ReconciliationLine(Math.Abs(theirCash - cash) > CashTolerance ? ReconciliationKind.CashBreak : ReconciliationKind.Matched,
                CustodianPositions.CashSymbol, null, null, null, cash, theirCash, null, null, theirCash - cash, null));
        var ordered = lines.OrderBy(l => l.Symbol == CustodianPositions.CashSymbol).ThenBy(l => l.Symbol, StringComparer.Ordinal)
            .ThenBy(l => l.Acquired).ThenBy(l => l.Lot, StringComparer.Ordinal).ToImmutableArray();
        var breaks = ordered.Count(l => l.Kind != ReconciliationKind.Matched);
        return new AccountReconciliation(theirs.Account, householdId, asOf, breaks > 0 ? ReconciliationStatus.Breaks : ReconciliationStatus.Matched,
            ordered, breaks, theirs.Cash is null ? null : cash, theirs.Cash);
    }

    /// <summary>The corrections of record that bring our books to the custodian's figures of <paramref name="report"/>, one per
    /// break (keys <paramref name="reconciliationId"/> and the line's place, so a retry applies none twice): a lot's quantity
    /// and basis set to the custodian's (its wash-sale adjusted basis when given), a position set to its quantity and total
    /// basis, a missing lot added (under the custodian's lot id), an extra lot removed, cash set. None is a sale.</summary>
    public static BookCorrection[] Corrections(AccountReconciliation report, string reconciliationId)
    {
        var source = $"reconciliation {reconciliationId}";
        var corrections = new List<BookCorrection>();
        for (var i = 0; i < report.Lines.Length; i++)
        {
            var l = report.Lines[i];
            var key = $"{reconciliationId}-{i + 1}";
            var correction = l.Kind switch
            {
                ReconciliationKind.QuantityBreak or ReconciliationKind.BasisBreak when l.Lot is null =>
                    new BookCorrection(key, BookCorrectionKind.SetPosition, report.AsOf, source, l.Symbol, null, l.TheirQuantity!.Value, l.TheirBasis!.Value),
                ReconciliationKind.QuantityBreak or ReconciliationKind.BasisBreak =>
                    new BookCorrection(key, BookCorrectionKind.SetLot, report.AsOf, source, l.Symbol, l.Lot, l.TheirQuantity!.Value, l.TheirBasis!.Value),
                ReconciliationKind.MissingLot =>
                    new BookCorrection(key, BookCorrectionKind.SetLot, report.AsOf, source, l.Symbol, l.CustodianLot ?? $"{reconciliationId}-{i + 1}",
                        l.TheirQuantity!.Value, l.TheirBasis!.Value, l.Acquired),
                ReconciliationKind.ExtraLot =>
                    new BookCorrection(key, BookCorrectionKind.SetLot, report.AsOf, source, l.Symbol, l.Lot, 0m, 0m),
                ReconciliationKind.CashBreak =>
                    new BookCorrection(key, BookCorrectionKind.SetCash, report.AsOf, source, Cash: l.TheirQuantity!.Value),
                _ => null,
            };
            if (correction is not null) corrections.Add(correction);
        }
        return [.. corrections];
    }

    private static ReconciliationLine Compare(TaxLot our, CustodianRow their)
    {
        var kind = our.Quantity != their.Quantity ? ReconciliationKind.QuantityBreak
            : !BasisMatches(our.Basis, their.Basis) ? ReconciliationKind.BasisBreak : ReconciliationKind.Matched;
        var difference = kind == ReconciliationKind.BasisBreak ? their.Basis - our.Basis : their.Quantity - our.Quantity;
        return new ReconciliationLine(kind, our.Symbol, our.Id, their.LotId, our.Purchased, our.Quantity, their.Quantity, our.Basis, their.Basis,
            difference, their.Line);
    }

    /// <summary>Our lots paired with the custodian's, in three passes, each taking only what the previous left.</summary>
    private static List<(TaxLot Ours, CustodianRow Theirs)> Pair(List<TaxLot> ours, List<CustodianRow> theirs)
    {
        var pairs = new List<(TaxLot, CustodianRow)>();
        var freeOurs = new List<TaxLot>(ours);
        var freeTheirs = new List<CustodianRow>(theirs);
        void Pass(Func<TaxLot, CustodianRow, bool> same)
        {
            foreach (var their in freeTheirs.ToList())
            {
                if (freeOurs.FirstOrDefault(o => same(o, their)) is not { } our) continue;
                pairs.Add((our, their));
                freeOurs.Remove(our);
                freeTheirs.Remove(their);
            }
        }
        Pass((o, t) => t.LotId is not null && o.Id == t.LotId && o.Symbol == t.Symbol);
        Pass((o, t) => o.Symbol == t.Symbol && o.Purchased == t.Acquired && o.Quantity == t.Quantity);
        Pass((o, t) => o.Symbol == t.Symbol && o.Purchased == t.Acquired);
        return pairs;
    }
}

/// <summary>Whether an account may be traded given its latest reconciliation: the firm setting
/// <c>Decisions:BlockOnBreaks</c> leaves accounts with an open break out of decisions.</summary>
public static class ReconciliationGate
{
    public static bool MayTrade(bool blockOnBreaks, AccountReconciliation? latest) => !blockOnBreaks || latest is not { OpenBreak: true };
}
