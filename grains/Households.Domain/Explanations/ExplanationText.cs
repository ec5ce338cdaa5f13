using System.Globalization;
using Households.Contracts;

namespace Households.Domain.Explanations;

/// <summary>How an explanation writes numbers and names, the same in its sentences, its HTML and its PDF: dollars with
/// thousands separators (whole dollars in sentences, cents in tables), percentages, dates spelled out.</summary>
public static class ExplanationText
{
    private static readonly CultureInfo Us = CultureInfo.InvariantCulture;

    /// <summary>"$4,310" (rounded half away from zero, as a reader rounds).</summary>
    public static string Money(decimal amount) => (amount < 0 ? "-$" : "$") + Math.Round(Math.Abs(amount), 0, MidpointRounding.AwayFromZero).ToString("#,##0", Us);

    /// <summary>"$4,310.25", "-$4,310.25".</summary>
    public static string Cents(decimal amount) => (amount < 0 ? "-$" : "$") + Math.Round(Math.Abs(amount), 2, MidpointRounding.AwayFromZero).ToString("#,##0.00", Us);

    /// <summary>A fraction as a percentage: 0.0123 → "1.23%".</summary>
    public static string Percent(double fraction, int digits = 2) => (fraction * 100).ToString("F" + digits, Us) + "%";

    public static string Percent(decimal fraction, int digits = 2) => Percent((double)fraction, digits);

    /// <summary>"January 4, 2027".</summary>
    public static string Date(DateOnly date) => date.ToString("MMMM d, yyyy", Us);

    /// <summary>"120 shares", "1 share", "12.5 shares".</summary>
    public static string Shares(decimal quantity) => quantity.ToString("#,##0.####", Us) + (quantity == 1 ? " share" : " shares");

    public static string Count(int n, string noun) => $"{n} {noun}{(n == 1 ? "" : "s")}";

    public static string AccountKind(AccountType type) => type switch
    {
        AccountType.Taxable => "taxable account",
        AccountType.Ira => "IRA",
        AccountType.Roth => "Roth IRA",
        AccountType.Trust => "trust",
        AccountType.Education529 => "529 education plan",
        _ => type.ToString(),
    };

    /// <summary>", because the portfolio drifted from its target and to harvest losses": the proposal's causes in words.</summary>
    public static string Because(IEnumerable<Trigger> causes)
    {
        var kinds = causes.Select(c => c.Kind).Distinct().Order().Select(k => k switch
        {
            TriggerKind.Drift => "the portfolio drifted from its target",
            TriggerKind.Harvest => "some holdings can be sold at a loss worth harvesting",
            TriggerKind.Cash => "cash came in or was asked for",
            TriggerKind.Restriction => "a restriction changed",
            TriggerKind.ModelChange => "your model changed",
            TriggerKind.Policy => "your tax profile or investment policy changed",
            _ => k.ToString(),
        }).ToList();
        return kinds.Count == 0 ? "" : ", because " + (kinds.Count == 1 ? kinds[0] : string.Join(", ", kinds.SkipLast(1)) + " and " + kinds[^1]);
    }
}
