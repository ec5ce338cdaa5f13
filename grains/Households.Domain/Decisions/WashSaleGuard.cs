using Households.Contracts;
using Households.Domain.Accounts;
using Households.Domain.Tax;
using Households.Domain.WashSales;

namespace Households.Domain.Decisions;

/// <summary>A harvest the household refused because selling now would be a wash sale, and the purchases causing it.</summary>
public sealed record WashSaleRefusal(string AccountId, TaxLot Lot, WashSaleCheck Check, string? OverriddenBy = null)
{
    public string Cause => string.Join(", ", Check.Replacements.Select(r => $"{r.Quantity} shares bought {r.Purchased:yyyy-MM-dd} in {r.Account}"));

    public string Describe() => OverriddenBy is null
        ? $"Harvest of lot {Lot.Id} ({Lot.Symbol}) refused: selling now would be a wash sale (IRC §1091) with {Cause}"
        : $"Lot {Lot.Id} ({Lot.Symbol}) sold for {OverriddenBy} although the sale is a wash sale (IRC §1091) with {Cause}: the disallowed loss moves to the replacement's basis";
}

/// <summary>What the household's wash-sale ledger means for one decision (IRC §1091 across every account of the
/// taxpayer and spouse): loss lots whose sale now would be washed are held, and open losses block purchases.</summary>
public static class WashSaleGuard
{
    /// <summary>How the reason of a hold this guard adds begins.</summary>
    public const string HoldReason = "wash sale: ";

    /// <summary>Each taxable account's loss lots that replacement shares bought in the last 30 days would wash are held
    /// (a Hold restriction on that security, for this decision only); returns the inputs to plan with and the refusals.</summary>
    /// <remarks>A lot counts as a loss when it would be one at the fill price (the price less <paramref name="lossMargin"/>).
    /// A lot the client excludes is not held: the restriction comes first, and the refusal says it was overridden.</remarks>
    public static (AccountDecisionInput[] Inputs, WashSaleRefusal[] Refusals) HoldWashingLosses(
        IReadOnlyList<AccountDecisionInput> inputs, HouseholdTaxLedger tax, Func<string, decimal?> price, DateOnly today, double lossMargin = 0,
        Func<string, Security?>? find = null)
    {
        var refusals = new List<WashSaleRefusal>();
        var result = new List<AccountDecisionInput>(inputs.Count);
        foreach (var input in inputs)
        {
            var holds = new List<Restriction>();
            if (TaxTreatment.IsTaxable(input.Spec.Type))
            {
                foreach (var lot in input.Lots)
                {
                    if (price(lot.Symbol) is not { } p || p * (1 - (decimal)lossMargin) * lot.Quantity >= lot.Basis || holds.Any(h => h.Symbol == lot.Symbol)) continue;
                    var check = tax.CheckLossSale(input.Spec.Id, lot, lot.Id, lot.Quantity, today);
                    if (!check.IsWashSale) continue;
                    var exclusion = input.Spec.Restrictions.FirstOrDefault(r => r.Kind == RestrictionKind.Exclude
                        && (r.Symbol == lot.Symbol || (r.Symbol is null && r.Sector is not null && find?.Invoke(lot.Symbol)?.Sector == r.Sector)));
                    if (exclusion is not null)
                    {
                        refusals.Add(new WashSaleRefusal(input.Spec.Id, lot, check, $"the client's exclusion of {exclusion.Symbol ?? exclusion.Sector} ({exclusion.Reason})"));
                        continue;
                    }
                    var refusal = new WashSaleRefusal(input.Spec.Id, lot, check);
                    holds.Add(new Restriction(RestrictionKind.Hold, lot.Symbol, null, HoldReason + refusal.Cause));
                    refusals.Add(refusal);
                }
            }
            result.Add(holds.Count == 0 ? input : input with { Spec = input.Spec with { Restrictions = [.. input.Spec.Restrictions, .. holds] } });
        }
        return ([.. result], [.. refusals]);
    }

    /// <summary>The ledger's open losses as the optimizer's no-buy list: every security whose wash-sale key has an open
    /// loss in any of these accounts' taxpayer scope, keyed by <see cref="Security.WashSaleKey"/>, through the last day a
    /// purchase would wash it.</summary>
    public static Dictionary<string, DateOnly> BlockedPurchases(IReadOnlyDictionary<string, DateOnly> byLedgerKey,
        IEnumerable<Security> securities, SubstantiallyIdentical identical)
    {
        var blocked = new Dictionary<string, DateOnly>(StringComparer.Ordinal);
        foreach (var s in securities)
            if (byLedgerKey.TryGetValue(identical.KeyOf(s.Symbol), out var through))
                blocked[s.WashSaleKey] = blocked.TryGetValue(s.WashSaleKey, out var d) && d > through ? d : through;
        return blocked;
    }

    /// <summary>Open losses of these accounts' taxpayer scope by ledger key (<see cref="SubstantiallyIdentical.KeyOf"/>),
    /// with the last day a purchase would still wash each.</summary>
    public static Dictionary<string, DateOnly> OpenLossKeys(IEnumerable<string> accounts, WashSaleLedger ledger, DateOnly today) =>
        accounts.SelectMany(a => ledger.BuyBlackouts(a, today))
            .GroupBy(b => b.WashSaleKey).ToDictionary(g => g.Key, g => g.Max(b => b.WashesThrough), StringComparer.Ordinal);

    /// <summary>Whether buying <paramref name="symbol"/> now would wash an open loss anywhere in the taxpayer scope.</summary>
    public static bool IsBlocked(IReadOnlyDictionary<string, DateOnly> blockedByLedgerKey, SubstantiallyIdentical identical, string symbol) =>
        blockedByLedgerKey.ContainsKey(identical.KeyOf(symbol));
}
