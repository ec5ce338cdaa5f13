using System.Globalization;
using System.Text.RegularExpressions;

namespace Households.Domain.Import;

/// <summary>Limits and value rules shared by every import file (documented in docs/formats.md).</summary>
public static partial class ImportRules
{
    /// <summary>Largest file accepted (8 MiB): a custodian export of a few thousand households is far smaller.</summary>
    public const long MaxFileBytes = 8L * 1024 * 1024;
    public const int MaxRows = 100_000;
    public const int MaxIdLength = 64;
    public const int MaxSymbolLength = 32;
    public const int MaxTextLength = 200;
    /// <summary>The report lists at most this many problems (and says how many more there were).</summary>
    public const int MaxIssues = 500;
    public const decimal MaxQuantity = 1_000_000_000_000m;
    public const decimal MaxAmount = 1_000_000_000_000m;
    public const decimal MaxPrice = 1_000_000_000m;
    public static readonly DateOnly MinDate = new(1900, 1, 1);

    /// <summary>First characters that make a spreadsheet treat a cell as a formula (CSV injection).</summary>
    public static readonly char[] FormulaStart = ['=', '+', '-', '@', '\t', '\r', '\n'];

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._\-]*$")]
    public static partial Regex IdText();

    [GeneratedRegex(@"^[+-]?(\d+\.?\d*|\.\d+)$")]
    public static partial Regex DecimalText();

    [GeneratedRegex(@"^[+-]?(nan|inf|infinity|∞)$", RegexOptions.IgnoreCase)]
    public static partial Regex NonFinite();
}

/// <summary>Reads one data row's fields by column name and records every problem with file, line and field.
/// Each getter returns null (or a default) when the value is bad, so validation goes on and reports them all.</summary>
public sealed class ImportRow(string file, int line, IReadOnlyDictionary<string, int> columns, IReadOnlyList<string> fields, ImportIssues issues)
{
    public int Line => line;

    public string Raw(string column) =>
        columns.TryGetValue(column, out var i) && i < fields.Count ? fields[i].Trim() : "";

    public bool Has(string column) => Raw(column).Length > 0;

    public void Problem(string column, string message, string? value = null) =>
        issues.Add(new ImportIssue(file, line, column, ImportIssue.Shown(value ?? Raw(column)), message));

    /// <summary>An identifier: letters, digits, '.', '_' and '-', starting with a letter or digit.</summary>
    public string? Id(string column, bool required = true, int max = ImportRules.MaxIdLength)
    {
        var v = Raw(column);
        if (v.Length == 0)
        {
            if (required) Problem(column, "a value is required");
            return null;
        }
        if (v.Length > max) { Problem(column, $"at most {max} characters"); return null; }
        if (!ImportRules.IdText().IsMatch(v)) { Problem(column, "only letters, digits, '.', '_' and '-' are allowed in an identifier"); return null; }
        return v;
    }

    /// <summary>Free text (names, asset classes, sectors): no control characters, no markup, no formula start.</summary>
    public string? Text(string column, bool required = true)
    {
        var v = Raw(column);
        if (v.Length == 0)
        {
            if (required) Problem(column, "a value is required");
            return null;
        }
        if (v.Length > ImportRules.MaxTextLength) { Problem(column, $"at most {ImportRules.MaxTextLength} characters"); return null; }
        if (v.Any(char.IsControl)) { Problem(column, "control characters are not allowed"); return null; }
        if (ImportRules.FormulaStart.Contains(v[0])) { Problem(column, "must not start with '=', '+', '-' or '@' (spreadsheet formula)"); return null; }
        if (v.IndexOfAny(['<', '>']) >= 0) { Problem(column, "'<' and '>' are not allowed (markup)"); return null; }
        return v;
    }

    public decimal? Decimal(string column, decimal min, bool minInclusive, decimal max, bool required = true)
    {
        var v = Raw(column);
        if (v.Length == 0)
        {
            if (required) Problem(column, "a value is required");
            return null;
        }
        if (ImportRules.NonFinite().IsMatch(v)) { Problem(column, "not a finite number"); return null; }
        if (!ImportRules.DecimalText().IsMatch(v)) { Problem(column, "not a decimal number (digits and one '.', no exponent)"); return null; }
        if (!decimal.TryParse(v, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var d))
        {
            Problem(column, "out of the decimal range");
            return null;
        }
        if (minInclusive ? d < min : d <= min)
        {
            Problem(column, minInclusive ? $"must be >= {min}" : $"must be > {min}");
            return null;
        }
        if (d > max) { Problem(column, $"must be at most {max}"); return null; }
        return d;
    }

    public DateOnly? Date(string column, DateOnly today, bool required = true)
    {
        var v = Raw(column);
        if (v.Length == 0)
        {
            if (required) Problem(column, "a value is required");
            return null;
        }
        if (!DateOnly.TryParseExact(v, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
        {
            Problem(column, "not a date YYYY-MM-DD");
            return null;
        }
        if (d < ImportRules.MinDate || d > today)
        {
            Problem(column, $"must be between {ImportRules.MinDate:yyyy-MM-dd} and today ({today:yyyy-MM-dd})");
            return null;
        }
        return d;
    }

    public bool? Bool(string column, bool fallback)
    {
        var v = Raw(column).ToLowerInvariant();
        switch (v)
        {
            case "": return fallback;
            case "true" or "yes" or "y" or "1": return true;
            case "false" or "no" or "n" or "0": return false;
            default:
                Problem(column, "must be true or false");
                return null;
        }
    }

    /// <summary>One of a fixed set of lower-case names.</summary>
    public T? Choice<T>(string column, IReadOnlyDictionary<string, T> names, T? fallback = null, bool required = true) where T : struct
    {
        var v = Raw(column).ToLowerInvariant();
        if (v.Length == 0)
        {
            if (fallback is null && required) Problem(column, "a value is required");
            return fallback;
        }
        if (names.TryGetValue(v, out var value)) return value;
        Problem(column, $"must be one of {string.Join(", ", names.Keys)}");
        return null;
    }
}

/// <summary>The problems found so far, capped at <see cref="ImportRules.MaxIssues"/>.</summary>
public sealed class ImportIssues
{
    private readonly List<ImportIssue> _issues = [];

    public int Count { get; private set; }

    public IReadOnlyList<ImportIssue> Listed => _issues;

    public void Add(ImportIssue issue)
    {
        Count++;
        if (_issues.Count < ImportRules.MaxIssues) _issues.Add(issue);
    }
}
