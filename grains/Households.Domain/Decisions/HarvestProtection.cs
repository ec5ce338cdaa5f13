using Households.Contracts;
using Households.Domain.Accounts;

namespace Households.Domain.Decisions;

/// <summary>Lots the household's own purchases must not block: a taxable account's lot at a loss that is, or is close to
/// being, harvestable. Buying the same security anywhere in the household (IRC §1091 looks across the taxpayer's and
/// spouse's accounts, Rev. Rul. 2008-5 includes IRAs) would make selling that lot a wash sale for 30 days.</summary>
public static class HarvestProtection
{
    public sealed record ProtectedLot(string Account, TaxLot Lot, decimal Loss);

    /// <summary>The loss in dollars from which a lot of basis <paramref name="basis"/> is protected: <paramref name="share"/>
    /// (the engine's <see cref="DecisionSettings.ProtectionShare"/>) of the harvest threshold the lot must reach, the larger
    /// of the account's minimum loss in dollars and its minimum percent of basis (the monitor's lot rule; the default
    /// policy's when harvesting is off: the optimizer still realizes a loss when it pays). Below it the lot is not close to
    /// harvestable, and its sleeve may be topped up: a small lot whose loss can never reach the dollar minimum protects
    /// nothing.</summary>
    public static decimal ProtectedLoss(HarvestPolicy harvest, decimal basis, decimal share)
    {
        var policy = harvest.Enabled ? harvest : HarvestPolicy.Default;
        return share * Math.Max(policy.MinLossDollars, policy.MinLossPercent * basis);
    }

    /// <summary>Securities (by wash-sale key) a taxable lot holds near its basis but not yet close to harvestable: from the
    /// protected loss up to <see cref="DecisionSettings.ProtectionCushion"/> above the basis. Buying them is allowed, at a
    /// price (<see cref="Optimization.PurchaseRisk"/>).</summary>
    public static HashSet<string> NearBasisKeys(IEnumerable<AccountDecisionInput> accounts, Func<string, decimal?> price, DecisionSettings settings,
        Func<string, string> keyOf)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var a in accounts)
        {
            if (!TaxTreatment.IsTaxable(a.Spec.Type) || a.Spec.SeparateTaxpayer) continue;
            foreach (var lot in a.Lots)
                if (price(lot.Symbol) is { } p && lot.Basis > 0 && p * lot.Quantity <= lot.Basis * (1 + settings.ProtectionCushion))
                    keys.Add(keyOf(lot.Symbol));
        }
        return keys;
    }

    /// <remarks>Only a loss counts, as IRC §1091 only defers losses: a lot at a small loss, far from the harvest threshold,
    /// does not keep its sleeve from being bought (the sleeve would otherwise wait in cash for as long as the price hovers
    /// near the basis).</remarks>
    public static List<ProtectedLot> Protected(IEnumerable<AccountDecisionInput> accounts, Func<string, decimal?> price, DecisionSettings settings)
    {
        var found = new List<ProtectedLot>();
        foreach (var a in accounts)
        {
            if (!TaxTreatment.IsTaxable(a.Spec.Type)) continue; // a separate taxpayer's too: its own purchases wash its sales
            foreach (var lot in a.Lots)
            {
                if (price(lot.Symbol) is not { } p || lot.Basis <= 0) continue;
                var loss = lot.Basis - p * lot.Quantity;
                if (loss > 0 && loss >= ProtectedLoss(a.Spec.Harvest, lot.Basis, settings.ProtectionShare))
                    found.Add(new ProtectedLot(a.Spec.Id, lot, Math.Round(loss, 2)));
            }
        }
        return found;
    }
}
