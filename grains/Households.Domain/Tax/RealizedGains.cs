using Households.Contracts;
using Households.Domain.Lots;

namespace Households.Domain.Tax;

/// <summary>The realized-gains ledger of a household (or of one account): one entry per (sale, lot sold), updated
/// when a wash-sale match disallows part of its loss — possibly later, when the replacement is bought after the
/// sale. <see cref="Rows"/> gives the realized rows of FORMATS §1; <see cref="Summary"/> the totals, year to date,
/// per account or for the household.</summary>
public sealed class RealizedGains
{
    private readonly List<Entry> _entries = [];
    private readonly Dictionary<long, Entry> _byLoss = [];

    private sealed class Entry
    {
        public required DateOnly Date;
        public required string Account;
        public required string Symbol;
        public required string LotId;
        public required decimal Quantity;
        public required decimal Proceeds;
        public required decimal Basis;
        public required HoldingTerm Term;
        public required bool Taxable;
        public decimal Disallowed;
        public decimal PermanentDisallowed;
        public decimal PermanentQuantity;
        public long? LossId;
        public DateOnly? Acquired;
    }

    /// <summary>The persisted form: every entry in sale order.</summary>
    public IReadOnlyList<RealizedEntry> Snapshot() => _entries.Select(e => new RealizedEntry(e.Date, e.Account, e.Symbol, e.LotId,
        e.Quantity, e.Proceeds, e.Basis, e.Term, e.Taxable, e.Disallowed, e.PermanentDisallowed, e.PermanentQuantity, e.LossId, e.Acquired)).ToList();

    /// <summary>Restores a ledger from <see cref="Snapshot"/>.</summary>
    public static RealizedGains Restore(IEnumerable<RealizedEntry> entries)
    {
        var gains = new RealizedGains();
        foreach (var r in entries)
        {
            var entry = new Entry
            {
                Date = r.Date, Account = r.Account, Symbol = r.Symbol, LotId = r.LotId, Quantity = r.Quantity, Proceeds = r.Proceeds,
                Basis = r.Basis, Term = r.Term, Taxable = r.Taxable, Disallowed = r.Disallowed,
                PermanentDisallowed = r.PermanentDisallowed, PermanentQuantity = r.PermanentQuantity, LossId = r.LossId, Acquired = r.Acquired,
            };
            gains._entries.Add(entry);
            if (r.LossId is { } id) gains._byLoss[id] = entry;
        }
        return gains;
    }

    /// <summary>Records the lots relieved by one sale. <paramref name="lossIds"/> (from
    /// <see cref="WashSales.WashSaleLedger.RecordSale"/>) ties each loss to the adjustments that will name it.</summary>
    public void Record(string account, bool taxable, DateOnly date, IReadOnlyList<LotSale> sales, IReadOnlyList<long?> lossIds)
    {
        for (var i = 0; i < sales.Count; i++)
        {
            var s = sales[i];
            var entry = new Entry
            {
                Date = date, Account = account, Symbol = s.Lot.Symbol, LotId = s.Lot.Id, Quantity = s.Quantity,
                Proceeds = s.Proceeds, Basis = s.Basis, Term = s.Term, Taxable = taxable,
                LossId = i < lossIds.Count ? lossIds[i] : null, Acquired = s.Lot.Purchased,
            };
            _entries.Add(entry);
            if (i < lossIds.Count && lossIds[i] is { } id) _byLoss[id] = entry;
        }
    }

    public int EntryCount => _entries.Count;

    /// <summary>The rows of the entries recorded from <paramref name="entryIndex"/> on (one sale's rows).</summary>
    public IReadOnlyList<RealizedLot> RowsFrom(int entryIndex) => _entries.Skip(entryIndex).SelectMany(RowsOf).ToList();

    /// <summary>Adds a wash-sale disallowance to the loss row it names.</summary>
    public void Apply(WashSaleAdjustment adjustment)
    {
        if (!_byLoss.TryGetValue(adjustment.LossId, out var entry))
            throw new InvalidOperationException($"loss {adjustment.LossId} is not recorded in this ledger");
        if (adjustment.Permanent)
        {
            entry.PermanentDisallowed += adjustment.Disallowed;
            entry.PermanentQuantity += adjustment.Quantity;
        }
        else
        {
            entry.Disallowed += adjustment.Disallowed;
        }
    }

    /// <summary>The realized rows in sale order: one per (sale, lot sold), split in two when part of the loss is
    /// disallowed permanently and part is not (the permanent part second). Exact decimals, not rounded.</summary>
    public IReadOnlyList<RealizedLot> Rows(string? account = null, int? year = null, DateOnly? through = null) =>
        Select(account, year, through).SelectMany(RowsOf).ToList();

    /// <summary>The realized rows of sales from <paramref name="from"/> through <paramref name="to"/> (both inclusive), each
    /// with the purchase date of the lot it sold (Form 8949 column (b)) and whether the account is taxable.</summary>
    public IReadOnlyList<RealizedLine> LinesBetween(string householdId, DateOnly from, DateOnly to, string? account = null) =>
        _entries.Where(e => e.Date >= from && e.Date <= to && (account is null || e.Account == account))
            .SelectMany(e => RowsOf(e).Select(r => new RealizedLine(householdId, r, e.Acquired, e.Taxable))).ToList();

    private IEnumerable<Entry> Select(string? account, int? year, DateOnly? through) =>
        _entries.Where(e => (account is null || e.Account == account) && (year is null || e.Date.Year == year)
            && (through is null || e.Date <= through));

    private static IEnumerable<RealizedLot> RowsOf(Entry e)
    {
        if (e.PermanentQuantity == 0 || e.PermanentQuantity == e.Quantity)
        {
            yield return Row(e, e.Quantity, e.Proceeds, e.Basis, e.Disallowed + e.PermanentDisallowed, e.PermanentQuantity > 0);
            yield break;
        }
        var permanentProceeds = e.Proceeds * e.PermanentQuantity / e.Quantity;
        var permanentBasis = e.Basis * e.PermanentQuantity / e.Quantity;
        yield return Row(e, e.Quantity - e.PermanentQuantity, e.Proceeds - permanentProceeds, e.Basis - permanentBasis, e.Disallowed, false);
        yield return Row(e, e.PermanentQuantity, permanentProceeds, permanentBasis, e.PermanentDisallowed, true);
    }

    private static RealizedLot Row(Entry e, decimal quantity, decimal proceeds, decimal basis, decimal disallowed, bool permanent)
    {
        var gain = proceeds - basis;
        return new RealizedLot(e.Date, e.Account, e.Symbol, e.LotId, quantity, proceeds, basis, gain, disallowed,
            e.Taxable ? gain + disallowed : 0m, e.Term, permanent);
    }

    /// <summary>Totals of taxable rows (IRA, Roth IRA and 529 sales are left out): recognized short- and long-term
    /// gains, disallowed losses (counted at every link of a chain) and the permanently disallowed part.</summary>
    public GainsSummary Summary(string? account = null, int? year = null, DateOnly? through = null) =>
        Summarize(Select(account, year, through).Where(e => e.Taxable).SelectMany(RowsOf));

    /// <summary>Year-to-date totals as of a date.</summary>
    public GainsSummary YearToDate(DateOnly asOf, string? account = null) => Summary(account, asOf.Year, asOf);

    /// <summary>Sums realized rows of taxable accounts.</summary>
    public static GainsSummary Summarize(IEnumerable<RealizedLot> taxableRows)
    {
        decimal shortTerm = 0, longTerm = 0, disallowed = 0, permanent = 0;
        foreach (var r in taxableRows)
        {
            if (r.Term == HoldingTerm.Short) shortTerm += r.Recognized; else longTerm += r.Recognized;
            disallowed += r.Disallowed;
            if (r.Permanent) permanent += r.Disallowed;
        }
        return new GainsSummary(shortTerm, longTerm, disallowed, permanent);
    }
}
