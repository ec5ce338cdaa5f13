using Households.Domain.Market;
using Households.Domain;
using Households.Domain.Risk;
using Households.Contracts;

namespace Households.Simulation.Market;

/// <summary>Replays a real return history over a generated universe: each step applies one row of the series.
/// A security's log return is βᵢ·r(column) + k·σₑᵢ·√(1/252)·εᵢ, where the column is its sector's (see
/// <see cref="SpiSectorColumns"/>) or the broad index's, βᵢ its market beta, σₑᵢ its idiosyncratic vol and k the
/// noise scale (default 0.25, so the real path dominates). Cash does not move. Bond funds carry only their small
/// equity beta to the broad column when the series has no bond index. After the last row it starts over.</summary>
public sealed class ReplayMarket : IMarketFeed
{
    /// <summary>Broad index column of SPISECTOR.RET.csv, used for sectors without a column and for funds.</summary>
    public const string SpiBroadColumn = "SPI";

    /// <summary>Universe sector → SPISECTOR column. The Swiss Performance Index sectors follow ICB:
    /// BASI Basic Materials, INDU Industrials, CONG Consumer Goods (food, household and personal goods,
    /// autos; Nestlé-dominated, so Consumer Staples), CONS Consumer Services (retail, media, travel: Consumer
    /// Discretionary), HLTH Health Care, TELE Telecommunications, UTIL Utilities, FINA Financials (ICB puts real
    /// estate inside financials), TECH Technology. There is no oil-and-gas index, so Energy uses SPI.</summary>
    public static IReadOnlyDictionary<string, string> SpiSectorColumns { get; } = new Dictionary<string, string>
    {
        [Sectors.InformationTechnology] = "TECH",
        [Sectors.HealthCare] = "HLTH",
        [Sectors.Financials] = "FINA",
        [Sectors.ConsumerDiscretionary] = "CONS",
        [Sectors.CommunicationServices] = "TELE",
        [Sectors.Industrials] = "INDU",
        [Sectors.ConsumerStaples] = "CONG",
        [Sectors.Energy] = SpiBroadColumn,
        [Sectors.Utilities] = "UTIL",
        [Sectors.RealEstate] = "FINA",
        [Sectors.Materials] = "BASI",
    };

    private readonly ReturnSeries _series;
    private readonly SeededRandom _rng;
    private readonly int[] _column;
    private readonly double[] _beta, _noise, _prices, _returns;

    public ReplayMarket(SimulatedUniverse universe, ReturnSeries series, int seed, double noiseScale = 0.25,
        IReadOnlyDictionary<string, string>? sectorColumns = null, string broadColumn = SpiBroadColumn)
    {
        ArgumentNullException.ThrowIfNull(universe);
        ArgumentNullException.ThrowIfNull(series);
        if (series.Periods == 0) throw new BadInputException("The return series has no rows.");
        sectorColumns ??= SpiSectorColumns;
        int broad = series.ColumnIndex(broadColumn);
        if (broad < 0) throw new BadInputException($"The return series has no broad column '{broadColumn}'.");
        Universe = universe;
        _series = series;
        _rng = new SeededRandom(seed, 0x4E91);
        int n = universe.Count;
        _column = new int[n]; _beta = new double[n]; _noise = new double[n]; _returns = new double[n];
        _prices = universe.InitialPrices.ToArray();
        var exposures = universe.Model.Exposures;
        for (int i = 0; i < n; i++)
        {
            var security = universe[i];
            int column = sectorColumns.TryGetValue(security.Sector, out var name) ? series.ColumnIndex(name) : -1;
            _column[i] = column >= 0 ? column : broad;
            bool cash = security.Kind == SecurityKind.Cash;
            _beta[i] = cash ? 0 : exposures[i].Market;
            _noise[i] = cash ? 0 : noiseScale * exposures[i].IdiosyncraticVolatility / Math.Sqrt(FactorMarketModel.TradingDaysPerYear);
        }
    }

    public SimulatedUniverse Universe { get; }
    public long StepCount { get; private set; }
    public ReadOnlySpan<double> Prices => _prices;
    public ReadOnlySpan<double> LastReturns => _returns;
    /// <summary>The series column each security follows, by universe index.</summary>
    public string ColumnOf(int security) => _series.Assets[_column[security]];
    /// <summary>Date of the row applied by the last step (the first date before any step).</summary>
    public DateOnly Date => _series.DateAt(StepCount == 0 ? 0 : (int)((StepCount - 1) % _series.Periods));

    public void Step()
    {
        int row = (int)(StepCount % _series.Periods);
        for (int i = 0; i < _prices.Length; i++)
        {
            double r = _beta[i] * _series[row, _column[i]] + (_noise[i] == 0 ? 0 : _noise[i] * _rng.Gaussian());
            _returns[i] = r;
            _prices[i] *= Math.Exp(r);
        }
        StepCount++;
    }

    public double[,] SimulateReturns(int steps)
    {
        var result = new double[steps, _prices.Length];
        for (int t = 0; t < steps; t++)
        {
            Step();
            for (int i = 0; i < _returns.Length; i++) result[t, i] = _returns[i];
        }
        return result;
    }

    public PriceQuote[] Quotes() => MarketQuotes.From(Universe, _prices);
}
