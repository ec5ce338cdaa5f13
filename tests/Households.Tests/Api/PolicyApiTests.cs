using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace Households.Tests.Api;

/// <summary>A household's tax profile, investment policy and tax budget set through the API, and the preview that shows what the
/// engine would do under them without doing it. The household: $200,000 of one stock (2,000 TRXYZ at $100, basis $40,000,
/// held since 2015) in a non-discretionary taxable account on a 60/40 model of two funds (TransitionApiTests.Seed).</summary>
public sealed class PolicyApiTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    private static async Task<JsonElement> Json(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    private async Task<int> Count(string url) => (await Json(await _http.GetAsync(url))).GetArrayLength();

    [Fact]
    public async Task A_preview_shows_the_plan_under_the_households_profile_and_budget_and_changes_nothing()
    {
        await TransitionApiTests.Seed(_http, "POL1");
        // Let the household's first decision (the opening triggers) settle before counting what a preview adds.
        await Task.Delay(500);
        var proposalsBefore = await Count("/api/households/POL1/proposals");
        var journalBefore = await Count("/api/journal?household=POL1&size=500");

        var flat = await Json(await _http.PostAsync("/api/households/POL1/preview", null));
        Assert.Equal("the firm's flat rates (no tax profile)", flat.GetProperty("rates").GetProperty("basis").GetString());
        var account = flat.GetProperty("accounts")[0];
        Assert.Equal(200_000m, account.GetProperty("value").GetDecimal());
        // All in one stock against a 60/40 fund model: far from the model before.
        Assert.True(account.GetProperty("trackingErrorBefore").GetDouble() > 0.10);
        Assert.Equal(JsonValueKind.Null, flat.GetProperty("transition").ValueKind);

        // A bad profile is refused whole and nothing changes.
        var bad = await _http.PutAsJsonAsync("/api/households/POL1/tax-profile", new { filing = "marriedJoint", ordinaryRate = 1.5m });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
        Assert.Equal(JsonValueKind.Null, (await Json(await _http.GetAsync("/api/households/POL1"))).GetProperty("taxProfile").ValueKind);

        var profile = await _http.PutAsJsonAsync("/api/households/POL1/tax-profile", new { filing = "marriedJoint", taxableIncome = 450_000m, stateRate = 0.05m });
        Assert.Equal(450_000m, (await Json(profile)).GetProperty("tax").GetProperty("taxableIncome").GetDecimal());
        (await Json(await _http.PutAsJsonAsync("/api/households/POL1/tax-budget", new { budget = new { amount = 10_000m, unit = "gains" } }))).GetRawText();
        (await Json(await _http.PutAsJsonAsync("/api/households/POL1/policy", new { trackingErrorWeight = 2.0, taxSensitivity = 1.0 }))).GetRawText();
        var view = await Json(await _http.GetAsync("/api/households/POL1"));
        Assert.Equal(2.0, view.GetProperty("policy").GetProperty("trackingErrorWeight").GetDouble());

        // Each change is journaled.
        var changes = await Json(await _http.GetAsync("/api/journal?household=POL1&kind=PolicyChange"));
        Assert.Equal(3, changes.GetArrayLength());
        Assert.Equal(["investment policy set", "tax budget set", "tax profile set"], changes.EnumerateArray().Select(e => e.GetProperty("summary").GetString()!).Order().ToArray());

        await Task.Delay(500);
        proposalsBefore = await Count("/api/households/POL1/proposals");
        journalBefore = await Count("/api/journal?household=POL1&size=500");
        var preview = await Json(await _http.PostAsync("/api/households/POL1/preview", null));
        var rates = preview.GetProperty("rates");
        Assert.Equal(0.408m, rates.GetProperty("ordinary").GetDecimal());
        Assert.Equal(0.238m, rates.GetProperty("longTermGain").GetDecimal());
        // The live plan keeps within the year's $10,000 budget of net gains; its tax is priced at 23.8 %.
        var plan = preview.GetProperty("plan");
        var gains = plan.GetProperty("shortTermGain").GetDecimal() + plan.GetProperty("longTermGain").GetDecimal();
        Assert.InRange(gains, 1_000m, 10_000.01m);
        Assert.InRange(preview.GetProperty("estimatedTax").GetDecimal() - Math.Round(gains * 0.238m, 2), -1m, 1m);
        var years = preview.GetProperty("transition").GetProperty("years").EnumerateArray().ToArray();
        Assert.NotEmpty(years);
        Assert.All(years, y => Assert.InRange(y.GetProperty("netGain").GetDecimal(), 0m, 10_000.01m));

        // Nothing was filed or journaled by the previews.
        Assert.Equal(proposalsBefore, await Count("/api/households/POL1/proposals"));
        Assert.Equal(journalBefore, await Count("/api/journal?household=POL1&size=500"));
    }

    [Fact]
    public async Task A_policy_the_optimizer_cannot_honour_is_400_and_an_account_policy_reads_back()
    {
        await TransitionApiTests.Seed(_http, "POL2");
        var bad = await _http.PutAsJsonAsync("/api/households/POL2/policy", new { sectorBand = 0.0 });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("sectorBand", await bad.Content.ReadAsStringAsync());
        Assert.Equal(JsonValueKind.Null, (await Json(await _http.GetAsync("/api/households/POL2"))).GetProperty("policy").ValueKind);

        var spec = await Json(await _http.PutAsJsonAsync("/api/accounts/POL2-TAX/policy", new { tracksOwnModel = true, minTrade = 250m }));
        Assert.True(spec.GetProperty("policy").GetProperty("tracksOwnModel").GetBoolean());
        Assert.Equal(250m, spec.GetProperty("policy").GetProperty("minTrade").GetDecimal());
        Assert.Equal(HttpStatusCode.NotFound, (await _http.PostAsync("/api/households/NOPE/preview", null)).StatusCode);

        // A client's restrictions: refused whole when bad (nothing journaled), journaled when set, as the account's policy was.
        var badRestriction = await _http.PutAsJsonAsync("/api/accounts/POL2-TAX/restrictions", new[] { new { kind = "exclude", reason = "ESG" } });
        Assert.Equal(HttpStatusCode.BadRequest, badRestriction.StatusCode);
        Assert.Equal(0, await Count("/api/journal?account=POL2-TAX&kind=Restriction"));
        (await Json(await _http.PutAsJsonAsync("/api/accounts/POL2-TAX/restrictions", new[] { new { kind = "exclude", symbol = "XOM", reason = "ESG" } }))).GetRawText();
        var restriction = Assert.Single((await Json(await _http.GetAsync("/api/journal?account=POL2-TAX&kind=Restriction"))).EnumerateArray());
        Assert.Equal("Restrictions of POL2-TAX set: Exclude XOM", restriction.GetProperty("summary").GetString());
        var accountPolicy = Assert.Single((await Json(await _http.GetAsync("/api/journal?account=POL2-TAX&kind=PolicyChange"))).EnumerateArray());
        Assert.Equal("Investment policy of POL2-TAX set", accountPolicy.GetProperty("summary").GetString());

        // Each became a decision's cause, and the household's audit finds every client event decided.
        var causes = new List<string>();
        for (var waited = 0; waited < 100 && causes.Count < 2; waited++)
        {
            await Task.Delay(100);
            causes = [.. (await Json(await _http.GetAsync("/api/journal?account=POL2-TAX&kind=Trigger&limit=100"))).EnumerateArray()
                .Select(e => e.GetProperty("idempotencyKey").GetString()!).Where(k => k.StartsWith("trigger:Restriction:", StringComparison.Ordinal) || k.StartsWith("trigger:Policy:policy:", StringComparison.Ordinal))];
        }
        Assert.Equal(2, causes.Count);
        var audit = await Json(await _http.GetAsync("/api/audit?household=POL2"));
        Assert.Equal(2, audit.GetProperty("clientEvents").GetInt32());
        Assert.Equal(0, audit.GetProperty("clientEventsNotDecided").GetProperty("count").GetInt32());
    }
}
