using Households.Domain.Tax;
using static Households.Domain.Explanations.ExplanationText;

namespace Households.Domain.Explanations;

/// <summary>An explanation as a PDF letter (US Letter, portrait, Helvetica) of at most <see cref="MaxPages"/> pages: the same
/// sections and sentences as the HTML page, the chart drawn with filled rectangles. A long trade list is cut to
/// <see cref="MaxTradeLines"/> sentences with a line saying how many more there are (the HTML page lists them all).</summary>
public static class ExplanationPdf
{
    public const int MaxPages = 2;
    public const int MaxTradeLines = 16;

    private const double Margin = 54, Body = 9.5, Leading = 12.5;

    public static byte[] Render(ClientExplanation e)
    {
        var w = new Writer();
        w.Line(e.Title, PdfFont.HelveticaBold, 17, 0, 22);
        w.Line($"{e.HouseholdName} - {e.Subject} - {Date(e.AsOf)}", PdfFont.Helvetica, 9, 0, 16);
        w.Space(6);
        w.Paragraph(e.Summary);

        w.Heading("What we will buy and sell, and why");
        if (e.Trades.Length == 0) w.Paragraph("No trades.");
        var shown = 0;
        var total = e.Trades.Sum(g => g.Trades.Length);
        foreach (var g in e.Trades)
        {
            if (shown >= MaxTradeLines) break;
            w.Line(g.Heading, PdfFont.HelveticaBold, Body, 0, Leading + 1);
            foreach (var t in g.Trades.Take(MaxTradeLines - shown)) { w.Paragraph(t.Sentence, bullet: true); shown++; }
        }
        if (shown < total) w.Paragraph($"... and {Count(total - shown, "more trade")}, listed in the online version of this document.");

        w.Heading("Tax effect this year");
        w.Paragraph(e.Tax.Sentence);
        w.Figures([("Short-term gain (loss)", e.Tax.ShortTermGain), ("Long-term gain (loss)", e.Tax.LongTermGain), ("Net gain (loss)", e.Tax.NetGain),
            .. e.Tax.EstimatedTax is { } est ? [(est < 0 ? "Estimated tax saved (negative)" : "Estimated tax", est)] : Array.Empty<(string, decimal)>()]);

        w.Heading("Wash-sale precautions");
        if (e.Precautions.Length == 0) w.Paragraph("Nothing is sold at a loss, so nothing needs to wait before it is bought again.");
        foreach (var p in e.Precautions) w.Paragraph(p.Sentence, bullet: true);

        w.Heading("Your portfolio against its target");
        w.Paragraph($"Tracking error (how far the portfolio may stray from its target in a year): {Percent(e.TrackingErrorBefore)} before, "
            + $"{Percent(e.TrackingErrorAfter)}{(e.Years.Length > 0 ? " at the end of the plan" : " after")}.");
        w.Chart(e.Allocation);

        if (e.Years.Length > 0)
        {
            w.Heading("Year by year");
            w.Row(["Year", "Short-term", "Long-term", "Harvested", "Est. tax", "Tracking error", "Outside model"], PdfFont.HelveticaBold);
            foreach (var y in e.Years)
                w.Row([y.Year.ToString(System.Globalization.CultureInfo.InvariantCulture), Cents(y.ShortTermGain), Cents(y.LongTermGain), Cents(y.HarvestedLosses),
                    Cents(y.EstimatedTax), Percent(y.TrackingError), Cents(y.OutsideModel)], PdfFont.Helvetica);
        }

        w.Heading("Where the numbers come from");
        foreach (var s in e.Sources) w.Paragraph(s, bullet: true, size: 8.5);
        w.Paragraph("Estimates, not tax advice: your tax return decides. Prices move; the trades are placed at the prices of the day they execute.", size: 8);
        return w.Pdf.ToBytes();
    }

    /// <summary>A cursor down the page that wraps text on Helvetica's widths and starts a new page (up to the limit) when full.</summary>
    private sealed class Writer
    {
        public PdfDocument Pdf { get; } = PdfDocument.Portrait().NewPage();
        private double _y;

        public Writer() => _y = Pdf.PageHeight - Margin;
        private double Right => Pdf.PageWidth - Margin;

        private bool Room(double height)
        {
            if (_y - height >= Margin) return true;
            if (Pdf.PageCount >= MaxPages) return false; // the last page is full: the rest is in the HTML version
            Pdf.NewPage();
            _y = Pdf.PageHeight - Margin;
            return true;
        }

        public void Line(string text, PdfFont font, double size, double indent, double advance)
        {
            if (!Room(advance)) return;
            _y -= advance;
            Pdf.Text(Margin + indent, _y, text, size, font);
        }

        public void Space(double points) => _y -= points;

        public void Heading(string text)
        {
            if (!Room(Leading * 4)) return; // keep a heading with the start of its section
            _y -= 8;
            Line(text, PdfFont.HelveticaBold, 12, 0, 15);
            Pdf.Line(Margin, _y - 5, Right, _y - 5, 0.4);
            _y -= 6;
        }

        public void Paragraph(string text, bool bullet = false, double size = Body)
        {
            var indent = bullet ? 12.0 : 0;
            var first = true;
            foreach (var line in Wrap(text, Right - Margin - indent, size))
            {
                if (bullet && first && Room(size + 3)) Pdf.Text(Margin + 3, _y - (size + 3), "•", size, PdfFont.Helvetica);
                Line(line, PdfFont.Helvetica, size, indent, size + 3);
                first = false;
            }
            _y -= 3;
        }

        public void Figures(IEnumerable<(string Label, decimal Value)> figures)
        {
            foreach (var (label, value) in figures)
            {
                if (!Room(Leading)) return;
                _y -= Leading;
                Pdf.Text(Margin + 12, _y, label, Body, PdfFont.Helvetica);
                var text = Cents(value);
                Pdf.Text(Margin + 300 - PdfDocument.TextWidth(text, Body, PdfFont.HelveticaBold), _y, text, Body, PdfFont.HelveticaBold);
            }
            _y -= 4;
        }

        /// <summary>A row of right-aligned columns after a left-aligned first one.</summary>
        public void Row(string[] cells, PdfFont font)
        {
            if (!Room(Leading)) return;
            _y -= Leading;
            var column = (Right - Margin - 40) / (cells.Length - 1);
            Pdf.Text(Margin, _y, cells[0], 8.5, font);
            for (var i = 1; i < cells.Length; i++)
                Pdf.Text(Margin + 40 + i * column - PdfDocument.TextWidth(cells[i], 8.5, font), _y, cells[i], 8.5, font);
        }

        /// <summary>Bars per asset class (before, after, target) with the percentages, and a legend.</summary>
        public void Chart(AllocationLine[] lines)
        {
            if (lines.Length == 0) return;
            var hasAfter = lines.Any(l => l.After is not null);
            var series = hasAfter ? 3 : 2;
            const double bar = 7, label = 130, width = 300;
            var max = Math.Max(0.05, lines.Max(l => Math.Max(l.Before, Math.Max(l.After ?? 0, l.Target)))) * 1.1;
            if (!Room(lines.Length * (series * bar + 6) + 20)) return;
            foreach (var l in lines)
            {
                double?[] values = hasAfter ? [l.Before, l.After, l.Target] : [l.Before, l.Target];
                _y -= series * bar + 6;
                Pdf.Text(Margin, _y + series * bar / 2 - 3, l.AssetClass, 8.5, PdfFont.Helvetica);
                for (var k = 0; k < values.Length; k++)
                {
                    var v = Math.Max(0, values[k] ?? 0);
                    var top = _y + (series - k) * bar;
                    Pdf.Rectangle(Margin + label, top - bar + 1, v / max * width, bar - 1, Rgb(ExplanationHtml.Colors[hasAfter ? k : k * 2]));
                    Pdf.Text(Margin + label + v / max * width + 3, top - bar + 1.5, Percent(v, 1), 6.5, PdfFont.Helvetica);
                }
            }
            _y -= 14;
            var x = Margin + label;
            foreach (var (name, color) in new[] { ("Before", 0), ("After", 1), ("Target", 2) }.Where(s => hasAfter || s.Item2 != 1))
            {
                Pdf.Rectangle(x, _y, 8, 8, Rgb(ExplanationHtml.Colors[color]));
                Pdf.Text(x + 11, _y + 1, name, 8, PdfFont.Helvetica);
                x += 60;
            }
            _y -= 6;
        }

        private static (double, double, double) Rgb(string hex) =>
            (Convert.ToInt32(hex[1..3], 16) / 255.0, Convert.ToInt32(hex[3..5], 16) / 255.0, Convert.ToInt32(hex[5..7], 16) / 255.0);

        /// <summary>Greedy word wrap on the font's widths.</summary>
        private static IEnumerable<string> Wrap(string text, double width, double size)
        {
            var line = "";
            foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var next = line.Length == 0 ? word : line + " " + word;
                if (line.Length > 0 && PdfDocument.TextWidth(next, size, PdfFont.Helvetica) > width)
                {
                    yield return line;
                    line = word;
                }
                else line = next;
            }
            if (line.Length > 0) yield return line;
        }
    }
}
