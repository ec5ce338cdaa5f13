namespace Households.Domain.Market;

/// <summary>The eleven GICS-like sectors stocks belong to, and the sector labels funds carry.</summary>
public static class Sectors
{
    public const string InformationTechnology = "Information Technology";
    public const string HealthCare = "Health Care";
    public const string Financials = "Financials";
    public const string ConsumerDiscretionary = "Consumer Discretionary";
    public const string CommunicationServices = "Communication Services";
    public const string Industrials = "Industrials";
    public const string ConsumerStaples = "Consumer Staples";
    public const string Energy = "Energy";
    public const string Utilities = "Utilities";
    public const string RealEstate = "Real Estate";
    public const string Materials = "Materials";

    /// <summary>Label of broad equity funds (no single sector).</summary>
    public const string Diversified = "Diversified";
    public const string FixedIncome = "Fixed Income";
    public const string Cash = "Cash";

    /// <summary>The stock sectors, in factor order (sector <c>s</c> is factor <c>1 + s</c>).</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        InformationTechnology, HealthCare, Financials, ConsumerDiscretionary, CommunicationServices,
        Industrials, ConsumerStaples, Energy, Utilities, RealEstate, Materials,
    ];

    /// <summary>Annual volatility of each sector factor (beyond the market), 6–12%.</summary>
    internal static readonly double[] AnnualVolatility = [0.12, 0.08, 0.10, 0.09, 0.09, 0.07, 0.06, 0.12, 0.08, 0.10, 0.09];

    public static int IndexOf(string sector)
    {
        for (int s = 0; s < All.Count; s++)
            if (All[s] == sector) return s;
        return -1;
    }
}

/// <summary>Asset-class labels used by the generated universe.</summary>
public static class AssetClasses
{
    public const string UsEquity = "US Equity";
    public const string IntlEquity = "Intl Equity";
    public const string EmergingEquity = "Emerging Equity";
    public const string UsBonds = "US Bonds";
    public const string MunicipalBonds = "Municipal Bonds";
    public const string RealEstate = "Real Estate";
    public const string Cash = "Cash";
}
