using Households.Contracts;
using Households.Domain.Monitoring;
using Households.Domain.Risk;
using Households.Grains.Securities;
using Households.Grains.Silo;
using Households.Grains;
using Households.Tests.Risk;
using Microsoft.Extensions.DependencyInjection;
using System.Net.Http.Json;
using System.Net;
using System.Text.Json;
using Xunit;

namespace Households.Tests.Api;

/// <summary>The firm's risk model through the silo: import, read back, the version rising, bad files refused whole.</summary>
public sealed class RiskModelApiTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    private static object Body(params (string Name, string Content)[] files) =>
        new { files = files.Select(f => new { name = f.Name, content = f.Content }).ToArray() };

    private static async Task<JsonElement> Json(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    [Fact]
    public async Task An_imported_model_is_read_back_and_its_version_rises_and_a_bad_file_changes_nothing()
    {
        var before = await Json(await _http.GetAsync("/api/risk-model"));
        Assert.Equal(0, before.GetProperty("version").GetInt32());
        // A real firm (no demo) starts on the asset-class model: the demo simulator's model is the demo's alone.
        Assert.Equal("asset-class", before.GetProperty("source").GetString());

        var imported = await _http.PostAsJsonAsync("/api/risk-model", Body(("exposures.csv", RiskModelTests.Exposures),
            ("factors.csv", RiskModelTests.FactorCovariance), ("specific.csv", RiskModelTests.SpecificRisk)));
        Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
        var first = await Json(await _http.GetAsync("/api/risk-model"));
        Assert.Equal(1, first.GetProperty("version").GetInt32());
        Assert.Equal("imported", first.GetProperty("source").GetString());
        Assert.Equal(["market", "value"], first.GetProperty("factors").EnumerateArray().Select(f => f.GetString()!).ToArray());
        Assert.Equal(3, first.GetProperty("securities").GetInt32());
        Assert.Equal(0.1328 / 0.2728, first.GetProperty("explainedVariance").GetDouble(), 12);
        // This silo's optimizer uses it now: AAA's variance at weight 0.5 is the hand-computed 0.02375.
        var risk = factory.Services.GetRequiredService<SecurityRiskModels>();
        Assert.Equal(1, risk.Version);
        Assert.Equal(0.02375, risk.For([new Households.Contracts.Security("AAA", "A", "US Equity", "Tech", null, SecurityKind.Stock)]).Variance([0.5]), 12);

        var bad = await _http.PostAsJsonAsync("/api/risk-model", Body(("exposures.csv", RiskModelTests.Exposures),
            ("factors.csv", "factor,market,value\nmarket,0.04,0.01\nvalue,0.02,0.02\n"), ("specific.csv", RiskModelTests.SpecificRisk)));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("factors.csv line 3, field market:", (await Json(bad)).GetProperty("detail").GetString());
        Assert.Equal(1, (await Json(await _http.GetAsync("/api/risk-model"))).GetProperty("version").GetInt32());

        var reader = factory.CreateClientFor(Households.Auth.HouseholdsAuth.Reader);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsJsonAsync("/api/risk-model", Body(("exposures.csv", RiskModelTests.Exposures)))).StatusCode);

        // A return history instead: estimated on upload, the next version.
        var history = await _http.PostAsJsonAsync("/api/risk-model", Body(("returns.csv",
            "date,AAA,BBB,CCC\n2024-01-02,0.01,0.02,0.0\n2024-01-03,-0.01,0.0,0.01\n2024-01-04,0.02,0.01,-0.01\n2024-01-05,0.0,-0.01,0.005\n")));
        Assert.Equal(HttpStatusCode.OK, history.StatusCode);
        var second = await Json(await _http.GetAsync("/api/risk-model"));
        Assert.Equal(2, second.GetProperty("version").GetInt32());
        Assert.Equal("2024-01-02", second.GetProperty("window").GetProperty("first").GetString());
        Assert.Equal(4, second.GetProperty("window").GetProperty("periods").GetInt32());
        Assert.Equal("ledoit-wolf+pca (uploaded returns)", second.GetProperty("method").GetString());
    }
}

/// <summary>The live path: a daily-close history of the price stream is estimated into the firm's model (version 1,
/// source estimated) that GET /api/risk-model shows.</summary>
public sealed class RiskModelEstimationApiTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Seventy_days_of_closes_are_estimated_into_the_firms_model()
    {
        var http = factory.CreateClient();
        string[] symbols = ["RMA", "RMB", "RMC", "RMD"];
        (await http.PostAsJsonAsync("/api/securities", symbols.Select(s => new { symbol = s, name = s, assetClass = "US Equity", sector = "Tech", kind = "stock" })))
            .EnsureSuccessStatusCode();
        var grains = factory.Services.GetRequiredService<IGrainFactory>();
        factory.Services.GetRequiredService<SecurityMaster>().Load(await grains.GetGrain<IUniverseGrain>(UniverseGrain.Key).GetAll());
        var index = factory.Services.GetRequiredService<PriceBoard>().Index;
        var ordinals = symbols.Select(index.OrdinalOf).ToArray();
        var closes = factory.Services.GetRequiredService<DailyCloses>();
        var random = new Random(7);
        var prices = new double[] { 100, 50, 20, 80 };
        var day = new DateOnly(2025, 1, 2);
        for (var t = 0; t <= 71; t++, day = day.AddDays(1))
        {
            var market = random.NextDouble() * 0.02 - 0.01;
            for (var i = 0; i < prices.Length; i++) prices[i] *= 1 + market * (1 + 0.3 * i) + (random.NextDouble() - 0.5) * 0.01;
            var values = new double[index.Count];
            Array.Fill(values, double.NaN);
            for (var i = 0; i < ordinals.Length; i++) values[ordinals[i]] = prices[i];
            closes.Observe(day, values);
        }

        var service = factory.Services.GetRequiredService<RiskModelService>();
        await service.EstimateIfDue(await service.Sync(), CancellationToken.None);

        var info = JsonDocument.Parse(await http.GetStringAsync("/api/risk-model")).RootElement;
        Assert.Equal(1, info.GetProperty("version").GetInt32());
        Assert.Equal("estimated", info.GetProperty("source").GetString());
        Assert.Equal(4, info.GetProperty("securities").GetInt32());
        Assert.Equal(70, info.GetProperty("window").GetProperty("periods").GetInt32());
        Assert.Equal("2025-01-03", info.GetProperty("window").GetProperty("first").GetString());
        Assert.InRange(info.GetProperty("explainedVariance").GetDouble(), 0.8, 1.0);
        Assert.Equal(1, factory.Services.GetRequiredService<SecurityRiskModels>().Version);
        // Not due again within the refresh interval.
        Assert.False(await service.EstimateIfDue(await service.Sync(), CancellationToken.None));
    }
}
