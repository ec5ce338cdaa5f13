using Households.Contracts;
using Households.Domain;
using Households.Domain.Market;
using Households.Domain.Scenarios;
using Xunit;

namespace Households.Tests.Scenarios;

public sealed class ScenarioTests
{
    private static readonly SimulatedUniverse Universe = UniverseGenerator.Generate(60, UniverseGenerator.NamedFundCount, 11);

    private static int Index(string symbol) => Universe.IndexOf(symbol);

    private static int FirstStock(Func<Security, int, bool> where) =>
        Enumerable.Range(0, Universe.Count).First(i => Universe[i].Kind == SecurityKind.Stock && where(Universe[i], i));

    [Fact]
    public void Default_file_loads_the_five_named_scenarios()
    {
        var names = ScenarioSet.Default.Scenarios.Select(s => s.Name).ToArray();
        Assert.Equal(new[] { "equities-20-1d", "gfc-2008", "covid-2020", "rate-shock", "tech-crash", "equities-12-1d" }, names);
        Assert.Equal(1, ScenarioSet.Default["equities-20-1d"].Days);
        Assert.Equal(357, ScenarioSet.Default["gfc-2008"].Days);
        Assert.Equal(23, ScenarioSet.Default["covid-2020"].Days);
        Assert.Equal(-0.34, ScenarioSet.Default["covid-2020"].Factors["Market"]);
        Assert.Equal(-0.40, ScenarioSet.Default["tech-crash"].Sectors[Sectors.InformationTechnology]);
    }

    [Fact]
    public void The_embedded_default_is_the_file_in_docs_samples()
    {
        var root = AppContext.BaseDirectory;
        while (root is not null && !File.Exists(Path.Combine(root, "Households.sln"))) root = Path.GetDirectoryName(root);
        Assert.NotNull(root);
        var fromFile = ScenarioSet.LoadFile(Path.Combine(root, "docs", "samples", "scenarios.json"));
        Assert.Equal(ScenarioSet.Default.Scenarios.Select(s => (s.Name, s.Days, s.Description)), fromFile.Scenarios.Select(s => (s.Name, s.Days, s.Description)));
    }

    private const string Good = """{"name": "x", "days": 1, "shocks": {"assetClasses": {"US Equity": -0.1}}}""";

    [Theory]
    [InlineData("""{"scenarios": [{"name": "x", "days": 1, "color": "red", "shocks": {"assetClasses": {"US Equity": -0.1}}}]}""", "scenarios[0] (x).color: unknown field")]
    [InlineData("""{"scenarios": [], "extra": 1}""", "extra: unknown field")]
    [InlineData("""{"scenarios": [{"name": "x", "days": 1, "shocks": {"assetClasses": {"US Equity": -0.1}, "regions": {}}}]}""", "shocks.regions: unknown field")]
    [InlineData("""{"scenarios": [{"days": 1, "shocks": {"assetClasses": {"US Equity": -0.1}}}]}""", "scenarios[0].name: is required")]
    [InlineData("""{"scenarios": [{"name": " ", "days": 1, "shocks": {"assetClasses": {"US Equity": -0.1}}}]}""", "scenarios[0].name: is required")]
    [InlineData("""{"scenarios": [{"name": "x", "days": 1, "shocks": {"assetClasses": {"US Equity": "NaN"}}}]}""", "shocks.assetClasses.US Equity: must be a finite number")]
    [InlineData("""{"scenarios": [{"name": "x", "days": 1, "shocks": {"factors": {"Market": 1e999}}}]}""", "shocks.factors.Market: must be a finite number")]
    [InlineData("""{"scenarios": [{"name": "x", "days": 1, "shocks": {"sectors": {"Energy": -1.0}}}]}""", "shocks.sectors.Energy: return -1 is a loss of 100% or more")]
    [InlineData("""{"scenarios": [{"name": "x", "days": 1, "shocks": {"sectors": {"Energy": -1.5}}}]}""", "shocks.sectors.Energy: return -1.5 is a loss of 100% or more")]
    [InlineData("""{"scenarios": [{"name": "x", "days": -5, "shocks": {"sectors": {"Energy": -0.1}}}]}""", "scenarios[0] (x).days: must be a whole number of trading days >= 1, not -5")]
    [InlineData("""{"scenarios": [{"name": "x", "days": 2.5, "shocks": {"sectors": {"Energy": -0.1}}}]}""", "(x).days: must be a whole number")]
    [InlineData("""{"scenarios": [{"name": "x", "shocks": {"sectors": {"Energy": -0.1}}}]}""", "(x).days: is required")]
    [InlineData("""{"scenarios": [{"name": "x", "days": 1, "shocks": {"sectors": {"Energy": -0.1}}}, {"name": "x", "days": 2, "shocks": {"sectors": {"Energy": -0.2}}}]}""", "scenarios[1] (x).name: duplicate scenario name 'x'")]
    [InlineData("""{"scenarios": [{"name": "x", "days": 1, "shocks": {"sectors": {"Tech": -0.4}}}]}""", "shocks.sectors.Tech: unknown sector 'Tech'")]
    [InlineData("""{"scenarios": [{"name": "x", "days": 1, "shocks": {"assetClasses": {"Crypto": -0.4}}}]}""", "shocks.assetClasses.Crypto: unknown asset class 'Crypto'")]
    [InlineData("""{"scenarios": [{"name": "x", "days": 1, "shocks": {"factors": {"Beta": -0.4}}}]}""", "shocks.factors.Beta: unknown factor 'Beta'")]
    [InlineData("""{"scenarios": [{"name": "x", "days": 1, "path": "zigzag", "shocks": {"factors": {"Market": -0.4}}}]}""", "(x).path: must be 'linear' or 'geometric', not 'zigzag'")]
    [InlineData("""{"scenarios": [{"name": "x", "days": 1, "shocks": {}}]}""", "(x).shocks: names no asset class")]
    [InlineData("""{"scenarios": []}""", "scenarios: is empty")]
    [InlineData("""{"scenarios": [""" + Good + """,]}""", "not valid JSON")]
    public void A_bad_file_is_rejected_with_a_message_naming_the_field(string json, string expected)
    {
        var ex = Assert.Throws<BadInputException>(() => ScenarioSet.Parse(json, "firm.json"));
        Assert.StartsWith("firm.json: ", ex.Message);
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void Equities_20_1d_moves_every_equity_by_20_percent_through_its_asset_class_whatever_its_beta()
    {
        var scenario = ScenarioSet.Default["equities-20-1d"];
        var start = Universe.InitialPrices.ToArray();
        var shocked = ScenarioApplier.Shocked(scenario, Universe, start);
        var highBeta = FirstStock((s, i) => s.AssetClass == AssetClasses.UsEquity && Universe.Model.Exposures[i].Market > 1.2);
        var lowBeta = FirstStock((s, i) => s.AssetClass == AssetClasses.UsEquity && Universe.Model.Exposures[i].Market < 0.9);
        foreach (var i in new[] { highBeta, lowBeta, Index("USTM"), Index("INTL"), Index("EMKT"), Index("REIT") })
            Assert.Equal(start[i] * 0.8, shocked[i], 9);
        Assert.Equal(start[Index("AGGB")], shocked[Index("AGGB")]);
        Assert.Equal(start[Index("CASH")], shocked[Index("CASH")]);

        var path = ScenarioApplier.PricePath(scenario, Universe, start);
        Assert.Equal(2, path.Length);
        Assert.Equal(start[highBeta] * 0.8, path[1][highBeta], 9);
    }

    [Fact]
    public void Rate_shock_moves_bond_funds_per_the_file_and_leaves_equities()
    {
        var totals = ScenarioApplier.TotalReturns(ScenarioSet.Default["rate-shock"], Universe);
        Assert.Equal(-0.08, totals[Index("AGGB")], 12);
        Assert.Equal(-0.08, totals[Index("TRSY")], 12);
        Assert.Equal(-0.06, totals[Index("MUNI")], 12);
        Assert.Equal(0, totals[Index("USTM")]);
        Assert.Equal(0, totals[FirstStock((_, _) => true)]);
    }

    [Fact]
    public void A_market_factor_shock_moves_a_security_by_its_beta_in_log_space()
    {
        var scenario = ScenarioSet.Default["covid-2020"];
        var totals = ScenarioApplier.TotalReturns(scenario, Universe);
        var i = FirstStock((s, _) => s.Sector is Sectors.InformationTechnology);
        var beta = Universe.Model.Exposures[i].Market;
        Assert.Equal(Math.Pow(0.66, beta) - 1, totals[i], 12);
        Assert.Equal(-0.55, totals[FirstStock((s, _) => s.Sector == Sectors.Energy)], 12);
        Assert.Equal(Math.Pow(0.66, 1.0) - 1, totals[Index("USTM")], 12);
        Assert.Equal(0.01, totals[Index("AGGB")], 12);
    }

    [Fact]
    public void Tech_crash_moves_technology_stocks_and_the_sector_fund_only()
    {
        var totals = ScenarioApplier.TotalReturns(ScenarioSet.Default["tech-crash"], Universe);
        Assert.Equal(-0.40, totals[FirstStock((s, _) => s.Sector == Sectors.InformationTechnology)], 12);
        Assert.Equal(-0.40, totals[Index("XTEC")], 12);
        Assert.Equal(0, totals[FirstStock((s, _) => s.Sector == Sectors.HealthCare)]);
        Assert.Equal(0, totals[Index("USTM")]);
    }

    [Fact]
    public void Linear_and_geometric_paths_reach_the_total_on_the_last_day()
    {
        Assert.Equal(0.9, ScenarioApplier.Multiplier(-0.2, 1, 2, ScenarioPathShape.Linear), 12);
        Assert.Equal(Math.Sqrt(0.8), ScenarioApplier.Multiplier(-0.2, 1, 2, ScenarioPathShape.Geometric), 12);
        Assert.Equal(0.8, ScenarioApplier.Multiplier(-0.2, 2, 2, ScenarioPathShape.Geometric), 12);
        var path = ScenarioApplier.PricePath(ScenarioSet.Default["covid-2020"], Universe, Universe.InitialPrices);
        Assert.Equal(24, path.Length);
        var usTm = Index("USTM");
        Assert.Equal(Universe.InitialPrices[usTm] * 0.66, path[23][usTm], 9);
    }

    [Fact]
    public void A_scenario_naming_a_security_outside_the_universe_is_bad_input()
    {
        var set = ScenarioSet.Parse("""{"scenarios": [{"name": "one", "days": 1, "shocks": {"securities": {"NOPE": -0.5}}}]}""");
        var ex = Assert.Throws<BadInputException>(() => ScenarioApplier.TotalReturns(set["one"], Universe));
        Assert.Contains("shocks.securities.NOPE", ex.Message);
        Assert.Throws<BadInputException>(() => set["missing"]);
    }

    [Fact]
    public void A_shock_raises_the_demo_firms_drift()
    {
        var firm = DemoFirm.Build(new DemoFirmOptions { Households = 20 });
        var samples = ShockDrift.Measure(firm, ScenarioSet.Default["equities-20-1d"]);
        Assert.True(samples.Count > 20);
        // Balanced and growth accounts hold bonds, which do not fall: their equity weights drop.
        Assert.True(samples.Count(s => s.OutOfBandAfter > 0) >= samples.Count(s => s.OutOfBandBefore > 0));
        Assert.True(samples.Where(s => s.ModelId != DemoFirm.DirectIndex).Average(s => s.MaxDriftAfter)
            > samples.Where(s => s.ModelId != DemoFirm.DirectIndex).Average(s => s.MaxDriftBefore));
    }
}
