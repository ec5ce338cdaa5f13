using System.Net;
using System.Text;
using System.Text.Json;
using Households.Tests.Api;
using Microsoft.AspNetCore.Hosting;
using Xunit;

namespace Households.Tests.Hostile;

/// <summary>The silo in the Production environment (so bad requests take the same path they take in a real
/// deployment), with one household, two securities with prices and one model to attack.</summary>
public sealed class HostileApiFactory() : SiloFactory(false)
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseEnvironment("Production");
    }
}

public sealed class HostileApiFixture : IAsyncLifetime
{
    public HostileApiFactory Factory { get; } = new();
    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Http = Factory.CreateClient();
        await Send(HttpMethod.Post, "/api/securities", """
            [{"symbol":"HQA","name":"Hostile A","assetClass":"US Equity","sector":"Tech","kind":"stock"},
             {"symbol":"HQB","name":"Hostile B","assetClass":"US Equity","sector":"Tech","kind":"stock"}]
            """);
        await Send(HttpMethod.Post, "/api/prices", """{"quotes":[{"symbol":"HQA","price":120},{"symbol":"HQB","price":80}]}""");
        await Send(HttpMethod.Put, $"/api/models/{HostileApiCases.Model}", """
            {"id":"HM1","name":"M","sleeves":[{"kind":"security","key":"HQA","weight":1,"band":{"absolute":0.05,"relative":0.25}}],"directIndexing":false}
            """);
        // Harvesting off and no model: nothing raises triggers on its own, so the books stay still between snapshots.
        await Send(HttpMethod.Post, "/api/households", """
            {"id":"HOST","name":"The Hostile Family","advisorId":"ADV01","accounts":[
              {"id":"HOST-TAX","type":"taxable","cash":10000,"harvest":{"enabled":false,"minLossPercent":0,"minLossDollars":0},
               "lots":[{"id":"HL1","symbol":"HQA","quantity":50,"basis":5000,"purchased":"2025-01-02","holdingSince":"2025-01-02"}]},
              {"id":"HOST-IRA","type":"ira","cash":500}]}
            """);
        // Wait until the price batch reached the board, so later snapshots see settled values.
        for (var i = 0; i < 100; i++)
        {
            var security = JsonDocument.Parse(await Http.GetStringAsync("/api/securities/HQB")).RootElement;
            if (security.GetProperty("price").ValueKind == JsonValueKind.Number) break;
            await Task.Delay(50);
        }
    }

    private async Task Send(HttpMethod method, string path, string json)
    {
        var response = await Http.SendAsync(new HttpRequestMessage(method, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") });
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public async Task DisposeAsync() => await Factory.DisposeAsync();

    /// <summary>Everything a hostile request could have changed: the household and its accounts, proposals, the
    /// journal by household and by account, both securities, the model and the firm's list of households.</summary>
    public async Task<string> Snapshot()
    {
        var parts = new List<string>();
        foreach (var path in new[]
                 {
                     "/api/households/HOST", "/api/accounts/HOST-TAX", "/api/accounts/HOST-IRA", "/api/households/HOST/proposals",
                     "/api/journal?household=HOST&limit=1000", "/api/journal?account=HOST-TAX&limit=1000",
                     "/api/securities/HQA", "/api/securities/HQB", "/api/models/HM1", "/api/households?page=1&pageSize=1000",
                     "/api/households/HNEW", "/api/accounts/HNEW-T", "/api/securities/HQC",
                 })
        {
            var response = await Http.GetAsync(path);
            // A 404 problem carries a fresh trace id each time; everything else must match byte for byte.
            var text = System.Text.RegularExpressions.Regex.Replace(await response.Content.ReadAsStringAsync(), "\"traceId\":\"[^\"]*\"", "");
            parts.Add($"{path} {(int)response.StatusCode} {text}");
        }
        return string.Join("\n", parts);
    }
}

/// <summary>Every generated hostile request answers a 4xx problem (application/problem+json) whose detail names the
/// problem, never a 5xx, and leaves every view, the journal and the firm's list exactly as they were.</summary>
public sealed class HostileApiTests(HostileApiFixture fixture) : IClassFixture<HostileApiFixture>
{
    public static TheoryData<string> Cases() => [.. HostileApiCases.All.Keys];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Hostile_request_is_a_4xx_problem_naming_it_and_changes_nothing(string name)
    {
        var c = HostileApiCases.All[name];
        var before = await fixture.Snapshot();
        var request = new HttpRequestMessage(c.Method, c.Path) { Content = c.Body() };
        if (c.IdempotencyKey is { } key) request.Headers.TryAddWithoutValidation("Idempotency-Key", key);

        var response = await fixture.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        var status = (int)response.StatusCode;
        Assert.True(status is >= 400 and < 500, $"{name}: {status} {Cut(body)}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(body);
        var detail = problem.RootElement.TryGetProperty("detail", out var d) ? d.GetString() ?? "" : "";
        var errors = problem.RootElement.TryGetProperty("errors", out var e) ? e.GetRawText() : "";
        foreach (var word in c.Expect)
            Assert.True((detail + " " + errors).Contains(word, StringComparison.OrdinalIgnoreCase), $"{name}: '{word}' not in {Cut(detail + errors)}");
        Assert.Equal(before, await fixture.Snapshot());
    }

    [Fact]
    public async Task Snapshot_is_stable_when_nothing_is_sent()
    {
        var first = await fixture.Snapshot();
        await Task.Delay(500);
        Assert.Equal(first, await fixture.Snapshot());
        Assert.Contains("HL1", first);
    }

    [Fact]
    public async Task An_sql_string_in_a_display_name_is_stored_verbatim_not_executed()
    {
        // Names like O'Brien are legitimate: quotes and semicolons are data, never SQL (every statement is parameterized).
        const string name = "O'Brien'; DROP TABLE households;--";
        var response = await fixture.Http.PostAsync("/api/households", new StringContent(
            JsonSerializer.Serialize(new { id = "HOBRIEN", name, advisorId = "ADV01", accounts = new[] { new { id = "HOBRIEN-T", type = "ira" } } }),
            Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var household = JsonDocument.Parse(await fixture.Http.GetStringAsync("/api/households/HOBRIEN")).RootElement;
        Assert.Equal(name, household.GetProperty("name").GetString());
        Assert.Equal(HttpStatusCode.OK, (await fixture.Http.GetAsync("/api/households/HOST")).StatusCode);
    }

    private static string Cut(string s) => s.Length > 400 ? s[..400] + "…" : s;
}
