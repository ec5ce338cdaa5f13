using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace Households.Tests.Api;

public sealed class LiveStateApiFactory() : SiloFactory(false);

/// <summary><c>GET /api/households/{id}/live</c>: the compact read a polling client wants, against the full view.</summary>
public sealed class LiveStateApiTests(LiveStateApiFactory factory) : IClassFixture<LiveStateApiFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    private static async Task<JsonElement> Json(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    [Fact]
    public async Task Live_state_reads_the_households_value_and_harvestable_lots_like_the_full_view()
    {
        (await _http.PostAsJsonAsync("/api/securities", new[]
        {
            new { symbol = "LSAEQ", name = "Live state equity", assetClass = "US Equity", sector = "Diversified", kind = "equityFund" },
        })).EnsureSuccessStatusCode();
        (await _http.PostAsJsonAsync("/api/prices", new { quotes = new[] { new { symbol = "LSAEQ", price = 120m } } })).EnsureSuccessStatusCode();
        (await _http.PostAsJsonAsync("/api/households", new
        {
            id = "LSA1", name = "The Live Family", advisorId = "ADV09",
            accounts = new object[]
            {
                new { id = "LSA1-TAX", type = "taxable", cash = 1000m, discretionary = false,
                    lots = new[] { new { id = "LSA1-L1", symbol = "LSAEQ", quantity = 10m, basis = 2000m, purchased = "2025-01-02", holdingSince = "2025-01-02" } } },
                new { id = "LSA1-IRA", type = "ira", cash = 500m },
            },
        })).EnsureSuccessStatusCode();

        var live = await Json(await _http.GetAsync("/api/households/LSA1/live"));
        var view = await Json(await _http.GetAsync("/api/households/LSA1"));

        // 1,000 + 10 × 120 + 500 = 2,700, as the full view says.
        Assert.Equal(2_700m, live.GetProperty("marketValue").GetDecimal());
        Assert.Equal(view.GetProperty("marketValue").GetDecimal(), live.GetProperty("marketValue").GetDecimal());
        Assert.Equal(1_500m, live.GetProperty("cash").GetDecimal());
        Assert.Equal(("LSA1", "ADV09", 0), (live.GetProperty("householdId").GetString(), live.GetProperty("advisorId").GetString(),
            live.GetProperty("pendingProposals").GetInt32()));
        Assert.True(live.GetProperty("priceSequence").GetInt64() > 0);
        var taxable = live.GetProperty("accounts").EnumerateArray().Single(a => a.GetProperty("accountId").GetString() == "LSA1-TAX");
        Assert.Equal("taxable", taxable.GetProperty("type").GetString());
        Assert.Equal(2_200m, taxable.GetProperty("marketValue").GetDecimal());
        // The lot lost 2,000 − 10 × 120 × 1.001 = 798.80 net of the round trip: above 250 and 5 % of its basis.
        Assert.Equal(1, taxable.GetProperty("harvestableLots").GetInt32());
        Assert.Equal(798.8, taxable.GetProperty("harvestableLoss").GetDouble(), 9);
        Assert.Equal(0, taxable.GetProperty("driftLinesOutOfBand").GetInt32()); // follows no model
        var ira = live.GetProperty("accounts").EnumerateArray().Single(a => a.GetProperty("accountId").GetString() == "LSA1-IRA");
        Assert.Equal((500m, 0), (ira.GetProperty("marketValue").GetDecimal(), ira.GetProperty("harvestableLots").GetInt32()));
        Assert.False(taxable.TryGetProperty("holdings", out _)); // no lots in the live state
    }

    [Fact]
    public async Task Unknown_household_is_a_404_problem_and_the_openapi_document_describes_the_read()
    {
        var missing = await _http.GetAsync("/api/households/LSA-NONE/live");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await missing.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("household not found", problem.GetProperty("title").GetString());

        var openApi = JsonDocument.Parse(await _http.GetStringAsync("/openapi/v1.json")).RootElement;
        var get = openApi.GetProperty("paths").GetProperty("/api/households/{id}/live").GetProperty("get");
        Assert.StartsWith("The household's live state", get.GetProperty("summary").GetString());
    }
}
