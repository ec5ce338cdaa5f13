using Households.Domain.Market;
using Households.Contracts;

namespace Households.Simulation.Market;

/// <summary>A source of prices the host can drive: one <see cref="Step"/> per interval, then read
/// <see cref="Prices"/> (universe order) or <see cref="Quotes"/>.</summary>
public interface IMarketFeed
{
    SimulatedUniverse Universe { get; }
    long StepCount { get; }
    ReadOnlySpan<double> Prices { get; }
    /// <summary>Log returns of the last step, in universe order.</summary>
    ReadOnlySpan<double> LastReturns { get; }
    void Step();
    PriceQuote[] Quotes();
}

/// <summary>Options of <see cref="MarketSimulator"/>. <see cref="StepDays"/> is the length of one step in
/// trading days (0.1 = a tenth of a day). With <see cref="FatTails"/> every factor and idiosyncratic
/// innovation is Student-t with <see cref="TailDegreesOfFreedom"/> scaled to unit variance (vols are unchanged;
/// the excess kurtosis of one step is 6/(ν−4) for a single t, less for sums). With <see cref="Regimes"/> a
/// two-state Markov chain switches factor vols between ×1 (calm) and ×<see cref="StressedVolatilityMultiplier"/>
/// (stressed); the per-day switch probabilities give a mean stress spell of 1/<see cref="StressedToCalmPerDay"/>
/// days.</summary>
public sealed record MarketSimulatorOptions
{
    public double StepDays { get; init; } = 1.0;
    public bool FatTails { get; init; }
    public int TailDegreesOfFreedom { get; init; } = 5;
    public bool Regimes { get; init; }
    public double StressedVolatilityMultiplier { get; init; } = 2.5;
    public double CalmToStressedPerDay { get; init; } = 0.02;
    public double StressedToCalmPerDay { get; init; } = 0.10;
    /// <summary>Apply each security's <see cref="FactorExposure.AnnualDrift"/>; off gives driftless log prices
    /// apart from the −½σ² convexity term.</summary>
    public bool Drift { get; init; } = true;

    public static MarketSimulatorOptions Default { get; } = new();
}

/// <summary>Seeded, reproducible simulation of the universe's <see cref="FactorMarketModel"/>. Each step draws
/// factor returns fₖ = σₖ·s·√(Δt)·εₖ (s the regime scale) and idiosyncratic eᵢ = σₑᵢ·√(Δt)·εᵢ, and moves
/// Pᵢ ← Pᵢ·exp((μᵢ − ½σᵢ²)Δt + Σₖ Bᵢₖfₖ + eᵢ), Δt in years, σᵢ² the security's total variance in the current
/// regime. Cash has no exposure and stays at its price. A step allocates nothing; exposures are held as dense
/// per-field arrays.</summary>
public sealed class MarketSimulator : IMarketFeed
{
    private readonly SeededRandom _rng;
    private readonly double[] _prices;
    private readonly double[] _returns;
    private readonly double[] _factorReturns = new double[FactorMarketModel.FactorCount];
    private readonly double[] _factorStepVol = new double[FactorMarketModel.FactorCount];
    private readonly double[] _beta, _sectorLoading, _size, _value, _momentum, _rates, _idioStepVol;
    private readonly int[] _sectorFactor;
    private readonly double[] _meanCalm, _meanStressed;
    private readonly double _pEnterStress, _pLeaveStress;

    public MarketSimulator(SimulatedUniverse universe, int seed, MarketSimulatorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(universe);
        Options = options ?? MarketSimulatorOptions.Default;
        if (!(Options.StepDays > 0)) throw new ArgumentOutOfRangeException(nameof(options), "StepDays must be positive.");
        if (Options.FatTails && Options.TailDegreesOfFreedom <= 2)
            throw new ArgumentOutOfRangeException(nameof(options), "TailDegreesOfFreedom must exceed 2.");
        Universe = universe;
        _rng = new SeededRandom(seed, 0x5173);
        int n = universe.Count;
        _prices = universe.InitialPrices.ToArray();
        _returns = new double[n];
        _beta = new double[n]; _sectorLoading = new double[n]; _size = new double[n]; _value = new double[n];
        _momentum = new double[n]; _rates = new double[n]; _idioStepVol = new double[n]; _sectorFactor = new int[n];
        _meanCalm = new double[n]; _meanStressed = new double[n];

        double dt = Options.StepDays / FactorMarketModel.TradingDaysPerYear;
        var model = universe.Model;
        var vols = model.FactorVolatilities;
        for (int k = 0; k < vols.Length; k++) _factorStepVol[k] = vols[k] * Math.Sqrt(dt);
        double m2 = Options.StressedVolatilityMultiplier * Options.StressedVolatilityMultiplier;
        var exposures = model.Exposures;
        for (int i = 0; i < n; i++)
        {
            var e = exposures[i];
            _beta[i] = e.Market;
            _sectorFactor[i] = e.Sector >= 0 ? FactorMarketModel.FirstSectorFactor + e.Sector : FactorMarketModel.MarketFactor;
            _sectorLoading[i] = e.Sector >= 0 ? e.SectorLoading : 0;
            _size[i] = e.Size; _value[i] = e.Value; _momentum[i] = e.Momentum; _rates[i] = e.Rates;
            _idioStepVol[i] = e.IdiosyncraticVolatility * Math.Sqrt(dt);
            double idioVar = e.IdiosyncraticVolatility * e.IdiosyncraticVolatility;
            double factorVar = model.Covariance(i, i) - idioVar;
            double drift = Options.Drift ? e.AnnualDrift : 0;
            _meanCalm[i] = (drift - 0.5 * (factorVar + idioVar)) * dt;
            _meanStressed[i] = (drift - 0.5 * (factorVar * m2 + idioVar)) * dt;
        }
        _pEnterStress = 1 - Math.Pow(1 - Options.CalmToStressedPerDay, Options.StepDays);
        _pLeaveStress = 1 - Math.Pow(1 - Options.StressedToCalmPerDay, Options.StepDays);
    }

    public SimulatedUniverse Universe { get; }
    public MarketSimulatorOptions Options { get; }
    public long StepCount { get; private set; }
    /// <summary>True while the volatility regime is stressed (only with <see cref="MarketSimulatorOptions.Regimes"/>).</summary>
    public bool Stressed { get; private set; }
    public ReadOnlySpan<double> Prices => _prices;
    public ReadOnlySpan<double> LastReturns => _returns;
    /// <summary>The factor returns of the last step, in <see cref="FactorMarketModel.FactorNames"/> order.</summary>
    public ReadOnlySpan<double> LastFactorReturns => _factorReturns;

    public void Step()
    {
        if (Options.Regimes)
        {
            double u = _rng.NextDouble();
            Stressed = Stressed ? u >= _pLeaveStress : u < _pEnterStress;
        }
        double scale = Stressed ? Options.StressedVolatilityMultiplier : 1.0;
        bool fat = Options.FatTails;
        int nu = Options.TailDegreesOfFreedom;
        var f = _factorReturns;
        for (int k = 0; k < f.Length; k++)
            f[k] = _factorStepVol[k] * scale * (fat ? _rng.StudentT(nu) : _rng.Gaussian());

        double fMarket = f[FactorMarketModel.MarketFactor], fSize = f[FactorMarketModel.SizeFactor],
            fValue = f[FactorMarketModel.ValueFactor], fMomentum = f[FactorMarketModel.MomentumFactor],
            fRates = f[FactorMarketModel.RatesFactor];
        var mean = Stressed ? _meanStressed : _meanCalm;
        var prices = _prices;
        var returns = _returns;
        for (int i = 0; i < prices.Length; i++)
        {
            double idio = _idioStepVol[i];
            double eps = idio == 0 ? 0 : idio * (fat ? _rng.StudentT(nu) : _rng.Gaussian());
            double r = mean[i] + _beta[i] * fMarket + _sectorLoading[i] * f[_sectorFactor[i]] + _size[i] * fSize
                + _value[i] * fValue + _momentum[i] * fMomentum + _rates[i] * fRates + eps;
            returns[i] = r;
            prices[i] *= Math.Exp(r);
        }
        StepCount++;
    }

    /// <summary>Steps <paramref name="steps"/> times and returns the log returns (steps × securities); when
    /// <paramref name="factorReturns"/> is given (steps × <see cref="FactorMarketModel.FactorCount"/>) it is
    /// filled with the factor returns.</summary>
    public double[,] SimulateReturns(int steps, double[,]? factorReturns = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        if (factorReturns is not null && (factorReturns.GetLength(0) < steps || factorReturns.GetLength(1) != FactorMarketModel.FactorCount))
            throw new ArgumentException("factorReturns must be steps × FactorCount.", nameof(factorReturns));
        var result = new double[steps, _prices.Length];
        for (int t = 0; t < steps; t++)
        {
            Step();
            for (int i = 0; i < _returns.Length; i++) result[t, i] = _returns[i];
            if (factorReturns is not null)
                for (int k = 0; k < _factorReturns.Length; k++) factorReturns[t, k] = _factorReturns[k];
        }
        return result;
    }

    public PriceQuote[] Quotes() => MarketQuotes.From(Universe, _prices);
}

internal static class MarketQuotes
{
    /// <summary>Quotes rounded to 4 dp (half away from zero), never below 0.0001.</summary>
    public static PriceQuote[] From(SimulatedUniverse universe, ReadOnlySpan<double> prices)
    {
        var quotes = new PriceQuote[prices.Length];
        for (int i = 0; i < quotes.Length; i++) quotes[i] = new PriceQuote(universe[i].Symbol, ToQuote(prices[i]));
        return quotes;
    }

    public static decimal ToQuote(double price) =>
        Math.Max(0.0001m, Math.Round((decimal)Math.Min(price, 1e15), 4, MidpointRounding.AwayFromZero));
}
