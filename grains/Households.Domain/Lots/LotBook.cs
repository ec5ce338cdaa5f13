using Households.Contracts;

namespace Households.Domain.Lots;

/// <summary>One lot relieved by a sale, before any wash-sale adjustment.</summary>
public sealed record LotSale(TaxLot Lot, decimal Quantity, decimal Proceeds, decimal Basis, HoldingTerm Term)
{
    public decimal Gain => Proceeds - Basis;
}

/// <summary>Tax rates used to rank lots for MinTax relief and to price tax cost.</summary>
public sealed record TaxRates(decimal ShortTerm, decimal LongTerm)
{
    public static TaxRates Default { get; } = new(0.37m, 0.20m);
}

/// <summary>The open lots of one account, all securities. Buys create lots; sells relieve them by a relief
/// method. Basis is relieved pro rata to shares and never rounded, so basis is conserved exactly:
/// basis bought = basis relieved + basis remaining.</summary>
public sealed class LotBook
{
    private readonly List<TaxLot> _lots = [];
    private readonly Dictionary<string, long> _sequence = new(StringComparer.Ordinal);
    private long _nextSequence;

    public LotBook() { }

    public LotBook(IEnumerable<TaxLot> lots)
    {
        foreach (var lot in lots) Add(lot);
    }

    public IReadOnlyList<TaxLot> Lots => _lots;

    public IEnumerable<TaxLot> LotsOf(string symbol) => _lots.Where(l => l.Symbol == symbol);

    public decimal QuantityOf(string symbol)
    {
        decimal q = 0;
        foreach (var lot in _lots) if (lot.Symbol == symbol) q += lot.Quantity;
        return q;
    }

    public TaxLot? Find(string lotId) => _lots.Find(l => l.Id == lotId);

    /// <summary>Adds an existing lot (an import or a replacement split). Ids are unique within the book.</summary>
    public void Add(TaxLot lot)
    {
        if (lot.Quantity <= 0) throw new BadInputException($"lot {lot.Id}: quantity must be > 0");
        if (lot.Basis < 0) throw new BadInputException($"lot {lot.Id}: basis must be >= 0");
        if (_sequence.ContainsKey(lot.Id)) throw new BadInputException($"lot {lot.Id}: duplicate lot id");
        _sequence[lot.Id] = _nextSequence++;
        _lots.Add(lot);
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

    /// <summary>Sells <paramref name="quantity"/> shares, relieving lots in the order the method gives.
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
            sales.Add(new LotSale(lot, take, proceeds, basis, HoldingPeriod.TermOf(lot.HoldingSince, date)));
            Reduce(lot, take, basis);
        }
        return sales;
    }

    /// <summary>Replaces a lot in place (a basis or holding-period adjustment), keeping its place in FIFO order.</summary>
    public void Replace(TaxLot updated)
    {
        var i = _lots.FindIndex(l => l.Id == updated.Id);
        if (i < 0) throw new BadInputException($"lot {updated.Id} does not exist");
        _lots[i] = updated;
    }

    private void Reduce(TaxLot lot, decimal quantity, decimal basis)
    {
        var i = _lots.FindIndex(l => l.Id == lot.Id);
        if (quantity == lot.Quantity)
        {
            _lots.RemoveAt(i);
            _sequence.Remove(lot.Id);
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
            var named = _lots.Where(l => l.Id == lotId).ToList();
            if (named.Count == 0) throw new BadInputException($"lot {lotId} does not exist");
            if (named[0].Symbol != symbol) throw new BadInputException($"lot {lotId} holds {named[0].Symbol}, not {symbol}");
            return named;
        }
        var lots = LotsOf(symbol);
        return method switch
        {
            LotRelief.Fifo => lots.OrderBy(l => l.Purchased).ThenBy(Seq).ToList(),
            LotRelief.Lifo => lots.OrderByDescending(l => l.Purchased).ThenByDescending(Seq).ToList(),
            // HIFO ranks by adjusted basis per share; ties go to the earlier purchase, then book order.
            LotRelief.Hifo => lots.OrderByDescending(l => l.BasisPerShare).ThenBy(l => l.Purchased).ThenBy(Seq).ToList(),
            LotRelief.MinTax => MinTaxOrder.Rank(lots, price, date, rates, Seq),
            _ => throw new BadInputException($"unknown relief method {method}"),
        };
    }

    private long Seq(TaxLot lot) => _sequence[lot.Id];
}
