namespace Households.Domain.Market;

/// <summary>One security's exposures in the <see cref="FactorMarketModel"/>: beta to the market, a loading on
/// at most one sector factor (<see cref="Sector"/> = −1 for none), style z-scores, a loading on the rates
/// factor (bond funds), the annual idiosyncratic volatility and the annual expected (drift) return.</summary>
public readonly record struct FactorExposure(
    double Market,
    int Sector,
    double SectorLoading,
    double Size,
    double Value,
    double Momentum,
    double Rates,
    double IdiosyncraticVolatility,
    double AnnualDrift);

/// <summary>A factor model of returns, r = B f + e, with independent factors (F diagonal) and independent
/// idiosyncratic terms (D diagonal), so Σ = B F Bᵀ + D. Factors, in order: 0 market, 1–11 the sectors of
/// <see cref="Sectors.All"/>, 12 size, 13 value, 14 momentum, 15 rates. Volatilities are annual; a trading
/// year has <see cref="TradingDaysPerYear"/> days.</summary>
public sealed class FactorMarketModel
{
    public const double TradingDaysPerYear = 252.0;
    public const int MarketFactor = 0;
    public const int FirstSectorFactor = 1;
    public const int SizeFactor = 12;
    public const int ValueFactor = 13;
    public const int MomentumFactor = 14;
    public const int RatesFactor = 15;
    public const int FactorCount = 16;

    /// <summary>Default annual factor volatilities: market 16%, sectors 6–12%, size 3.5%, value 4%,
    /// momentum 5%, rates 4.5%.</summary>
    public static double[] DefaultFactorVolatilities()
    {
        var v = new double[FactorCount];
        v[MarketFactor] = 0.16;
        for (int s = 0; s < Sectors.All.Count; s++) v[FirstSectorFactor + s] = Sectors.AnnualVolatility[s];
        v[SizeFactor] = 0.035;
        v[ValueFactor] = 0.04;
        v[MomentumFactor] = 0.05;
        v[RatesFactor] = 0.045;
        return v;
    }

    public static IReadOnlyList<string> FactorNames { get; } =
        ["Market", .. Sectors.All, "Size", "Value", "Momentum", "Rates"];

    private readonly FactorExposure[] _exposures;
    private readonly double[] _factorVols;

    public FactorMarketModel(FactorExposure[] exposures, double[] annualFactorVolatilities)
    {
        ArgumentNullException.ThrowIfNull(exposures);
        ArgumentNullException.ThrowIfNull(annualFactorVolatilities);
        if (annualFactorVolatilities.Length != FactorCount)
            throw new ArgumentException($"Expected {FactorCount} factor volatilities.", nameof(annualFactorVolatilities));
        foreach (var e in exposures)
            if (e.Sector < -1 || e.Sector >= Sectors.All.Count)
                throw new ArgumentException($"Sector index {e.Sector} out of range.", nameof(exposures));
        _exposures = (FactorExposure[])exposures.Clone();
        _factorVols = (double[])annualFactorVolatilities.Clone();
    }

    public int SecurityCount => _exposures.Length;
    public ReadOnlySpan<FactorExposure> Exposures => _exposures;
    public ReadOnlySpan<double> FactorVolatilities => _factorVols;

    /// <summary>B[i, k]: security <paramref name="security"/>'s loading on factor <paramref name="factor"/>.</summary>
    public double Loading(int security, int factor)
    {
        ref readonly var e = ref _exposures[security];
        return factor switch
        {
            MarketFactor => e.Market,
            SizeFactor => e.Size,
            ValueFactor => e.Value,
            MomentumFactor => e.Momentum,
            RatesFactor => e.Rates,
            _ when factor - FirstSectorFactor == e.Sector => e.SectorLoading,
            _ => 0.0,
        };
    }

    /// <summary>The dense N × K loading matrix B (for a risk model or optimizer).</summary>
    public double[,] LoadingMatrix()
    {
        var b = new double[SecurityCount, FactorCount];
        for (int i = 0; i < SecurityCount; i++)
            for (int k = 0; k < FactorCount; k++)
                b[i, k] = Loading(i, k);
        return b;
    }

    /// <summary>Annual covariance of securities i and j implied by the model: Σₖ BᵢₖBⱼₖσₖ² (+ σₑ² when i = j).</summary>
    public double Covariance(int i, int j)
    {
        double c = 0;
        for (int k = 0; k < FactorCount; k++)
            c += Loading(i, k) * Loading(j, k) * _factorVols[k] * _factorVols[k];
        if (i == j) c += _exposures[i].IdiosyncraticVolatility * _exposures[i].IdiosyncraticVolatility;
        return c;
    }

    public double Volatility(int i) => Math.Sqrt(Covariance(i, i));

    public double Correlation(int i, int j)
    {
        double vi = Covariance(i, i), vj = Covariance(j, j);
        return vi == 0 || vj == 0 ? 0 : Covariance(i, j) / Math.Sqrt(vi * vj);
    }
}
