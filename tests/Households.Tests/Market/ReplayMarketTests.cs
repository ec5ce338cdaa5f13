using Households.Simulation.Market;
using Households.Domain.Risk;
using Households.Contracts;
using Households.Domain.Market;
using Xunit;

namespace Households.Tests.Market;

public class ReplayMarketTests
{
    private static string DataFile(string name) =>
        Households.Tests.Support.SharedData.Data(name);

    private static readonly Lazy<ReturnSeries> Spi = new(() => ReturnSeriesFile.Load(DataFile("SPISECTOR.RET.csv")));

    [Fact]
    public void Loads_SPISECTOR_as_2198_dated_rows_of_10_columns()
    {
        var series = Spi.Value;
        Assert.Equal(2198, series.Periods);
        Assert.Equal(new[] { "SPI", "BASI", "INDU", "CONG", "HLTH", "CONS", "TELE", "UTIL", "FINA", "TECH" }, series.Assets);
        Assert.Equal(new DateOnly(2000, 1, 4), series.DateAt(0));
        Assert.Equal(new DateOnly(2008, 10, 17), series.DateAt(series.Periods - 1));
        Assert.Equal(-0.034394776739443245, series[0, 0], 15);
    }

    [Fact]
    public void Technology_stock_moves_with_the_TECH_column()
    {
        var universe = UniverseGenerator.Generate(60, UniverseGenerator.NamedFundCount, seed: 4);
        var replay = new ReplayMarket(universe, Spi.Value, seed: 1);
        int tech = Enumerable.Range(0, universe.Count).First(i => universe[i].Sector == Sectors.InformationTechnology);
        Assert.Equal("TECH", replay.ColumnOf(tech));
        var returns = replay.SimulateReturns(Spi.Value.Periods);
        Assert.True(Stats.Correlation(Stats.Column(returns, tech), Stats.Column(Spi.Value.Returns, Spi.Value.ColumnIndex("TECH"))) > 0.9);
        Assert.Equal(Spi.Value.DateAt(Spi.Value.Periods - 1), replay.Date);
        Assert.Equal(1.0, replay.Prices[universe.IndexOf("CASH")]);
    }

    [Fact]
    public void Sectors_map_onto_their_SPI_columns()
    {
        var universe = UniverseGenerator.Generate(30, UniverseGenerator.NamedFundCount, seed: 4);
        var replay = new ReplayMarket(universe, Spi.Value, seed: 1);
        for (int i = 0; i < universe.Count; i++)
        {
            string expected = ReplayMarket.SpiSectorColumns.TryGetValue(universe[i].Sector, out var c) ? c : "SPI";
            Assert.Equal(expected, replay.ColumnOf(i));
        }
        Assert.Equal("SPI", replay.ColumnOf(universe.IndexOf("USTM")));
        Assert.Equal("CONG", ReplayMarket.SpiSectorColumns[Sectors.ConsumerStaples]);
        Assert.Equal("SPI", ReplayMarket.SpiSectorColumns[Sectors.Energy]);
        Assert.All(replay.Quotes(), q => Assert.True(q.Price > 0));
    }
}
