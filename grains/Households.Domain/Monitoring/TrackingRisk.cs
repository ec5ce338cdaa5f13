using System.Collections.Concurrent;
using Households.Contracts;
using Households.Domain.Risk;

namespace Households.Domain.Monitoring;

/// <summary>One security's row of the factor risk model, packed for the monitor: its factor loadings and its specific
/// variance (annualised). Shared by every snapshot that holds or targets the security.</summary>
public sealed record FactorRow(float[] Loadings, float Specific);

/// <summary>The factor risk model the monitor measures a direct index's tracking error with: the same model the optimizer
/// tracks with (<see cref="SecurityRiskModels"/>, whose factor covariance is diagonal), one cached row per security, so a
/// direct-index snapshot holds references to shared rows, not a copy of the model. The rows and factor variances belong
/// to one version of the firm's risk model (<see cref="TrackingGeneration"/>); a newer version starts a new generation,
/// and a snapshot keeps the generation it was built with, so its rows and variances always agree.</summary>
public sealed class TrackingRisk
{
    /// <summary>The monitor's kernel carries at most this many factors per security.</summary>
    public const int MaxFactors = 128;
    private readonly SecurityRiskModels _models;
    private TrackingGeneration _current;

    public TrackingRisk(SecurityRiskModels models)
    {
        _models = models;
        _current = new TrackingGeneration(models);
    }

    /// <summary>The generation for the risk model in force (a new one when its version rose).</summary>
    public TrackingGeneration Current
    {
        get
        {
            var g = Volatile.Read(ref _current);
            if (g.Version == _models.Version) return g;
            var next = new TrackingGeneration(_models);
            Interlocked.CompareExchange(ref _current, next, g);
            return Volatile.Read(ref _current);
        }
    }

    /// <summary>Per factor, its annualised variance (current generation).</summary>
    public double[] FactorVariances => Current.FactorVariances;

    public int FactorCount => FactorVariances.Length;

    public FactorRow RowOf(Security security) => Current.RowOf(security);
}

/// <summary>One risk-model version's factor variances and per-security rows.</summary>
public sealed class TrackingGeneration
{
    private readonly SecurityRiskModels _models;
    private readonly ConcurrentDictionary<string, FactorRow> _rows = new(StringComparer.Ordinal);

    internal TrackingGeneration(SecurityRiskModels models)
    {
        _models = models;
        Version = models.Version;
        // The factor variances do not depend on the securities: read them off a one-security model.
        var probe = models.For([new Security("__probe", "", "Cash", "", null, SecurityKind.Cash)]);
        if (probe.K > TrackingRisk.MaxFactors) throw new ArgumentException($"the monitor's tracking error supports at most {TrackingRisk.MaxFactors} factors");
        FactorVariances = new double[probe.K];
        for (var j = 0; j < probe.K; j++)
        {
            for (var k = 0; k < probe.K; k++)
                if (j != k && probe.F[j, k] != 0) throw new ArgumentException("the monitor's tracking error needs a diagonal factor covariance");
            FactorVariances[j] = probe.F[j, j];
        }
    }

    public int Version { get; }

    /// <summary>Per factor, its annualised variance.</summary>
    public double[] FactorVariances { get; }

    public FactorRow RowOf(Security security) => _rows.GetOrAdd(security.Symbol, _ =>
    {
        var m = _models.For([security]);
        var loadings = new float[FactorVariances.Length];
        // A row computed after a newer model was installed would not match this generation's factors: it is the
        // fallback row of the generation's own shape (the next snapshot takes the new generation anyway).
        if (m.K == loadings.Length)
            for (var j = 0; j < m.K; j++) loadings[j] = (float)m.B[0, j];
        return new FactorRow(loadings, (float)m.D[0]);
    });
}
