using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace Households.Tests.Api.Security;

/// <summary>Advisors act only on their own households; another advisor's household is indistinguishable from a missing
/// one. Readers read only. Firm-level writes are for administrators.</summary>
[Collection(SecurityCollection.Name)]
public sealed class IsolationTests(SecurityFactory factory)
{
    private static readonly SemaphoreSlim Seeded = new(1, 1);
    private static bool _seeded;

    private static object Household(string id, string advisor) => new
    {
        id, name = $"Family {id}", advisorId = advisor,
        accounts = new object[]
        {
            new { id = $"{id}-TAX", type = "taxable", cash = 1000m, discretionary = false,
                lots = new[] { new { id = $"{id}-L1", symbol = "ISOEQ", quantity = 10m, basis = 1500m, purchased = "2025-01-02", holdingSince = "2025-01-02" } } },
        },
    };

    private async Task Seed()
    {
        await Seeded.WaitAsync();
        try
        {
            if (_seeded) return;
            using var admin = factory.CreateClient();
            (await admin.PostAsJsonAsync("/api/securities", new[] { new { symbol = "ISOEQ", name = "Iso equity", assetClass = "US Equity", sector = "Diversified", kind = "equityFund" } })).EnsureSuccessStatusCode();
            (await admin.PostAsJsonAsync("/api/prices", new { quotes = new[] { new { symbol = "ISOEQ", price = 120m } } })).EnsureSuccessStatusCode();
            foreach (var (id, advisor) in new[] { ("ISO-A1", "ADV-A"), ("ISO-A2", "ADV-A"), ("ISO-B1", "ADV-B") })
                (await admin.PostAsJsonAsync("/api/households", Household(id, advisor))).EnsureSuccessStatusCode();
            _seeded = true;
        }
        finally { Seeded.Release(); }
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response) => JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    [Fact]
    public async Task An_advisor_lists_only_own_households()
    {
        await Seed();
        using var a = factory.CreateClientFor("advisor", "ADV-A");
        var list = await Json(await a.GetAsync("/api/households?pageSize=500"));
        var ids = list.GetProperty("items").EnumerateArray().Select(h => h.GetProperty("id").GetString()).ToHashSet();
        Assert.Equal(new HashSet<string?> { "ISO-A1", "ISO-A2" }, ids);
        Assert.Equal(2, list.GetProperty("total").GetInt32());
        using var admin = factory.CreateClient();
        var all = await Json(await admin.GetAsync("/api/households?pageSize=500"));
        Assert.Contains(all.GetProperty("items").EnumerateArray(), h => h.GetProperty("id").GetString() == "ISO-B1");
    }

    public static TheoryData<string, string, string?> OthersHousehold() => new()
    {
        { "GET", "/api/households/{h}", null },
        { "GET", "/api/households/{h}/live", null },
        { "GET", "/api/households/{h}/tax", null },
        { "GET", "/api/households/{h}/proposals", null },
        { "POST", "/api/households/{h}/rebalance", null },
        { "POST", "/api/households/{h}/proposals/P1/approve", null },
        { "POST", "/api/households/{h}/proposals/P1/reject", "{}" },
        { "GET", "/api/households/{h}/orders.csv", null },
        { "GET", "/api/accounts/{h}-TAX", null },
        { "POST", "/api/accounts/{h}-TAX/trades", """{"idempotencyKey":"iso-1","symbol":"ISOEQ","side":"sell","quantity":10,"price":100}""" },
        { "POST", "/api/accounts/{h}-TAX/cash", """{"idempotencyKey":"iso-2","kind":"withdrawal","amount":900}""" },
        { "PUT", "/api/accounts/{h}-TAX/restrictions", "[]" },
        { "GET", "/api/accounts/{h}-TAX/wash-sale-check?lot={h}-L1&quantity=1", null },
        { "GET", "/api/accounts/{h}-TAX/buy-blackouts", null },
        { "GET", "/api/journal?household={h}", null },
        { "GET", "/api/journal?account={h}-TAX", null },
    };

    [Theory]
    [MemberData(nameof(OthersHousehold))]
    public async Task Another_advisors_household_answers_exactly_like_a_missing_one(string method, string route, string? body)
    {
        await Seed();
        using var a = factory.CreateClientFor("advisor", "ADV-A");
        async Task<(HttpStatusCode, string?, string?)> Call(string household)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), route.Replace("{h}", household));
            if (body is not null) request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
            using var response = await a.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var problem = text.StartsWith('{') ? JsonDocument.Parse(text).RootElement : default;
            return (response.StatusCode,
                problem.ValueKind == JsonValueKind.Object && problem.TryGetProperty("title", out var t) ? t.GetString() : null,
                problem.ValueKind == JsonValueKind.Object && problem.TryGetProperty("detail", out var d) ? d.GetString()?.Replace(household, "ID") : null);
        }
        var others = await Call("ISO-B1");
        var missing = await Call("ISO-NONE");
        Assert.Equal(HttpStatusCode.NotFound, others.Item1);
        Assert.Equal(missing, others);

        // Nothing happened to advisor B's household.
        using var admin = factory.CreateClient();
        var account = await Json(await admin.GetAsync("/api/accounts/ISO-B1-TAX"));
        Assert.Equal(10m, account.GetProperty("holdings")[0].GetProperty("lots")[0].GetProperty("lot").GetProperty("quantity").GetDecimal());
        Assert.Equal(1000m, account.GetProperty("cash").GetDecimal());
    }

    [Fact]
    public async Task An_advisor_reads_and_acts_on_own_households()
    {
        await Seed();
        using var a = factory.CreateClientFor("advisor", "ADV-A");
        Assert.Equal(HttpStatusCode.OK, (await a.GetAsync("/api/households/ISO-A1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await a.GetAsync("/api/households/ISO-A1/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await a.GetAsync("/api/accounts/ISO-A1-TAX")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await a.GetAsync("/api/journal?household=ISO-A1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await a.GetAsync("/api/households/ISO-A1/proposals")).StatusCode);
        var cash = await a.PostAsJsonAsync("/api/accounts/ISO-A2-TAX/cash", new { idempotencyKey = "iso-own-1", kind = "deposit", amount = 50m });
        Assert.Equal(HttpStatusCode.OK, cash.StatusCode);
        Assert.Equal(1050m, (await Json(cash)).GetProperty("cash").GetDecimal());
    }

    [Theory]
    [InlineData("POST", "/api/households/ISO-A1/rebalance", null)]
    [InlineData("POST", "/api/accounts/ISO-A1-TAX/cash", """{"idempotencyKey":"iso-r1","kind":"deposit","amount":5}""")]
    [InlineData("POST", "/api/accounts/ISO-A1-TAX/trades", """{"idempotencyKey":"iso-r2","symbol":"ISOEQ","side":"sell","quantity":1,"price":100}""")]
    [InlineData("PUT", "/api/accounts/ISO-A1-TAX/restrictions", "[]")]
    [InlineData("POST", "/api/households/ISO-A1/proposals/P1/approve", null)]
    [InlineData("POST", "/api/securities", "[]")]
    public async Task A_reader_reads_but_may_not_write(string method, string route, string? body)
    {
        await Seed();
        using var reader = factory.CreateClientFor("reader");
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/api/households/ISO-A1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/api/households/ISO-B1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/api/households/ISO-B1/live")).StatusCode);
        using var request = new HttpRequestMessage(new HttpMethod(method), route);
        if (body is not null) request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.SendAsync(request)).StatusCode);
        using var admin = factory.CreateClient();
        Assert.Equal(1000m, (await Json(await admin.GetAsync("/api/accounts/ISO-A1-TAX"))).GetProperty("cash").GetDecimal());
    }

    [Theory]
    [InlineData("POST", "/api/securities", """[{"symbol":"ISOX","name":"X","assetClass":"US Equity","sector":"Diversified","kind":"equityFund"}]""")]
    [InlineData("PUT", "/api/models/ISO-M", """{"id":"ISO-M"}""")]
    [InlineData("POST", "/api/prices", """{"quotes":[{"symbol":"ISOEQ","price":1}]}""")]
    [InlineData("POST", "/api/households", """{"id":"ISO-A9","name":"N","advisorId":"ADV-A","accounts":[{"id":"ISO-A9-T","type":"taxable"}]}""")]
    public async Task Firm_level_writes_are_for_administrators(string method, string route, string body)
    {
        await Seed();
        using var a = factory.CreateClientFor("advisor", "ADV-A");
        using var request = new HttpRequestMessage(new HttpMethod(method), route) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        Assert.Equal(HttpStatusCode.Forbidden, (await a.SendAsync(request)).StatusCode);
        using var admin = factory.CreateClient();
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/households/ISO-A9")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/securities/ISOX")).StatusCode);
    }
}
