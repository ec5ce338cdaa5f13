using Households.Contracts;

namespace Households.Domain.Models;

/// <summary>Which of a model's lines each substitute counts toward when an account holds it in a targeted fund's place (a
/// harvest's replacement, a tax-advantaged account's stand-in). The monitor measures drift with it and the optimizer's
/// band penalty prices it, so both count a held substitute toward the same line. A substitute the model targets itself is
/// its own line. Substitutes shared by several lines (a large-cap core fund substitutes for the value, growth and S&amp;P 500
/// funds) go to one line only: lines with fewer substitutes choose first (then model order), so every line that can have
/// a substitute of its own gets one.</summary>
public static class SubstituteLines
{
    /// <summary>Substitute → the targeted security whose line it stands in for.</summary>
    public static IReadOnlyDictionary<string, string> Of(ResolvedTarget target, Func<string, IReadOnlyList<string>>? substitutesOf)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (substitutesOf is null) return result;
        var lines = target.Weights.Where(w => w.Level == DriftLevel.Security).Select(w => w.Key).Distinct(StringComparer.Ordinal).ToList();
        var targeted = lines.ToHashSet(StringComparer.Ordinal);
        var candidates = lines.Select((key, order) => (key, order, subs: substitutesOf(key).Where(s => !targeted.Contains(s)).ToList()))
            .Where(l => l.subs.Count > 0)
            .OrderBy(l => l.subs.Count).ThenBy(l => l.order);
        foreach (var (key, _, subs) in candidates)
            foreach (var s in subs)
                result.TryAdd(s, key);
        return result;
    }

    /// <summary>The substitutes that count toward <paramref name="line"/>, in the firm's order.</summary>
    public static IEnumerable<string> For(IReadOnlyDictionary<string, string> lines, string line, Func<string, IReadOnlyList<string>>? substitutesOf) =>
        (substitutesOf?.Invoke(line) ?? []).Where(s => lines.TryGetValue(s, out var owner) && owner == line);
}
