using MathNet.Numerics.LinearAlgebra;

namespace Households.Domain.Risk;

/// <summary>How a statistical risk model is estimated from returns.</summary>
/// <param name="Factors">principal components kept; 0 chooses the fewest that explain <paramref name="ExplainedTarget"/>.</param>
/// <param name="ExplainedTarget">share of total variance the chosen factors must explain (when <paramref name="Factors"/> is 0).</param>
/// <param name="MaxFactors">cap on the factors kept (the monitor's tracking error carries every factor per security).</param>
/// <param name="PeriodsPerYear">annualisation (252 for daily returns).</param>
/// <param name="DirectLimit">up to this many securities (or periods, if more) the n × n Ledoit-Wolf covariance is formed
/// and decomposed; beyond it the same estimate is computed from the T × T Gram matrix.</param>
public sealed record RiskEstimation(int Factors = 0, double ExplainedTarget = 0.8, int MaxFactors = 20, double PeriodsPerYear = 252,
    int DirectLimit = 500);

/// <summary>An estimated model with what GET /api/risk-model shows about it.</summary>
public sealed record EstimatedRiskModel(FactorRiskModel Model, double Shrinkage, double ExplainedVariance, string Method);

/// <summary>A statistical risk model from a return series: Ledoit-Wolf shrinkage (<see cref="Covariance.LedoitWolf"/>),
/// then the top principal components of the shrunk covariance (<see cref="FactorModels.Pca"/>), annualised. The
/// eigenvectors of δμI + (1 − δ)S are those of S, so for a wide universe (n ≫ T) they come from the T × T Gram
/// matrix X Xᵀ (O(T²n)) instead of an n × n decomposition (O(n³)); both give the same model.</summary>
public static class RiskModelEstimator
{
    public static EstimatedRiskModel Estimate(ReturnSeries series, RiskEstimation? options = null)
    {
        options ??= new RiskEstimation();
        if (series.Count < 2) throw new BadInputException("risk model: need at least two securities with returns");
        if (series.Periods < 3) throw new BadInputException("risk model: need at least three periods of returns");
        if (options.PeriodsPerYear <= 0) throw new BadInputException("risk model: periods per year must be positive");
        return series.Count <= Math.Max(options.DirectLimit, series.Periods) ? Direct(series, options) : Gram(series, options);
    }

    /// <summary>The project's estimators as they are: Ledoit-Wolf, then PCA on the n × n covariance.</summary>
    private static EstimatedRiskModel Direct(ReturnSeries series, RiskEstimation options)
    {
        var (sigma, shrinkage) = Covariance.LedoitWolf(series.Returns);
        var eigen = sigma.Evd(Symmetricity.Symmetric).EigenValues.Select(e => Math.Max(0, e.Real)).OrderDescending().ToArray();
        var k = ChooseK(eigen, sigma.Trace(), options, series.Count);
        var model = Annualise(FactorModels.Pca(series.Assets, sigma, k), options.PeriodsPerYear);
        return new EstimatedRiskModel(model, shrinkage, eigen.Take(k).Sum() / sigma.Trace(), "ledoit-wolf+pca");
    }

    /// <summary>Ledoit-Wolf and PCA through G = X Xᵀ (X the demeaned T × n returns), with S = XᵀX/T:
    /// tr S = tr G / T, ‖S‖² = ‖G‖²/T², ‖x_t x_tᵀ − S‖² = G_tt² − 2/T Σ_s G_ts² + ‖S‖²; an eigenpair (λ, u) of G gives
    /// S's eigenpair (λ/T, Xᵀu/√λ), and the shrunk covariance's eigenvalue δμ + (1 − δ)λ/T.</summary>
    private static EstimatedRiskModel Gram(ReturnSeries series, RiskEstimation options)
    {
        int t = series.Periods, n = series.Count;
        var x = Matrix<double>.Build.DenseOfArray(series.Returns);
        var diagS = new double[n];
        for (int j = 0; j < n; j++)
        {
            double m = 0;
            for (int i = 0; i < t; i++) m += x[i, j];
            m /= t;
            double ss = 0;
            for (int i = 0; i < t; i++) { x[i, j] -= m; ss += x[i, j] * x[i, j]; }
            diagS[j] = ss / t;
        }
        var g = x.TransposeAndMultiply(x);                  // T × T
        double trS = g.Trace() / t, mu = trS / n;
        double g2 = 0;
        var rowSq = new double[t];
        for (int a = 0; a < t; a++)
            for (int c = 0; c < t; c++) { var v = g[a, c] * g[a, c]; g2 += v; rowSq[a] += v; }
        double s2 = g2 / ((double)t * t);
        double d2 = (s2 - n * mu * mu) / n;
        double b2 = 0;
        for (int a = 0; a < t; a++) b2 += (g[a, a] * g[a, a] - 2.0 / t * rowSq[a] + s2) / n;
        b2 /= (double)t * t;
        double delta = d2 <= 0 ? 1.0 : Math.Min(b2, d2) / d2;

        var evd = g.Evd(Symmetricity.Symmetric);
        var order = Enumerable.Range(0, t).OrderByDescending(i => evd.EigenValues[i].Real).ToArray();
        // Shrunk eigenvalues: the Gram directions, then n − T directions (or more) at δμ alone.
        var shrunk = order.Select(i => delta * mu + (1 - delta) * Math.Max(0, evd.EigenValues[i].Real) / t)
            .Concat(Enumerable.Repeat(delta * mu, Math.Max(0, n - t))).ToArray();
        var k = Math.Min(ChooseK(shrunk, trS, options, n), t - 1);
        var b = new double[n, k];
        var f = new double[k, k];
        for (int c = 0; c < k; c++)
        {
            var i = order[c];
            double lambda = Math.Max(0, evd.EigenValues[i].Real);
            f[c, c] = (delta * mu + (1 - delta) * lambda / t) * options.PeriodsPerYear;
            var u = evd.EigenVectors.Column(i);
            var v = x.TransposeThisAndMultiply(u);          // Xᵀu, norm √λ
            var norm = v.L2Norm();
            for (int j = 0; j < n; j++) b[j, c] = norm > 0 ? v[j] / norm : 0;
        }
        var d = new double[n];
        for (int j = 0; j < n; j++)
        {
            double explained = 0;
            for (int c = 0; c < k; c++) explained += b[j, c] * b[j, c] * f[c, c];
            d[j] = Math.Max(0, (delta * mu + (1 - delta) * diagS[j]) * options.PeriodsPerYear - explained);
        }
        var model = new FactorRiskModel(series.Assets, Enumerable.Range(1, k).Select(c => $"pc{c}").ToArray(), b, f, d);
        return new EstimatedRiskModel(model, delta, shrunk.Take(k).Sum() / trS, "ledoit-wolf+pca");
    }

    /// <summary>The configured number of factors, or the fewest whose eigenvalues reach the explained-variance target.</summary>
    internal static int ChooseK(IReadOnlyList<double> descending, double trace, RiskEstimation options, int n)
    {
        var cap = Math.Max(1, Math.Min(Math.Min(options.MaxFactors, n), descending.Count));
        if (options.Factors > 0) return Math.Min(options.Factors, cap);
        double sum = 0;
        for (int k = 1; k <= cap; k++)
        {
            sum += descending[k - 1];
            if (sum >= options.ExplainedTarget * trace) return k;
        }
        return cap;
    }

    private static FactorRiskModel Annualise(FactorRiskModel m, double periodsPerYear)
    {
        var f = new double[m.K, m.K];
        for (int i = 0; i < m.K; i++)
            for (int j = 0; j < m.K; j++) f[i, j] = m.F[i, j] * periodsPerYear;
        return new FactorRiskModel(m.Symbols, m.Factors, m.B, f, m.D.Select(v => v * periodsPerYear).ToArray());
    }

    /// <summary>tr(B F Bᵀ) / tr(B F Bᵀ + D): the share of the securities' total variance the factors explain.</summary>
    public static double ExplainedVariance(FactorRiskModel m)
    {
        double factor = 0, total = 0;
        for (int i = 0; i < m.N; i++)
        {
            double v = 0;
            for (int p = 0; p < m.K; p++)
                for (int q = 0; q < m.K; q++) v += m.B[i, p] * m.F[p, q] * m.B[i, q];
            factor += v;
            total += v + m.D[i];
        }
        return total > 0 ? factor / total : 0;
    }
}
