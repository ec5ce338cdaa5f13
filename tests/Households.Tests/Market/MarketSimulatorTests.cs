using Households.Simulation.Market;
using Households.Contracts;
using Households.Domain.Market;
using Xunit;

namespace Households.Tests.Market;

public class MarketSimulatorTests
{
    private const int Days = 20_000;
    private static readonly SimulatedUniverse Universe = UniverseGenerator.Generate(40, UniverseGenerator.NamedFundCount, seed: 11);

    private static (double[,] Securities, double[,] Factors) Simulate(MarketSimulatorOptions options, int seed = 3)
    {
        var sim = new MarketSimulator(Universe, seed, options);
        var factors = new double[Days, FactorMarketModel.FactorCount];
        return (sim.SimulateReturns(Days, factors), factors);
    }

    private static readonly Lazy<(double[,] Securities, double[,] Factors)> Plain = new(() => Simulate(new MarketSimulatorOptions()));

    [Fact]
    public void Realized_vols_of_market_factor_and_securities_match_the_model()
    {
        var (securities, factors) = Plain.Value;
        Assert.InRange(Stats.AnnualVol(Stats.Column(factors, FactorMarketModel.MarketFactor)), 0.16 * 0.95, 0.16 * 1.05);
        Assert.InRange(Stats.AnnualVol(Stats.Column(factors, FactorMarketModel.MomentumFactor)), 0.05 * 0.95, 0.05 * 1.05);
        foreach (var symbol in new[] { "STK0001", "STK0002", "STK0017", "USTM", "AGGB", "EMKT" })
        {
            int i = Universe.IndexOf(symbol);
            double expected = Universe.Model.Volatility(i);
            Assert.InRange(Stats.AnnualVol(Stats.Column(securities, i)), expected * 0.9, expected * 1.1);
        }
    }

    [Fact]
    public void Configured_vols_are_realistic()
    {
        var model = Universe.Model;
        for (int i = 0; i < Universe.Count; i++)
        {
            var s = Universe[i];
            double vol = model.Volatility(i);
            switch (s.Kind)
            {
                case SecurityKind.Stock: Assert.InRange(vol, 0.2, 0.6); break;
                case SecurityKind.BondFund: Assert.InRange(vol, 0.01, 0.07); break;
                case SecurityKind.EquityFund: Assert.InRange(vol, 0.12, 0.30); break;
                case SecurityKind.Cash: Assert.Equal(0, vol); break;
            }
        }
    }

    [Fact]
    public void Same_sector_stocks_correlate_as_the_model_implies()
    {
        var (securities, _) = Plain.Value;
        var pair = Enumerable.Range(0, 40).GroupBy(i => Universe[i].Sector).First(g => g.Count() >= 2).Take(2).ToArray();
        double implied = Universe.Model.Correlation(pair[0], pair[1]);
        double realized = Stats.Correlation(Stats.Column(securities, pair[0]), Stats.Column(securities, pair[1]));
        Assert.InRange(implied, 0.1, 0.8);
        Assert.InRange(realized, implied - 0.04, implied + 0.04);
    }

    [Fact]
    public void Fat_tails_give_excess_kurtosis_only_when_enabled()
    {
        var (plainSecurities, plainFactors) = Plain.Value;
        var (fatSecurities, fatFactors) = Simulate(new MarketSimulatorOptions { FatTails = true });
        int stock = Universe.IndexOf("STK0003");

        Assert.InRange(Stats.ExcessKurtosis(Stats.Column(plainFactors, 0)), -0.2, 0.2);
        Assert.InRange(Stats.ExcessKurtosis(Stats.Column(plainSecurities, stock)), -0.2, 0.2);
        Assert.True(Stats.ExcessKurtosis(Stats.Column(fatFactors, 0)) > 1);
        Assert.True(Stats.ExcessKurtosis(Stats.Column(fatSecurities, stock)) > 1);
        // Student-t innovations are scaled to unit variance, so vols are unchanged.
        Assert.InRange(Stats.AnnualVol(Stats.Column(fatFactors, 0)), 0.16 * 0.9, 0.16 * 1.1);
    }

    [Fact]
    public void Stressed_regimes_raise_volatility_and_fatten_tails()
    {
        var (_, factors) = Simulate(new MarketSimulatorOptions { Regimes = true });
        var market = Stats.Column(factors, 0);
        // Stationary stressed share 0.02/(0.02+0.10) = 1/6: vol 16% × √(5/6 + 6.25/6) ≈ 21.9%.
        Assert.InRange(Stats.AnnualVol(market), 0.19, 0.25);
        Assert.True(Stats.ExcessKurtosis(market) > 1);
    }

    [Fact]
    public void Fractional_day_steps_scale_variance_with_time()
    {
        var sim = new MarketSimulator(Universe, 5, new MarketSimulatorOptions { StepDays = 0.1 });
        var factors = new double[Days, FactorMarketModel.FactorCount];
        sim.SimulateReturns(Days, factors);
        double perStep = Stats.StdDev(Stats.Column(factors, 0));
        Assert.InRange(perStep * Math.Sqrt(2520), 0.16 * 0.95, 0.16 * 1.05);
    }

    [Fact]
    public void Same_seed_gives_identical_prices_and_another_seed_differs()
    {
        var a = new MarketSimulator(Universe, 42, new MarketSimulatorOptions { FatTails = true, Regimes = true });
        var b = new MarketSimulator(Universe, 42, new MarketSimulatorOptions { FatTails = true, Regimes = true });
        var c = new MarketSimulator(Universe, 43, new MarketSimulatorOptions { FatTails = true, Regimes = true });
        for (int t = 0; t < 250; t++) { a.Step(); b.Step(); c.Step(); }
        Assert.Equal(250, a.StepCount);
        Assert.True(a.Prices.SequenceEqual(b.Prices));
        Assert.False(a.Prices.SequenceEqual(c.Prices));
        Assert.Equal(a.Quotes(), b.Quotes());
    }

    [Fact]
    public void Quotes_are_positive_rounded_to_four_places_and_cash_stays_at_one()
    {
        var sim = new MarketSimulator(Universe, 9, new MarketSimulatorOptions { StepDays = 0.1, FatTails = true });
        for (int t = 0; t < 100; t++) sim.Step();
        var quotes = sim.Quotes();
        Assert.Equal(Universe.Count, quotes.Length);
        for (int i = 0; i < quotes.Length; i++)
        {
            Assert.Equal(Universe[i].Symbol, quotes[i].Symbol);
            Assert.True(quotes[i].Price > 0);
            Assert.Equal(quotes[i].Price, Math.Round(quotes[i].Price, 4));
            Assert.Equal((double)quotes[i].Price, sim.Prices[i], 4);
        }
        Assert.Equal(1.0000m, quotes.Single(q => q.Symbol == "CASH").Price);
    }
}
