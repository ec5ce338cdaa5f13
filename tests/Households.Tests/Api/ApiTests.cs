using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Xunit;

namespace Households.Tests.Api;

public sealed class ApiTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    private static object Household(string id, string? name = "The Api Family", decimal lotQuantity = 10) => new
    {
        id, name, advisorId = "ADV03",
        accounts = new object[]
        {
            new { id = $"{id}-TAX", type = "taxable", cash = 1000m, lots = new[] { new { id = $"{id}-L1", symbol = "APIEQ", quantity = lotQuantity, basis = 1000m, purchased = "2025-01-02", holdingSince = "2025-01-02" } } },
            new { id = $"{id}-IRA", type = "ira", cash = 500m },
        },
    };

    private async Task Seed()
    {
        (await _http.PostAsJsonAsync("/api/securities", new[]
        {
            new { symbol = "APIEQ", name = "Api equity", assetClass = "US Equity", sector = "Diversified", kind = "equityFund" },
        })).EnsureSuccessStatusCode();
        (await _http.PostAsJsonAsync("/api/prices", new { quotes = new[] { new { symbol = "APIEQ", price = 120m } } })).EnsureSuccessStatusCode();
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    [Fact]
    public async Task Created_household_is_listed_and_read_back_with_its_lots()
    {
        await Seed();
        var created = await _http.PostAsJsonAsync("/api/households", Household("API1"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        var list = await Json(await _http.GetAsync("/api/households?page=1&pageSize=100"));
        Assert.Contains(list.GetProperty("items").EnumerateArray(), h => h.GetProperty("id").GetString() == "API1");
        var household = await Json(await _http.GetAsync("/api/households/API1"));
        var taxable = household.GetProperty("accounts").EnumerateArray().Single(a => a.GetProperty("spec").GetProperty("id").GetString() == "API1-TAX");
        var lot = taxable.GetProperty("holdings")[0].GetProperty("lots")[0];
        Assert.Equal("API1-L1", lot.GetProperty("lot").GetProperty("id").GetString());
        Assert.Equal(1000m, lot.GetProperty("lot").GetProperty("basis").GetDecimal());

        var lots = await Json(await _http.GetAsync("/api/accounts/API1-TAX/lots"));
        Assert.Equal(("API1-L1", "APIEQ", 10m, 1000m), (lots[0].GetProperty("id").GetString(), lots[0].GetProperty("symbol").GetString(),
            lots[0].GetProperty("quantity").GetDecimal(), lots[0].GetProperty("basis").GetDecimal()));
        Assert.Equal(1, lots.GetArrayLength());
        Assert.Equal(JsonValueKind.Array, (await Json(await _http.GetAsync("/api/accounts/API1-TAX/triggers"))).ValueKind);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("/api/accounts/NOPE/lots")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("/api/accounts/NOPE/triggers")).StatusCode);
    }

    [Fact]
    public async Task Household_holding_a_security_that_has_no_price_yet_reads_back_unpriced()
    {
        (await _http.PostAsJsonAsync("/api/securities", new[]
        {
            new { symbol = "APINOPX", name = "Never priced", assetClass = "US Equity", sector = "Diversified", kind = "equityFund" },
        })).EnsureSuccessStatusCode();
        var body = new
        {
            id = "APINP", name = "No Price Family", advisorId = "ADV03",
            accounts = new object[] { new { id = "APINP-TAX", type = "taxable", cash = 0m, lots = new[] { new { id = "APINP-L1", symbol = "APINOPX", quantity = 5m, basis = 500m, purchased = "2025-01-02", holdingSince = "2025-01-02" } } } },
        };
        Assert.Equal(HttpStatusCode.Created, (await _http.PostAsJsonAsync("/api/households", body)).StatusCode);

        var read = await _http.GetAsync("/api/households/APINP");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        var household = await Json(read);
        Assert.Equal(0m, household.GetProperty("marketValue").GetDecimal());
        var lot = household.GetProperty("accounts")[0].GetProperty("holdings")[0].GetProperty("lots")[0];
        Assert.Equal(500m, lot.GetProperty("lot").GetProperty("basis").GetDecimal());
    }

    [Theory]
    [InlineData("name", """{"id":"API2","advisorId":"A","accounts":[{"id":"API2-T","type":"taxable"}]}""")]
    [InlineData("accounts[0].type", """{"id":"API2","name":"N","advisorId":"A","accounts":[{"id":"API2-T"}]}""")]
    [InlineData("quantity must be > 0", """{"id":"API2","name":"N","advisorId":"A","accounts":[{"id":"API2-T","type":"taxable","lots":[{"id":"L","symbol":"APIEQ","quantity":0,"basis":1,"purchased":"2025-01-02","holdingSince":"2025-01-02"}]}]}""")]
    [InlineData("cash must be >= 0", """{"id":"API2","name":"N","advisorId":"A","accounts":[{"id":"API2-T","type":"taxable","cash":-1}]}""")]
    public async Task Bad_household_is_a_400_problem_naming_the_field_and_creates_nothing(string field, string body)
    {
        var response = await _http.PostAsync("/api/households", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(field, (await Json(response)).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("/api/households/API2")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("/api/accounts/API2-T")).StatusCode);
    }

    [Theory]
    [InlineData("""{"id":"API3","name":"N","advisorId":"A","accounts":[{"id":"API3-T","type":"savings"}]}""")]
    [InlineData("""{"id":"API3","name":"N","advisorId":"A","accounts":[{"id":"API3-T","type":7}]}""")]
    [InlineData("""{"id":"API3","name":"N",""")]
    [InlineData("""{"id":"API3","name":"N","advisorId":"A","accounts":[{"id":"API3-T","type":"taxable","cash":1e400}]}""")]
    public async Task Malformed_json_is_a_400(string body)
    {
        var response = await _http.PostAsync("/api/households", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("/api/households/API3")).StatusCode);
    }

    [Fact]
    public async Task Trade_with_idempotency_key_applies_once()
    {
        await Seed();
        (await _http.PostAsJsonAsync("/api/households", Household("API4"))).EnsureSuccessStatusCode();
        var trade = new { date = DateTime.UtcNow.ToString("yyyy-MM-dd"), symbol = "APIEQ", side = "sell", quantity = 4m, price = 125m };

        var request = new HttpRequestMessage(HttpMethod.Post, "/api/accounts/API4-TAX/trades") { Content = JsonContent.Create(trade) };
        request.Headers.Add("Idempotency-Key", "api-4-1");
        var first = await _http.SendAsync(request);
        var retry = new HttpRequestMessage(HttpMethod.Post, "/api/accounts/API4-TAX/trades") { Content = JsonContent.Create(trade) };
        retry.Headers.Add("Idempotency-Key", "api-4-1");
        var second = await _http.SendAsync(retry);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.True((await Json(second)).GetProperty("replayed").GetBoolean());
        var account = await Json(await _http.GetAsync("/api/accounts/API4-TAX"));
        Assert.Equal(1500m, account.GetProperty("cash").GetDecimal());
        Assert.Equal(6m, account.GetProperty("holdings")[0].GetProperty("quantity").GetDecimal());

        var noKey = await _http.PostAsJsonAsync("/api/accounts/API4-TAX/trades", trade);
        Assert.Equal(HttpStatusCode.BadRequest, noKey.StatusCode);
        Assert.Contains("idempotencyKey", (await Json(noKey)).GetProperty("detail").GetString());
        var oversell = await _http.PostAsJsonAsync("/api/accounts/API4-TAX/trades", new { idempotencyKey = "api-4-2", trade.date, trade.symbol, trade.side, quantity = 7m, trade.price });
        Assert.Equal(HttpStatusCode.BadRequest, oversell.StatusCode);
        Assert.Equal(1500m, (await Json(await _http.GetAsync("/api/accounts/API4-TAX"))).GetProperty("cash").GetDecimal());
    }

    [Fact]
    public async Task A_retry_after_the_idempotency_window_replays_from_the_journal_and_a_new_trade_dated_before_it_is_a_400()
    {
        await Seed();
        (await _http.PostAsJsonAsync("/api/households", Household("API5"))).EnsureSuccessStatusCode();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        object Buy(string key, int daysAgo) => new { idempotencyKey = key, date = today.AddDays(-daysAgo).ToString("yyyy-MM-dd"), symbol = "APIEQ", side = "buy", quantity = 1m, price = 120m };
        // A buy 40 days ago, then one today: the window (31 days) now keeps from 31 days ago, so the first has left the books.
        Assert.Equal(HttpStatusCode.Created, (await _http.PostAsJsonAsync("/api/accounts/API5-TAX/trades", Buy("api-5-1", 40))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await _http.PostAsJsonAsync("/api/accounts/API5-TAX/trades", Buy("api-5-2", 0))).StatusCode);

        var retry = await _http.PostAsJsonAsync("/api/accounts/API5-TAX/trades", Buy("api-5-1", 40));
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        var replayed = await Json(retry);
        Assert.True(replayed.GetProperty("replayed").GetBoolean());
        // The first result: 1,000 less one buy of 120.
        Assert.Equal(880m, replayed.GetProperty("cashAfter").GetDecimal());

        var late = await _http.PostAsJsonAsync("/api/accounts/API5-TAX/trades", Buy("api-5-3", 35));
        Assert.Equal(HttpStatusCode.BadRequest, late.StatusCode);
        Assert.Equal("application/problem+json", late.Content.Headers.ContentType?.MediaType);
        Assert.Contains("idempotencyKey api-5-3 is not kept", (await Json(late)).GetProperty("detail").GetString());
        // Two buys, each once.
        Assert.Equal(760m, (await Json(await _http.GetAsync("/api/accounts/API5-TAX"))).GetProperty("cash").GetDecimal());
    }

    [Fact]
    public async Task Unknown_ids_are_404_problems_and_the_openapi_document_lists_the_api()
    {
        var missing = await _http.GetAsync("/api/households/NOPE");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("/api/accounts/NOPE")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("/api/securities/NOPE")).StatusCode);

        var openApi = await Json(await _http.GetAsync("/openapi/v1.json"));
        var paths = openApi.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/households/{id}", out _));
        Assert.True(paths.TryGetProperty("/api/accounts/{id}/trades", out _));
    }

    [Fact]
    public async Task Injected_prices_reach_the_security_and_bad_quotes_are_refused()
    {
        await Seed();
        var bad = await _http.PostAsJsonAsync("/api/prices", new { quotes = new[] { new { symbol = "APIEQ", price = -1m } } });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("quotes[0].price", (await Json(bad)).GetProperty("detail").GetString());

        (await _http.PostAsJsonAsync("/api/prices", new { quotes = new[] { new { symbol = "APIEQ", price = 131.25m } } })).EnsureSuccessStatusCode();
        decimal price = 0;
        for (var i = 0; i < 100 && price != 131.25m; i++)
        {
            price = (await Json(await _http.GetAsync("/api/securities/APIEQ"))).GetProperty("price").GetDecimal();
            if (price != 131.25m) await Task.Delay(50);
        }
        Assert.Equal(131.25m, price);
    }
}

/// <summary>The done-check, automated: the embedded default seeds the demo firm and runs the
/// simulator; two reads of a demo household a moment apart show prices and drift that moved.</summary>
public sealed class DemoFirmApiTests(DemoApiFactory factory) : IClassFixture<DemoApiFactory>
{
    [Fact]
    public async Task Demo_household_prices_and_drift_move_between_reads()
    {
        var http = factory.CreateClient();
        for (var i = 0; i < 600; i++)
        {
            var page = await http.GetAsync("/api/households?pageSize=1");
            if (page.IsSuccessStatusCode && JsonDocument.Parse(await page.Content.ReadAsStringAsync()).RootElement.GetProperty("total").GetInt32() == 200) break;
            await Task.Delay(100);
        }
        JsonElement first = default;
        for (var i = 0; i < 300; i++)
        {
            var response = await http.GetAsync("/api/households/HH0001");
            if (response.IsSuccessStatusCode)
            {
                first = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
                if (first.GetProperty("accounts")[0].GetProperty("priceSequence").GetInt64() > 0) break;
            }
            await Task.Delay(100);
        }
        Assert.Equal(5, first.GetProperty("accounts").GetArrayLength()); // HH0001 holds one account of each type
        await Task.Delay(1000);
        var second = JsonDocument.Parse(await http.GetStringAsync("/api/households/HH0001")).RootElement;

        var before = first.GetProperty("accounts")[0];
        var after = second.GetProperty("accounts")[0];
        Assert.True(after.GetProperty("priceSequence").GetInt64() > before.GetProperty("priceSequence").GetInt64());
        Assert.NotEqual(before.GetProperty("marketValue").GetDecimal(), after.GetProperty("marketValue").GetDecimal());
        // Compare one held line by key (the live system trades, so line order and zero lines may change).
        var held = before.GetProperty("drift").EnumerateArray().First(d => d.GetProperty("weight").GetDouble() > 0.01);
        var key = held.GetProperty("key").GetString();
        var same = after.GetProperty("drift").EnumerateArray().First(d => d.GetProperty("key").GetString() == key);
        Assert.NotEqual(held.GetProperty("weight").GetDouble(), same.GetProperty("weight").GetDouble());
        var households = JsonDocument.Parse(await http.GetStringAsync("/api/households?pageSize=1")).RootElement;
        Assert.Equal(200, households.GetProperty("total").GetInt32());
    }
}
