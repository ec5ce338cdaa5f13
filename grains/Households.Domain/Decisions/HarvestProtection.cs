using Households.Contracts;
using Households.Domain.Accounts;

namespace Households.Domain.Decisions;

/// <summary>Lots the household's own purchases must not block: a taxable account's lot at a loss. Buying the same security
/// anywhere in the household (IRC §1091 looks across the taxpayer's and spouse's accounts, Rev. Rul. 2008-5 includes
/// IRAs) would make selling that lot a wash sale for 30 days.</summary>
public static class HarvestProtection
{
    public sealed record ProtectedLot(string Account, TaxLot Lot, decimal Loss);

    /// <remarks>Equity lots are also protected while within about a month's volatility above their basis (equity funds
    /// <see cref="DecisionSettings.ProtectionCushion"/>, single stocks twice that): one bad month takes them to a loss.
    /// Bond and cash funds rarely move that far, and protecting them would keep their sleeves from ever being bought.</remarks>
    public static List<ProtectedLot> Protected(IEnumerable<AccountDecisionInput> accounts, Func<string, decimal?> price, DecisionSettings settings,
        Func<string, Security?>? find = null)
    {
        var found = new List<ProtectedLot>();
        foreach (var a in accounts)
        {
            // Whatever the account's harvest trigger says: the optimizer realizes a taxable loss when it pays.
            if (!TaxTreatment.IsTaxable(a.Spec.Type) || a.Spec.SeparateTaxpayer) continue;
            foreach (var lot in a.Lots)
            {
                if (price(lot.Symbol) is not { } p || lot.Basis <= 0) continue;
                var loss = lot.Basis - p * lot.Quantity;
                // Any loss, whatever the dollar minimum (one more bad day crosses it), and an equity lot just above its
                // basis too: a purchase today washes it if it falls within 30 days.
                var cushion = find?.Invoke(lot.Symbol)?.Kind switch
                {
                    SecurityKind.Stock => 2 * settings.ProtectionCushion,
                    SecurityKind.EquityFund => settings.ProtectionCushion,
                    _ => 0m,
                };
                if (loss > 0 || (cushion > 0 && loss >= -cushion * lot.Basis))
                    found.Add(new ProtectedLot(a.Spec.Id, lot, Math.Round(loss, 2)));
            }
        }
        return found;
    }
}
