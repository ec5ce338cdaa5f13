using System.Text;

namespace Households.Domain.Tax;

/// <summary>One data record of a CSV file: its first physical line number and its fields.</summary>
public sealed record CsvRecord(int Line, IReadOnlyList<string> Fields);

/// <summary>A small RFC 4180 reader: comma separated, fields optionally in double quotes ("" is a quote inside
/// quotes, quoted fields may span lines), CRLF or LF line ends, a UTF-8 BOM ignored, empty lines skipped. Any
/// malformation is <see cref="BadInputException"/> naming the file, line and field. Files the product writes go through
/// <see cref="CsvWriter"/>.</summary>
public static class Csv
{
    public static (IReadOnlyList<string> Header, IReadOnlyList<CsvRecord> Records) Read(string text, string source)
    {
        var records = Parse(text, source);
        if (records.Count == 0) throw new BadInputException($"{source}: the header row is missing");
        var header = records[0].Fields.Select(f => f.Trim()).ToList();
        for (var i = 0; i < header.Count; i++)
        {
            if (header[i].Length == 0) throw new BadInputException($"{source} line {records[0].Line}, column {i + 1}: empty column name");
            if (header.IndexOf(header[i]) != i) throw new BadInputException($"{source} line {records[0].Line}, field {header[i]}: duplicate column");
        }
        foreach (var r in records.Skip(1))
        {
            if (r.Fields.Count != header.Count)
                throw new BadInputException($"{source} line {r.Line}: {r.Fields.Count} fields where the header has {header.Count}");
        }
        return (header, records.Skip(1).ToList());
    }

    /// <summary>Every record, the header row first, without checking column counts (the caller reports them).</summary>
    public static IReadOnlyList<CsvRecord> Rows(string text, string source) => Parse(text, source);

    private static List<CsvRecord> Parse(string text, string source)
    {
        var records = new List<CsvRecord>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var recordLine = 1;
        var i = text.Length > 0 && text[0] == '\uFEFF' ? 1 : 0;
        var atFieldStart = true;
        var quoted = false;
        var afterQuote = false;

        void EndField()
        {
            fields.Add(field.ToString());
            field.Clear();
            atFieldStart = true;
            quoted = false;
            afterQuote = false;
        }

        void EndRecord()
        {
            EndField();
            if (!(fields.Count == 1 && fields[0].Length == 0)) records.Add(new CsvRecord(recordLine, fields.ToList()));
            fields.Clear();
        }

        string Where() => $"{source} line {line}, field {fields.Count + 1}";

        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                    else { quoted = false; afterQuote = true; }
                }
                else
                {
                    if (c == '\n') line++;
                    field.Append(c);
                }
                continue;
            }
            switch (c)
            {
                case ',':
                    EndField();
                    break;
                case '\r' when i + 1 < text.Length && text[i + 1] == '\n':
                    break;
                case '\r':
                case '\n':
                    EndRecord();
                    line++;
                    recordLine = line;
                    break;
                case '"':
                    if (!atFieldStart) throw new BadInputException($"{Where()}: a quote inside an unquoted field");
                    quoted = true;
                    atFieldStart = false;
                    break;
                default:
                    if (afterQuote) throw new BadInputException($"{Where()}: text after a closing quote");
                    atFieldStart = false;
                    field.Append(c);
                    break;
            }
        }
        if (quoted) throw new BadInputException($"{source} line {recordLine}, field {fields.Count + 1}: unterminated quoted field");
        if (!atFieldStart || fields.Count > 0 || afterQuote) EndRecord();
        return records;
    }
}
