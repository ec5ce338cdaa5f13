using Households.Simulation.Market;
using Households.Tests.Support;
using Households.Domain;
using Households.Domain.Risk;
using Households.Tests.Optimization;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace Households.Tests.Risk;

public class CovarianceTests
{
    // Two assets, six periods: means 7/2 and 11/3.
    private static readonly double[,] Small = { { 1, 1 }, { 2, 3 }, { 3, 3 }, { 4, 5 }, { 5, 4 }, { 6, 6 } };

    [Fact]
    public void Sample_covariance_matches_the_hand_computation()
    {
        // Deviations: x = (−5/2, −3/2, −1/2, 1/2, 3/2, 5/2), y = (−8/3, −2/3, −2/3, 4/3, 1/3, 7/3).
        // Σx² = 35/2, Σxy = 15, Σy² = 46/3; divided by T − 1 = 5.
        var s = Covariance.Sample(Small);

        Assert.Equal(3.5, s[0, 0], 14);
        Assert.Equal(3.0, s[0, 1], 14);
        Assert.Equal(46.0 / 15, s[1, 1], 14);
    }

    [Fact]
    public void Ledoit_Wolf_matches_the_hand_computation()
    {
        // S (1/T) = [35/12 5/2; 5/2 23/9]; μ = tr(S)/2 = 197/72.
        // d² = ‖S − μI‖²/2 = ((35/12 − 197/72)² + (23/9 − 197/72)² + 2·(5/2)²)/2 = 32569/5184.
        // β̄² = (1/T²) Σ_t ‖x_t x_tᵀ − S‖²/2 = 2261/972; intensity = β̄²/d² = 36176/97707.
        var (sigma, shrinkage) = Covariance.LedoitWolf(Small);

        Assert.Equal(36176.0 / 97707, shrinkage, 14);
        Assert.Equal(10024091.0 / 3517452, sigma[0, 0], 13);
        Assert.Equal(307655.0 / 195414, sigma[0, 1], 13);
        Assert.Equal(307655.0 / 195414, sigma[1, 0], 13);
        Assert.Equal(2306047.0 / 879363, sigma[1, 1], 13);
    }

    [Theory]
    [InlineData("SWX.RET.csv")]
    [InlineData("LPP2005.RET.csv")]
    [InlineData("SMALLCAP.RET.csv")]
    [InlineData("SPISECTOR.RET.csv")]
    public void Ledoit_Wolf_on_real_returns_is_a_positive_definite_shrinkage(string file)
    {
        var r = ReturnSeriesFile.Load(SharedData.Data(file));

        var (sigma, shrinkage) = Covariance.LedoitWolf(r.Returns);

        Assert.InRange(shrinkage, 0.0, 1.0);
        var eig = sigma.Evd(Symmetricity.Symmetric).EigenValues.Select(e => e.Real).ToArray();
        Assert.True(eig.Min() > 0, $"smallest eigenvalue {eig.Min()}");
        var l = Covariance.Cholesky(sigma);
        Assert.True((l * l.Transpose() - sigma).InfinityNorm() <= 1e-15 * Math.Max(1, sigma.InfinityNorm()) * 100);
        // Shrinkage toward μI keeps the trace.
        var sample = Covariance.Sample(r.Returns) * ((r.Periods - 1.0) / r.Periods);
        Assert.Equal(sample.Trace(), sigma.Trace(), 12);
    }

    [Fact]
    public void The_real_series_load_with_their_shapes()
    {
        var swx = ReturnSeriesFile.Load(SharedData.Data("SWX.RET.csv"));

        Assert.Equal(1916, swx.Periods);
        Assert.Equal(["SBI", "SPI", "SII", "LP25", "LP40", "LP60"], swx.Assets);
        Assert.Equal("2000-01-04", swx.Dates[0]);
    }

    [Fact]
    public void Cholesky_rejects_a_matrix_that_is_not_positive_definite()
    {
        var m = Matrix<double>.Build.DenseOfArray(new double[,] { { 1, 2 }, { 2, 1 } });

        Assert.Throws<BadInputException>(() => Covariance.Cholesky(m));
    }

    [Fact]
    public void A_pca_factor_model_keeps_the_variances_and_with_all_factors_the_covariance()
    {
        var r = ReturnSeriesFile.Load(SharedData.Data("LPP2005.RET.csv"));
        var sigma = Covariance.Sample(r.Returns) * 252;
        sigma = (sigma + sigma.Transpose()) / 2;

        var three = FactorModels.Pca(r.Assets, sigma, 3);
        var all = FactorModels.Pca(r.Assets, sigma, r.Count);

        for (int i = 0; i < r.Count; i++)
        {
            var e = new double[r.Count];
            e[i] = 1;
            Assert.Equal(sigma[i, i], three.Variance(e), 12);
            for (int j = 0; j < r.Count; j++)
            {
                var a = new double[r.Count];
                a[i] += 1; a[j] += 1;
                Assert.Equal(sigma[i, i] + sigma[j, j] + (i == j ? 2 * sigma[i, i] : 2 * sigma[i, j]), all.Variance(a), 11);
            }
        }
        Assert.All(three.D, d => Assert.True(d >= 0));
    }

    [Fact]
    public void A_regression_factor_model_explains_the_pension_indices_by_bonds_and_equities()
    {
        // The Pictet LPP indices are bond/equity mixes: regressed on SBI (bonds) and SPI (equities) most variance is explained.
        var swx = ReturnSeriesFile.Load(SharedData.Data("SWX.RET.csv"));

        var model = FactorModels.Regression(swx.Select(["LP25", "LP40", "LP60"]), swx.Select(["SBI", "SPI"]), 252);

        // Equity beta rises from LP25 to LP60, and the two factors explain most of each index's variance
        // (the rest is foreign bonds and equities, which SBI and SPI do not span).
        Assert.True(model.B[0, 1] < model.B[1, 1] && model.B[1, 1] < model.B[2, 1], "equity beta rises with the equity share");
        Assert.True(model.B[0, 0] > model.B[2, 0], "LP25 leans on bonds more than LP60");
        for (int i = 0; i < 3; i++)
        {
            var e = new double[3];
            e[i] = 1;
            Assert.True(model.D[i] < 0.4 * model.Variance(e), $"{i}: specific {model.D[i]} of {model.Variance(e)}");
        }
    }
}
