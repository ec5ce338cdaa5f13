using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace Households.Tests.Api;

/// <summary>The tax budget stored with a household and the transition plan read back through the API.</summary>
public sealed class TransitionApiTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    private static async Task<JsonElement> Json(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    /// <summary>A $200,000 taxable account of one stock (2,000 TRXYZ at $100, basis $40,000) under a 60/40 model it holds none of.</summary>
    private Task Seed(string id) => Seed(_http, id);

    internal static async Task Seed(HttpClient _http, string id)
    {
        (await _http.PostAsJsonAsync("/api/securities", new[]
        {
            new { symbol = "TRXYZ", name = "Transition stock", assetClass = "US Equity", sector = "Technology", kind = "stock" },
            new { symbol = "TRVTI", name = "Transition equity", assetClass = "US Equity", sector = "Diversified", kind = "equityFund" },
            new { symbol = "TRBND", name = "Transition bonds", assetClass = "US Bonds", sector = "Diversified", kind = "bondFund" },
        })).EnsureSuccessStatusCode();
        (await _http.PostAsJsonAsync("/api/prices", new { quotes = new[] { new { symbol = "TRXYZ", price = 100m }, new { symbol = "TRVTI", price = 250m }, new { symbol = "TRBND", price = 75m } } }))
            .EnsureSuccessStatusCode();
        var band = new { absolute = 0.05m, relative = 0.25m };
        (await _http.PutAsJsonAsync("/api/models/TRM", new
        {
            id = "TRM", name = "Transition 60/40", directIndexing = false,
            sleeves = new[] { new { kind = "security", key = "TRVTI", weight = 0.6m, band }, new { kind = "security", key = "TRBND", weight = 0.4m, band } },
        })).EnsureSuccessStatusCode();
        (await _http.PostAsJsonAsync("/api/households", new
        {
            id, name = "The Transition Family", advisorId = "ADV03",
            accounts = new object[]
            {
                new { id = $"{id}-TAX", type = "taxable", discretionary = false, modelId = "TRM", cash = 0m, fractionalShares = true,
                    lots = new[] { new { id = $"{id}-L1", symbol = "TRXYZ", quantity = 2_000m, basis = 40_000m, purchased = "2015-01-02", holdingSince = "2015-01-02" } } },
            },
        })).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task A_stored_budget_gives_a_transition_of_at_least_one_year_within_it()
    {
        await Seed("TRAN1");
        Assert.Equal(HttpStatusCode.BadRequest, (await _http.GetAsync("/api/households/TRAN1/transition")).StatusCode); // no budget yet

        var put = await _http.PutAsJsonAsync("/api/households/TRAN1/tax-budget", new { budget = new { amount = 10_000m, unit = "gains" } });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(10_000m, (await Json(await _http.GetAsync("/api/households/TRAN1/tax-budget"))).GetProperty("budget").GetProperty("amount").GetDecimal());

        var plan = await Json(await _http.GetAsync("/api/households/TRAN1/transition?years=3"));
        var years = plan.GetProperty("years").EnumerateArray().ToArray();
        Assert.Equal(3, years.Length);
        // Gain is 80 % of the stock's value: $10,000 of gain a year sells $12,500 of it.
        Assert.All(years, y => Assert.Equal(10_000.00m, y.GetProperty("netGain").GetDecimal()));
        Assert.All(years, y => Assert.Equal(12_500.00m, y.GetProperty("sold").GetDecimal()));
        Assert.Equal(200_000m, plan.GetProperty("outsideModelBefore").GetDecimal());
        Assert.Equal(162_500.00m, years[^1].GetProperty("outsideModel").GetDecimal());

        // A budget in the query overrides the stored one.
        var wider = await Json(await _http.GetAsync("/api/households/TRAN1/transition?budget=20000&years=1"));
        Assert.Equal(20_000.00m, wider.GetProperty("years")[0].GetProperty("netGain").GetDecimal());
    }

    [Fact]
    public async Task Bad_budgets_are_400_and_change_nothing()
    {
        await Seed("TRAN2");
        (await _http.PutAsJsonAsync("/api/households/TRAN2/tax-budget", new { budget = new { amount = 5_000m, unit = "tax" } })).EnsureSuccessStatusCode();

        var negative = await _http.PutAsJsonAsync("/api/households/TRAN2/tax-budget", new { budget = new { amount = -1m, unit = "gains" } });
        Assert.Equal(HttpStatusCode.BadRequest, negative.StatusCode);
        Assert.Equal("application/problem+json", negative.Content.Headers.ContentType?.MediaType);
        Assert.Contains("budget must not be negative", (await Json(negative)).GetProperty("detail").GetString());
        var stranger = await _http.PutAsJsonAsync("/api/households/TRAN2/tax-budget", new
        {
            sellDowns = new[] { new { account = "ELSEWHERE", symbol = "TRXYZ", maxSharesPerQuarter = 100m, floorShares = 0m } },
        });
        Assert.Equal(HttpStatusCode.BadRequest, stranger.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _http.GetAsync("/api/households/TRAN2/transition?years=21")).StatusCode);

        var stored = (await Json(await _http.GetAsync("/api/households/TRAN2/tax-budget"))).GetProperty("budget");
        Assert.Equal((5_000m, "tax"), (stored.GetProperty("amount").GetDecimal(), stored.GetProperty("unit").GetString()));
        using var reader = factory.CreateClientFor("reader");
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PutAsJsonAsync("/api/households/TRAN2/tax-budget", new { budget = new { amount = 1m } })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("/api/households/NOPE/transition?budget=1")).StatusCode);
    }
}
