using MathNet.Numerics.LinearAlgebra;

namespace Households.Domain.Risk;

/// <summary>Covariance estimators on a return series (MathNet.Numerics). Results are per period; multiply by
/// periods per year to annualise.</summary>
public static class Covariance
{
    /// <summary>The unbiased sample covariance (divides by T − 1).</summary>
    public static Matrix<double> Sample(double[,] returns)
    {
        var x = Demeaned(returns);
        return x.TransposeThisAndMultiply(x) / (x.RowCount - 1);
    }

    /// <summary>Ledoit and Wolf (2004), "A well-conditioned estimator for large-dimensional covariance matrices":
    /// shrinks the (maximum-likelihood, 1/T) sample covariance S toward μI with μ = tr(S)/p, by the intensity
    /// δ = min(β̄², d²)/d² in [0, 1], where d² = ‖S − μI‖² and β̄² = (1/T²) Σ_t ‖x_t x_tᵀ − S‖², with the
    /// Frobenius norm divided by p. The result is positive definite whenever δ &gt; 0 (μ &gt; 0).</summary>
    public static (Matrix<double> Covariance, double Shrinkage) LedoitWolf(double[,] returns)
    {
        var x = Demeaned(returns);
        int t = x.RowCount, p = x.ColumnCount;
        if (t < 2) throw new BadInputException("Ledoit-Wolf needs at least two periods");
        var s = x.TransposeThisAndMultiply(x) / t;
        double mu = s.Trace() / p;
        var target = Matrix<double>.Build.DenseIdentity(p) * mu;
        double d2 = FrobeniusSquared(s - target) / p;
        double b2 = 0;
        var row = Vector<double>.Build.Dense(p);
        for (int k = 0; k < t; k++)
        {
            x.Row(k, row);
            var outer = row.OuterProduct(row);
            b2 += FrobeniusSquared(outer - s) / p;
        }
        b2 /= (double)t * t;
        double shrinkage = d2 <= 0 ? 1.0 : Math.Min(b2, d2) / d2;
        return (target * shrinkage + s * (1 - shrinkage), shrinkage);
    }

    /// <summary>Lower-triangular L with L Lᵀ = Σ; throws when Σ is not positive definite.</summary>
    public static Matrix<double> Cholesky(Matrix<double> sigma)
    {
        try { return sigma.Cholesky().Factor; }
        catch (ArgumentException) { throw new BadInputException("covariance is not positive definite"); }
    }

    public static double[,] Annualise(Matrix<double> perPeriod, double periodsPerYear) => (perPeriod * periodsPerYear).ToArray();

    private static Matrix<double> Demeaned(double[,] returns)
    {
        var x = Matrix<double>.Build.DenseOfArray(returns);
        if (x.RowCount < 2 || x.ColumnCount < 1) throw new BadInputException("need at least two periods and one asset");
        for (int j = 0; j < x.ColumnCount; j++)
        {
            double m = x.Column(j).Average();
            for (int i = 0; i < x.RowCount; i++) x[i, j] -= m;
        }
        return x;
    }

    private static double FrobeniusSquared(Matrix<double> a)
    {
        double f = a.FrobeniusNorm();
        return f * f;
    }
}

/// <summary>Factor models from returns: statistical (principal components) or given factors (regression).</summary>
public static class FactorModels
{
    /// <summary>Σ ≈ V_k Λ_k V_kᵀ + D from the top <paramref name="k"/> principal components of
    /// <paramref name="covariance"/>; D is the diagonal residual, so the model's variances equal Σ's exactly.</summary>
    public static FactorRiskModel Pca(IReadOnlyList<string> symbols, Matrix<double> covariance, int k)
    {
        int n = covariance.RowCount;
        if (k < 1 || k > n) throw new BadInputException($"PCA: need 1 ≤ k ≤ {n}");
        var evd = covariance.Evd(Symmetricity.Symmetric);
        var order = Enumerable.Range(0, n).OrderByDescending(i => evd.EigenValues[i].Real).Take(k).ToArray();
        var b = new double[n, k];
        var f = new double[k, k];
        for (int j = 0; j < k; j++)
        {
            f[j, j] = Math.Max(0, evd.EigenValues[order[j]].Real);
            for (int i = 0; i < n; i++) b[i, j] = evd.EigenVectors[i, order[j]];
        }
        var d = new double[n];
        for (int i = 0; i < n; i++)
        {
            double explained = 0;
            for (int j = 0; j < k; j++) explained += b[i, j] * b[i, j] * f[j, j];
            d[i] = Math.Max(0, covariance[i, i] - explained);
        }
        return new FactorRiskModel(symbols, Enumerable.Range(1, k).Select(j => $"pc{j}").ToArray(), b, f, d);
    }

    /// <summary>Given factors: regress each asset's returns on the factor returns (with intercept);
    /// B = slopes, F = factor covariance, D = residual variances. Annualised by <paramref name="periodsPerYear"/>.</summary>
    public static FactorRiskModel Regression(ReturnSeries assets, ReturnSeries factors, double periodsPerYear)
    {
        if (assets.Periods != factors.Periods) throw new BadInputException("asset and factor series differ in length");
        int t = assets.Periods, n = assets.Count, k = factors.Count;
        var xf = Matrix<double>.Build.Dense(t, k + 1, (i, j) => j == 0 ? 1.0 : factors.Returns[i, j - 1]);
        var y = Matrix<double>.Build.DenseOfArray(assets.Returns);
        var coef = xf.QR().Solve(y);                       // (k+1) × n
        var resid = y - xf * coef;
        var b = new double[n, k];
        var d = new double[n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < k; j++) b[i, j] = coef[j + 1, i];
            d[i] = resid.Column(i).DotProduct(resid.Column(i)) / (t - k - 1) * periodsPerYear;
        }
        var f = Covariance.Annualise(Covariance.Sample(factors.Returns), periodsPerYear);
        for (int i = 0; i < k; i++)
            for (int j = 0; j < i; j++) f[i, j] = f[j, i];  // exact symmetry
        return new FactorRiskModel(assets.Assets, factors.Assets, b, f, d);
    }
}
