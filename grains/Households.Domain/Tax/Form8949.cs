using System.Globalization;
using System.Text;
using Households.Contracts;

namespace Households.Domain.Tax;

/// <summary>A realized row with what Form 8949 needs besides it: the household, the lot's purchase date (null when the
/// ledger did not keep it) and whether the account is taxable (IRA, Roth IRA and 529 sales are not reported).</summary>
public sealed record RealizedLine(string HouseholdId, RealizedLot Row, DateOnly? Acquired, bool Taxable);

/// <summary>Form 8949 check boxes: A/D short/long term with basis reported to the IRS (covered), B/E not reported
/// (noncovered). C and F (no Form 1099-B) do not arise: the firm is the broker of every sale it records.</summary>
public enum Form8949Box { A, B, D, E }

/// <summary>One line of Form 8949 (columns (a)–(h) as the Instructions for Form 8949 define them), in whole cents:
/// (d) proceeds, (e) cost basis, (f) code — W for a wash sale —, (g) the adjustment — the disallowed loss as a
/// positive number —, (h) = (d) − (e) + (g).</summary>
public sealed record Form8949Line(
    string HouseholdId, string Account, string LotId, HoldingTerm Term, bool Covered, Form8949Box Box,
    string Description, DateOnly? DateAcquired, DateOnly DateSold, decimal Proceeds, decimal CostBasis, string Code,
    decimal Adjustment, decimal GainOrLoss)
{
    /// <summary>Part I (short term, held one year or less) or Part II (long term).</summary>
    public string Part => Term == HoldingTerm.Short ? "I" : "II";
}

/// <summary>Form 8949 from the realized-gains ledger: the lines of taxable accounts, parted and boxed, and each box's totals
/// (the form's line 2, which go to Schedule D).</summary>
public static class Form8949
{
    /// <summary>Basis reporting (IRC §6045(g); Treas. Reg. §1.6045-1(a)(15)): stock acquired from 2011 on is covered; shares of
    /// funds (regulated investment companies, dividend reinvestment plans) from 2012 on.</summary>
    public static readonly DateOnly StockCoveredFrom = new(2011, 1, 1);
    public static readonly DateOnly FundCoveredFrom = new(2012, 1, 1);

    public static bool IsCovered(DateOnly? acquired, SecurityKind? kind) =>
        acquired is { } date && date >= (kind is SecurityKind.EquityFund or SecurityKind.BondFund ? FundCoveredFrom : StockCoveredFrom);

    public static IReadOnlyList<Form8949Line> Lines(IEnumerable<RealizedLine> realized, Func<string, SecurityKind?> kindOf) =>
        realized.Where(r => r.Taxable).Select(r =>
        {
            var row = r.Row;
            var covered = IsCovered(r.Acquired, kindOf(row.Symbol));
            var box = (row.Term, covered) switch
            {
                (HoldingTerm.Short, true) => Form8949Box.A,
                (HoldingTerm.Short, false) => Form8949Box.B,
                (HoldingTerm.Long, true) => Form8949Box.D,
                _ => Form8949Box.E,
            };
            var proceeds = Cents(row.Proceeds);
            var basis = Cents(row.Basis);
            var adjustment = Cents(row.Disallowed);
            return new Form8949Line(r.HouseholdId, row.Account, row.LotId, row.Term, covered, box, Describe(row), r.Acquired, row.Date,
                proceeds, basis, adjustment > 0 ? "W" : "", adjustment, proceeds - basis + adjustment);
        })
        .OrderBy(l => l.Box).ThenBy(l => l.DateSold).ThenBy(l => l.HouseholdId, StringComparer.Ordinal)
        .ThenBy(l => l.Account, StringComparer.Ordinal).ThenBy(l => l.LotId, StringComparer.Ordinal)
        .ToList();

    /// <summary>Column (a): "100 sh XYZ"; a row of no shares is cash received on them (a merger's cash, a return of capital
    /// beyond basis).</summary>
    public static string Describe(RealizedLot row) => row.Quantity == 0
        ? $"{row.Symbol} (cash received)"
        : $"{Number(row.Quantity)} sh {row.Symbol}";

    public static decimal Cents(decimal amount) => Math.Round(amount, 2, MidpointRounding.AwayFromZero);

    public const string Header = "row,part,box,household,account,lot,description,date_acquired,date_sold,proceeds,cost_basis,code,adjustment,gain_or_loss,term,covered";

    /// <summary>The CSV (docs/formats.md §6): Part I then Part II, box by box, each box's lines then its <c>total</c> row.</summary>
    public static string Csv(IReadOnlyList<Form8949Line> lines)
    {
        var csv = new CsvWriter(Header);
        foreach (var box in lines.GroupBy(l => l.Box).OrderBy(g => g.Key))
        {
            foreach (var l in box)
                csv.Row("lot", l.Part, l.Box.ToString(), l.HouseholdId, l.Account, l.LotId, l.Description,
                    l.DateAcquired is { } a ? Date(a) : "VARIOUS", Date(l.DateSold), Money(l.Proceeds), Money(l.CostBasis), l.Code,
                    Money(l.Adjustment), Money(l.GainOrLoss), l.Term == HoldingTerm.Short ? "short" : "long", l.Covered ? "covered" : "noncovered");
            var t = Totals(box);
            var first = box.First();
            csv.Row("total", first.Part, box.Key.ToString(), "", "", "", "Totals", "", "", Money(t.Proceeds),
                Money(t.CostBasis), "", Money(t.Adjustment), Money(t.GainOrLoss), first.Term == HoldingTerm.Short ? "short" : "long",
                first.Covered ? "covered" : "noncovered");
        }
        return csv.ToString();
    }

    private const double Left = 36, Top = PdfDocument.Height - 40, Leading = 10;
    private const int LinesPerPage = 50;
    private static readonly (string Title, int Width, bool Right)[] Columns =
    [
        ("(a) Description", 26, false), ("(b) Acquired", 12, false), ("(c) Sold", 11, false), ("(d) Proceeds", 15, true),
        ("(e) Cost basis", 15, true), ("(f)", 4, false), ("(g) Adjustment", 15, true), ("(h) Gain/(loss)", 16, true),
        ("  Account", 18, false), ("Lot", 24, false),
    ];

    /// <summary>The same lines as a PDF: per part and box a heading, the columns (a)–(h) with account and lot, the lines and
    /// the box's totals (line 2); a new page every 50 lines.</summary>
    public static byte[] Pdf(IReadOnlyList<Form8949Line> lines, string title)
    {
        var pdf = new PdfDocument();
        var y = 0.0;
        var onPage = LinesPerPage;
        void Row(string text, double size = 7)
        {
            if (onPage >= LinesPerPage) { pdf.NewPage().Text(Left, Top, title, 10); y = Top - 2 * Leading; onPage = 0; }
            pdf.Text(Left, y, text, size);
            y -= Leading;
            onPage++;
        }
        if (lines.Count == 0) Row("No sales in taxable accounts in this period.");
        foreach (var box in lines.GroupBy(l => l.Box).OrderBy(g => g.Key))
        {
            var first = box.First();
            Row($"Part {first.Part} - {(first.Term == HoldingTerm.Short ? "Short-term (held one year or less)" : "Long-term (held more than one year)")}; box {box.Key}: basis {(first.Covered ? "reported" : "not reported")} to the IRS");
            Row(Format(Columns.Select(c => c.Title).ToArray()));
            pdf.Line(Left, y + Leading - 2, PdfDocument.Width - Left, y + Leading - 2);
            foreach (var l in box)
                Row(Format([l.Description, l.DateAcquired is { } a ? Date(a) : "VARIOUS", Date(l.DateSold), Money(l.Proceeds), Money(l.CostBasis),
                    l.Code, l.Adjustment == 0 ? "" : Money(l.Adjustment), Signed(l.GainOrLoss), "  " + l.Account, l.LotId]));
            var t = Totals(box);
            pdf.Line(Left, y + Leading - 2, PdfDocument.Width - Left, y + Leading - 2);
            Row(Format(["2 Totals", "", "", Money(t.Proceeds), Money(t.CostBasis), "", Money(t.Adjustment), Signed(t.GainOrLoss), "", ""]));
            Row("");
        }
        return pdf.ToBytes();
    }

    /// <summary>Fixed-width columns, cut to fit.</summary>
    private static string Format(string[] cells)
    {
        var s = new StringBuilder();
        for (var i = 0; i < Columns.Length; i++)
        {
            var (_, width, right) = Columns[i];
            var cell = cells[i].Length > width - 1 ? cells[i][..(width - 1)] : cells[i];
            s.Append(right ? cell.PadLeft(width - 1) + " " : cell.PadRight(width));
        }
        return s.ToString().TrimEnd();
    }

    /// <summary>A loss in parentheses, as the form shows it.</summary>
    private static string Signed(decimal amount) => amount < 0 ? $"({Money(-amount)})" : Money(amount);

    /// <summary>A box's line 2: the sums of columns (d), (e), (g) and (h).</summary>
    public static (decimal Proceeds, decimal CostBasis, decimal Adjustment, decimal GainOrLoss) Totals(IEnumerable<Form8949Line> lines)
    {
        decimal d = 0, e = 0, g = 0, h = 0;
        foreach (var l in lines) { d += l.Proceeds; e += l.CostBasis; g += l.Adjustment; h += l.GainOrLoss; }
        return (d, e, g, h);
    }

    public static string Money(decimal amount) => amount.ToString("0.00", CultureInfo.InvariantCulture);

    public static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string Number(decimal value) => value.ToString("0.######", CultureInfo.InvariantCulture);
}
