using Households.Contracts;

namespace Households.Domain.Lots;

/// <summary>Tax rates used to rank lots for MinTax relief and to price tax cost.</summary>
public sealed record TaxRates(decimal ShortTerm, decimal LongTerm)
{
    public static TaxRates Default { get; } = new(0.37m, 0.20m);
}

/// <summary>The open lots of one account, all securities. Buys create lots; sells relieve them by a relief
/// method; wash-sale adjustments split and adjust them (<see cref="Apply"/>). Basis is relieved pro rata to
/// shares and never rounded, so basis is conserved: basis bought + non-permanent disallowed losses added
/// = basis relieved + basis remaining (exact up to decimal's 28 significant digits).</summary>
public sealed class LotBook
{
    private readonly List<TaxLot> _lots = [];
    private readonly Dictionary<string, Place> _places = new(StringComparer.Ordinal);
    // The open pieces of each purchase (root id), in the order they joined the book: a piece's place comes from its
    // family, looked up here rather than by a pass over every place (a book is rebuilt per fill: n lots were n² work).
    private readonly Dictionary<string, List<string>> _families = new(StringComparer.Ordinal);
    private long _nextSequence;

    /// <summary>Where a lot sits in book order: the purchase's sequence, then the piece number (1 for the
    /// original, 2 for <c>.2</c>, …), and the purchase the piece comes from.</summary>
    private readonly record struct Place(long Sequence, int Piece, string Root);

    public LotBook() { }

    public LotBook(IEnumerable<TaxLot> lots)
    {
        foreach (var lot in lots) Add(lot);
    }

    /// <summary>Open lots in book order (purchase order; split pieces follow their original).</summary>
    public IReadOnlyList<TaxLot> Lots => _lots.OrderBy(l => _places[l.Id].Sequence).ThenBy(l => _places[l.Id].Piece).ToList();

    public IEnumerable<TaxLot> LotsOf(string symbol) => _lots.Where(l => l.Symbol == symbol);

    public decimal QuantityOf(string symbol)
    {
        decimal q = 0;
        foreach (var lot in _lots) if (lot.Symbol == symbol) q += lot.Quantity;
        return q;
    }

    public TaxLot? Find(string lotId) => _lots.Find(l => l.Id == lotId);

    /// <summary>True when <paramref name="lotId"/> names an open lot or the purchase of open pieces.</summary>
    public bool Contains(string lotId) => _places.ContainsKey(lotId) || _families.ContainsKey(lotId);

    /// <summary>The purchase a lot or piece comes from.</summary>
    public string RootOf(string lotId) => _places.TryGetValue(lotId, out var p) ? p.Root : lotId;

    /// <summary>Restores a book from its persisted pieces (<see cref="Snapshot"/>), in book order.</summary>
    public LotBook(IEnumerable<LotPiece> pieces)
    {
        foreach (var piece in pieces) Add(piece.Lot, piece.Root);
    }

    /// <summary>The persisted form: open lots in book order with the purchase each comes from.</summary>
    public IReadOnlyList<LotPiece> Snapshot() => Lots.Select(l => new LotPiece(l, RootOf(l.Id))).ToList();

    /// <summary>Adds an existing lot (an import). Ids are unique within the book.</summary>
    public void Add(TaxLot lot) => Add(lot, lot.Id);

    /// <summary>Adds a lot piece with the purchase it comes from (a corporate action's new lot, or its journal replay).</summary>
    public void Add(LotPiece piece) => Add(piece.Lot, piece.Root);

    private void Add(TaxLot lot, string root)
    {
        if (lot.Quantity <= 0) throw new BadInputException($"lot {lot.Id}: quantity must be > 0");
        if (lot.Basis < 0) throw new BadInputException($"lot {lot.Id}: basis must be >= 0");
        if (_places.ContainsKey(lot.Id)) throw new BadInputException($"lot {lot.Id}: duplicate lot id");
        var family = _families.GetValueOrDefault(root);
        Seat(lot.Id, family is null || root == lot.Id
            ? new Place(_nextSequence++, 1, root)
            : new Place(_places[family[0]].Sequence, PieceNumber(lot.Id, root) ?? LastPiece(family) + 1, root));
        _lots.Add(lot);
    }

    private void Seat(string lotId, Place place)
    {
        _places[lotId] = place;
        if (_families.TryGetValue(place.Root, out var family)) family.Add(lotId);
        else _families[place.Root] = [lotId];
    }

    private void Unseat(string lotId)
    {
        if (!_places.Remove(lotId, out var place) || !_families.TryGetValue(place.Root, out var family)) return;
        family.Remove(lotId);
        if (family.Count == 0) _families.Remove(place.Root);
    }

    private int LastPiece(List<string> family)
    {
        var last = 0;
        foreach (var id in family) last = Math.Max(last, _places[id].Piece);
        return last;
    }

    /// <summary>A purchase creates a lot whose basis is cost plus commission (Pub. 551, "Cost Basis").</summary>
    public TaxLot Buy(string lotId, string symbol, decimal quantity, decimal price, DateOnly date, decimal commission = 0m)
    {
        if (quantity <= 0) throw new BadInputException("quantity must be > 0");
        if (price < 0) throw new BadInputException("price must be >= 0");
        if (commission < 0) throw new BadInputException("commission must be >= 0");
        var lot = new TaxLot(lotId, symbol, quantity, quantity * price + commission, date, date);
        Add(lot);
        return lot;
    }

    /// <summary>Sells <paramref name="quantity"/> shares, relieving lots in the order the method gives
    /// (<paramref name="lotId"/>, when given, is specific identification and draws from all pieces of that lot).
    /// Proceeds (net of commission) are allocated to the lots pro rata to shares.</summary>
    public IReadOnlyList<LotSale> Sell(string symbol, decimal quantity, decimal price, DateOnly date,
        LotRelief method, string? lotId = null, decimal commission = 0m, TaxRates? rates = null)
    {
        if (quantity <= 0) throw new BadInputException("quantity must be > 0");
        if (price < 0) throw new BadInputException("price must be >= 0");
        if (commission < 0) throw new BadInputException("commission must be >= 0");
        var order = Order(symbol, method, lotId, price, date, rates ?? TaxRates.Default);
        var available = order.Sum(l => l.Quantity);
        if (available < quantity)
            throw new BadInputException(lotId is null
                ? $"sell of {quantity} {symbol} exceeds the {available} shares held"
                : $"sell of {quantity} {symbol} exceeds the {available} shares in lot {lotId}");

        var netProceeds = quantity * price - commission;
        var sales = new List<LotSale>();
        var remaining = quantity;
        var proceedsLeft = netProceeds;
        foreach (var lot in order)
        {
            if (remaining == 0) break;
            var take = Math.Min(lot.Quantity, remaining);
            remaining -= take;
            // The last slice takes what is left of the proceeds, so proceeds are conserved exactly.
            var proceeds = remaining == 0 ? proceedsLeft : netProceeds * take / quantity;
            proceedsLeft -= proceeds;
            var basis = take == lot.Quantity ? lot.Basis : lot.Basis * take / lot.Quantity;
            sales.Add(new LotSale(lot, RootOf(lot.Id), take, proceeds, basis, HoldingPeriod.TermOf(lot.HoldingSince, date)));
            Reduce(lot, take, basis);
        }
        return sales;
    }

    /// <summary>Applies a wash-sale adjustment to a replacement lot of this book: splits off the matched shares
    /// (they keep the id; the rest becomes <see cref="WashSaleAdjustment.RemainderLotId"/>, next in book order)
    /// and, unless the disallowance is permanent, adds the disallowed loss to the matched piece's basis and
    /// tacks the holding period (IRC §1091(d), §1223(3)).</summary>
    public TaxLot Apply(WashSaleAdjustment adjustment)
    {
        var lot = Find(adjustment.LotId) ?? throw new BadInputException($"lot {adjustment.LotId} does not exist");
        if (adjustment.Quantity <= 0 || adjustment.Quantity > lot.Quantity)
            throw new BadInputException($"lot {lot.Id}: adjustment of {adjustment.Quantity} shares does not fit its {lot.Quantity}");
        var place = _places[lot.Id];
        var matched = lot;
        if (adjustment.Quantity < lot.Quantity)
        {
            var remainderId = adjustment.RemainderLotId ?? throw new BadInputException($"lot {lot.Id}: a partial adjustment needs a remainder id");
            if (_places.ContainsKey(remainderId)) throw new BadInputException($"lot {remainderId}: duplicate lot id");
            var matchedBasis = lot.Basis * adjustment.Quantity / lot.Quantity;
            matched = lot with { Quantity = adjustment.Quantity, Basis = matchedBasis };
            var remainder = lot with { Id = remainderId, Quantity = lot.Quantity - adjustment.Quantity, Basis = lot.Basis - matchedBasis };
            var piece = PieceNumber(remainderId, place.Root) ?? LastPiece(_families[place.Root]) + 1;
            Seat(remainderId, new Place(place.Sequence, piece, place.Root));
            _lots.Add(remainder);
        }
        if (!adjustment.Permanent)
            matched = matched with { Basis = matched.Basis + adjustment.Disallowed, HoldingSince = adjustment.HoldingSince };
        _lots[_lots.FindIndex(l => l.Id == lot.Id)] = matched;
        return matched;
    }

    private static int? PieceNumber(string id, string root) =>
        id.Length > root.Length + 1 && id.StartsWith(root + ".", StringComparison.Ordinal)
            && int.TryParse(id.AsSpan(root.Length + 1), out var n) && n > 1 ? n : null;

    /// <summary>Replaces a lot in place (a basis or holding-period adjustment), keeping its place in book order.</summary>
    public void Replace(TaxLot updated)
    {
        var i = _lots.FindIndex(l => l.Id == updated.Id);
        if (i < 0) throw new BadInputException($"lot {updated.Id} does not exist");
        _lots[i] = updated;
    }

    /// <summary>Relieves a recorded sale of one lot piece (journal replay): the shares and basis the sale took.</summary>
    public void Relieve(string lotId, decimal quantity, decimal basis)
    {
        var lot = Find(lotId) ?? throw new BadInputException($"lot {lotId} does not exist");
        if (quantity <= 0 || quantity > lot.Quantity) throw new BadInputException($"lot {lotId}: relief of {quantity} shares does not fit its {lot.Quantity}");
        Reduce(lot, quantity, basis);
    }

    private void Reduce(TaxLot lot, decimal quantity, decimal basis)
    {
        var i = _lots.FindIndex(l => l.Id == lot.Id);
        if (quantity == lot.Quantity)
        {
            _lots.RemoveAt(i);
            Unseat(lot.Id);
        }
        else
        {
            _lots[i] = lot with { Quantity = lot.Quantity - quantity, Basis = lot.Basis - basis };
        }
    }

    /// <summary>The lots of a symbol in the order a method relieves them.</summary>
    public IReadOnlyList<TaxLot> Order(string symbol, LotRelief method, string? lotId, decimal price, DateOnly date, TaxRates rates)
    {
        if (method == LotRelief.SpecificLot || lotId is not null)
        {
            if (lotId is null) throw new BadInputException("specific-lot relief needs a lot id");
            var named = _lots.Where(l => l.Id == lotId || _places[l.Id].Root == lotId).OrderBy(Seq).ThenBy(Piece).ToList();
            if (named.Count == 0) throw new BadInputException($"lot {lotId} does not exist");
            if (named[0].Symbol != symbol) throw new BadInputException($"lot {lotId} holds {named[0].Symbol}, not {symbol}");
            return named;
        }
        var lots = LotsOf(symbol);
        return method switch
        {
            LotRelief.Fifo => lots.OrderBy(l => l.Purchased).ThenBy(Seq).ThenBy(Piece).ToList(),
            LotRelief.Lifo => lots.OrderByDescending(l => l.Purchased).ThenByDescending(Seq).ThenByDescending(Piece).ToList(),
            // HIFO ranks by adjusted basis per share; ties go to the earlier purchase, then book (file) order.
            LotRelief.Hifo => lots.OrderByDescending(l => l.BasisPerShare).ThenBy(l => l.Purchased).ThenBy(Seq).ThenBy(Piece).ToList(),
            LotRelief.MinTax => MinTaxOrder.Rank(lots, price, date, rates, Seq, Piece),
            _ => throw new BadInputException($"unknown relief method {method}"),
        };
    }

    private long Seq(TaxLot lot) => _places[lot.Id].Sequence;

    private int Piece(TaxLot lot) => _places[lot.Id].Piece;
}
