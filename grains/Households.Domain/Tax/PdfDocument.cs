using System.Globalization;
using System.Text;

namespace Households.Domain.Tax;

/// <summary>A minimal PDF 1.4 writer (ISO 32000-1 §7): pages of text in the standard Courier font (fixed width, so columns
/// line up without font metrics) and straight lines. Text is ASCII; anything else is written as <c>?</c>. The file is
/// one header, numbered objects, a cross-reference table with each object's byte offset, a trailer and <c>%%EOF</c>.</summary>
public sealed class PdfDocument
{
    /// <summary>US Letter, landscape, in points.</summary>
    public const double Width = 792, Height = 612;

    private readonly List<StringBuilder> _pages = [];
    private StringBuilder? _page;

    /// <summary>Starts a new page; text and lines go to the newest page.</summary>
    public PdfDocument NewPage()
    {
        _pages.Add(_page = new StringBuilder());
        return this;
    }

    public int PageCount => _pages.Count;

    /// <summary>Text at (x, y) from the bottom left, in points.</summary>
    public PdfDocument Text(double x, double y, string text, double size = 8)
    {
        Page.Append("BT /F1 ").Append(N(size)).Append(" Tf ").Append(N(x)).Append(' ').Append(N(y)).Append(" Td (")
            .Append(Escape(text)).Append(") Tj ET\n");
        return this;
    }

    public PdfDocument Line(double x1, double y1, double x2, double y2, double width = 0.5)
    {
        Page.Append(N(width)).Append(" w ").Append(N(x1)).Append(' ').Append(N(y1)).Append(" m ").Append(N(x2)).Append(' ')
            .Append(N(y2)).Append(" l S\n");
        return this;
    }

    private StringBuilder Page => _page ?? NewPage()._page!;

    /// <summary>The file's bytes. Objects: 1 catalog, 2 page tree, 3 font, then a page and its content stream per page.</summary>
    public byte[] ToBytes()
    {
        if (_pages.Count == 0) NewPage();
        var objects = new List<string>
        {
            "<< /Type /Catalog /Pages 2 0 R >>",
            $"<< /Type /Pages /Kids [{string.Join(' ', _pages.Select((_, i) => $"{4 + 2 * i} 0 R"))}] /Count {_pages.Count} >>",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>",
        };
        foreach (var (page, i) in _pages.Select((p, i) => (p, i)))
        {
            objects.Add($"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {N(Width)} {N(Height)}] /Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>");
            var content = page.ToString();
            objects.Add($"<< /Length {Encoding.ASCII.GetByteCount(content)} >>\nstream\n{content}endstream");
        }
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

    private static string N(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>A literal string: backslash, parentheses escaped; characters outside printable ASCII become '?'.</summary>
    public static string Escape(string text)
    {
        var s = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c is '\\' or '(' or ')') s.Append('\\').Append(c);
            else s.Append(c is >= ' ' and <= '~' ? c : '?');
        }
        return s.ToString();
    }
}
