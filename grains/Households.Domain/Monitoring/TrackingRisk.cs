using System.Collections.Concurrent;
using Households.Contracts;
using Households.Domain.Risk;

namespace Households.Domain.Monitoring;

/// <summary>One security's row of the factor risk model, packed for the monitor: its factor loadings and its specific
/// variance (annualised). Shared by every snapshot that holds or targets the security.</summary>
public sealed record FactorRow(float[] Loadings, float Specific);

/// <summary>The factor risk model the monitor measures a direct index's tracking error with: the same model the optimizer
/// tracks with (<see cref="SecurityRiskModels"/>, whose factor covariance is diagonal), one cached row per security, so a
/// direct-index snapshot holds references to shared rows, not a copy of the model.</summary>
public sealed class TrackingRisk
{
    private readonly SecurityRiskModels _models;
    private readonly ConcurrentDictionary<string, FactorRow> _rows = new(StringComparer.Ordinal);

    public TrackingRisk(SecurityRiskModels models)
    {
        _models = models;
        // The factor variances do not depend on the securities: read them off a one-security model.
        var probe = models.For([new Security("__probe", "", "Cash", "", null, SecurityKind.Cash)]);
        if (probe.K > 64) throw new ArgumentException("the monitor's tracking error supports at most 64 factors");
        FactorVariances = new double[probe.K];
        for (var j = 0; j < probe.K; j++)
        {
            for (var k = 0; k < probe.K; k++)
                if (j != k && probe.F[j, k] != 0) throw new ArgumentException("the monitor's tracking error needs a diagonal factor covariance");
            FactorVariances[j] = probe.F[j, j];
        }
    }

    /// <summary>Per factor, its annualised variance.</summary>
    public double[] FactorVariances { get; }

    public int FactorCount => FactorVariances.Length;

    public FactorRow RowOf(Security security) => _rows.GetOrAdd(security.Symbol, _ =>
    {
        var m = _models.For([security]);
        var loadings = new float[m.K];
        for (var j = 0; j < m.K; j++) loadings[j] = (float)m.B[0, j];
        return new FactorRow(loadings, (float)m.D[0]);
    });
}
