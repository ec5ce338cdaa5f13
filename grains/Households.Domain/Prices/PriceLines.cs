using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Households.Domain.Prices;

/// <summary>One quote from a price feed: <c>{"symbol":"XYZ","price":101.25,"time":"2026-12-05T15:30:00Z"}</c>.</summary>
public sealed record PriceLine(string Symbol, decimal Price, DateTimeOffset Time);

/// <summary>A skipped feed line: its number in the stream (1-based) and why.</summary>
public sealed record PriceLineError(long Line, string Reason);

/// <summary>Reads a stream of JSON price lines one line at a time. A bad line is counted and skipped, never thrown:
/// one broken quote must not stop the firm's feed.</summary>
public sealed partial class PriceLineParser
{
    /// <summary>The most recent errors kept for the status endpoint; older ones are only counted.</summary>
    public const int KeptErrors = 50;
    public const int MaxLineLength = 4096;

    private readonly Queue<PriceLineError> _errors = new();

    public long Lines { get; private set; }
    public long Parsed { get; private set; }
    public long Skipped { get; private set; }
    public IReadOnlyList<PriceLineError> RecentErrors => [.. _errors];

    /// <summary>The next line of the stream; null for a blank or bad line. <paramref name="received"/> stands in for an absent time.</summary>
    public PriceLine? Next(string line, DateTimeOffset received)
    {
        Lines++;
        if (string.IsNullOrWhiteSpace(line)) return null; // keep-alive newlines are not errors
        if (TryParse(line, received, out var quote, out var reason))
        {
            Parsed++;
            return quote;
        }
        Skipped++;
        _errors.Enqueue(new PriceLineError(Lines, reason!));
        if (_errors.Count > KeptErrors) _errors.Dequeue();
        return null;
    }

    public static bool TryParse(string text, DateTimeOffset received, out PriceLine? line, out string? reason)
    {
        line = null;
        reason = Check(text, received, ref line);
        return reason is null;
    }

    private static string? Check(string text, DateTimeOffset received, ref PriceLine? line)
    {
        if (text.Length > MaxLineLength) return $"line longer than {MaxLineLength} characters";
        JsonDocument doc;
        try { doc = JsonDocument.Parse(text); }
        catch (JsonException ex) { return $"not JSON: {ex.Message}"; }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return "not a JSON object";
            if (!root.TryGetProperty("symbol", out var s) || s.ValueKind != JsonValueKind.String) return "symbol is required (a string)";
            string symbol;
            try { symbol = InputRules.Id(s.GetString(), "symbol", 32); }
            catch (BadInputException ex) { return ex.Message; }
            if (!root.TryGetProperty("price", out var p) || p.ValueKind != JsonValueKind.Number) return "price is required (a number)";
            if (!p.TryGetDecimal(out var price)) return "price is not a decimal number";
            if (price <= 0) return "price must be > 0";
            if (price > InputRules.MaxPrice) return $"price must be at most {InputRules.MaxPrice}";
            var time = received;
            if (root.TryGetProperty("time", out var t) && t.ValueKind != JsonValueKind.Null)
            {
                // An offset is required: a local time without one would be read in the silo's zone, a silent error.
                if (t.ValueKind != JsonValueKind.String || !Iso8601.IsMatch(t.GetString()!)
                    || !DateTimeOffset.TryParse(t.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out time))
                    return "time must be ISO-8601 with an offset, e.g. 2026-12-05T15:30:00Z";
            }
            line = new PriceLine(symbol, price, time);
            return null;
        }
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex Iso8601Pattern();

    private static readonly Regex Iso8601 = Iso8601Pattern();
}
