using Households.Contracts;

namespace Households.Domain.Monitoring;

/// <summary>Household-level figures from its accounts' live views.</summary>
public static class HouseholdAggregation
{
    /// <summary>Asset-class drift of the whole household: weights over the household's value against the
    /// value-weighted average of its accounts' targets (each account's own tolerance, value-weighted).</summary>
    public static HouseholdView View(HouseholdSpec spec, AccountView[] accounts, HouseholdTaxView tax)
    {
        var total = accounts.Sum(a => a.MarketValue);
        var lines = new Dictionary<string, (double Weight, double Target, double Tolerance)>(StringComparer.Ordinal);
        if (total > 0)
        {
            foreach (var account in accounts)
            {
                var share = (double)(account.MarketValue / total);
                foreach (var line in account.Drift.Where(d => d.Level == DriftLevel.AssetClass))
                {
                    var current = lines.GetValueOrDefault(line.Key);
                    lines[line.Key] = (current.Weight + share * line.Weight, current.Target + share * line.Target, current.Tolerance + share * line.Tolerance);
                }
            }
        }
        var drift = lines.Select(kv => new DriftLine(DriftLevel.AssetClass, kv.Key, kv.Value.Weight, kv.Value.Target,
                kv.Value.Weight - kv.Value.Target, kv.Value.Tolerance, Math.Abs(kv.Value.Weight - kv.Value.Target) > kv.Value.Tolerance))
            .OrderBy(d => d.Key, StringComparer.Ordinal).ToArray();
        return new HouseholdView(spec.Id, spec.Name, spec.AdvisorId, total, accounts, drift, tax, spec.Tax, spec.Policy);
    }
}
