using Households.Domain.Market;
using Households.Contracts;

namespace Households.Simulation.Market;

/// <summary>Generates a reproducible universe: stocks <c>STK0001…</c> across the eleven sectors with lognormal
/// market caps (σ = 1.5 in log, so a few names dominate the cap-weighted index) and prices around $50–150, plus
/// invented funds (broad, style, international, bond, real estate, cash, sector funds). The two S&amp;P 500-like
/// funds from different issuers (APXS, KSTF) share the substantially-identical group "SP500"; every other
/// security is identical only to itself.</summary>
public static class UniverseGenerator
{
    private sealed record FundTemplate(
        string Symbol, string Name, string AssetClass, string Sector, string? Group, SecurityKind Kind, double Price,
        double Beta, double SectorLoading, double Size, double Value, double Momentum, double Rates, double Idio);

    /// <summary>The fund menu, most essential first (a universe with <c>funds = n</c> takes the first n).</summary>
    private static readonly FundTemplate[] Funds = BuildFundTable();

    /// <summary>Rough share of stocks per sector of <see cref="Sectors.All"/> (S&amp;P 500-like head counts).</summary>
    private static readonly double[] SectorShare = [0.13, 0.12, 0.14, 0.10, 0.05, 0.14, 0.06, 0.05, 0.06, 0.06, 0.05];

    /// <summary>Number of named funds in the menu; more funds are generated as "Multi-Factor Equity Fund nnn".</summary>
    public static int NamedFundCount => Funds.Length;

    private static FundTemplate[] BuildFundTable()
    {
        const string D = Sectors.Diversified, FI = Sectors.FixedIncome;
        const SecurityKind E = SecurityKind.EquityFund, B = SecurityKind.BondFund;
        var list = new List<FundTemplate>
        {
            new("USTM", "US Total Market ETF", AssetClasses.UsEquity, D, null, E, 250, 1.00, 0, 0.3, 0, 0, 0, 0.010),
            new("APXS", "Apex S&P 500 Index Fund", AssetClasses.UsEquity, D, "SP500", E, 395, 1.00, 0, 0.8, 0, 0, 0, 0.004),
            new("KSTF", "Keystone 500 Index ETF", AssetClasses.UsEquity, D, "SP500", E, 380, 1.00, 0, 0.8, 0, 0, 0, 0.004),
            new("INTL", "Developed International ETF", AssetClasses.IntlEquity, D, null, E, 55, 0.85, 0, 0.5, 0.2, 0, 0, 0.10),
            new("EMKT", "Emerging Markets ETF", AssetClasses.EmergingEquity, D, null, E, 40, 0.95, 0, 0, 0.3, 0, 0, 0.15),
            new("AGGB", "US Aggregate Bond ETF", AssetClasses.UsBonds, FI, null, B, 100, 0.03, 0, 0, 0, 0, 1.0, 0.010),
            new("MUNI", "National Municipal Bond ETF", AssetClasses.MunicipalBonds, FI, null, B, 108, 0.03, 0, 0, 0, 0, 0.8, 0.012),
            new("TIPS", "Inflation-Protected Bond ETF", AssetClasses.UsBonds, FI, null, B, 105, 0.05, 0, 0, 0, 0, 0.9, 0.015),
            new("REIT", "US Real Estate ETF", AssetClasses.RealEstate, Sectors.RealEstate, null, E, 85, 0.90, 1.0, -0.2, 0.3, 0, 0.3, 0.03),
            new("CASH", "Government Money Market Fund", AssetClasses.Cash, Sectors.Cash, null, SecurityKind.Cash, 1, 0, 0, 0, 0, 0, 0, 0),
            new("USLC", "US Large Cap Core ETF", AssetClasses.UsEquity, D, null, E, 90, 1.00, 0, 1.0, 0, 0, 0, 0.008),
            new("USSC", "US Small Cap ETF", AssetClasses.UsEquity, D, null, E, 45, 1.15, 0, -1.5, 0.2, 0, 0, 0.04),
            new("USVL", "US Value ETF", AssetClasses.UsEquity, D, null, E, 70, 0.95, 0, 0.5, 1.0, 0, 0, 0.02),
            new("USGR", "US Growth ETF", AssetClasses.UsEquity, D, null, E, 110, 1.10, 0, 0.5, -1.0, 0.3, 0, 0.02),
            new("USMC", "US Mid Cap ETF", AssetClasses.UsEquity, D, null, E, 60, 1.05, 0, -0.5, 0, 0, 0, 0.03),
            new("TRSY", "US Treasury Bond ETF", AssetClasses.UsBonds, FI, null, B, 95, -0.02, 0, 0, 0, 0, 1.1, 0.005),
            new("CORP", "Investment Grade Corporate Bond ETF", AssetClasses.UsBonds, FI, null, B, 110, 0.10, 0, 0, 0, 0, 1.0, 0.015),
            new("SHRT", "Short-Term Bond ETF", AssetClasses.UsBonds, FI, null, B, 50, 0.01, 0, 0, 0, 0, 0.3, 0.004),
        };
        string[] sectorSymbols = ["XTEC", "XHLT", "XFIN", "XDIS", "XCOM", "XIND", "XSTA", "XENE", "XUTL", "XREA", "XMAT"];
        for (int s = 0; s < Sectors.All.Count; s++)
        {
            string ac = Sectors.All[s] == Sectors.RealEstate ? AssetClasses.RealEstate : AssetClasses.UsEquity;
            list.Add(new(sectorSymbols[s], $"{Sectors.All[s]} Select Sector ETF", ac, Sectors.All[s], null, E,
                60 + 10 * s, 1.0, 1.0, 0.6, 0, 0, 0, 0.02));
        }
        // More funds per sleeve on other indexes (not substantially identical to the first): a firm's substitute menu
        // needs three to five members per family, or a household that holds them at a loss after a long fall can
        // neither harvest (no replacement may be bought) nor top up the sleeve (every member would block a harvest).
        // USCE, USVB and USGB (third large-cap, value and growth funds) took gfc-2008 from 56 to 39 accounts of 100 left
        // out of band.
        list.AddRange(
        [
            new("USBM", "US Broad Market Index ETF", AssetClasses.UsEquity, D, null, E, 120, 1.00, 0, 0.4, 0, 0, 0, 0.010),
            new("USVA", "US Large Value Index ETF", AssetClasses.UsEquity, D, null, E, 65, 0.95, 0, 0.6, 0.9, 0, 0, 0.02),
            new("USGA", "US Large Growth Index ETF", AssetClasses.UsEquity, D, null, E, 95, 1.10, 0, 0.6, -0.9, 0.3, 0, 0.02),
            new("USSA", "US Small Cap Blend Index ETF", AssetClasses.UsEquity, D, null, E, 55, 1.15, 0, -1.4, 0.2, 0, 0, 0.04),
            new("AGGA", "US Core Bond Index ETF", AssetClasses.UsBonds, FI, null, B, 48, 0.03, 0, 0, 0, 0, 1.0, 0.010),
            new("MUNA", "Intermediate Municipal Bond ETF", AssetClasses.MunicipalBonds, FI, null, B, 52, 0.03, 0, 0, 0, 0, 0.75, 0.012),
            new("REIA", "US REIT Index ETF", AssetClasses.RealEstate, Sectors.RealEstate, null, E, 40, 0.90, 1.0, -0.2, 0.3, 0, 0.3, 0.03),
            new("USCE", "US Core Equity Index ETF", AssetClasses.UsEquity, D, null, E, 75, 1.00, 0, 0.5, 0.05, 0, 0, 0.010),
            new("USVB", "US Value Factor ETF", AssetClasses.UsEquity, D, null, E, 58, 0.95, 0, 0.4, 1.1, 0, 0, 0.025),
            new("USGB", "US Growth Factor ETF", AssetClasses.UsEquity, D, null, E, 84, 1.10, 0, 0.4, -1.1, 0.3, 0, 0.025),
        ]);
        return [.. list];
    }

    /// <summary>Generates <paramref name="stocks"/> stocks followed by <paramref name="funds"/> funds.</summary>
    public static SimulatedUniverse Generate(int stocks, int funds, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stocks);
        ArgumentOutOfRangeException.ThrowIfNegative(funds);
        var rng = new SeededRandom(seed, 0x5EC);
        int n = stocks + funds;
        var securities = new Security[n];
        var prices = new double[n];
        var caps = new double[n];
        var exposures = new FactorExposure[n];

        var cumulative = new double[SectorShare.Length];
        double total = SectorShare.Sum(), run = 0;
        for (int s = 0; s < cumulative.Length; s++) cumulative[s] = run += SectorShare[s] / total;

        var logCap = new double[stocks];
        for (int i = 0; i < stocks; i++) logCap[i] = Math.Log(10_000) + 1.5 * rng.Gaussian();
        double capMean = stocks > 0 ? logCap.Average() : 0;
        double capSd = stocks > 1 ? Math.Sqrt(logCap.Sum(x => (x - capMean) * (x - capMean)) / (stocks - 1)) : 1;

        for (int i = 0; i < stocks; i++)
        {
            // Every sector gets a stock first, then sectors are drawn by their share.
            double u = rng.NextDouble();
            int sector = i < Sectors.All.Count ? i : Array.FindIndex(cumulative, c => c > u);
            if (sector < 0) sector = Sectors.All.Count - 1;
            string sectorName = Sectors.All[sector];
            string symbol = $"STK{i + 1:D4}";
            securities[i] = new Security(symbol, $"{NameStem(sectorName)} {i + 1:D4} Inc.",
                sectorName == Sectors.RealEstate ? AssetClasses.RealEstate : AssetClasses.UsEquity,
                sectorName, null, SecurityKind.Stock);
            prices[i] = Math.Round(Math.Exp(Math.Log(90) + 0.35 * rng.Gaussian()), 2);
            caps[i] = Math.Exp(logCap[i]);
            double beta = Math.Clamp(1.0 + 0.25 * rng.Gaussian(), 0.4, 1.8);
            exposures[i] = new FactorExposure(
                Market: beta,
                Sector: sector,
                SectorLoading: 1.0,
                Size: Math.Clamp((logCap[i] - capMean) / capSd, -3, 3),
                Value: Math.Clamp(rng.Gaussian(), -3, 3),
                Momentum: Math.Clamp(rng.Gaussian(), -3, 3),
                Rates: sectorName is Sectors.Utilities or Sectors.RealEstate ? 0.3 : 0.0,
                IdiosyncraticVolatility: rng.Uniform(0.20, 0.40),
                AnnualDrift: 0.02 + 0.05 * beta);
        }

        for (int f = 0; f < funds; f++)
        {
            int i = stocks + f;
            if (f < Funds.Length)
            {
                var t = Funds[f];
                securities[i] = new Security(t.Symbol, t.Name, t.AssetClass, t.Sector, t.Group, t.Kind);
                prices[i] = t.Price;
                int sector = Sectors.IndexOf(t.Sector);
                double drift = t.Kind switch
                {
                    SecurityKind.Cash => 0,
                    SecurityKind.BondFund => 0.035,
                    _ => 0.02 + 0.05 * t.Beta,
                };
                exposures[i] = new FactorExposure(t.Beta, t.SectorLoading != 0 ? sector : -1, t.SectorLoading,
                    t.Size, t.Value, t.Momentum, t.Rates, t.Idio, drift);
            }
            else
            {
                int number = f + 1;
                securities[i] = new Security($"FND{number:D3}", $"Multi-Factor Equity Fund {number:D3}",
                    AssetClasses.UsEquity, Sectors.Diversified, null, SecurityKind.EquityFund);
                prices[i] = Math.Round(rng.Uniform(20, 400), 2);
                double beta = rng.Uniform(0.85, 1.15);
                exposures[i] = new FactorExposure(beta, -1, 0, 0.5 * rng.Gaussian(), 0.5 * rng.Gaussian(),
                    0.5 * rng.Gaussian(), 0, rng.Uniform(0.02, 0.05), 0.02 + 0.05 * beta);
            }
        }

        return new SimulatedUniverse(securities, prices, caps,
            new FactorMarketModel(exposures, FactorMarketModel.DefaultFactorVolatilities()));
    }

    private static string NameStem(string sector) => sector switch
    {
        Sectors.InformationTechnology => "Quantum Systems",
        Sectors.HealthCare => "Meridian Health",
        Sectors.Financials => "Harbor Financial",
        Sectors.ConsumerDiscretionary => "Summit Brands",
        Sectors.CommunicationServices => "Beacon Media",
        Sectors.Industrials => "Ironworks",
        Sectors.ConsumerStaples => "Prairie Foods",
        Sectors.Energy => "Basin Energy",
        Sectors.Utilities => "Cascade Power",
        Sectors.RealEstate => "Keystone Properties",
        _ => "Granite Materials",
    };
}
