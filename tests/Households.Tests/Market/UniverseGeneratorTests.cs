using Households.Simulation.Market;
using Households.Contracts;
using Households.Domain.Market;
using Xunit;

namespace Households.Tests.Market;

public class UniverseGeneratorTests
{
    private static readonly SimulatedUniverse Universe = UniverseGenerator.Generate(500, UniverseGenerator.NamedFundCount, seed: 7);

    [Fact]
    public void Stocks_span_all_eleven_sectors_with_sequential_symbols()
    {
        var stocks = Universe.Securities.Where(s => s.Kind == SecurityKind.Stock).ToArray();
        Assert.Equal(500, stocks.Length);
        Assert.Equal("STK0001", stocks[0].Symbol);
        Assert.Equal("STK0500", stocks[^1].Symbol);
        Assert.Equal(Sectors.All.OrderBy(s => s), stocks.Select(s => s.Sector).Distinct().OrderBy(s => s));
        Assert.All(stocks, s => Assert.Null(s.IdenticalGroup));
    }

    [Fact]
    public void Only_the_two_SP500_funds_are_substantially_identical()
    {
        var grouped = Universe.Securities.Where(s => s.IdenticalGroup is not null).ToArray();
        Assert.Equal(new[] { "APXS", "KSTF" }, grouped.Select(s => s.Symbol).Order());
        Assert.All(grouped, s => Assert.Equal("SP500", s.WashSaleKey));
        Assert.Contains(Universe.Securities, s => s.AssetClass == AssetClasses.MunicipalBonds);
        Assert.Single(Universe.Securities, s => s.Kind == SecurityKind.Cash);
    }

    [Fact]
    public void Prices_are_in_realistic_ranges()
    {
        for (int i = 0; i < Universe.Count; i++)
        {
            var s = Universe[i];
            double p = Universe.InitialPrices[i];
            if (s.Kind == SecurityKind.Stock) Assert.InRange(p, 10, 600);
            else if (s.Kind == SecurityKind.Cash) Assert.Equal(1, p);
            else Assert.InRange(p, 20, 400);
        }
        var stockPrices = Enumerable.Range(0, 500).Select(i => Universe.InitialPrices[i]).Order().ToArray();
        Assert.InRange(stockPrices[250], 70, 115);
    }

    [Fact]
    public void Cap_weighted_index_is_skewed_toward_a_few_names()
    {
        var byCap = Universe.StocksByMarketCap();
        double total = byCap.Sum(i => Universe.MarketCaps[i]);
        double top10 = byCap.Take(10).Sum(i => Universe.MarketCaps[i]) / total;
        Assert.InRange(top10, 0.15, 0.6);
        Assert.True(Universe.MarketCaps[byCap[0]] / total > 0.02);
    }

    [Fact]
    public void Extra_funds_beyond_the_named_menu_are_generated()
    {
        var universe = UniverseGenerator.Generate(10, 40, seed: 1);
        Assert.Equal(50, universe.Count);
        Assert.True(universe.Contains("FND040"));
        Assert.Equal(universe.Securities.Count, universe.Securities.Select(s => s.Symbol).Distinct().Count());
    }
}
