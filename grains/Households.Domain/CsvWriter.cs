using System.Globalization;
using System.Text;

namespace Households.Domain;

/// <summary>The one writer of every CSV the product writes (order files, tax reports, trade exports, the journal, import
/// reports): a header row, then one row a call, lines ended by <c>\n</c>. Every cell goes through <see cref="Cell"/>, so
/// escaping (RFC 4180) and formula neutralisation (CSV injection, OWASP) are decided in one place.</summary>
public sealed class CsvWriter
{
    /// <summary>First characters that make a spreadsheet run a cell as a formula (or, tab and CR, hide one).</summary>
    public static readonly char[] FormulaStart = ['=', '+', '-', '@', '\t', '\r'];

    private readonly StringBuilder _text = new();
    private readonly bool _quoteEveryCell;

    /// <summary>Starts a file with its header row (column names, written as they are).</summary>
    public CsvWriter(string header, bool quoteEveryCell = false)
    {
        _quoteEveryCell = quoteEveryCell;
        _text.Append(header).Append('\n');
    }

    /// <summary>One data row; null cells are empty.</summary>
    public CsvWriter Row(params string?[] cells)
    {
        for (var i = 0; i < cells.Length; i++)
        {
            if (i > 0) _text.Append(',');
            _text.Append(Cell(cells[i] ?? "", _quoteEveryCell));
        }
        _text.Append('\n');
        return this;
    }

    public override string ToString() => _text.ToString();

    /// <summary>A cell as the product writes it: quoted when it holds a comma, a quote or a line break (quotes doubled), or
    /// when <paramref name="quote"/>; text starting with <c>= + - @</c>, tab or CR gets a leading <c>'</c> and is quoted,
    /// so a spreadsheet shows it rather than running it. A number (<c>-2080.00</c>, <c>-1,234.56</c>) is a value, not a
    /// formula, and stays as it is.</summary>
    public static string Cell(string value, bool quote = false)
    {
        var formula = value.Length > 0 && FormulaStart.Contains(value[0]) && !IsNumber(value);
        var text = formula ? "'" + value : value;
        return quote || formula || value.IndexOfAny([',', '"', '\n', '\r']) >= 0
            ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : text;
    }

    /// <summary>A plain decimal number in the invariant culture: an optional sign, digits with optional thousands
    /// separators and one decimal point; no spaces, no exponent.</summary>
    public static bool IsNumber(string value) =>
        value.Any(char.IsAsciiDigit) && decimal.TryParse(value,
            NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out _);
}
