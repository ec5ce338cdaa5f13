using Households.Contracts;
using Households.Domain.Market;

namespace Households.Domain.Risk;

/// <summary>Builds the factor risk model the live optimizer uses for a set of securities. Securities of a simulated
/// universe take its factor model (exposures, factor vols — independent factors, so F is diagonal — and
/// idiosyncratic vols); any other security gets a coarse model by asset class (one factor per broad class at a
/// typical vol, and a specific vol by kind), so an imported security never leaves the optimizer without risk.</summary>
public sealed class SecurityRiskModels(SimulatedUniverse? universe = null)
{
    private static readonly string[] FallbackFactors = ["equity", "bonds", "real-estate"];

    /// <summary>The universe whose factor model this uses, if any (also the pool for stock replacements).</summary>
    public SimulatedUniverse? Universe => universe;

    public FactorRiskModel For(IReadOnlyList<Security> securities)
    {
        var model = universe?.Model;
        var k = (model is null ? 0 : FactorMarketModel.FactorCount) + FallbackFactors.Length;
        var names = (model is null ? [] : FactorMarketModel.FactorNames).Concat(FallbackFactors).ToArray();
        var b = new double[securities.Count, k];
        var d = new double[securities.Count];
        var f = new double[k, k];
        var offset = model is null ? 0 : FactorMarketModel.FactorCount;
        if (model is not null)
            for (var j = 0; j < offset; j++) f[j, j] = model.FactorVolatilities[j] * model.FactorVolatilities[j];
        f[offset, offset] = 0.16 * 0.16;
        f[offset + 1, offset + 1] = 0.05 * 0.05;
        f[offset + 2, offset + 2] = 0.20 * 0.20;
        for (var i = 0; i < securities.Count; i++)
        {
            var s = securities[i];
            var u = universe?.IndexOf(s.Symbol) ?? -1;
            if (u >= 0 && model is not null)
            {
                for (var j = 0; j < offset; j++) b[i, j] = model.Loading(u, j);
                d[i] = model.Exposures[u].IdiosyncraticVolatility * model.Exposures[u].IdiosyncraticVolatility;
                continue;
            }
            if (s.Kind == SecurityKind.Cash) continue;
            var factor = s.Kind == SecurityKind.BondFund || s.AssetClass.Contains("Bond", StringComparison.OrdinalIgnoreCase) ? 1
                : s.AssetClass.Contains("Real Estate", StringComparison.OrdinalIgnoreCase) ? 2 : 0;
            b[i, offset + factor] = 1;
            var specific = s.Kind == SecurityKind.Stock ? 0.25 : 0.03;
            d[i] = specific * specific;
        }
        return new FactorRiskModel(securities.Select(s => s.Symbol).ToArray(), names, b, f, d);
    }
}
