using System.Runtime.InteropServices;
using Households.Contracts;

namespace Households.Domain.Monitoring;

/// <summary>Household-level figures from its accounts' live views.</summary>
public static class HouseholdAggregation
{
    /// <summary>Asset-class drift of the whole household: weights over the household's value against the
    /// value-weighted average of its accounts' targets (each account's own tolerance, value-weighted).</summary>
    public static HouseholdView View(HouseholdSpec spec, AccountView[] accounts, HouseholdTaxView tax) =>
        new(spec.Id, spec.Name, spec.AdvisorId, accounts.Sum(a => a.MarketValue), ImmutableCollectionsMarshal.AsImmutableArray(accounts),
            ImmutableCollectionsMarshal.AsImmutableArray(AssetClassDrift(accounts.Select(a => (a.MarketValue, (IReadOnlyList<DriftLine>)a.Drift)))), tax, spec.Tax, spec.Policy);

    /// <summary>The household's asset-class lines from its accounts' (value, drift lines): each weight, target and tolerance
    /// the value-weighted sum of the accounts', ordered by asset class.</summary>
    public static DriftLine[] AssetClassDrift(IEnumerable<(decimal Value, IReadOnlyList<DriftLine> Drift)> accounts)
    {
        var list = accounts.ToList();
        var total = list.Sum(a => a.Value);
        var lines = new Dictionary<string, (double Weight, double Target, double Tolerance)>(StringComparer.Ordinal);
        if (total > 0)
        {
            foreach (var (value, drift) in list)
            {
                var share = (double)(value / total);
                foreach (var line in drift.Where(d => d.Level == DriftLevel.AssetClass))
                {
                    var current = lines.GetValueOrDefault(line.Key);
                    lines[line.Key] = (current.Weight + share * line.Weight, current.Target + share * line.Target, current.Tolerance + share * line.Tolerance);
                }
            }
        }
        return lines.Select(kv => new DriftLine(DriftLevel.AssetClass, kv.Key, kv.Value.Weight, kv.Value.Target,
                kv.Value.Weight - kv.Value.Target, kv.Value.Tolerance, Math.Abs(kv.Value.Weight - kv.Value.Target) > kv.Value.Tolerance))
            .OrderBy(d => d.Key, StringComparer.Ordinal).ToArray();
    }
}
