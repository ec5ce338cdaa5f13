using System.Globalization;
using System.Text.RegularExpressions;

namespace Households.Domain.Import;

/// <summary>Limits and value rules shared by every import file (documented in docs/formats.md).</summary>
public static partial class ImportRules
{
    /// <summary>Largest file accepted (8 MiB): a custodian export of a few thousand households is far smaller.</summary>
    public const long MaxFileBytes = 8L * 1024 * 1024;
    public const int MaxRows = 100_000;
    /// <summary>The API's limits (<see cref="InputRules"/>): a value one accepts, the other accepts.</summary>
    public const int MaxIdLength = InputRules.MaxIdLength;
    public const int MaxSymbolLength = InputRules.MaxSymbolLength;
    public const int MaxTextLength = 200;
    /// <summary>The report lists at most this many problems (and says how many more there were).</summary>
    public const int MaxIssues = 500;
    public const decimal MaxQuantity = InputRules.MaxQuantity;
    public const decimal MaxAmount = Accounts.CashValidation.MaxAmount;
    public const decimal MaxPrice = InputRules.MaxPrice;
    public static readonly DateOnly MinDate = new(1900, 1, 1);

    /// <summary>First characters that make a spreadsheet treat a cell as a formula (CSV injection).</summary>
    public static readonly char[] FormulaStart = ['=', '+', '-', '@', '\t', '\r', '\n'];

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

    /// <summary>An identifier, by the API's rule (<see cref="InputRules.Id"/>) and with its message: letters, digits and
    /// <c>. _ - : @ + =</c>, starting with a letter or digit.</summary>
    public string? Id(string column, bool required = true, int max = ImportRules.MaxIdLength)
    {
        var v = Raw(column);
        if (v.Length == 0)
        {
            if (required) Problem(column, "a value is required");
            return null;
        }
        return Passes(column, () => InputRules.Id(v, column, max)) ? v : null;
    }

    /// <summary>A symbol, by the API's rule (<see cref="InputRules.Symbol"/>).</summary>
    public string? Symbol(string column, bool required = true) => Id(column, required, ImportRules.MaxSymbolLength);

    /// <summary>Free text (names, asset classes, sectors) by the API's rule (<see cref="InputRules.Text"/>: no control or
    /// bidirectional characters, no markup), and not starting like a spreadsheet formula: the file came from a spreadsheet
    /// and its values go back into reports.</summary>
    public string? Text(string column, bool required = true)
    {
        var v = Raw(column);
        if (v.Length == 0)
        {
            if (required) Problem(column, "a value is required");
            return null;
        }
        if (!Passes(column, () => InputRules.Text(v, column, maxLength: ImportRules.MaxTextLength))) return null;
        if (ImportRules.FormulaStart.Contains(v[0])) { Problem(column, "must not start with '=', '+', '-' or '@' (spreadsheet formula)"); return null; }
        return v;
    }

    /// <summary>A decimal written plainly (digits and one '.', no exponent, no NaN or infinity), within the range by the
    /// API's rule (<see cref="InputRules.Range"/>) and with its message.</summary>
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
        return Passes(column, () => InputRules.Range(d, column, min, minInclusive, max)) ? d : null;
    }

    /// <summary>A quantity of shares (<see cref="InputRules.Quantity"/>).</summary>
    public decimal? Quantity(string column, bool required = true) => Decimal(column, 0m, false, InputRules.MaxQuantity, required);

    /// <summary>A price per share (<see cref="InputRules.Price"/>).</summary>
    public decimal? Price(string column, bool required = true) => Decimal(column, 0m, false, InputRules.MaxPrice, required);

    /// <summary>Runs one of the API's rules on this row's value; a refusal is this field's problem, with the API's message.</summary>
    private bool Passes(string column, Action rule)
    {
        try
        {
            rule();
            return true;
        }
        catch (BadInputException ex)
        {
            Problem(column, ex.Message);
            return false;
        }
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
        if (!Passes(column, () => InputRules.Date(d, column))) return null;
        // Beyond the API's range: a file describes what happened, so nothing in it is dated after today.
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
