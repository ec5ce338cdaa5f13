using Households.Contracts;

namespace Households.Domain.Audit;

/// <summary>Journal kinds by the names the API prints (camelCase in JSON, <c>fill</c>, <c>corporateAction</c>), by their
/// enum names, or kebab/snake-cased (<c>corporate-action</c>): one spelling rule for every query that names a kind.</summary>
public static class JournalKinds
{
    private static readonly Dictionary<string, JournalKind> ByName = Enum.GetValues<JournalKind>()
        .ToDictionary(k => Normalize(k.ToString()), k => k);

    /// <summary>The kind <paramref name="name"/> names; a bad name is <see cref="BadInputException"/> listing the known ones.</summary>
    public static JournalKind Parse(string name) =>
        ByName.TryGetValue(Normalize(name), out var kind)
            ? kind
            : throw new BadInputException($"kind '{name}' is not a journal kind; one of {string.Join(", ", Enum.GetValues<JournalKind>().Select(Name))}");

    /// <summary>The kind as the API prints it (camelCase).</summary>
    public static string Name(JournalKind kind) => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(kind.ToString());

    private static string Normalize(string name) => name.Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal).Trim().ToLowerInvariant();
}
