using Households.Contracts;

namespace Households.Tests.Support;

/// <summary>A 60/40 model of two funds (EQ in US Equity, BD in US Bonds) with default bands, for snapshot tests.</summary>
internal static class SixtyFortyModel
{
    public static readonly IReadOnlyDictionary<string, Security> Securities = new Dictionary<string, Security>
    {
        ["EQ"] = new("EQ", "Equity fund", "US Equity", "Diversified", null, SecurityKind.EquityFund),
        ["BD"] = new("BD", "Bond fund", "US Bonds", "Diversified", null, SecurityKind.BondFund),
    };

    public static readonly ResolvedTarget Target = new("M", 1,
    [
        new TargetWeight(DriftLevel.Security, "EQ", 0.6m, DriftBand.Default),
        new TargetWeight(DriftLevel.Security, "BD", 0.4m, DriftBand.Default),
        new TargetWeight(DriftLevel.AssetClass, "US Equity", 0.6m, DriftBand.Default),
        new TargetWeight(DriftLevel.AssetClass, "US Bonds", 0.4m, DriftBand.Default),
    ]);

    public static Security? Find(string symbol) => Securities.GetValueOrDefault(symbol);
}
