using System.Text;
using System.Text.RegularExpressions;
using Households.Contracts;
using Households.Domain.Tax;
using Households.Tests.CorporateActions;
using Xunit;
using static Households.Tests.CorporateActions.Books;

namespace Households.Tests.Reports;

/// <summary>Form 8949 (CSV and PDF), unrealized lots with the long-term date, and the yearly summary with the carryover.</summary>
public partial class TaxReportTests
{
    /// <summary>2024 in one taxable account: A 100 XYZ bought 2024-01-10 at $50, sold 2024-03-01 at $40 (loss 1,000); rebought
    /// 2024-03-15 at $41, which washes it (basis 4,100 + 1,000 = 5,100); that lot sold 2024-06-03 at $45 (loss 600). An old
    /// lot (50 ABC bought 2010-05-03 for 1,000, noncovered) sold 2024-07-01 at $60: long-term gain 2,000.</summary>
    internal static Books WashSaleYear()
    {
        var books = new Books().Open("T", lots: [Lot("OLD", "ABC", 50, 1000m, "2010-05-03")]);
        books.Trade("T", "b1", "2024-01-10", "XYZ", TradeSide.Buy, 100, 50m);
        books.Trade("T", "s1", "2024-03-01", "XYZ", TradeSide.Sell, 100, 40m);
        books.Trade("T", "b2", "2024-03-15", "XYZ", TradeSide.Buy, 100, 41m);
        books.Trade("T", "s2", "2024-06-03", "XYZ", TradeSide.Sell, 100, 45m);
        books.Trade("T", "s3", "2024-07-01", "ABC", TradeSide.Sell, 50, 60m);
        return books;
    }

    private static IReadOnlyList<Form8949Line> Lines(Books books) =>
        Form8949.Lines(books.Ledger.Gains.LinesBetween("H", D("2024-01-01"), D("2024-12-31")), _ => SecurityKind.Stock);

    [Fact]
    public void Form_8949_puts_a_wash_sale_in_part_I_box_A_with_code_W_and_the_disallowed_loss_as_a_positive_adjustment()
    {
        var lines = Lines(WashSaleYear());
        Assert.Equal(3, lines.Count);
        var washed = lines[0];
        Assert.Equal(("I", Form8949Box.A, "100 sh XYZ", D("2024-01-10"), D("2024-03-01")), (washed.Part, washed.Box, washed.Description, washed.DateAcquired, washed.DateSold));
        // (d) 4,000 (e) 5,000 (f) W (g) +1,000 (h) = 4,000 − 5,000 + 1,000 = 0.
        Assert.Equal((4000m, 5000m, "W", 1000m, 0m), (washed.Proceeds, washed.CostBasis, washed.Code, washed.Adjustment, washed.GainOrLoss));
        var replacement = lines[1];
        // The replacement keeps its own purchase date in (b) and is short term by its tacked holding period.
        Assert.Equal((Form8949Box.A, D("2024-03-15"), 4500m, 5100m, "", 0m, -600m),
            (replacement.Box, replacement.DateAcquired, replacement.Proceeds, replacement.CostBasis, replacement.Code, replacement.Adjustment, replacement.GainOrLoss));
        var old = lines[2];
        Assert.Equal(("II", Form8949Box.E, false, 3000m, 1000m, 2000m), (old.Part, old.Box, old.Covered, old.Proceeds, old.CostBasis, old.GainOrLoss));
    }

    [Fact]
    public void Form_8949_csv_lays_out_each_box_with_its_totals()
    {
        var csv = Form8949.Csv(Lines(WashSaleYear()));
        Assert.Equal(
            """
            row,part,box,household,account,lot,description,date_acquired,date_sold,proceeds,cost_basis,code,adjustment,gain_or_loss,term,covered
            lot,I,A,H,T,T-b1,100 sh XYZ,2024-01-10,2024-03-01,4000.00,5000.00,W,1000.00,0.00,short,covered
            lot,I,A,H,T,T-b2,100 sh XYZ,2024-03-15,2024-06-03,4500.00,5100.00,,0.00,-600.00,short,covered
            total,I,A,,,,Totals,,,8500.00,10100.00,,1000.00,-600.00,short,covered
            lot,II,E,H,T,OLD,50 sh ABC,2010-05-03,2024-07-01,3000.00,1000.00,,0.00,2000.00,long,noncovered
            total,II,E,,,,Totals,,,3000.00,1000.00,,0.00,2000.00,long,noncovered

            """.ReplaceLineEndings("\n"), csv);
    }

    [Fact]
    public void Form_8949_pdf_is_structurally_valid()
    {
        var bytes = Form8949.Pdf(Lines(WashSaleYear()), "Form 8949 - household H - 2024-01-01 to 2024-12-31");
        var text = Encoding.ASCII.GetString(bytes);
        Assert.StartsWith("%PDF-1.4\n", text);
        Assert.EndsWith("%%EOF\n", text);
        // startxref points at the xref table; each entry's offset points at "n 0 obj".
        var startxref = int.Parse(StartXref().Match(text).Groups[1].Value);
        Assert.StartsWith("xref\n0 ", text[startxref..]);
        var entries = XrefEntry().Matches(text[startxref..]).Select(m => int.Parse(m.Groups[1].Value)).ToList();
        Assert.Equal(5, entries.Count); // catalog, pages, font, one page and its content
        for (var i = 0; i < entries.Count; i++) Assert.StartsWith($"{i + 1} 0 obj\n", text[entries[i]..]);
        // Each content stream's /Length is its byte count.
        foreach (Match m in Stream().Matches(text)) Assert.Equal(int.Parse(m.Groups[1].Value), m.Groups[2].Value.Length);
        Assert.Contains("100 sh XYZ", text);
        Assert.Contains("5000.00 W ", text);
        Assert.Contains(@"\(600.00\)", text); // a loss in parentheses, escaped in the PDF string
    }

    [Fact]
    public void A_long_report_breaks_into_pages_each_listed_in_the_xref()
    {
        var pdf = new PdfDocument();
        for (var i = 0; i < 3; i++) pdf.NewPage().Text(36, 500, $"page {i} (a) \\ é").Line(36, 490, 700, 490);
        var text = Encoding.ASCII.GetString(pdf.ToBytes());
        Assert.Contains("/Count 3", text);
        Assert.Contains(@"(page 0 \(a\) \\ ?)", text);
        var startxref = int.Parse(StartXref().Match(text).Groups[1].Value);
        var entries = XrefEntry().Matches(text[startxref..]).Select(m => int.Parse(m.Groups[1].Value)).ToList();
        Assert.Equal(3 + 2 * 3, entries.Count);
        for (var i = 0; i < entries.Count; i++) Assert.StartsWith($"{i + 1} 0 obj\n", text[entries[i]..]);
    }

    [Fact]
    public void Unrealized_lots_show_term_and_the_day_they_turn_long_term()
    {
        var lots = new[]
        {
            Lot("A", "XYZ", 100, 5000m, "2023-02-28"), // anniversary 2024-02-28: long term from 2024-02-29
            Lot("B", "XYZ", 10, 600m, "2024-02-29"),   // anniversary 2025-02-28: long term from 2025-03-01
        };
        var report = TaxReports.Unrealized("H", [("T", lots)], D("2024-06-03"), _ => 55m);
        Assert.Equal((HoldingTerm.Long, D("2024-02-29"), 5500m, 500m), (report[0].Term, report[0].LongTermOn, report[0].MarketValue, report[0].Gain));
        Assert.Equal((HoldingTerm.Short, D("2025-03-01"), -50m), (report[1].Term, report[1].LongTermOn, report[1].Gain));
        // The day before the long-term date is short term, the date itself long term (IRC §1222).
        Assert.Equal(HoldingTerm.Short, Households.Domain.Lots.HoldingPeriod.TermOf(D("2024-02-29"), D("2025-02-28")));
        Assert.Equal(HoldingTerm.Long, Households.Domain.Lots.HoldingPeriod.TermOf(D("2024-02-29"), D("2025-03-01")));
    }

    [Fact]
    public void Capital_loss_carryover_follows_the_schedule_D_worksheet()
    {
        // Year 1: short −10,000, long +2,000: net −8,000, 3,000 deducted, 5,000 short-term carryover.
        Assert.Equal((3000m, 5000m, 0m), TaxReports.Carryover(-10_000m, 2_000m, 3_000m));
        // Year 2: short +1,000 − 5,000 carried = −4,000, long −500: 3,000 deducted, 1,000 short and 500 long carried on.
        Assert.Equal((3000m, 1000m, 500m), TaxReports.Carryover(-4_000m, -500m, 3_000m));
        Assert.Equal((0m, 0m, 0m), TaxReports.Carryover(-1_000m, 4_000m, 3_000m));
    }

    [Fact]
    public void Year_summaries_carry_the_loss_forward()
    {
        // 2023: a short-term loss of 10,000; 2024 to 2024-06-03: a long-term gain of 4,000.
        var books = new Books().Open("T", lots: [Lot("A", "XYZ", 100, 20_000m, "2023-01-03"), Lot("B", "ABC", 100, 1000m, "2020-01-02")]);
        books.Trade("T", "s1", "2023-06-01", "XYZ", TradeSide.Sell, 100, 100m);
        books.Trade("T", "s2", "2024-06-03", "ABC", TradeSide.Sell, 100, 50m);
        var years = TaxReports.Years(books.Ledger.Gains, D("2024-06-03"));
        Assert.Equal([2023, 2024], years.Select(y => y.Year));
        Assert.Equal((-10_000m, 3000m, 7000m), (years[0].ShortTerm, years[0].LossDeducted, years[0].ShortTermCarryoverOut));
        // 2024: −7,000 carried against +4,000: net −3,000, all deducted, nothing left.
        Assert.Equal((7000m, -7000m, 4000m, 3000m, 0m), (years[1].ShortTermCarryoverIn, years[1].NetShortTerm, years[1].NetLongTerm, years[1].LossDeducted, years[1].ShortTermCarryoverOut));
    }

    [GeneratedRegex(@"startxref\n(\d+)\n%%EOF")]
    private static partial Regex StartXref();

    [GeneratedRegex(@"(\d{10}) 00000 n \n")]
    private static partial Regex XrefEntry();

    [GeneratedRegex(@"/Length (\d+) >>\nstream\n(.*?)endstream", RegexOptions.Singleline)]
    private static partial Regex Stream();
}
