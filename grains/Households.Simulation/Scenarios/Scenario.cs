using Households.Domain;
using System.Globalization;
using System.Text.Json;
using Households.Domain.Market;

namespace Households.Simulation.Scenarios;

/// <summary>How a scenario's total return is spread over its days: <see cref="Linear"/> moves the price by the same
/// dollar amount each day (P_t = P₀·(1 + R·t/D)); <see cref="Geometric"/> by the same percentage
/// (P_t = P₀·(1 + R)^(t/D)).</summary>
public enum ScenarioPathShape
{
    Linear = 0,
    Geometric = 1,
}

/// <summary>A named shock, as a firm writes it in a scenario file (see <c>docs/tax-alpha.md</c>, "Scenario file").
/// Every shock is a total return over the whole scenario (−0.20 = −20%). A security takes the most specific shock
/// that names it: <see cref="Securities"/> (by symbol), else <see cref="Sectors"/> (its sector label), else
/// <see cref="AssetClasses"/> (its asset class), else the <see cref="Factors"/>, applied through its factor loadings
/// in log space (r = exp(Σₖ Bₖ·ln(1 + Fₖ)) − 1, so a beta-1.2 stock falls 1 − 0.5^1.2 = 56.5% when the market factor
/// falls 50%); a security named by none is unchanged, and cash never moves.</summary>
public sealed record Scenario(
    string Name,
    string Description,
    int Days,
    ScenarioPathShape Path,
    IReadOnlyDictionary<string, double> AssetClasses,
    IReadOnlyDictionary<string, double> Sectors,
    IReadOnlyDictionary<string, double> Factors,
    IReadOnlyDictionary<string, double> Securities);

/// <summary>A validated set of scenarios with unique names, in file order.</summary>
public sealed class ScenarioSet
{
    private const string ResourceName = "Households.Simulation.Scenarios.scenarios.json";
    private static readonly string[] TopFields = ["scenarios"];
    private static readonly string[] ScenarioFields = ["name", "description", "days", "path", "shocks"];
    private static readonly string[] ShockFields = ["assetClasses", "sectors", "factors", "securities"];

    /// <summary>Asset-class labels a scenario may shock.</summary>
    public static IReadOnlyList<string> KnownAssetClasses { get; } =
    [
        AssetClasses.UsEquity, AssetClasses.IntlEquity, AssetClasses.EmergingEquity,
        AssetClasses.UsBonds, AssetClasses.MunicipalBonds, AssetClasses.RealEstate,
    ];

    /// <summary>Sector labels a scenario may shock: the eleven stock sectors and the broad fund labels.</summary>
    public static IReadOnlyList<string> KnownSectors { get; } = [.. Sectors.All, Sectors.Diversified, Sectors.FixedIncome];

    private ScenarioSet(IReadOnlyList<Scenario> scenarios) => Scenarios = scenarios;

    public IReadOnlyList<Scenario> Scenarios { get; }

    public Scenario this[string name] =>
        Scenarios.FirstOrDefault(s => s.Name == name)
        ?? throw new BadInputException($"unknown scenario '{name}' (known: {string.Join(", ", Scenarios.Select(s => s.Name))})");

    /// <summary>The default scenarios (<c>docs/samples/scenarios.json</c>, embedded in this assembly).</summary>
    public static ScenarioSet Default { get; } = LoadDefault();

    private static ScenarioSet LoadDefault()
    {
        using var stream = typeof(ScenarioSet).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"resource {ResourceName} is missing");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), "scenarios.json");
    }

    public static ScenarioSet LoadFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new BadInputException($"cannot read {path}: {ex.Message}");
        }
        return Parse(text, Path.GetFileName(path));
    }

    /// <summary>Parses and validates a scenario file. Every rule broken throws <see cref="BadInputException"/> naming
    /// the file and the field: unknown fields, a missing or empty name, duplicate names, days not a whole number ≥ 1,
    /// an unknown path shape, a shock that is not a finite number or is ≤ −1 (−100%), an unknown asset class, sector or
    /// factor, and a scenario without shocks.</summary>
    public static ScenarioSet Parse(string json, string source = "scenarios")
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = false });
        }
        catch (JsonException ex)
        {
            throw new BadInputException($"{source}: not valid JSON: {ex.Message.ReplaceLineEndings(" ")}");
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Bad(source, "$", "must be an object with a 'scenarios' array");
            CheckFields(root, TopFields, source, "$");
            if (!root.TryGetProperty("scenarios", out var list) || list.ValueKind != JsonValueKind.Array)
                throw Bad(source, "scenarios", "is required and must be an array");
            var result = new List<Scenario>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            int n = 0;
            foreach (var item in list.EnumerateArray())
            {
                var at = $"scenarios[{n++}]";
                if (item.ValueKind != JsonValueKind.Object) throw Bad(source, at, "must be an object");
                var name = item.TryGetProperty("name", out var nameEl) && nameEl.ValueKind == JsonValueKind.String ? nameEl.GetString() : null;
                if (!string.IsNullOrWhiteSpace(name)) at = $"scenarios[{n - 1}] ({name})";
                CheckFields(item, ScenarioFields, source, at);
                if (string.IsNullOrWhiteSpace(name)) throw Bad(source, $"{at}.name", "is required (a non-empty string)");
                if (!names.Add(name)) throw Bad(source, $"{at}.name", $"duplicate scenario name '{name}'");
                var description = item.TryGetProperty("description", out var d)
                    ? d.ValueKind == JsonValueKind.String ? d.GetString()! : throw Bad(source, $"{at}.description", "must be a string")
                    : "";
                if (!item.TryGetProperty("days", out var daysEl)) throw Bad(source, $"{at}.days", "is required");
                if (daysEl.ValueKind != JsonValueKind.Number || !daysEl.TryGetInt32(out var days) || days < 1)
                    throw Bad(source, $"{at}.days", $"must be a whole number of trading days >= 1, not {daysEl.GetRawText()}");
                var shape = ScenarioPathShape.Linear;
                if (item.TryGetProperty("path", out var p))
                {
                    shape = p.ValueKind == JsonValueKind.String ? p.GetString() switch
                    {
                        "linear" => ScenarioPathShape.Linear,
                        "geometric" => ScenarioPathShape.Geometric,
                        _ => throw Bad(source, $"{at}.path", $"must be 'linear' or 'geometric', not '{p.GetString()}'"),
                    } : throw Bad(source, $"{at}.path", "must be 'linear' or 'geometric'");
                }
                if (!item.TryGetProperty("shocks", out var shocks) || shocks.ValueKind != JsonValueKind.Object)
                    throw Bad(source, $"{at}.shocks", "is required (an object)");
                CheckFields(shocks, ShockFields, source, $"{at}.shocks");
                var assetClasses = Shocks(shocks, "assetClasses", KnownAssetClasses, "asset class", source, at);
                var sectors = Shocks(shocks, "sectors", KnownSectors, "sector", source, at);
                var factors = Shocks(shocks, "factors", FactorMarketModel.FactorNames, "factor", source, at);
                var securities = Shocks(shocks, "securities", null, "security", source, at);
                if (assetClasses.Count + sectors.Count + factors.Count + securities.Count == 0)
                    throw Bad(source, $"{at}.shocks", "names no asset class, sector, factor or security");
                result.Add(new Scenario(name, description, days, shape, assetClasses, sectors, factors, securities));
            }
            if (result.Count == 0) throw Bad(source, "scenarios", "is empty");
            return new ScenarioSet(result);
        }
    }

    private static Dictionary<string, double> Shocks(JsonElement shocks, string field, IReadOnlyList<string>? known, string what,
        string source, string at)
    {
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        if (!shocks.TryGetProperty(field, out var map)) return result;
        if (map.ValueKind != JsonValueKind.Object) throw Bad(source, $"{at}.shocks.{field}", "must be an object of name: total return");
        foreach (var entry in map.EnumerateObject())
        {
            var path = $"{at}.shocks.{field}.{entry.Name}";
            if (known is not null && !known.Contains(entry.Name))
                throw Bad(source, path, $"unknown {what} '{entry.Name}' (known: {string.Join(", ", known)})");
            if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetDouble(out var r) || !double.IsFinite(r))
                throw Bad(source, path, $"must be a finite number (a total return such as -0.2), not {entry.Value.GetRawText()}");
            if (r <= -1) throw Bad(source, path, $"return {r.ToString(CultureInfo.InvariantCulture)} is a loss of 100% or more");
            if (!result.TryAdd(entry.Name, r)) throw Bad(source, path, "is given twice");
        }
        return result;
    }

    private static void CheckFields(JsonElement obj, string[] allowed, string source, string at)
    {
        foreach (var p in obj.EnumerateObject())
            if (!allowed.Contains(p.Name))
                throw Bad(source, at == "$" ? p.Name : $"{at}.{p.Name}", $"unknown field (allowed: {string.Join(", ", allowed)})");
    }

    private static BadInputException Bad(string source, string field, string message) => new($"{source}: {field}: {message}");
}
