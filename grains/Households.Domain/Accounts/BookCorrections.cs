using System.Runtime.InteropServices;
using System.Collections.Immutable;
using Households.Contracts;
using Households.Domain.Lots;

namespace Households.Domain.Accounts;

/// <summary>Corrections of record (<see cref="BookCorrection"/>): lots and cash changed without a trade. A transfer between
/// custodians or accounts is not a sale or exchange (no gain or loss is realized, IRC §1001), so the lot keeps its basis and
/// holding period (§1223); a reconciliation accepts the custodian's record. Nothing here reaches the realized-gains ledger
/// or Form 8949, and nothing is a purchase for the wash-sale rule (IRC §1091(a) counts shares acquired by purchase).</summary>
public static class BookCorrections
{
    public static BookCorrection Check(BookCorrection? c)
    {
        if (c is null) throw new BadInputException("correction is required");
        InputRules.Id(c.Key, "key", TradeValidation.MaxKeyLength);
        InputRules.Text(c.Source, "source");
        InputRules.Date(c.Date, "date");
        if (!Enum.IsDefined(c.Kind)) throw new BadInputException("kind must be transferIn, transferOut, setLot, setPosition or setCash");
        if (c.Kind == BookCorrectionKind.SetCash)
        {
            if (Math.Abs(c.Cash) > CashValidation.MaxAmount) throw new BadInputException($"cash must be within ±{CashValidation.MaxAmount}");
            return c;
        }
        InputRules.Id(c.Symbol, "symbol");
        InputRules.OptionalId(c.LotId, "lotId");
        var zeroAllowed = c.Kind is BookCorrectionKind.SetLot or BookCorrectionKind.SetPosition;
        if (c.Quantity < 0 || (!zeroAllowed && c.Quantity == 0) || c.Quantity > InputRules.MaxQuantity)
            throw new BadInputException($"quantity must be {(zeroAllowed ? ">= 0" : "> 0")} and at most {InputRules.MaxQuantity}");
        if (c.Basis < 0 || c.Basis > CashValidation.MaxAmount) throw new BadInputException($"basis must be >= 0 and at most {CashValidation.MaxAmount}");
        if (c.Acquired is { } acquired) InputRules.Date(acquired, "acquired");
        if (c.Kind == BookCorrectionKind.TransferIn && c.Acquired is null) throw new BadInputException("a transfer in needs the lot's acquisition date");
        return c;
    }

    /// <summary>The lot a transfer in (or an accepted missing lot) creates when the custodian names none.</summary>
    public static string NewLotId(BookCorrection c) => c.LotId ?? "X-" + c.Key;

    /// <summary>Applies the correction to <paramref name="lots"/>; returns the symbol's lots before and after and the cash after.
    /// A refusal throws before anything moves.</summary>
    public static (ImmutableArray<LotPiece> Before, ImmutableArray<LotPiece> After, decimal Cash) Apply(AccountSpec spec, LotBook lots, decimal cash, BookCorrection c)
    {
        Check(c);
        if (c.Kind == BookCorrectionKind.SetCash) return ([], [], c.Cash);
        var symbol = c.Symbol!;
        var before = Pieces(lots, symbol);
        switch (c.Kind)
        {
            case BookCorrectionKind.TransferIn:
            {
                var id = NewLotId(c);
                if (lots.Contains(id)) throw new BadInputException($"lot {id} already exists in account {spec.Id}");
                lots.Add(new TaxLot(id, symbol, c.Quantity, c.Basis, c.Acquired!.Value, c.Acquired.Value));
                break;
            }
            case BookCorrectionKind.TransferOut:
                if (c.LotId is null && lots.QuantityOf(symbol) < c.Quantity)
                    throw new BadInputException($"transfer out of {c.Quantity} {symbol} exceeds the {lots.QuantityOf(symbol)} shares held");
                // The relief order picks the lots as a sale would; no price, no proceeds: the slices only leave the books.
                lots.Sell(symbol, c.Quantity, 0m, c.Date, c.LotId is null ? spec.DefaultRelief : LotRelief.SpecificLot, c.LotId);
                break;
            case BookCorrectionKind.SetLot:
                SetLot(spec, lots, c, symbol);
                break;
            case BookCorrectionKind.SetPosition:
                SetPosition(spec, lots, c, symbol);
                break;
        }
        return (ImmutableCollectionsMarshal.AsImmutableArray(before), ImmutableCollectionsMarshal.AsImmutableArray(Pieces(lots, symbol)), cash);
    }

    private static void SetLot(AccountSpec spec, LotBook lots, BookCorrection c, string symbol)
    {
        var id = c.LotId ?? throw new BadInputException("setting a lot needs its id");
        if (lots.Find(id) is not { } lot)
        {
            if (c.Quantity == 0) throw new BadInputException($"lot {id} does not exist in account {spec.Id}");
            var acquired = c.Acquired ?? throw new BadInputException($"lot {id} is new to account {spec.Id}: its acquisition date is needed");
            lots.Add(new TaxLot(id, symbol, c.Quantity, c.Basis, acquired, acquired));
            return;
        }
        if (lot.Symbol != symbol) throw new BadInputException($"lot {id} holds {lot.Symbol}, not {symbol}");
        if (c.Quantity == 0) lots.Relieve(id, lot.Quantity, lot.Basis);
        else lots.Replace(lot with { Quantity = c.Quantity, Basis = c.Basis });
    }

    private static void SetPosition(AccountSpec spec, LotBook lots, BookCorrection c, string symbol)
    {
        var held = lots.QuantityOf(symbol);
        if (c.Quantity < held) lots.Sell(symbol, held - c.Quantity, 0m, c.Date, spec.DefaultRelief);
        else if (c.Quantity > held)
        {
            var id = NewLotId(c);
            if (lots.Contains(id)) throw new BadInputException($"lot {id} already exists in account {spec.Id}");
            // The added shares carry no basis of their own: the scaling below gives the position the custodian's total.
            lots.Add(new TaxLot(id, symbol, c.Quantity - held, 0m, c.Date, c.Date));
        }
        var remaining = lots.LotsOf(symbol).ToList();
        var total = remaining.Sum(l => l.Basis);
        var quantity = remaining.Sum(l => l.Quantity);
        decimal given = 0m;
        for (var i = 0; i < remaining.Count; i++)
        {
            // By basis when there is one to scale, by shares otherwise; the last lot takes the rest so the total is exact.
            var basis = i == remaining.Count - 1 ? c.Basis - given
                : total > 0 ? c.Basis * remaining[i].Basis / total : c.Basis * remaining[i].Quantity / quantity;
            given += basis;
            lots.Replace(remaining[i] with { Basis = basis });
        }
    }

    private static LotPiece[] Pieces(LotBook lots, string symbol) => [.. lots.Snapshot().Where(p => p.Lot.Symbol == symbol)];
}

/// <summary>The journal's line for a correction of record.</summary>
public static class BookCorrectionJournal
{
    public static string Describe(BookCorrectionEffect e)
    {
        var c = e.Correction;
        var what = c.Kind switch
        {
            BookCorrectionKind.TransferIn => $"transfer in of {c.Quantity} {c.Symbol}, basis {c.Basis:0.00}, acquired {c.Acquired:yyyy-MM-dd}",
            BookCorrectionKind.TransferOut => $"transfer out of {c.Quantity} {c.Symbol}{(c.LotId is null ? "" : " from lot " + c.LotId)}",
            BookCorrectionKind.SetLot => $"lot {c.LotId} of {c.Symbol} set to {c.Quantity} shares, basis {c.Basis:0.00}",
            BookCorrectionKind.SetPosition => $"{c.Symbol} set to {c.Quantity} shares, basis {c.Basis:0.00}",
            _ => $"cash set to {c.Cash:0.00}",
        };
        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"Correction of record (not a sale) in {e.AccountId} from {c.Source}: {what}; {e.Before.Length} lots before, {e.After.Length} after; cash {e.CashDelta:+0.00;-0.00;0.00}");
    }
}
