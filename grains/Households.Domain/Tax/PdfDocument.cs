using System.Globalization;
using System.Text;

namespace Households.Domain.Tax;

/// <summary>The standard Type 1 fonts the writer uses (PDF 32000-1 §9.6.2.2: every reader has them, nothing is embedded).</summary>
public enum PdfFont
{
    /// <summary>Fixed width: columns line up without metrics.</summary>
    Courier = 0,
    Helvetica = 1,
    HelveticaBold = 2,
}

/// <summary>A minimal PDF 1.4 writer (ISO 32000-1 §7): pages of text in the standard fonts (Courier, fixed width, so columns
/// line up without font metrics; Helvetica and Helvetica-Bold with their widths for wrapping), straight lines and filled
/// rectangles. Text is ASCII plus a few WinAnsi marks (§, dashes, bullet, right quote); anything else is written as <c>?</c>.
/// The file is one header, numbered objects, a cross-reference table with each object's byte offset, a trailer and <c>%%EOF</c>.</summary>
public sealed class PdfDocument(double pageWidth = PdfDocument.Width, double pageHeight = PdfDocument.Height)
{
    /// <summary>US Letter, landscape, in points (the default page).</summary>
    public const double Width = 792, Height = 612;

    private static readonly string[] BaseFonts = ["Courier", "Helvetica", "Helvetica-Bold"];

    private readonly List<StringBuilder> _pages = [];
    private readonly HashSet<PdfFont> _fonts = [PdfFont.Courier];
    private StringBuilder? _page;

    /// <summary>US Letter, portrait: a client letter.</summary>
    public static PdfDocument Portrait() => new(Height, Width);

    public double PageWidth { get; } = pageWidth;

    public double PageHeight { get; } = pageHeight;

    /// <summary>Starts a new page; text and lines go to the newest page.</summary>
    public PdfDocument NewPage()
    {
        _pages.Add(_page = new StringBuilder());
        return this;
    }

    public int PageCount => _pages.Count;

    /// <summary>Text at (x, y) from the bottom left, in points.</summary>
    public PdfDocument Text(double x, double y, string text, double size = 8, PdfFont font = PdfFont.Courier)
    {
        _fonts.Add(font);
        Page.Append("BT /F").Append((int)font + 1).Append(' ').Append(N(size)).Append(" Tf ").Append(N(x)).Append(' ').Append(N(y)).Append(" Td (")
            .Append(Escape(text)).Append(") Tj ET\n");
        return this;
    }

    public PdfDocument Line(double x1, double y1, double x2, double y2, double width = 0.5)
    {
        Page.Append(N(width)).Append(" w ").Append(N(x1)).Append(' ').Append(N(y1)).Append(" m ").Append(N(x2)).Append(' ')
            .Append(N(y2)).Append(" l S\n");
        return this;
    }

    /// <summary>A rectangle at (x, y) from the bottom left, filled with the colour (red, green, blue each in [0, 1]).</summary>
    public PdfDocument Rectangle(double x, double y, double width, double height, (double Red, double Green, double Blue) fill)
    {
        Page.Append("q ").Append(N(fill.Red, "0.###")).Append(' ').Append(N(fill.Green, "0.###")).Append(' ').Append(N(fill.Blue, "0.###"))
            .Append(" rg ").Append(N(x)).Append(' ').Append(N(y)).Append(' ').Append(N(width)).Append(' ').Append(N(height)).Append(" re f Q\n");
        return this;
    }

    /// <summary>The width of the text in points as the font sets it (Courier 600/1000 em a character; Helvetica from its
    /// Adobe font metrics), for wrapping and right-aligning.</summary>
    public static double TextWidth(string text, double size, PdfFont font = PdfFont.Courier)
    {
        if (font == PdfFont.Courier) return text.Length * 0.6 * size;
        var widths = font == PdfFont.HelveticaBold ? HelveticaBoldWidths : HelveticaWidths;
        double units = 0;
        foreach (var c in text) units += c is >= ' ' and <= '~' ? widths[c - ' '] : 556;
        return units * size / 1000;
    }

    private StringBuilder Page => _page ?? NewPage()._page!;

    /// <summary>The file's bytes. Objects: 1 catalog, 2 page tree, 3 Courier, then a page and its content stream per page,
    /// then the other fonts the pages use.</summary>
    public byte[] ToBytes()
    {
        if (_pages.Count == 0) NewPage();
        var extraFonts = _fonts.Where(f => f != PdfFont.Courier).Order().ToList();
        var firstExtra = 4 + 2 * _pages.Count;
        var fontRefs = "/F1 3 0 R" + string.Concat(extraFonts.Select((f, i) => $" /F{(int)f + 1} {firstExtra + i} 0 R"));
        var objects = new List<string>
        {
            "<< /Type /Catalog /Pages 2 0 R >>",
            $"<< /Type /Pages /Kids [{string.Join(' ', _pages.Select((_, i) => $"{4 + 2 * i} 0 R"))}] /Count {_pages.Count} >>",
            Font(PdfFont.Courier),
        };
        foreach (var (page, i) in _pages.Select((p, i) => (p, i)))
        {
            objects.Add($"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {N(PageWidth)} {N(PageHeight)}] /Resources << /Font << {fontRefs} >> >> /Contents {5 + 2 * i} 0 R >>");
            var content = page.ToString();
            objects.Add($"<< /Length {Encoding.ASCII.GetByteCount(content)} >>\nstream\n{content}endstream");
        }
        objects.AddRange(extraFonts.Select(Font));
        var file = new StringBuilder("%PDF-1.4\n");
        var offsets = new List<int>();
        for (var i = 0; i < objects.Count; i++)
        {
            offsets.Add(Encoding.ASCII.GetByteCount(file.ToString()));
            file.Append(i + 1).Append(" 0 obj\n").Append(objects[i]).Append("\nendobj\n");
        }
        var xref = Encoding.ASCII.GetByteCount(file.ToString());
        file.Append("xref\n0 ").Append(objects.Count + 1).Append('\n').Append("0000000000 65535 f \n");
        foreach (var offset in offsets) file.Append(offset.ToString("D10", CultureInfo.InvariantCulture)).Append(" 00000 n \n");
        file.Append("trailer\n<< /Size ").Append(objects.Count + 1).Append(" /Root 1 0 R >>\nstartxref\n").Append(xref).Append("\n%%EOF\n");
        return Encoding.ASCII.GetBytes(file.ToString());
    }

    private static string Font(PdfFont font) => $"<< /Type /Font /Subtype /Type1 /BaseFont /{BaseFonts[(int)font]} /Encoding /WinAnsiEncoding >>";

    private static string N(double value, string format = "0.##") => value.ToString(format, CultureInfo.InvariantCulture);

    // WinAnsiEncoding codes (PDF 32000-1 Annex D.2) of the few marks a client letter uses; written as octal escapes.
    private static readonly Dictionary<char, string> WinAnsi = new()
    {
        ['§'] = "\\247", ['–'] = "\\226", ['—'] = "\\227", ['’'] = "\\222", ['•'] = "\\225", ['×'] = "\\327",
    };

    /// <summary>A literal string: backslash, parentheses escaped; §, dashes, bullet, right quote and × as their WinAnsi codes;
    /// other characters outside printable ASCII become '?'.</summary>
    public static string Escape(string text)
    {
        var s = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c is '\\' or '(' or ')') s.Append('\\').Append(c);
            else if (WinAnsi.TryGetValue(c, out var code)) s.Append(code);
            else s.Append(c is >= ' ' and <= '~' ? c : '?');
        }
        return s.ToString();
    }

    // Advance widths (1/1000 em) of ' ' through '~' from Adobe's Core 14 font metrics (Helvetica.afm, Helvetica-Bold.afm).
    private static readonly short[] HelveticaWidths =
    [
        278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
        556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
        1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
        667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
        333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
        556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
    ];

    private static readonly short[] HelveticaBoldWidths =
    [
        278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
        556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
        975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
        667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
        333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
        611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
    ];
}
