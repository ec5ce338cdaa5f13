namespace Households.Domain;

/// <summary>What an identifier, a free-text field, a date and an amount may hold. Identifiers become grain keys,
/// journal columns, file names of exports and parts of lot ids, so they are a closed alphabet; free text is
/// displayed to people, so it may not carry control characters, bidirectional overrides or markup.</summary>
public static class InputRules
{
    public const int MaxIdLength = 160;
    public const int MaxTextLength = 200;
    public static readonly DateOnly MinDate = new(1900, 1, 1);
    public static readonly DateOnly MaxDate = new(2200, 12, 31);
    /// <summary>Quantities and prices above this are typos or attacks; products of two stay far inside decimal's range.</summary>
    public const decimal MaxQuantity = 1_000_000_000_000m;
    public const decimal MaxPrice = 1_000_000_000m;
    /// <summary>Symbols are identifiers of at most 32 characters (the security master's limit).</summary>
    public const int MaxSymbolLength = 32;

    /// <summary>Letters, digits and <c>. _ - : @ + =</c>, starting with a letter or digit (so no <c>../</c>, quotes,
    /// semicolons, spaces, slashes or angle brackets).</summary>
    public static string Id(string? value, string field, int maxLength = MaxIdLength)
    {
        if (string.IsNullOrWhiteSpace(value)) throw new BadInputException($"{field} is required");
        if (value.Length > maxLength) throw new BadInputException($"{field} must be at most {maxLength} characters");
        if (!char.IsAsciiLetterOrDigit(value[0])) throw new BadInputException($"{field} must start with a letter or digit");
        foreach (var c in value)
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '-' or ':' or '@' or '+' or '='))
                throw new BadInputException($"{field} may hold only letters, digits and . _ - : @ + = (found {Describe(c)})");
        return value;
    }

    /// <summary>A security's symbol: an <see cref="Id"/> of at most <see cref="MaxSymbolLength"/> characters.</summary>
    public static string Symbol(string? value, string field) => Id(value, field, MaxSymbolLength);

    /// <summary>A number within [min, max] (or (min, max] when <paramref name="minInclusive"/> is false); the message names the
    /// field and the bound it broke, the same from the API and from an import file.</summary>
    public static decimal Range(decimal value, string field, decimal min, bool minInclusive, decimal max)
    {
        if (minInclusive ? value < min : value <= min) throw new BadInputException($"{field} must be {(minInclusive ? ">=" : ">")} {min}");
        if (value > max) throw new BadInputException($"{field} must be at most {max}");
        return value;
    }

    /// <summary>A quantity of shares: above zero, at most <see cref="MaxQuantity"/>.</summary>
    public static decimal Quantity(decimal value, string field) => Range(value, field, 0m, false, MaxQuantity);

    /// <summary>A price per share: above zero, at most <see cref="MaxPrice"/>.</summary>
    public static decimal Price(decimal value, string field) => Range(value, field, 0m, false, MaxPrice);

    /// <summary>An optional identifier: null passes, anything else must be an <see cref="Id"/>.</summary>
    public static string? OptionalId(string? value, string field, int maxLength = MaxIdLength) =>
        value is null ? null : Id(value, field, maxLength);

    /// <summary>Display text: no control characters, no bidirectional formatting characters, no <c>&lt;</c> or <c>&gt;</c>.</summary>
    public static string? Text(string? value, string field, bool required = true, int maxLength = MaxTextLength)
    {
        if (string.IsNullOrWhiteSpace(value))
            return required ? throw new BadInputException($"{field} is required") : value;
        if (value.Length > maxLength) throw new BadInputException($"{field} must be at most {maxLength} characters");
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])) { i++; continue; }
            if (char.IsControl(c) || IsBidiControl(c) || char.IsSurrogate(c) || c is '<' or '>')
                throw new BadInputException($"{field} may not contain {Describe(c)}");
        }
        return value;
    }

    public static DateOnly Date(DateOnly value, string field) =>
        value < MinDate || value > MaxDate ? throw new BadInputException($"{field} {value:yyyy-MM-dd} is out of range ({MinDate:yyyy} to {MaxDate:yyyy})") : value;

    private static bool IsBidiControl(char c) => c is '\u200E' or '\u200F' or '\u061C' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');

    private static string Describe(char c) => c switch
    {
        '\0' => "a null character",
        '\r' or '\n' => "a line break",
        _ when char.IsControl(c) => $"control character U+{(int)c:X4}",
        _ when IsBidiControl(c) => $"bidirectional control U+{(int)c:X4}",
        _ when char.IsSurrogate(c) => "a broken surrogate",
        _ => $"'{c}'",
    };
}
