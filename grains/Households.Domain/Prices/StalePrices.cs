using Households.Contracts;

namespace Households.Domain.Prices;

/// <summary>A security whose price is stale is not traded: each account that holds or targets it gets a Hold
/// restriction for this decision only (the account's own restrictions are untouched).</summary>
public static class StalePrices
{
    public const string HoldReason = "stale price: ";

    public static IReadOnlyList<AccountDecisionInput> HoldRestrictions(IReadOnlyList<AccountDecisionInput> inputs,
        IReadOnlyList<StalePrice> stale, DateTimeOffset now)
    {
        if (stale.Count == 0) return inputs;
        var bySymbol = stale.ToDictionary(s => s.Symbol, StringComparer.Ordinal);
        var result = new AccountDecisionInput[inputs.Count];
        for (var i = 0; i < inputs.Count; i++)
        {
            var input = inputs[i];
            var symbols = input.Lots.Select(l => l.Symbol)
                .Concat(input.Target?.Weights.Where(w => w.Level == DriftLevel.Security).Select(w => w.Key) ?? [])
                .Distinct(StringComparer.Ordinal);
            var holds = symbols
                .Where(s => bySymbol.ContainsKey(s)
                    && !input.Spec.Restrictions.Any(r => r.Kind == RestrictionKind.Hold && r.Symbol == s && r.Reason.StartsWith(HoldReason, StringComparison.Ordinal)))
                .Order(StringComparer.Ordinal)
                .Select(s => new Restriction(RestrictionKind.Hold, s, null,
                    $"{HoldReason}not priced since {bySymbol[s].LastPriced.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z ({(now - bySymbol[s].LastPriced).TotalMinutes:0} min)"))
                .ToArray();
            result[i] = holds.Length == 0 ? input : input with { Spec = input.Spec with { Restrictions = [.. input.Spec.Restrictions, .. holds] } };
        }
        return result;
    }
}
