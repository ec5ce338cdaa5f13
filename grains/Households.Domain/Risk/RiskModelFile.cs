using Households.Domain.Tax;

namespace Households.Domain.Risk;

/// <summary>What a risk-model import holds: a licensed factor model, or a return history to estimate one from.</summary>
public sealed record RiskModelUpload(FactorRiskModel? Model, ReturnSeries? Returns);

/// <summary>The risk-model import files (docs/formats.md §9), told apart by their first column: <c>symbol</c> with factor
/// columns (exposures), <c>factor</c> (factor covariance), <c>symbol,specific_risk</c> (specific risk), or <c>date</c>
/// (a return history instead of a model). A model needs the first three; a history comes alone. Any problem is
/// <see cref="BadInputException"/> naming the file, line and field.</summary>
public static class RiskModelFile
{
    public const long MaxFileBytes = 64L * 1024 * 1024;
    public const int MaxSecurities = 50_000;
    public const int MaxPeriods = 10_000;

    public static RiskModelUpload Parse(IReadOnlyList<(string Name, string Text)> files)
    {
        if (files.Count == 0) throw new BadInputException("risk model: no file given");
        var byKind = new Dictionary<string, (string Name, IReadOnlyList<string> Header, IReadOnlyList<CsvRecord> Rows)>();
        foreach (var (name, text) in files)
        {
            var (header, records) = Csv.Read(text, name);
            var first = header[0].ToLowerInvariant();
            var kind = first switch
            {
                "date" => "returns",
                "factor" => "factor covariance",
                "symbol" when header.Count == 2 && header[1].Equals("specific_risk", StringComparison.OrdinalIgnoreCase) => "specific risk",
                "symbol" => "exposures",
                _ => throw new BadInputException($"{name} line 1, field {header[0]}: the first column must be symbol (exposures, specific risk), factor (factor covariance) or date (returns)"),
            };
            if (byKind.TryGetValue(kind, out var other)) throw new BadInputException($"{name}: a second {kind} file (the first was {other.Name})");
            byKind[kind] = (name, header, records);
        }
        if (byKind.TryGetValue("returns", out var r))
        {
            if (files.Count > 1) throw new BadInputException($"{r.Name}: a return history comes alone, without model files");
            return new RiskModelUpload(null, ParseReturns(r.Name, r.Header, r.Rows));
        }
        if (!byKind.TryGetValue("exposures", out var exposures)) throw new BadInputException("risk model: the exposures file (symbol, then one column per factor) is missing");
        if (!byKind.TryGetValue("factor covariance", out var covariance)) throw new BadInputException("risk model: the factor covariance file (factor, then one column per factor) is missing");
        if (!byKind.TryGetValue("specific risk", out var specific)) throw new BadInputException("risk model: the specific risk file (symbol, specific_risk) is missing");
        return new RiskModelUpload(ParseModel(exposures, covariance, specific), null);
    }

    private static FactorRiskModel ParseModel((string Name, IReadOnlyList<string> Header, IReadOnlyList<CsvRecord> Rows) e,
        (string Name, IReadOnlyList<string> Header, IReadOnlyList<CsvRecord> Rows) c, (string Name, IReadOnlyList<string> Header, IReadOnlyList<CsvRecord> Rows) s)
    {
        var factors = e.Header.Skip(1).ToArray();
        var k = factors.Length;
        if (k == 0) throw new BadInputException($"{e.Name} line 1: no factor columns after symbol");
        if (k > LiveRiskModel.MaxFactors) throw new BadInputException($"{e.Name} line 1: {k} factors; at most {LiveRiskModel.MaxFactors}");
        foreach (var name in factors) TradeFile.Checked(e.Name, 1, name, () => InputRules.Text(name, "the factor name"));
        if (e.Rows.Count == 0) throw new BadInputException($"{e.Name} has no rows, only a header");
        if (e.Rows.Count > MaxSecurities) throw new BadInputException($"{e.Name} has {e.Rows.Count} rows; at most {MaxSecurities}");

        var symbols = new string[e.Rows.Count];
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var b = new double[e.Rows.Count, k];
        for (int i = 0; i < e.Rows.Count; i++)
        {
            var row = e.Rows[i];
            symbols[i] = Symbol(row.Fields[0].Trim(), e.Name, row.Line, e.Header[0]);
            if (!seen.TryAdd(symbols[i], i)) throw TradeFile.Bad(e.Name, row.Line, e.Header[0], $"{symbols[i]} appears twice");
            for (int j = 0; j < k; j++) b[i, j] = Number(row.Fields[j + 1], e.Name, row.Line, factors[j]);
        }

        // Factor covariance: one row per factor, the columns the same factors in any order.
        var column = new int[k];
        for (int j = 0; j < k; j++)
        {
            var at = Array.FindIndex(c.Header.Skip(1).ToArray(), h => h == factors[j]);
            if (at < 0) throw new BadInputException($"{c.Name} line 1: no column for factor {factors[j]} of {e.Name}");
            column[j] = at + 1;
        }
        if (c.Header.Count - 1 != k)
        {
            var extra = c.Header.Skip(1).First(h => !factors.Contains(h));
            throw new BadInputException($"{c.Name} line 1, field {extra}: not a factor of {e.Name}");
        }
        var f = new double[k, k];
        var filled = new int?[k];
        foreach (var row in c.Rows)
        {
            var name = row.Fields[0].Trim();
            var p = Array.IndexOf(factors, name);
            if (p < 0) throw TradeFile.Bad(c.Name, row.Line, c.Header[0], $"'{name}' is not a factor of {e.Name}");
            if (filled[p] is not null) throw TradeFile.Bad(c.Name, row.Line, c.Header[0], $"{name} appears twice");
            filled[p] = row.Line;
            for (int q = 0; q < k; q++) f[p, q] = Number(row.Fields[column[q]], c.Name, row.Line, factors[q]);
        }
        for (int p = 0; p < k; p++)
            if (filled[p] is null) throw new BadInputException($"{c.Name}: no row for factor {factors[p]}");
        for (int p = 0; p < k; p++)
        {
            if (f[p, p] < 0) throw TradeFile.Bad(c.Name, filled[p]!.Value, factors[p], $"the variance {f[p, p]} is negative");
            for (int q = 0; q < p; q++)
            {
                if (Math.Abs(f[p, q] - f[q, p]) > 1e-10 * Math.Max(Math.Abs(f[p, q]), Math.Abs(f[q, p])) + 1e-15)
                    throw TradeFile.Bad(c.Name, filled[p]!.Value, factors[q], $"{f[p, q]} differs from {f[q, p]} on the line of {factors[q]}: the covariance must be symmetric");
                f[p, q] = f[q, p]; // exact symmetry
            }
        }

        // Specific risk: an annualised volatility per security, squared into D.
        var d = new double[symbols.Length];
        var has = new bool[symbols.Length];
        foreach (var row in s.Rows)
        {
            var symbol = Symbol(row.Fields[0].Trim(), s.Name, row.Line, s.Header[0]);
            if (!seen.TryGetValue(symbol, out var i)) throw TradeFile.Bad(s.Name, row.Line, s.Header[0], $"{symbol} has no exposures in {e.Name}");
            if (has[i]) throw TradeFile.Bad(s.Name, row.Line, s.Header[0], $"{symbol} appears twice");
            var vol = Number(row.Fields[1], s.Name, row.Line, s.Header[1]);
            if (vol < 0 || vol > 10) throw TradeFile.Bad(s.Name, row.Line, s.Header[1], $"{vol} is not an annual volatility between 0 and 10");
            d[i] = vol * vol;
            has[i] = true;
        }
        var missing = Array.IndexOf(has, false);
        if (missing >= 0) throw new BadInputException($"{s.Name}: no specific risk for {symbols[missing]} (line {e.Rows[missing].Line} of {e.Name})");

        var model = new FactorRiskModel(symbols, factors, b, f, d);
        try { LiveRiskModel.CheckSemidefinite(model); }
        catch (BadInputException ex) { throw new BadInputException($"{c.Name}: {ex.Message}"); }
        return model;
    }

    private static ReturnSeries ParseReturns(string name, IReadOnlyList<string> header, IReadOnlyList<CsvRecord> rows)
    {
        var assets = header.Skip(1).ToArray();
        if (assets.Length < 2) throw new BadInputException($"{name} line 1: needs at least two asset columns after date");
        if (assets.Length > MaxSecurities) throw new BadInputException($"{name} line 1: {assets.Length} assets; at most {MaxSecurities}");
        foreach (var a in assets) Symbol(a, name, 1, a);
        if (rows.Count < 3) throw new BadInputException($"{name}: needs at least three rows of returns");
        if (rows.Count > MaxPeriods) throw new BadInputException($"{name} has {rows.Count} rows; at most {MaxPeriods}");
        var dates = new string[rows.Count];
        var r = new double[rows.Count, assets.Length];
        DateOnly? previous = null;
        for (int t = 0; t < rows.Count; t++)
        {
            var row = rows[t];
            var date = TradeFile.ParseDate(row.Fields[0].Trim(), name, row.Line, header[0]);
            if (previous is { } p && date <= p) throw TradeFile.Bad(name, row.Line, header[0], $"{date:yyyy-MM-dd} is not after the row before");
            previous = date;
            dates[t] = date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            for (int j = 0; j < assets.Length; j++)
            {
                r[t, j] = Number(row.Fields[j + 1], name, row.Line, assets[j]);
                if (r[t, j] <= -1) throw TradeFile.Bad(name, row.Line, assets[j], $"{r[t, j]} is not a return above -1");
            }
        }
        return new ReturnSeries(assets, dates, r);
    }

    private static string Symbol(string value, string source, int line, string field)
    {
        TradeFile.Checked(source, line, field, () => InputRules.Symbol(value, field));
        return value;
    }

    private static double Number(string value, string source, int line, string field) =>
        (double)TradeFile.ParseDecimal(value.Trim(), source, line, field);
}
