using Households.Simulation.Market;
using Households.Domain.Risk;
using Households.Domain.Market;

namespace Households.Simulation.Backtesting;

/// <summary>The one price path every account and every strategy of a backtest sees: prices of the tracked securities
/// (those held or eligible as replacements) for days 0…<see cref="Days"/>, in one flat array (row t = day t), and the
/// calendar date of each trading day (day t is <c>Start + round(t·365.25/252)</c> calendar days, so a year of 252
/// trading days is a calendar year and the 30-day wash-sale window is counted in calendar days).</summary>
public sealed class PricePath
{
    private readonly double[] _prices;
    private readonly Dictionary<string, int> _bySymbol = new(StringComparer.Ordinal);

    private PricePath(SimulatedUniverse universe, int[] tracked, int days, double[] prices, DateOnly start, string source)
    {
        Universe = universe;
        Tracked = tracked;
        Days = days;
        _prices = prices;
        Source = source;
        Dates = new DateOnly[days + 1];
        for (int t = 0; t <= days; t++) Dates[t] = start.AddDays((int)Math.Round(t * 365.25 / BacktestOptions.TradingDaysPerYear));
        for (int j = 0; j < tracked.Length; j++) _bySymbol[universe[tracked[j]].Symbol] = j;
    }

    public SimulatedUniverse Universe { get; }
    /// <summary>Universe index of each tracked security (tracked position j ↔ universe index Tracked[j]).</summary>
    public int[] Tracked { get; }
    public int Count => Tracked.Length;
    public int Days { get; }
    public DateOnly[] Dates { get; }
    public string Source { get; }

    public ReadOnlySpan<double> Row(int day) => _prices.AsSpan(day * Tracked.Length, Tracked.Length);

    public double Price(int day, int j) => _prices[day * Tracked.Length + j];

    /// <summary>The trade price: 4 decimal places, at least 0.0001.</summary>
    public decimal Quote(int day, int j) => MarketQuotes.ToQuote(Price(day, j));

    public int IndexOf(string symbol) => _bySymbol.TryGetValue(symbol, out var j) ? j : -1;

    /// <summary>Simulates (or replays <paramref name="replay"/>) <paramref name="days"/> trading days of the universe
    /// and keeps the tracked securities' prices; row 0 holds the universe's initial prices.</summary>
    public static PricePath Generate(SimulatedUniverse universe, IReadOnlyCollection<int> tracked, int days, int seed, DateOnly start,
        bool fatTails, bool regimes, ReturnSeries? replay = null, string? replayName = null)
    {
        var ids = tracked.Distinct().Order().ToArray();
        var prices = new double[(days + 1) * ids.Length];
        IMarketFeed feed = replay is null
            ? new MarketSimulator(universe, seed, new MarketSimulatorOptions { FatTails = fatTails, Regimes = regimes })
            : new ReplayMarket(universe, replay, seed);
        var initial = universe.InitialPrices;
        for (int j = 0; j < ids.Length; j++) prices[j] = initial[ids[j]];
        for (int t = 1; t <= days; t++)
        {
            feed.Step();
            var p = feed.Prices;
            int row = t * ids.Length;
            for (int j = 0; j < ids.Length; j++) prices[row + j] = p[ids[j]];
        }
        var source = replay is null
            ? $"simulated (seed {seed}{(fatTails ? ", fat tails" : "")}{(regimes ? ", regimes" : "")})"
            : $"replay of {replayName ?? "a return series"} ({replay.Periods} rows{(days > replay.Periods ? ", repeated" : "")})";
        return new PricePath(universe, ids, days, prices, start, source);
    }
}
