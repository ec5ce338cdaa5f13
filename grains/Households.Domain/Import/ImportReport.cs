using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Households.Domain.Import;

/// <summary>One problem in an import: the file, the physical line (0 when the problem is the whole file), the
/// column, the offending value (truncated, control characters replaced) and what is wrong.</summary>
public sealed record ImportIssue(string File, int Line, string Field, string Value, string Message)
{
    public const int MaxValueLength = 40;

    public override string ToString()
    {
        var where = Line > 0 ? $"{File} line {Line}, field {Field}" : $"{File}, field {Field}";
        return Value.Length > 0 ? $"{where}: {Message} (value '{Value}')" : $"{where}: {Message}";
    }

    /// <summary>A value as a report may show it: at most <see cref="MaxValueLength"/> characters, no control
    /// characters (a report printed on a terminal must not carry escape sequences from a hostile file).</summary>
    public static string Shown(string value)
    {
        var sb = new StringBuilder(Math.Min(value.Length, MaxValueLength + 1));
        foreach (var c in value.Length > MaxValueLength ? value[..MaxValueLength] : value)
            sb.Append(char.IsControl(c) ? '?' : c);
        if (value.Length > MaxValueLength) sb.Append('…');
        return sb.ToString();
    }
}

/// <summary>The validation report of an import, as text (one issue a line), CSV or JSON.</summary>
public static class ImportReport
{
    public static string Text(IReadOnlyList<ImportIssue> issues) =>
        string.Join(Environment.NewLine, issues.Select(i => i.ToString())) + Environment.NewLine;

    /// <summary>CSV with every field quoted; a value that a spreadsheet would run as a formula gets a leading
    /// apostrophe, so opening the report cannot execute what a hostile file carried.</summary>
    public static string Csv(IReadOnlyList<ImportIssue> issues)
    {
        var csv = new CsvWriter("file,line,field,value,message", quoteEveryCell: true);
        foreach (var i in issues) csv.Row(i.File, i.Line.ToString(CultureInfo.InvariantCulture), i.Field, i.Value, i.Message);
        return csv.ToString();
    }

    public static string Json(IReadOnlyList<ImportIssue> issues) =>
        JsonSerializer.Serialize(new
        {
            problems = issues.Count,
            issues = issues.Select(i => new { file = i.File, line = i.Line, field = i.Field, value = i.Value, message = i.Message }),
        }, new JsonSerializerOptions { WriteIndented = true }) + "\n";
}
