using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Xunit;

namespace Households.Tests.Api;

/// <summary>A custodian file posted against a household seeded through the API: one quantity break and one missing lot,
/// read back, resolved and journaled; bad input is a 400 naming line and field and stores nothing.</summary>
public sealed class ReconciliationApiTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    private static async Task<JsonElement> Json(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    /// <summary>TRAN-style household: 2,000 TRXYZ (basis $40,000, lot {id}-L1) in {id}-TAX, no cash.</summary>
    private static string Positions(string id) => $"""
        account,symbol,quantity,cost_basis,acquired,lot_id
        {id}-TAX,TRXYZ,1990,40000.00,2015-01-02,{id}-L1
        {id}-TAX,TRVTI,10,2400.00,2026-01-05,C-1
        {id}-TAX,CASH,0,,,
        NOBODY-1,TRXYZ,5,500,2020-01-02,
        """;

    [Fact]
    public async Task A_quantity_break_and_a_missing_lot_are_reported_kept_and_resolved_with_a_journal_entry()
    {
        await TransitionApiTests.Seed(_http, "REC1");
        var post = await _http.PostAsJsonAsync("/api/reconciliation", new { positions = Positions("REC1"), asOf = "2026-03-02" });
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        var report = await Json(post);
        var accounts = report.GetProperty("accounts").EnumerateArray().ToArray();
        Assert.Equal(2, accounts.Length);
        var ours = accounts[0];
        Assert.Equal("REC1-TAX", ours.GetProperty("account").GetString());
        Assert.Equal(2, ours.GetProperty("breaks").GetInt32());
        var lines = ours.GetProperty("lines").EnumerateArray().ToArray();
        var quantity = lines.Single(l => l.GetProperty("symbol").GetString() == "TRXYZ");
        Assert.Equal((2_000m, 1_990m, -10m), (quantity.GetProperty("ourQuantity").GetDecimal(), quantity.GetProperty("theirQuantity").GetDecimal(), quantity.GetProperty("difference").GetDecimal()));
        var missing = lines.Single(l => l.GetProperty("symbol").GetString() == "TRVTI");
        Assert.Equal(("C-1", 10m, 2_400m), (missing.GetProperty("lot").GetString(), missing.GetProperty("difference").GetDecimal(), missing.GetProperty("theirBasis").GetDecimal()));
        Assert.Equal(3, lines.Length); // and cash matched at 0
        Assert.Equal("NOBODY-1", accounts[1].GetProperty("account").GetString());
        Assert.Equal(0, accounts[1].GetProperty("lines").GetArrayLength());
        var kinds = string.Join(",", lines.Select(l => l.GetProperty("kind").ToString()));
        Assert.Equal("missingLot,quantityBreak,matched", kinds);
        Assert.Equal("unknownAccount", accounts[1].GetProperty("status").GetString());

        // Read back: the latest report, open.
        var latest = await Json(await _http.GetAsync("/api/reconciliation?account=REC1-TAX"));
        Assert.Equal(2, latest.GetProperty("breaks").GetInt32());
        Assert.True(latest.GetProperty("openBreak").GetBoolean());
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("/api/reconciliation?account=NOBODY-1")).StatusCode);

        // Keeping ours needs a note; then resolved and journaled.
        var noNote = await _http.PostAsJsonAsync("/api/reconciliation/REC1-TAX/resolve", new { action = "keepOurs" });
        Assert.Equal(HttpStatusCode.BadRequest, noNote.StatusCode);
        Assert.Contains("note is required", (await Json(noNote)).GetProperty("detail").GetString());
        var resolved = await _http.PostAsJsonAsync("/api/reconciliation/REC1-TAX/resolve", new { action = "keepOurs", note = "custodian late on the TRVTI buy" });
        Assert.Equal(HttpStatusCode.OK, resolved.StatusCode);
        var after = await Json(await _http.GetAsync("/api/reconciliation?account=REC1-TAX"));
        Assert.False(after.GetProperty("openBreak").GetBoolean());
        Assert.Equal("custodian late on the TRVTI buy", after.GetProperty("resolution").GetProperty("note").GetString());
        Assert.Equal("test-admin", after.GetProperty("resolution").GetProperty("resolvedBy").GetString());
        Assert.Equal("keepOurs", after.GetProperty("resolution").GetProperty("action").GetString());
        Assert.False(after.GetProperty("resolution").GetProperty("booksChanged").GetBoolean());
        Assert.Equal(HttpStatusCode.BadRequest, (await _http.PostAsJsonAsync("/api/reconciliation/REC1-TAX/resolve", new { action = "acceptCustodian" })).StatusCode);

        var journal = await _http.GetStringAsync("/api/journal?account=REC1-TAX&kind=Reconciliation");
        Assert.Contains("2 break(s) resolved, our books kept: custodian late on the TRVTI buy", journal);
    }

    [Fact]
    public async Task Bad_input_is_400_naming_line_and_field_and_stores_nothing()
    {
        await TransitionApiTests.Seed(_http, "REC2");
        var bad = Positions("REC2").Replace("REC2-TAX,TRVTI,10,", "REC2-TAX,TRVTI,1e3,");
        var response = await _http.PostAsync("/api/reconciliation?asOf=2026-03-02", new StringContent(bad, Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("custodian-positions.csv line 3, field quantity", (await Json(response)).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("/api/reconciliation?account=REC2-TAX")).StatusCode);

        var csv = await _http.PostAsync("/api/reconciliation?asOf=2026-03-02", new StringContent(Positions("REC2"), Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal(2, (await Json(await _http.GetAsync("/api/reconciliation?account=REC2-TAX"))).GetProperty("breaks").GetInt32());
    }

    [Fact]
    public async Task Another_advisors_accounts_are_unknown_and_readers_may_not_reconcile()
    {
        await TransitionApiTests.Seed(_http, "REC3"); // advisor ADV03
        using var stranger = factory.CreateClientFor(Households.Auth.HouseholdsAuth.Advisor, "ADV99");
        var post = await stranger.PostAsJsonAsync("/api/reconciliation", new { positions = Positions("REC3"), asOf = "2026-03-02" });
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        var accounts = (await Json(post)).GetProperty("accounts").EnumerateArray().ToArray();
        Assert.All(accounts, a => Assert.Equal("unknownAccount", a.GetProperty("status").GetString()));
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("/api/reconciliation?account=REC3-TAX")).StatusCode); // nothing stored
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync("/api/reconciliation?account=REC3-TAX")).StatusCode);

        using var owner = factory.CreateClientFor(Households.Auth.HouseholdsAuth.Advisor, "ADV03");
        var own = await Json(await owner.PostAsJsonAsync("/api/reconciliation", new { positions = Positions("REC3"), asOf = "2026-03-02" }));
        Assert.Equal(2, own.GetProperty("accounts")[0].GetProperty("breaks").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.PostAsJsonAsync("/api/reconciliation/REC3-TAX/resolve", new { action = "acceptCustodian" })).StatusCode);

        using var reader = factory.CreateClientFor(Households.Auth.HouseholdsAuth.Reader);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsJsonAsync("/api/reconciliation", new { positions = Positions("REC3") })).StatusCode);
    }
}
