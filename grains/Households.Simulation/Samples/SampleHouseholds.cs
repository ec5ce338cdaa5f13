using Households.Domain.Optimization;
using Households.Contracts;
using Households.Domain.Risk;

namespace Households.Simulation.Samples;

/// <summary>A portfolio, the policy to rebalance it with, and the risk model and target the policy uses.</summary>
public sealed record RebalanceCase(HouseholdPortfolio Portfolio, Policy Policy, FactorRiskModel Risk, double[] Target);

/// <summary>Seeded, realistic rebalancing cases for benchmarks and tests: a model-portfolio account on a risk model
/// estimated from real returns, and a four-account household around a 500-stock direct-indexing sleeve.</summary>
public static class SampleHouseholds
{
    private static readonly DateOnly AsOf = new(2026, 11, 24);

    /// <summary>One taxable account on a 20-fund equal-weight model, whole shares, one to three lots per holding.
    /// Risk: Ledoit-Wolf covariance of 20 real monthly return series (SMALLCAP.RET), four principal components.</summary>
    public static RebalanceCase ModelAccount(ReturnSeries monthly, int seed = 7)
    {
        var names = monthly.Assets.Where(a => a is not ("MARKET" or "T90")).Take(20).ToArray();
        var series = monthly.Select(names);
        var (lw, _) = Covariance.LedoitWolf(series.Returns);
        var risk = FactorModels.Pca(names, lw * 12, 4);
        var rng = new Random(seed);
        var secs = names.Select(s => new Security(s, s + " fund", "equity", "Fund", null, SecurityKind.EquityFund)).ToArray();
        var prices = names.ToDictionary(s => s, _ => Math.Round((decimal)(20 + 180 * rng.NextDouble()), 2));
        var target = Enumerable.Repeat(1.0 / names.Length, names.Length).ToArray();
        var lots = new List<TaxLot>();
        foreach (var s in names.Take(18))   // two model funds not yet held (a model change)
        {
            decimal value = 250_000m / 20 * (decimal)Math.Exp(0.3 * Normal(rng));
            int count = 1 + rng.Next(3);
            for (int l = 0; l < count; l++)
            {
                decimal q = Math.Max(1, Math.Floor(value / count / prices[s]));
                decimal basis = Math.Round(q * prices[s] * (decimal)(0.7 + 0.6 * rng.NextDouble()), 2);
                var bought = AsOf.AddDays(-30 - rng.Next(900));
                lots.Add(new TaxLot($"{s}-{l}", s, q, basis, bought, bought));
            }
        }
        var account = new AccountHoldings("model-1", AccountType.Taxable, 3_000m, lots, [], names, FractionalShares: false);
        var policy = new Policy(
            [new TrackingError(risk, target), new TaxCost(0.37, 0.20, 0.01), new TransactionCost(0.0005)],
            [new LongOnly(), new CashTarget("model-1", 0m, 2_500m), new MinTradeSize(50m), new WashSaleConsistency()]);
        return new RebalanceCase(new HouseholdPortfolio(secs, prices, [account], AsOf), policy, risk, target);
    }

    /// <summary>A household of four accounts: a taxable 500-stock direct-indexing account (the di_N500 universe,
    /// factor model and drifted weights, with one to three lots per name), a traditional IRA and a Roth IRA on a fund
    /// model, and a 529 on its own model. Household-level target, asset location, lot-level tax cost, a tax budget,
    /// wash-sale consistency, exclusions and a no-buy list.</summary>
    public static RebalanceCase FourAccountHousehold(DiRebalanceProblem di, int seed = 11)
    {
        var rng = new Random(seed);
        string[] funds = ["USEQ", "INTL", "BOND", "SHRT"];
        int n = di.N, k = di.K, kk = k + 2;        // + rates and international factors
        var symbols = di.Tickers.Concat(funds).ToArray();
        var b = new double[n + 4, kk];
        var f = new double[kk, kk];
        var d = new double[n + 4];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < k; j++) b[i, j] = di.Risk.B[i, j];
            d[i] = di.Risk.D[i];
        }
        for (int j = 0; j < k; j++)
        {
            for (int i = 0; i < n; i++) b[n, j] += di.Risk.B[i, j] * di.Benchmark[i];   // USEQ holds the index
            for (int l = 0; l < k; l++) f[j, l] = di.Risk.F[j, l];
        }
        d[n] = 0.0004;
        b[n + 1, 0] = 0.8; b[n + 1, k + 1] = 1.0; d[n + 1] = 0.002;       // INTL
        b[n + 2, 0] = 0.05; b[n + 2, k] = 1.0; d[n + 2] = 0.0003;         // BOND
        b[n + 3, k] = 0.25; d[n + 3] = 0.0001;                            // SHRT
        f[k, k] = 0.06 * 0.06; f[k + 1, k + 1] = 0.10 * 0.10;
        var risk = new FactorRiskModel(symbols, [.. di.Risk.Factors, "rates", "international"], b, f, d);

        var secs = di.Tickers.Select((t, i) => new Security(t, t, "US equity", di.SectorNames[di.Sector[i]], null, SecurityKind.Stock))
            .Concat([
                new Security("USEQ", "US total market fund", "US equity", "Fund", null, SecurityKind.EquityFund),
                new Security("INTL", "International equity fund", "International equity", "Fund", null, SecurityKind.EquityFund),
                new Security("BOND", "Aggregate bond fund", "Bonds", "Fund", null, SecurityKind.BondFund),
                new Security("SHRT", "Short-term bond fund", "Bonds", "Fund", null, SecurityKind.BondFund),
            ]).ToArray();
        var prices = symbols.ToDictionary(s => s, _ => Math.Round((decimal)(15 + 285 * rng.NextDouble()), 2));

        // Values: taxable 1,000,000; IRA 400,000; Roth 200,000; 529 100,000.
        var target = new double[n + 4];
        double stockShare = 0.55;
        for (int i = 0; i < n; i++) target[i] = di.Benchmark[i] * stockShare;
        target[n] = 0.05; target[n + 1] = 0.15; target[n + 2] = 0.20; target[n + 3] = 0.05;

        var taxableLots = new List<TaxLot>();
        for (int i = 0; i < n; i++)
        {
            decimal value = 980_000m * (decimal)di.W0[i];
            if (value < 1) continue;
            string s = di.Tickers[i];
            int count = 1 + rng.Next(3);
            for (int l = 0; l < count; l++)
            {
                decimal q = Math.Round(value / count / prices[s], 4);
                if (q <= 0) continue;
                decimal basis = Math.Round(q * prices[s] * (decimal)(0.6 + 0.8 * rng.NextDouble()), 2);
                var bought = AsOf.AddDays(-10 - rng.Next(1500));
                taxableLots.Add(new TaxLot($"T-{s}-{l}", s, q, basis, bought, bought));
            }
        }
        TaxLot FundLot(string acct, string s, decimal value, double basisRatio, int daysAgo)
        {
            var bought = AsOf.AddDays(-daysAgo);
            decimal q = Math.Floor(value / prices[s]);
            return new TaxLot($"{acct}-{s}-{daysAgo}", s, q, Math.Round(q * prices[s] * (decimal)basisRatio, 2), bought, bought);
        }
        // The IRA holds equity and the Roth bonds: asset location should move bonds toward the IRA.
        var ira = new List<TaxLot> { FundLot("I", "USEQ", 200_000m, 0.8, 800), FundLot("I", "INTL", 120_000m, 0.9, 700), FundLot("I", "BOND", 70_000m, 1.0, 400) };
        var roth = new List<TaxLot> { FundLot("R", "BOND", 120_000m, 1.0, 900), FundLot("R", "SHRT", 70_000m, 1.0, 300) };
        var college = new List<TaxLot> { FundLot("E", "USEQ", 60_000m, 0.9, 600), FundLot("E", "BOND", 30_000m, 1.0, 600) };
        var universe = symbols;   // the taxable account may also hold funds
        var excluded = di.Excluded.Select(e => new Restriction(RestrictionKind.Exclude, di.Tickers[e], null, "ESG")).ToArray();
        var accounts = new[]
        {
            new AccountHoldings("taxable", AccountType.Taxable, 20_000m, taxableLots, excluded, universe),
            Fill("ira", AccountType.Ira, ira, 400_000m, funds),
            Fill("roth", AccountType.Roth, roth, 200_000m, funds),
            Fill("529", AccountType.Education529, college, 100_000m, ["USEQ", "INTL", "BOND"]),
        };
        AccountHoldings Fill(string id, AccountType type, List<TaxLot> lots, decimal value, string[] univ) =>
            new(id, type, value - lots.Sum(l => l.Quantity * prices[l.Symbol]), lots, [], univ, FractionalShares: false);

        var collegeTarget = new double[n + 4];
        collegeTarget[n] = 0.6; collegeTarget[n + 1] = 0.1; collegeTarget[n + 2] = 0.3;
        var benchmark = symbols.Select((s, i) => (s, w: target[i])).ToDictionary(p => p.s, p => p.w);
        var noBuy = new Dictionary<string, DateOnly> { [di.Tickers[0]] = AsOf.AddDays(10), [di.Tickers[1]] = AsOf.AddDays(3) };
        var policy = new Policy(
            [
                new TrackingError(risk, target),
                new TrackingError(risk, collegeTarget, "529", 0.5),
                new TaxCost(0.37, 0.20, 0.05),
                new TransactionCost(0.0005),
                AssetLocation.Default(weight: 0.05),
            ],
            [
                new LongOnly(), new MaxWeight(0.05, appliesTo: s => s.Kind == SecurityKind.Stock), new SectorBand(0.02, benchmark),
                new CashTarget("taxable", 0m, 10_000m), new CashTarget("ira", 0m, 4_000m), new CashTarget("roth", 0m, 2_000m), new CashTarget("529", 0m, 1_000m),
                new TaxBudget(25_000m), new NoBuyList(noBuy), new MinTradeSize(100m), new WashSaleConsistency(),
            ]);
        return new RebalanceCase(new HouseholdPortfolio(secs, prices, accounts, AsOf), policy, risk, target);
    }

    private static double Normal(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());
}
