using Households.Simulation.Market;
using Households.Contracts;
using Households.Domain.Harvesting;
using Households.Domain.Lots;
using Households.Domain.Market;
using Xunit;

namespace Households.Tests.Harvesting;

public sealed class ReplacementSelectorTests
{
    private static Security Stock(string symbol, string sector) => new(symbol, symbol, AssetClasses.UsEquity, sector, null, SecurityKind.Stock);

    private static Security Fund(string symbol, string? group = null) =>
        new(symbol, symbol, AssetClasses.UsEquity, Sectors.Diversified, group, SecurityKind.EquityFund);

    // Exposures: beta, size, value, momentum, rates.
    private static readonly (Security Security, double[] Exposure)[] Book =
    [
        (Stock("AAA", Sectors.InformationTechnology), [1.0, 1.0, 0.0, 0.0, 0]),
        (Stock("BBB", Sectors.InformationTechnology), [1.1, 0.9, 0.1, 0.0, 0]),
        (Stock("CCC", Sectors.InformationTechnology), [1.4, 0.0, 0.5, 0.2, 0]),
        (Stock("DDD", Sectors.InformationTechnology), [2.0, -2.0, 1.0, 1.0, 0]),
        (Stock("HHH", Sectors.HealthCare), [1.0, 1.0, 0.0, 0.0, 0]),
        (Fund("USTM"), [1, 0.3, 0, 0, 0]),
        (Fund("USLC"), [1, 1, 0, 0, 0]),
        (Fund("APXS", "SP500"), [1, 0.8, 0, 0, 0]),
        (Fund("KSTF", "SP500"), [1, 0.8, 0, 0, 0]),
    ];

    private static ReplacementSelector Selector() =>
        new(Book.Select(b => b.Security).ToArray(), Book.Select(b => b.Exposure).ToArray(), FundSubstitutes.Default,
            s => s is "APXS" or "KSTF" ? "group:SP500" : s);

    [Fact]
    public void Picks_the_same_sector_stock_with_the_closest_exposures()
    {
        var choice = Selector().Choose("AAA");
        Assert.Equal("BBB", choice.Symbol);
        Assert.Empty(choice.Passed);
        Assert.Equal(Math.Sqrt(0.01 + 0.01 + 0.01), choice.Distance, 12);
        Assert.Contains("Information Technology", choice.Reason);
        // HHH has identical exposures but another sector: never a candidate.
        Assert.Equal(new[] { "BBB", "CCC", "DDD" }, Selector().Ranked("AAA"));
    }

    [Fact]
    public void Beyond_its_ranked_neighbours_it_searches_the_rest_of_the_sector_and_prefers_names_no_other_sale_took()
    {
        // Ranking only the closest stock: when BBB is blocked, CCC (unranked) is found by exposure distance.
        var narrow = new ReplacementSelector(Book.Select(b => b.Security).ToArray(), Book.Select(b => b.Exposure).ToArray(), neighbours: 1);
        Assert.Equal(new[] { "BBB" }, narrow.Ranked("AAA"));
        Assert.Null(narrow.Choose("AAA", isBlocked: s => s == "BBB").Symbol);
        Assert.Equal(new[] { "CCC" }, narrow.ChooseSeveral("AAA", 1, isBlocked: s => s == "BBB"));
        // BBB taken by another sale: CCC first, BBB kept as the spare; all taken: the closest taken one.
        Assert.Equal(new[] { "CCC", "DDD" }, Selector().ChooseSeveral("AAA", 2, taken: new HashSet<string> { "BBB" }));
        Assert.Equal(new[] { "BBB" }, Selector().ChooseSeveral("AAA", 1, taken: new HashSet<string> { "BBB", "CCC", "DDD" }));
        Assert.Empty(Selector().ChooseSeveral("AAA", 1, isBlocked: _ => true));
        Assert.Equal(new[] { "USLC" }, Selector().ChooseSeveral("APXS", 1));
    }

    [Fact]
    public void Skips_a_blocked_stock_and_an_excluded_one()
    {
        var blocked = Selector().Choose("AAA", isBlocked: s => s == "BBB");
        Assert.Equal("CCC", blocked.Symbol);
        Assert.Equal(new[] { "BBB (buy blackout)" }, blocked.Passed);

        var excluded = Selector().Choose("AAA", isBlocked: s => s == "BBB", isExcluded: s => s == "CCC");
        Assert.Equal("DDD", excluded.Symbol);
        Assert.Equal(new[] { "BBB (buy blackout)", "CCC (excluded)" }, excluded.Passed);

        var none = Selector().Choose("AAA", isBlocked: _ => true);
        Assert.Null(none.Symbol);
    }

    [Fact]
    public void Uses_the_fund_substitute_table_and_never_an_identical_fund()
    {
        Assert.Equal("USBM", Selector().Choose("USTM").Symbol);
        var rerouted = Selector().Choose("USTM", isBlocked: s => s is "USBM" or "USLC");
        Assert.Equal("APXS", rerouted.Symbol);
        Assert.Contains("firm substitute for USTM", rerouted.Reason);
        Assert.Equal("USLC", Selector().Choose("APXS").Symbol);
        // Every family has at least three members that are not substantially identical, so one outlasts a fall.
        Assert.All(FundSubstitutes.Default.Entries.Where(e => e.Fund is not ("MUNI" or "MUNA")), e => Assert.True(e.Substitutes.Length >= 2, e.Fund));
        Assert.DoesNotContain("KSTF", FundSubstitutes.Default.Of("APXS"));
        Assert.DoesNotContain("APXS", FundSubstitutes.Default.Of("KSTF"));
        var nothing = Selector().Choose("INTL");
        Assert.Null(nothing.Symbol);
        Assert.Contains("no substitute", nothing.Reason);
    }

    [Fact]
    public void A_substitute_table_that_pairs_a_fund_with_itself_or_twice_is_bad_input()
    {
        Assert.Throws<Households.Domain.BadInputException>(() => new FundSubstitutes([("USTM", ["USTM"])]));
        Assert.Throws<Households.Domain.BadInputException>(() => new FundSubstitutes([("USTM", ["USLC"]), ("USTM", ["APXS"])]));
    }

    [Fact]
    public void Over_a_generated_universe_the_replacement_is_in_the_same_sector()
    {
        var universe = UniverseGenerator.Generate(200, UniverseGenerator.NamedFundCount, 3);
        var selector = ReplacementSelector.FromUniverse(universe, FundSubstitutes.Default);
        for (int i = 0; i < 30; i++)
        {
            var choice = selector.Choose(universe[i].Symbol);
            Assert.NotNull(choice.Symbol);
            Assert.Equal(universe[i].Sector, universe[universe.IndexOf(choice.Symbol!)].Sector);
        }
    }
}
