using Spectre.Console;
using Spectre.Console.Rendering;

namespace Households.Client.Commands;

/// <summary>A CLI table that fits the console it is written to (issue #19): each column says what it holds — a number
/// (right-aligned, never wrapped), a key (an id, symbol or date: never wrapped) or prose (wraps between words) — and how
/// soon it may go. When the table is wider than the console the columns with the largest <c>drop</c> go first (ties: the
/// rightmost), until it fits; columns with drop 0 always stay. Long headers wrap between their words rather than widen a
/// narrow column. Cells, titles and captions are plain text (escaped here, never read as markup).</summary>
public sealed class TableLayout(string? title = null)
{
    /// <summary>Prose columns are counted at most this wide when deciding what fits; they wrap to whatever they get.</summary>
    public const int ProseWidth = 20;

    private enum Kind { Number, Key, Prose }

    private sealed record Field(string Header, Kind Kind, int Drop);

    private readonly List<Field> fields = [];
    private readonly List<string[]> rows = [];
    private string? caption;

    /// <summary>A numeric column: right-aligned and never wrapped, so "1,234.56" is never split.</summary>
    public TableLayout Number(string header, int drop = 0) => Add(header, Kind.Number, drop);

    /// <summary>An id, symbol, date or short word: never wrapped.</summary>
    public TableLayout Key(string header, int drop = 0) => Add(header, Kind.Key, drop);

    /// <summary>Free text (reasons, findings, trade lists): wraps between words when the console is narrow.</summary>
    public TableLayout Prose(string header, int drop = 0) => Add(header, Kind.Prose, drop);

    public TableLayout Row(params string[] cells)
    {
        if (cells.Length != fields.Count) throw new ArgumentException($"{cells.Length} cells for {fields.Count} columns", nameof(cells));
        rows.Add(cells);
        return this;
    }

    public TableLayout Caption(string text)
    {
        caption = text;
        return this;
    }

    /// <summary>The headers of the columns kept at <paramref name="width"/>, in order.</summary>
    public IReadOnlyList<string> Columns(int width) => [.. Kept(width).Select(i => fields[i].Header)];

    /// <summary>The Spectre table for a console <paramref name="width"/> characters wide.</summary>
    public Table Build(int width)
    {
        var kept = Kept(width);
        var table = new Table();
        if (title is not null) table.Title = new TableTitle(Markup.Escape(title));
        if (caption is not null) table.Caption = new TableTitle(Markup.Escape(caption));
        foreach (var i in kept)
        {
            var f = fields[i];
            var column = new TableColumn(new Text(WrappedHeader(i)));
            if (f.Kind != Kind.Prose) column.NoWrap();
            if (f.Kind == Kind.Number) column.RightAligned();
            table.AddColumn(column);
        }
        foreach (var row in rows) table.AddRow(kept.Select(i => (IRenderable)new Text(row[i])));
        return table;
    }

    public void WriteTo(IAnsiConsole console) => console.Write(Build(console.Profile.Width));

    private TableLayout Add(string header, Kind kind, int drop)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(drop);
        if (rows.Count > 0) throw new InvalidOperationException("columns come before rows");
        fields.Add(new Field(header, kind, drop));
        return this;
    }

    /// <summary>The indexes of the columns that stay at <paramref name="width"/>.</summary>
    private List<int> Kept(int width)
    {
        var kept = Enumerable.Range(0, fields.Count).ToList();
        // Spectre's square border: one rule on the left, then per column one space, the cell, one space and a rule.
        int Needed() => 1 + kept.Sum(i => WidthAsked(i) + 3);
        while (Needed() > width)
        {
            var next = kept.Where(i => fields[i].Drop > 0).OrderByDescending(i => fields[i].Drop).ThenByDescending(i => i).Cast<int?>().FirstOrDefault();
            if (next is not { } dropped) break; // only essential columns left: Spectre wraps the prose further
            kept.Remove(dropped);
        }
        return kept;
    }

    /// <summary>The width column <paramref name="i"/> asks for: its widest cell (prose: up to <see cref="ProseWidth"/>,
    /// never under its longest word) and its header's longest word.</summary>
    private int WidthAsked(int i)
    {
        var f = fields[i];
        var cells = rows.Select(r => r[i]).ToList();
        var widest = cells.Select(Lines).SelectMany(l => l).Select(l => l.Length).DefaultIfEmpty(0).Max();
        var header = LongestWord(f.Header);
        if (f.Kind != Kind.Prose) return Math.Max(widest, header);
        var longestWord = cells.Select(LongestWord).DefaultIfEmpty(0).Max();
        return Math.Max(Math.Max(longestWord, header), Math.Min(widest, ProseWidth));
    }

    /// <summary>The header broken between words to the width of the column's cells, so "Losses harvested" over a column
    /// of "1,234.56" takes two lines instead of widening the table.</summary>
    private string WrappedHeader(int i)
    {
        var f = fields[i];
        var cells = rows.Select(r => r[i]).SelectMany(Lines).Select(l => l.Length).DefaultIfEmpty(0).Max();
        var limit = Math.Max(cells, LongestWord(f.Header));
        if (f.Header.Length <= limit) return f.Header;
        var lines = new List<string>();
        foreach (var word in f.Header.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (lines.Count > 0 && lines[^1].Length + 1 + word.Length <= limit) lines[^1] += " " + word;
            else lines.Add(word);
        }
        return string.Join('\n', lines);
    }

    private static string[] Lines(string text) => text.Split('\n');

    private static int LongestWord(string text) =>
        text.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries).Select(w => w.Length).DefaultIfEmpty(0).Max();
}
