using System.Collections.Immutable;
using Households.Contracts;
using Households.Domain.Lots;

namespace Households.Domain.CorporateActions;

/// <summary>
/// What a corporate action does to one account's lots and cash (docs/tax-rules.md, "Corporate actions"). Lots keep their
/// ids, purchase dates and (tacked) holding periods; a sale it implies — cash in lieu of a fraction, a merger's cash, a
/// return of capital beyond basis, an all-cash merger — is returned as <see cref="LotSale"/>s for the realized-gains and
/// wash-sale ledgers, exactly like a trade's. Amounts are exact decimals, never rounded: basis is conserved (basis before =
/// basis after + basis of the pieces sold).
/// </summary>
public static class CorporateActionRules
{
    public const decimal MaxRatio = 1_000_000m;

    /// <summary>The action is well formed: bad input names the field, and nothing anywhere changes.</summary>
    public static CorporateAction Check(CorporateAction? action)
    {
        if (action is null) throw new BadInputException("corporate action is required");
        InputRules.Id(action.Id, "id", 64);
        InputRules.Id(action.Symbol, "symbol", 32);
        InputRules.Date(action.Date, "date");
        if (!Enum.IsDefined(action.Kind)) throw new BadInputException("kind must be split, tickerChange, merger, spinOff, cashDividend or returnOfCapital");
        var needsNew = action.Kind is CorporateActionKind.TickerChange or CorporateActionKind.Merger or CorporateActionKind.SpinOff;
        if (needsNew)
        {
            InputRules.Id(action.NewSymbol, "newSymbol", 32);
            if (action.NewSymbol == action.Symbol) throw new BadInputException("newSymbol must differ from symbol");
        }
        else if (action.NewSymbol is not null) throw new BadInputException($"newSymbol does not apply to a {action.Kind}");
        if (action.Ratio is < 0 or > MaxRatio) throw new BadInputException($"ratio must be between 0 and {MaxRatio}");
        if (action.Kind is CorporateActionKind.Split or CorporateActionKind.SpinOff && action.Ratio <= 0)
            throw new BadInputException("ratio must be > 0");
        if (action.Kind == CorporateActionKind.Split && action.Ratio == 1) throw new BadInputException("a split's ratio must not be 1");
        if (action.Kind is CorporateActionKind.Split or CorporateActionKind.TickerChange or CorporateActionKind.SpinOff && action.Cash != 0)
            throw new BadInputException($"cash does not apply to a {action.Kind}");
        if (action.Cash is < 0 or > InputRules.MaxPrice) throw new BadInputException($"cash must be between 0 and {InputRules.MaxPrice} per share");
        if (action.Kind is CorporateActionKind.CashDividend or CorporateActionKind.ReturnOfCapital && action.Cash <= 0)
            throw new BadInputException("cash must be > 0 per share");
        if (action.Kind == CorporateActionKind.Merger && action.Ratio == 0 && action.Cash == 0)
            throw new BadInputException("a merger pays shares (ratio), cash or both");
        if (action.Kind is CorporateActionKind.Split or CorporateActionKind.SpinOff or CorporateActionKind.CashDividend
            || (action.Kind == CorporateActionKind.Merger && action.Ratio > 0))
        {
            if (action.Price is not { } price) throw new BadInputException($"price is required for a {action.Kind} (per share of the security received)");
            if (price is <= 0 or > InputRules.MaxPrice) throw new BadInputException($"price must be > 0 and at most {InputRules.MaxPrice}");
        }
        else if (action.Price is not null) throw new BadInputException($"price does not apply to a {action.Kind}");
        if (action.Kind == CorporateActionKind.SpinOff)
        {
            if (action.BasisPercent is < 0 or > 1) throw new BadInputException("basisPercent must be between 0 and 1 (a fraction: 0.15 is 15 %)");
        }
        else if (action.BasisPercent != 0) throw new BadInputException($"basisPercent does not apply to a {action.Kind}");
        return action;
    }

    /// <summary>The lot id a spin-off's new shares get, and the lot a dividend reinvestment buys.</summary>
    public static string SpunOffLotId(string lotId, string actionId) => $"{lotId}+{actionId}";

    public static string ReinvestedLotId(string actionId) => $"CA-{actionId}";

    /// <summary>Applies the action to the lots of <paramref name="lots"/> (changed in place) and returns the effect with the
    /// cash it moves (the caller moves the cash). Held "at the ex date": a dividend, return of capital or spin-off goes to lots
    /// bought before <see cref="CorporateAction.Date"/>; a split, ticker change or merger converts every lot of the old
    /// security, which ceases to exist.</summary>
    public static CorporateActionEffect Apply(AccountSpec spec, LotBook lots, CorporateAction action, decimal cash)
    {
        var entitled = action.Kind is CorporateActionKind.CashDividend or CorporateActionKind.ReturnOfCapital or CorporateActionKind.SpinOff;
        var held = lots.Lots.Where(l => l.Symbol == action.Symbol && (!entitled || l.Purchased < action.Date)).ToList();
        var before = held.Select(l => new LotPiece(l, lots.RootOf(l.Id))).ToImmutableArray();
        if (held.Count == 0) return new CorporateActionEffect(action.Id, spec.Id, [], [], [], null, 0m, cash);
        var run = new Run(spec, lots, action);
        switch (action.Kind)
        {
            case CorporateActionKind.Split: run.Split(held); break;
            case CorporateActionKind.TickerChange: run.Convert(held, action.NewSymbol!, 1m); break;
            case CorporateActionKind.Merger: run.Merge(held); break;
            case CorporateActionKind.SpinOff: run.SpinOff(held); break;
            case CorporateActionKind.CashDividend: run.Dividend(held); break;
            case CorporateActionKind.ReturnOfCapital: run.ReturnCapital(held); break;
        }
        var ids = before.Select(p => p.Lot.Id).Concat(run.Created).ToHashSet(StringComparer.Ordinal);
        var after = lots.Lots.Where(l => ids.Contains(l.Id)).Select(l => new LotPiece(l, lots.RootOf(l.Id))).ToImmutableArray();
        return new CorporateActionEffect(action.Id, spec.Id, before, after, [.. run.Sales], run.Reinvested, run.Cash, cash + run.Cash);
    }

    private sealed class Run(AccountSpec spec, LotBook lots, CorporateAction action)
    {
        public readonly List<LotSale> Sales = [];
        public readonly List<string> Created = [];
        public decimal Cash;
        public TaxLot? Reinvested;

        private HoldingTerm Term(TaxLot lot) => HoldingPeriod.TermOf(lot.HoldingSince, action.Date);

        /// <summary>Pub. 550 "Stock splits"; IRC §307(a), §1223(4): the same basis spread over more (or fewer) shares,
        /// the holding period kept.</summary>
        public void Split(IReadOnlyList<TaxLot> held) => Convert(held, action.Symbol, action.Ratio);

        /// <summary>Each lot becomes <paramref name="ratio"/> times as many shares of <paramref name="symbol"/> with the same
        /// basis and dates; then the account's fraction, unless it holds fractions, is paid in cash.</summary>
        public void Convert(IReadOnlyList<TaxLot> held, string symbol, decimal ratio)
        {
            var converted = held.Select(l => l with { Symbol = symbol, Quantity = l.Quantity * ratio }).ToList();
            foreach (var lot in converted) lots.Replace(lot);
            CashInLieu(converted);
        }

        /// <summary>Rev. Rul. 66-365; Pub. 550: cash in lieu of a fractional share is a sale of that fraction, with its share
        /// of the lot's basis. Custodians pay the fraction of the position (the account's total), not of each lot: it comes
        /// off the lots last in book order (the latest purchases) first.</summary>
        private void CashInLieu(IReadOnlyList<TaxLot> position)
        {
            if (spec.FractionalShares || position.Count == 0) return;
            var total = position.Sum(l => l.Quantity);
            var fraction = total - decimal.Floor(total);
            foreach (var lot in position.Reverse())
            {
                if (fraction == 0) break;
                var take = Math.Min(fraction, lot.Quantity);
                fraction -= take;
                Sell(lot, take, take * action.Price!.Value);
            }
        }

        /// <summary>A sale of <paramref name="quantity"/> shares of a lot, with their share of its basis.</summary>
        private void Sell(TaxLot lot, decimal quantity, decimal proceeds)
        {
            var relieved = quantity == lot.Quantity ? lot.Basis : lot.Basis * quantity / lot.Quantity;
            Sales.Add(new LotSale(lot, lots.RootOf(lot.Id), quantity, proceeds, relieved, Term(lot)));
            Cash += proceeds;
            lots.Relieve(lot.Id, quantity, relieved);
        }

        /// <summary>Stock for stock (IRC §354, §358(a)(1)): the new shares take the old basis and holding period (§1223(1)).
        /// With cash as well (§356(a)(1)): gain is realized on the cash and the stock's value together and recognized up to
        /// the cash; no loss is recognized (§356(c)); the new shares' basis is the old basis less the cash plus the gain
        /// recognized (§358(a)(1)). The gain is a sale row of no shares whose basis is the cash less that gain, so basis is
        /// conserved. All cash (ratio 0): a taxable sale of the lot (Reg. §1.1001-1), loss included.</summary>
        public void Merge(IReadOnlyList<TaxLot> held)
        {
            if (action.Ratio == 0)
            {
                foreach (var lot in held) Sell(lot, lot.Quantity, lot.Quantity * action.Cash);
                return;
            }
            var converted = new List<TaxLot>();
            foreach (var lot in held)
            {
                var cash = lot.Quantity * action.Cash;
                var newQuantity = lot.Quantity * action.Ratio;
                var realized = cash + newQuantity * action.Price!.Value - lot.Basis;
                var recognized = Math.Max(0m, Math.Min(realized, cash));
                // The cash returns basis first (cash − gain); the gain recognized is a row of no shares.
                if (recognized > 0) Sales.Add(new LotSale(lot, lots.RootOf(lot.Id), 0m, cash, cash - recognized, Term(lot)));
                Cash += cash;
                var current = lot with { Basis = lot.Basis - cash + recognized };
                var next = current with { Symbol = action.NewSymbol!, Quantity = newQuantity };
                lots.Replace(next);
                converted.Add(next);
            }
            CashInLieu(converted);
        }

        /// <summary>IRC §355, §358(b)(2) and (c), Treas. Reg. §1.358-2: the old basis is split between the old and the new
        /// shares by their relative values, which the issuer publishes (Form 8937) and the action gives as
        /// <see cref="CorporateAction.BasisPercent"/>; the new shares keep the old shares' holding period (§1223(1)) and purchase
        /// date. A fraction of a new share is paid in cash (cash in lieu).</summary>
        public void SpinOff(IReadOnlyList<TaxLot> held)
        {
            var created = new List<TaxLot>();
            foreach (var lot in held)
            {
                var newBasis = lot.Basis * action.BasisPercent;
                lots.Replace(lot with { Basis = lot.Basis - newBasis });
                var spun = new TaxLot(SpunOffLotId(lot.Id, action.Id), action.NewSymbol!, lot.Quantity * action.Ratio, newBasis,
                    lot.Purchased, lot.HoldingSince);
                if (lots.Contains(spun.Id)) throw new BadInputException($"lot {spun.Id} already exists in account {spec.Id}");
                lots.Add(spun);
                Created.Add(spun.Id);
                created.Add(spun);
            }
            CashInLieu(created);
        }

        /// <summary>A cash dividend is income (1099-DIV), not a sale. Reinvested (the account's setting) it buys shares at
        /// <see cref="CorporateAction.Price"/>, a purchase with its own basis and holding period (Pub. 550) and a purchase for
        /// the wash-sale rule (IRC §1091(a); Pub. 550 "Wash Sales"); whole shares unless the account holds fractions, the
        /// rest stays in cash.</summary>
        public void Dividend(IReadOnlyList<TaxLot> held)
        {
            var amount = held.Sum(l => l.Quantity) * action.Cash;
            Cash += amount;
            if (!spec.ReinvestDividends) return;
            var price = action.Price!.Value;
            var shares = spec.FractionalShares ? amount / price : decimal.Floor(amount / price);
            if (shares <= 0) return;
            var id = ReinvestedLotId(action.Id);
            if (lots.Contains(id)) throw new BadInputException($"lot {id} already exists in account {spec.Id}");
            Reinvested = lots.Buy(id, action.Symbol, shares, price, action.Date);
            Created.Add(id);
            Cash -= shares * price;
        }

        /// <summary>IRC §301(c)(2) and (3); Pub. 550 "Nondividend distributions": a return of capital reduces the lot's basis;
        /// once the basis is zero, the rest is capital gain, short or long term by the lot's holding period.</summary>
        public void ReturnCapital(IReadOnlyList<TaxLot> held)
        {
            foreach (var lot in held)
            {
                var distribution = lot.Quantity * action.Cash;
                if (distribution <= lot.Basis)
                {
                    lots.Replace(lot with { Basis = lot.Basis - distribution });
                    Cash += distribution;
                    continue;
                }
                // The basis is returned in full; the excess is a gain of a sale of no shares.
                Cash += lot.Basis;
                lots.Replace(lot with { Basis = 0m });
                Sales.Add(new LotSale(lot with { Basis = 0m }, lots.RootOf(lot.Id), 0m, distribution - lot.Basis, 0m, Term(lot)));
                Cash += distribution - lot.Basis;
            }
        }
    }
}
