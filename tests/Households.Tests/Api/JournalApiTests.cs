using System.Net;
using System.Text.Json;
using Households.Auth;
using Households.Domain.Tax;
using Xunit;

namespace Households.Tests.Api;

/// <summary>The journal query for compliance: kinds by the names the journal prints, the whole firm by kind and time range
/// for administrators and readers (paged by the <c>Link</c> it answers), and the same query as CSV.</summary>
public sealed class JournalApiTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    private static async Task<JsonElement[]> Entries(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.EnumerateArray().ToArray();
    }

    [Fact]
    public async Task Kinds_are_named_as_printed_and_the_firm_is_paged_and_exported()
    {
        await TransitionApiTests.Seed(_http, "JRN1");
        await TransitionApiTests.Seed(_http, "JRN2");

        // The name the journal prints is the name the query takes; the enum name and kebab case are accepted too.
        var opened = await Entries(await _http.GetAsync("/api/journal?household=JRN1&kind=accountOpened"));
        Assert.NotEmpty(opened);
        Assert.All(opened, e => Assert.Equal("accountOpened", e.GetProperty("kind").GetString()));
        foreach (var spelling in new[] { "AccountOpened", "account-opened", "ACCOUNT_OPENED" })
            Assert.Equal(opened.Select(e => e.GetProperty("id").GetInt64()),
                (await Entries(await _http.GetAsync($"/api/journal?household=JRN1&kind={spelling}"))).Select(e => e.GetProperty("id").GetInt64()));
        var bad = await _http.GetAsync("/api/journal?household=JRN1&kind=fills");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("fill, washSale", await bad.Content.ReadAsStringAsync());

        // Firm-wide, one entry a page: following the Link visits both households' account openings once each.
        var firm = await Entries(await _http.GetAsync("/api/journal?kind=accountOpened&limit=1000"));
        Assert.Contains(firm, e => e.GetProperty("householdId").GetString() == "JRN1");
        Assert.Contains(firm, e => e.GetProperty("householdId").GetString() == "JRN2");
        var visited = new List<long>();
        var next = "/api/journal?kind=accountOpened&limit=1";
        for (var pages = 0; next is not null && pages <= firm.Length + 1; pages++)
        {
            var response = await _http.GetAsync(next);
            visited.AddRange((await Entries(response)).Select(e => e.GetProperty("id").GetInt64()));
            next = response.Headers.TryGetValues("Link", out var links) ? links.Single().Split('>')[0].TrimStart('<') : null;
        }
        Assert.Equal(firm.Select(e => e.GetProperty("id").GetInt64()), visited);

        // The same query as CSV: one row per entry, the kind as printed, the payload a JSON cell.
        var csv = await _http.GetAsync("/api/journal.csv?household=JRN1");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var (header, rows) = Csv.Read(await csv.Content.ReadAsStringAsync(), "journal.csv");
        Assert.Equal(["id", "occurred_at", "household", "account", "kind", "idempotency_key", "summary", "payload"], header);
        var json = await Entries(await _http.GetAsync("/api/journal?household=JRN1"));
        Assert.Equal(json.Select(e => e.GetProperty("id").GetInt64().ToString()), rows.Select(r => r.Fields[0]));
        Assert.Equal(json.Select(e => e.GetProperty("kind").GetString()), rows.Select(r => r.Fields[4]));
        Assert.All(rows, r => Assert.Equal("JRN1", r.Fields[2]));
        Assert.All(rows, r => JsonDocument.Parse(r.Fields[7]));
    }

    [Fact]
    public async Task The_firm_wide_journal_is_for_administrators_and_readers()
    {
        await TransitionApiTests.Seed(_http, "JRN3");
        using var reader = factory.CreateClientFor(HouseholdsAuth.Reader);
        Assert.NotEmpty(await Entries(await reader.GetAsync("/api/journal?kind=accountOpened")));
        using var advisor = factory.CreateClientFor(HouseholdsAuth.Advisor, "ADV03");
        var firmWide = await advisor.GetAsync("/api/journal?kind=accountOpened");
        Assert.Equal(HttpStatusCode.BadRequest, firmWide.StatusCode);
        Assert.Contains("household or account is required", await firmWide.Content.ReadAsStringAsync());
        Assert.NotEmpty(await Entries(await advisor.GetAsync("/api/journal?household=JRN3&kind=accountOpened")));
        Assert.Equal(HttpStatusCode.BadRequest, (await advisor.GetAsync("/api/journal.csv")).StatusCode);
    }
}
