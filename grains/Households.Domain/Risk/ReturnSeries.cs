using System.Globalization;

namespace Households.Domain.Risk;

/// <summary>Asset returns, one row per period: a CSV with a <c>date</c> column, then one column per asset
/// (the layout of ../shared/data). Returns are fractions per period. Used for risk estimation and, through
/// the simulation's <c>ReplayMarket</c>, to replay real market paths.</summary>
public sealed class ReturnSeries
{
    public ReturnSeries(IReadOnlyList<string> assets, IReadOnlyList<string> dates, double[,] returns)
    {
        if (returns.GetLength(0) != dates.Count || returns.GetLength(1) != assets.Count)
            throw new BadInputException("return series: shape does not match its labels");
        Assets = assets;
        Dates = dates;
        Returns = returns;
    }

    public IReadOnlyList<string> Assets { get; }
    public IReadOnlyList<string> Dates { get; }
    /// <summary>T × N: periods by assets.</summary>
    public double[,] Returns { get; }
    public int Periods => Dates.Count;
    public int Count => Assets.Count;

    public double this[int period, int asset] => Returns[period, asset];

    /// <summary>Index of an asset column; bad input when absent.</summary>
    public int ColumnIndex(string asset)
    {
        for (var i = 0; i < Assets.Count; i++) if (Assets[i] == asset) return i;
        throw new BadInputException($"return series has no column {asset}");
    }

    /// <summary>The period's date, for series dated <c>yyyy-MM-dd</c> (the fPortfolio sets).</summary>
    public DateOnly DateAt(int period) =>
        DateOnly.TryParseExact(Dates[period], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d : throw new BadInputException($"return series date '{Dates[period]}' is not yyyy-MM-dd");

    /// <summary>Reads the CSV's <paramref name="lines"/> (the file itself is read by the caller: the simulation's
    /// <c>ReturnSeriesFile</c>); <paramref name="path"/> names the source in messages.</summary>
    public static ReturnSeries Parse(IReadOnlyList<string> lines, string path)
    {
        if (lines.Count < 2) throw new BadInputException($"{path}: needs a header and at least one row");
        var header = lines[0].Split(',');
        if (header[0].Trim('"') != "date") throw new BadInputException($"{path}: first column must be 'date'");
        var assets = header.Skip(1).Select(h => h.Trim('"')).ToArray();
        var rows = lines.Skip(1).Where(l => l.Length > 0).ToArray();
        var r = new double[rows.Length, assets.Length];
        var dates = new string[rows.Length];
        for (int t = 0; t < rows.Length; t++)
        {
            var cells = rows[t].Split(',');
            if (cells.Length != assets.Length + 1) throw new BadInputException($"{path}: row {t + 2} has {cells.Length} cells, expected {assets.Length + 1}");
            dates[t] = cells[0].Trim('"');
            for (int j = 0; j < assets.Length; j++)
                if (!double.TryParse(cells[j + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out r[t, j]) || !double.IsFinite(r[t, j]))
                    throw new BadInputException($"{path}: row {t + 2}, column {assets[j]} is not a finite number");
        }
        return new ReturnSeries(assets, dates, r);
    }

    /// <summary>The series restricted to some assets, in the order given.</summary>
    public ReturnSeries Select(IReadOnlyList<string> assets)
    {
        var idx = assets.Select(a => Assets.ToList().IndexOf(a) is var i and >= 0 ? i : throw new BadInputException($"no asset {a}")).ToArray();
        var r = new double[Periods, idx.Length];
        for (int t = 0; t < Periods; t++)
            for (int j = 0; j < idx.Length; j++) r[t, j] = Returns[t, idx[j]];
        return new ReturnSeries(assets, Dates, r);
    }
}
