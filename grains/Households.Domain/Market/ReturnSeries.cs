using System.Globalization;

namespace Households.Domain.Market;

/// <summary>A dated matrix of returns per period (rows dates, columns assets), as in the shared
/// <c>*.RET.csv</c> files: header <c>date,COL1,…</c>, ISO dates, log returns as fractions.</summary>
public sealed class ReturnSeries
{
    private readonly double[,] _values;

    public ReturnSeries(IReadOnlyList<DateOnly> dates, IReadOnlyList<string> columns, double[,] values)
    {
        if (values.GetLength(0) != dates.Count || values.GetLength(1) != columns.Count)
            throw new ArgumentException("Values must be dates × columns.", nameof(values));
        Dates = dates;
        Columns = columns;
        _values = values;
    }

    public IReadOnlyList<DateOnly> Dates { get; }
    public IReadOnlyList<string> Columns { get; }
    public int RowCount => Dates.Count;
    public int ColumnCount => Columns.Count;
    public double this[int row, int column] => _values[row, column];

    public int ColumnIndex(string column)
    {
        for (int c = 0; c < Columns.Count; c++)
            if (string.Equals(Columns[c], column, StringComparison.OrdinalIgnoreCase)) return c;
        return -1;
    }

    public double[] Column(string column)
    {
        int c = ColumnIndex(column);
        if (c < 0) throw new KeyNotFoundException($"No column {column}.");
        var result = new double[RowCount];
        for (int r = 0; r < result.Length; r++) result[r] = _values[r, c];
        return result;
    }

    /// <summary>Reads a <c>*.RET.csv</c> file. Empty or <c>NA</c> cells read as 0 (no move).</summary>
    public static ReturnSeries LoadCsv(string path)
    {
        using var reader = new StreamReader(path);
        string header = reader.ReadLine() ?? throw new BadInputException($"{path} is empty.");
        var columns = header.Split(',').Skip(1).Select(c => c.Trim().Trim('"')).ToArray();
        var dates = new List<DateOnly>();
        var rows = new List<double[]>();
        string? line;
        int lineNumber = 1;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (line.Length == 0) continue;
            var cells = line.Split(',');
            if (cells.Length != columns.Length + 1)
                throw new BadInputException($"{path}:{lineNumber}: expected {columns.Length + 1} cells, found {cells.Length}.");
            if (!DateOnly.TryParseExact(cells[0].Trim('"'), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                throw new BadInputException($"{path}:{lineNumber}: bad date '{cells[0]}'.");
            var row = new double[columns.Length];
            for (int c = 0; c < row.Length; c++)
            {
                string cell = cells[c + 1].Trim();
                if (cell.Length == 0 || cell == "NA") continue;
                if (!double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out row[c]))
                    throw new BadInputException($"{path}:{lineNumber}: bad number '{cell}'.");
            }
            dates.Add(date);
            rows.Add(row);
        }
        var values = new double[rows.Count, columns.Length];
        for (int r = 0; r < rows.Count; r++)
            for (int c = 0; c < columns.Length; c++) values[r, c] = rows[r][c];
        return new ReturnSeries(dates, columns, values);
    }
}
