using System.Runtime.InteropServices;
using Households.Contracts;
using MathNet.Numerics.LinearAlgebra;

namespace Households.Domain.Risk;

/// <summary>The firm's estimated or imported risk model as a silo uses it: immutable, with its version and what
/// GET /api/risk-model shows. <see cref="Model"/> is the stored model rotated so its factor covariance is diagonal
/// (F = QΛQᵀ, B → BQ): the same Σ, and the same distances between exposure vectors, but the form the monitor's
/// tracking error and <see cref="SecurityRiskModels"/> need.</summary>
public sealed class LiveRiskModel
{
    public const int MaxFactors = 100;

    private LiveRiskModel(RiskModelInfo info, FactorRiskModel model)
    {
        Info = info;
        Model = model;
    }

    public RiskModelInfo Info { get; }
    public int Version => Info.Version;
    public FactorRiskModel Model { get; }

    public static LiveRiskModel From(RiskModelData data)
    {
        var model = ToModel(data);
        return new LiveRiskModel(InfoOf(data), Diagonalised(model));
    }

    public static RiskModelInfo InfoOf(RiskModelData data) => new(data.Version, data.Source, data.Method, data.Window, data.Factors,
        data.ExplainedVariance, data.Symbols.Length, data.EstimatedAt, data.Shrinkage);

    /// <summary>The stored form's model, validated (shapes, finiteness, symmetry, D ≥ 0, F positive semidefinite).</summary>
    public static FactorRiskModel ToModel(RiskModelData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        int n = data.Symbols.Length, k = data.Factors.Length;
        if (n == 0) throw new BadInputException("risk model: no securities");
        if (k == 0 || k > MaxFactors) throw new BadInputException($"risk model: needs 1 to {MaxFactors} factors, has {k}");
        if (data.Exposures.Length != n * k) throw new BadInputException($"risk model: exposures must hold {n}x{k} values");
        if (data.FactorCovariance.Length != k * k) throw new BadInputException($"risk model: factor covariance must hold {k}x{k} values");
        var b = new double[n, k];
        var f = new double[k, k];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < k; j++) b[i, j] = data.Exposures[i * k + j];
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++) f[i, j] = data.FactorCovariance[i * k + j];
        var model = new FactorRiskModel([.. data.Symbols], [.. data.Factors], b, f, [.. data.SpecificVariance]);
        CheckSemidefinite(model);
        return model;
    }

    public static RiskModelData ToData(FactorRiskModel m, int version, string source, string method, RiskModelWindow? window,
        DateTimeOffset estimatedAt, double? shrinkage)
    {
        var b = new double[m.N * m.K];
        for (int i = 0; i < m.N; i++)
            for (int j = 0; j < m.K; j++) b[i * m.K + j] = m.B[i, j];
        var f = new double[m.K * m.K];
        for (int i = 0; i < m.K; i++)
            for (int j = 0; j < m.K; j++) f[i * m.K + j] = m.F[i, j];
        return new RiskModelData(version, source, method, [.. m.Symbols], [.. m.Factors], ImmutableCollectionsMarshal.AsImmutableArray(b), ImmutableCollectionsMarshal.AsImmutableArray(f), [.. m.D], window,
            RiskModelEstimator.ExplainedVariance(m), estimatedAt, shrinkage);
    }

    /// <summary>A factor covariance with a negative eigenvalue would give some portfolio a negative variance.</summary>
    internal static void CheckSemidefinite(FactorRiskModel m)
    {
        var f = Matrix<double>.Build.DenseOfArray(m.F);
        var eigen = f.Evd(Symmetricity.Symmetric).EigenValues.Select(e => e.Real).ToArray();
        var scale = Math.Max(1e-300, eigen.Max(Math.Abs));
        if (eigen.Min() < -1e-10 * scale)
            throw new BadInputException($"risk model: the factor covariance is not positive semidefinite (eigenvalue {eigen.Min():G6})");
    }

    /// <summary>F = QΛQᵀ → (BQ, Λ). A diagonal F is kept as it is, names and all.</summary>
    public static FactorRiskModel Diagonalised(FactorRiskModel m)
    {
        var diagonal = true;
        for (int i = 0; i < m.K && diagonal; i++)
            for (int j = 0; j < m.K; j++)
                if (i != j && m.F[i, j] != 0) { diagonal = false; break; }
        if (diagonal) return m;
        var evd = Matrix<double>.Build.DenseOfArray(m.F).Evd(Symmetricity.Symmetric);
        var q = evd.EigenVectors;
        var bq = (Matrix<double>.Build.DenseOfArray(m.B) * q).ToArray();
        var lambda = new double[m.K, m.K];
        for (int j = 0; j < m.K; j++) lambda[j, j] = Math.Max(0, evd.EigenValues[j].Real);
        return new FactorRiskModel(m.Symbols, Enumerable.Range(1, m.K).Select(j => $"eig{j}").ToArray(), bq, lambda, m.D);
    }
}
