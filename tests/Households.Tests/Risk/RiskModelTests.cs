using Households.Simulation.Market;
using Households.Contracts;
using Households.Domain;
using Households.Domain.Harvesting;
using Households.Domain.Risk;
using Households.Tests.Support;
using Xunit;

namespace Households.Tests.Risk;

/// <summary>The firm's risk model from data: estimated from a real return series (checked against a plain-loop
/// Ledoit-Wolf and a Jacobi eigen-decomposition written here), imported from the documented files, and used for
/// replacements and ahead of the simulator's and the class model.</summary>
public class RiskModelTests
{
    [Theory]
    [InlineData("SWX.RET.csv", 2)]
    [InlineData("LPP2005.RET.csv", 3)]
    public void Estimated_model_matches_an_independent_Ledoit_Wolf_and_PCA(string file, int k)
    {
        var series = ReturnSeriesFile.Load(SharedData.Data(file));

        var estimate = RiskModelEstimator.Estimate(series, new RiskEstimation(Factors: k));

        var (sigma, delta) = PlainLedoitWolf(series.Returns);
        var (values, vectors) = Jacobi(sigma);
        int n = series.Count;
        var order = Enumerable.Range(0, n).OrderByDescending(i => values[i]).ToArray();
        double trace = Enumerable.Range(0, n).Sum(i => sigma[i, i]);
        double explained = order.Take(k).Sum(i => values[i]) / trace;
        Assert.Equal(delta, estimate.Shrinkage, 1e-10);
        Assert.Equal(explained, estimate.ExplainedVariance, 1e-10);
        Assert.Equal(explained, RiskModelEstimator.ExplainedVariance(estimate.Model), 1e-10);
        // The model's Σ (per day): V_k Λ_k V_kᵀ off the diagonal, Σ's own variances on it.
        var m = estimate.Model;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double expected = i == j ? sigma[i, i] : order.Take(k).Sum(c => vectors[i, c] * values[c] * vectors[j, c]);
                double modelled = Covariance(m, i, j) / 252;
                Assert.True(Math.Abs(expected - modelled) <= 1e-10 * sigma[i, i], $"{file} Σ[{i},{j}]: {modelled} vs {expected}");
            }
        Assert.Equal(k, m.K);
        Assert.Equal(series.Assets, m.Symbols);
        Assert.Equal("ledoit-wolf+pca", estimate.Method);
    }

    [Fact]
    public void Swx_figures_for_the_record()
    {
        var estimate = RiskModelEstimator.Estimate(ReturnSeriesFile.Load(SharedData.Data("SWX.RET.csv")), new RiskEstimation(Factors: 2));

        // Six Swiss indices, 1,916 days: light shrinkage; two components carry most of the variance (equity and bonds).
        Console.WriteLine($"SWX: shrinkage {estimate.Shrinkage:R}, explained {estimate.ExplainedVariance:R}");
        Assert.InRange(estimate.Shrinkage, 0.0, 0.05);
        Assert.Equal(0.938066, estimate.ExplainedVariance, 6);
    }

    [Fact]
    public void A_wide_universe_estimated_through_the_Gram_matrix_equals_the_direct_estimate()
    {
        // SMALLCAP's first 15 months over its 22 stocks: n > T, so the estimator takes the T × T Gram path.
        var all = ReturnSeriesFile.Load(SharedData.Data("SMALLCAP.RET.csv"));
        var r = new double[15, all.Count];
        for (int t = 0; t < 15; t++)
            for (int j = 0; j < all.Count; j++) r[t, j] = all.Returns[t, j];
        var wide = new ReturnSeries(all.Assets, all.Dates.Take(15).ToArray(), r);

        var gram = RiskModelEstimator.Estimate(wide, new RiskEstimation(Factors: 3, DirectLimit: 0));
        var direct = RiskModelEstimator.Estimate(wide, new RiskEstimation(Factors: 3, DirectLimit: 1000));

        Assert.Equal(direct.Shrinkage, gram.Shrinkage, 1e-12);
        Assert.Equal(direct.ExplainedVariance, gram.ExplainedVariance, 1e-12);
        var (_, delta) = PlainLedoitWolf(r);
        Assert.Equal(delta, gram.Shrinkage, 1e-10);
        for (int i = 0; i < wide.Count; i++)
            for (int j = 0; j < wide.Count; j++)
                Assert.True(Math.Abs(Covariance(direct.Model, i, j) - Covariance(gram.Model, i, j)) <= 1e-10 * Covariance(direct.Model, i, i),
                    $"Σ[{i},{j}]");
    }

    [Fact]
    public void The_explained_variance_target_picks_the_fewest_factors()
    {
        var series = ReturnSeriesFile.Load(SharedData.Data("SWX.RET.csv"));

        var one = RiskModelEstimator.Estimate(series, new RiskEstimation(ExplainedTarget: 0.5));
        var most = RiskModelEstimator.Estimate(series, new RiskEstimation(ExplainedTarget: 0.999));

        Assert.Equal(1, one.Model.K);
        Assert.True(most.Model.K > one.Model.K);
        Assert.True(most.ExplainedVariance >= 0.999);
    }

    // A hand-written licensed model: three stocks, two factors (market, value).
    public const string Exposures = "symbol,market,value\nAAA,1.0,0.5\nBBB,1.2,-0.3\nCCC,0.8,0.0\n";
    public const string FactorCovariance = "factor,market,value\nmarket,0.04,0.01\nvalue,0.01,0.02\n";
    public const string SpecificRisk = "symbol,specific_risk\nAAA,0.2\nBBB,0.3\nCCC,0.1\n";

    [Fact]
    public void An_imported_model_round_trips_to_the_hand_computed_portfolio_variance()
    {
        // Files in any order: each is told by its header.
        var upload = RiskModelFile.Parse([("specific.csv", SpecificRisk), ("exposures.csv", Exposures), ("factors.csv", FactorCovariance)]);
        var m = upload.Model!;

        // w = (0.5, 0.3, 0.2): factor exposure f = Bᵀw = (0.5 + 0.36 + 0.16, 0.25 − 0.09) = (1.02, 0.16);
        // fᵀFf = 0.04·1.0404 + 2·0.01·1.02·0.16 + 0.02·0.0256 = 0.041616 + 0.003264 + 0.000512 = 0.045392;
        // specific Σ w²d = 0.25·0.04 + 0.09·0.09 + 0.04·0.01 = 0.01 + 0.0081 + 0.0004 = 0.0185; total 0.063892.
        Assert.Equal(0.063892, m.Variance([0.5, 0.3, 0.2]), 12);

        // Stored, shipped, installed (F rotated to diagonal): the same variance.
        var data = LiveRiskModel.ToData(m, 1, "imported", "imported factor model", null, DateTimeOffset.UnixEpoch, null);
        var live = LiveRiskModel.From(data);
        Assert.Equal(0.063892, live.Model.Variance([0.5, 0.3, 0.2]), 12);
        Assert.Equal(["market", "value"], data.Factors.AsEnumerable());
        Assert.Equal(3, live.Info.Securities);
        // Explained: tr(BFBᵀ) = 0.055 + 0.0522 + 0.0256 = 0.1328 of 0.1328 + 0.04 + 0.09 + 0.01 = 0.2728.
        Assert.Equal(0.1328 / 0.2728, data.ExplainedVariance, 12);
    }

    [Theory]
    [InlineData("exposures.csv", "symbol,market,value\nAAA,1.0,0.5\nBBB,x,-0.3\nCCC,0.8,0.0\n", "exposures.csv line 3, field market: 'x' is not a decimal number")]
    [InlineData("exposures.csv", "symbol,market,value\nAAA,1.0,0.5\nAAA,1.2,-0.3\nCCC,0.8,0.0\n", "exposures.csv line 3, field symbol: AAA appears twice")]
    [InlineData("exposures.csv", "symbol,market,value\nAAA,1.0,0.5\nBBB,1.2\nCCC,0.8,0.0\n", "exposures.csv line 3: 2 fields where the header has 3")]
    [InlineData("factors.csv", "factor,market,value\nmarket,0.04,0.01\nvalue,0.02,0.02\n", "factors.csv line 3, field market: 0.02 differs from 0.01")]
    [InlineData("factors.csv", "factor,market,value\nmarket,0.04,0.01\nvalu,0.01,0.02\n", "factors.csv line 3, field factor: 'valu' is not a factor")]
    [InlineData("factors.csv", "factor,market,value\nmarket,0.01,0.04\nvalue,0.04,0.01\n", "factors.csv: risk model: the factor covariance is not positive semidefinite")]
    [InlineData("specific.csv", "symbol,specific_risk\nAAA,0.2\nBBB,-0.3\nCCC,0.1\n", "specific.csv line 3, field specific_risk: -0.3 is not an annual volatility")]
    [InlineData("specific.csv", "symbol,specific_risk\nAAA,0.2\nCCC,0.1\n", "specific.csv: no specific risk for BBB (line 3 of exposures.csv)")]
    [InlineData("specific.csv", "symbol,specific_risk\nAAA,0.2\nBBB,0.3\nCCC,0.1\nDDD,0.1\n", "specific.csv line 5, field symbol: DDD has no exposures in exposures.csv")]
    public void A_bad_file_is_refused_naming_the_line(string replaced, string content, string message)
    {
        var files = new List<(string, string)> { ("exposures.csv", Exposures), ("factors.csv", FactorCovariance), ("specific.csv", SpecificRisk) };
        files[files.FindIndex(f => f.Item1 == replaced)] = (replaced, content);

        var ex = Assert.Throws<BadInputException>(() => RiskModelFile.Parse(files));

        Assert.StartsWith(message, ex.Message);
    }

    [Fact]
    public void A_missing_file_or_an_unknown_one_is_refused()
    {
        Assert.Contains("specific risk file", Assert.Throws<BadInputException>(() =>
            RiskModelFile.Parse([("exposures.csv", Exposures), ("factors.csv", FactorCovariance)])).Message);
        Assert.StartsWith("x.csv line 1, field ticker: the first column must be", Assert.Throws<BadInputException>(() =>
            RiskModelFile.Parse([("x.csv", "ticker,a\nAAA,1\n")])).Message);
        Assert.StartsWith("r.csv line 3, field date: 2024-01-02 is not after", Assert.Throws<BadInputException>(() =>
            RiskModelFile.Parse([("r.csv", "date,A,B\n2024-01-02,0.01,0.02\n2024-01-02,0.01,0.0\n2024-01-03,0,0\n")])).Message);
    }

    [Fact]
    public void A_return_history_uploads_alone()
    {
        var upload = RiskModelFile.Parse([("r.csv", "date,A,B\n2024-01-02,0.01,0.02\n2024-01-03,-0.01,0.0\n2024-01-04,0.02,0.01\n2024-01-05,0.0,-0.01\n")]);

        Assert.Null(upload.Model);
        Assert.Equal(["A", "B"], upload.Returns!.Assets);
        Assert.Equal(4, upload.Returns.Periods);
    }

    [Fact]
    public void The_replacement_selector_takes_the_same_sector_stock_with_the_closest_imported_exposures()
    {
        // Exposures (market, value): from AAA (1.0, 0.5) BBB is √(0.04 + 0.64) = 0.825 away, CCC √(0.04 + 0.25) = 0.539,
        // DDD (energy, 1.0, 0.5) 0 but another sector; EEE has no exposures in the model.
        var upload = RiskModelFile.Parse([
            ("exposures.csv", Exposures + "DDD,1.0,0.5\n"), ("factors.csv", FactorCovariance), ("specific.csv", SpecificRisk + "DDD,0.2\n")]);
        Security Stock(string s, string sector) => new(s, s, "US Equity", sector, null, SecurityKind.Stock);
        var securities = new[] { Stock("AAA", "Tech"), Stock("BBB", "Tech"), Stock("CCC", "Tech"), Stock("DDD", "Energy"), Stock("EEE", "Tech") };

        var selector = ReplacementSelector.FromModel(LiveRiskModel.From(
            LiveRiskModel.ToData(upload.Model!, 1, "imported", "imported", null, DateTimeOffset.UnixEpoch, null)).Model, securities);

        Assert.Equal(["CCC", "BBB"], selector.Ranked("AAA"));
        var choice = selector.Choose("AAA");
        Assert.Equal("CCC", choice.Symbol);
        Assert.Equal(Math.Sqrt(0.29), choice.Distance, 12);
        Assert.Equal("BBB", selector.Choose("AAA", isBlocked: s => s == "CCC").Symbol);
        Assert.False(selector.Knows("EEE"));
        Assert.Empty(selector.Ranked("DDD"));
    }

    [Fact]
    public void The_installed_model_takes_precedence_and_an_uncovered_security_falls_back_to_its_class()
    {
        var risk = new SecurityRiskModels();
        var upload = RiskModelFile.Parse([("e.csv", Exposures), ("f.csv", FactorCovariance), ("s.csv", SpecificRisk)]);
        Assert.True(risk.Install(LiveRiskModel.From(LiveRiskModel.ToData(upload.Model!, 2, "imported", "imported", null, DateTimeOffset.UnixEpoch, null))));
        Assert.False(risk.Install(LiveRiskModel.From(LiveRiskModel.ToData(upload.Model!, 1, "imported", "imported", null, DateTimeOffset.UnixEpoch, null))));
        var a = new Security("AAA", "A", "US Equity", "Tech", null, SecurityKind.Stock);
        var z = new Security("ZZZ", "Z", "US Equity", "Tech", null, SecurityKind.Stock);

        var m = risk.For([a, z]);

        // AAA alone at 0.5: 0.25·((1, 0.5)F(1, 0.5)ᵀ + 0.2²) = 0.25·(0.04 + 0.01 + 0.005 + 0.04) = 0.02375.
        Assert.Equal(0.02375, m.Variance([0.5, 0]), 12);
        // ZZZ: the class model's equity factor (16 %) and a stock's 25 % specific vol.
        Assert.Equal(0.16 * 0.16 + 0.25 * 0.25, m.Variance([0, 1]), 12);
        Assert.Equal(2, risk.Version);
    }

    private static double Covariance(FactorRiskModel m, int i, int j)
    {
        double v = i == j ? m.D[i] : 0;
        for (int p = 0; p < m.K; p++)
            for (int q = 0; q < m.K; q++) v += m.B[i, p] * m.F[p, q] * m.B[j, q];
        return v;
    }

    /// <summary>Ledoit-Wolf (2004) in plain loops: S = XᵀX/T of the demeaned returns, μ = tr S/n,
    /// d² = ‖S − μI‖²/n, β̄² = Σ_t ‖x_t x_tᵀ − S‖²/(n T²), δ = min(β̄², d²)/d², Σ = δμI + (1 − δ)S.</summary>
    private static (double[,] Sigma, double Delta) PlainLedoitWolf(double[,] r)
    {
        int t = r.GetLength(0), n = r.GetLength(1);
        var x = new double[t, n];
        for (int j = 0; j < n; j++)
        {
            double mean = 0;
            for (int s = 0; s < t; s++) mean += r[s, j];
            mean /= t;
            for (int s = 0; s < t; s++) x[s, j] = r[s, j] - mean;
        }
        var cov = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double acc = 0;
                for (int s = 0; s < t; s++) acc += x[s, i] * x[s, j];
                cov[i, j] = acc / t;
            }
        double mu = 0;
        for (int i = 0; i < n; i++) mu += cov[i, i];
        mu /= n;
        double d2 = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) { var e = cov[i, j] - (i == j ? mu : 0); d2 += e * e; }
        d2 /= n;
        double b2 = 0;
        for (int s = 0; s < t; s++)
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++) { var e = x[s, i] * x[s, j] - cov[i, j]; b2 += e * e; }
        b2 /= n * (double)t * t;
        double delta = Math.Min(b2, d2) / d2;
        var sigma = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) sigma[i, j] = (1 - delta) * cov[i, j] + (i == j ? delta * mu : 0);
        return (sigma, delta);
    }

    /// <summary>Cyclic Jacobi rotations until the off-diagonal vanishes: eigenvalues and eigenvectors (columns).</summary>
    private static (double[] Values, double[,] Vectors) Jacobi(double[,] s)
    {
        int n = s.GetLength(0);
        var a = (double[,])s.Clone();
        var v = new double[n, n];
        for (int i = 0; i < n; i++) v[i, i] = 1;
        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0;
            for (int p = 0; p < n; p++)
                for (int q = p + 1; q < n; q++) off += a[p, q] * a[p, q];
            if (off < 1e-40) break;
            for (int p = 0; p < n; p++)
                for (int q = p + 1; q < n; q++)
                {
                    if (a[p, q] == 0) continue;
                    double theta = (a[q, q] - a[p, p]) / (2 * a[p, q]);
                    double tan = Math.Sign(theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    if (theta == 0) tan = 1;
                    double c = 1 / Math.Sqrt(tan * tan + 1), sn = tan * c;
                    for (int k = 0; k < n; k++)
                    {
                        double akp = a[k, p], akq = a[k, q];
                        a[k, p] = c * akp - sn * akq;
                        a[k, q] = sn * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double apk = a[p, k], aqk = a[q, k];
                        a[p, k] = c * apk - sn * aqk;
                        a[q, k] = sn * apk + c * aqk;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double vkp = v[k, p], vkq = v[k, q];
                        v[k, p] = c * vkp - sn * vkq;
                        v[k, q] = sn * vkp + c * vkq;
                    }
                }
        }
        return (Enumerable.Range(0, n).Select(i => a[i, i]).ToArray(), v);
    }
}
