using Households.Contracts;
using Households.Domain.Market;

namespace Households.Domain.Risk;

/// <summary>Builds the factor risk model the live optimizer uses for a set of securities. In order of precedence a
/// security takes: the firm's estimated or imported model (<see cref="Current"/>, installed by the silo's risk-model
/// service when the firm's version rises); the simulated universe's factor model (the demo profile and the tests that
/// ask for it: exposures, independent factor vols, idiosyncratic vols); or a coarse model by asset class (one factor
/// per broad class at a typical vol, and a specific vol by kind), so a security no model covers never leaves the
/// optimizer without risk. The three blocks' factors are taken as independent, so F stays diagonal.</summary>
public sealed class SecurityRiskModels(SimulatedUniverse? universe = null)
{
    private static readonly string[] FallbackFactors = ["equity", "bonds", "real-estate"];
    private LiveRiskModel? _current;

    /// <summary>The universe whose factor model this uses, if any (also the pool for stock replacements).</summary>
    public SimulatedUniverse? Universe => universe;

    /// <summary>The firm's estimated or imported model in force on this silo, if any.</summary>
    public LiveRiskModel? Current => Volatile.Read(ref _current);

    /// <summary>The version of <see cref="Current"/> (0 without one).</summary>
    public int Version => Current?.Version ?? 0;

    /// <summary>Swaps in a newer model atomically; an older or equal version is ignored. True when installed.</summary>
    public bool Install(LiveRiskModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        while (true)
        {
            var seen = Volatile.Read(ref _current);
            if (seen is not null && seen.Version >= model.Version) return false;
            if (Interlocked.CompareExchange(ref _current, model, seen) == seen) return true;
        }
    }

    public FactorRiskModel For(IReadOnlyList<Security> securities)
    {
        var live = Current?.Model;
        var model = universe?.Model;
        var liveK = live?.K ?? 0;
        var simK = model is null ? 0 : FactorMarketModel.FactorCount;
        var offset = liveK + simK;
        var k = offset + FallbackFactors.Length;
        var names = (live?.Factors ?? []).Concat(model is null ? [] : FactorMarketModel.FactorNames).Concat(FallbackFactors).ToArray();
        var b = new double[securities.Count, k];
        var d = new double[securities.Count];
        var f = new double[k, k];
        for (var j = 0; j < liveK; j++) f[j, j] = live!.F[j, j];
        if (model is not null)
            for (var j = 0; j < simK; j++) f[liveK + j, liveK + j] = model.FactorVolatilities[j] * model.FactorVolatilities[j];
        f[offset, offset] = 0.16 * 0.16;
        f[offset + 1, offset + 1] = 0.05 * 0.05;
        f[offset + 2, offset + 2] = 0.20 * 0.20;
        for (var i = 0; i < securities.Count; i++)
        {
            var s = securities[i];
            if (live is not null && live.Contains(s.Symbol))
            {
                var r = live.IndexOf(s.Symbol);
                for (var j = 0; j < liveK; j++) b[i, j] = live.B[r, j];
                d[i] = live.D[r];
                continue;
            }
            var u = universe?.IndexOf(s.Symbol) ?? -1;
            if (u >= 0 && model is not null)
            {
                for (var j = 0; j < simK; j++) b[i, liveK + j] = model.Loading(u, j);
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
