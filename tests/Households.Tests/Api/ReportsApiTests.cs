using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Households.Auth;
using Households.Tests.Cli;
using Xunit;

namespace Households.Tests.Api;

/// <summary>Corporate actions and tax reports through the real API (and the CLI) against an in-memory silo. Each test uses
/// its own symbols, so a firm-wide action touches only its own household.</summary>
public sealed class ReportsApiTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    /// <summary>A household with a taxable account T (100 sh of <paramref name="symbol"/>, basis 5,000, bought 2025-01-02) and a
    /// taxable account R that reinvests dividends (200 sh, basis 4,000, bought 2024-01-02).</summary>
    private async Task<string> Create(string symbol)
    {
        var id = $"HH-{symbol}";
        var body = new
        {
            id, name = "Report family", advisorId = "ADV-R",
            accounts = new object[]
            {
                new { id = $"{id}-T", type = "taxable", cash = 10_000m, lots = new[] { new { id = $"{symbol}-L1", symbol, quantity = 100m, basis = 5000m, purchased = "2025-01-02", holdingSince = "2025-01-02" } } },
                new { id = $"{id}-R", type = "taxable", cash = 0m, reinvestDividends = true, fractionalShares = true,
                    lots = new[] { new { id = $"{symbol}-L2", symbol, quantity = 200m, basis = 4000m, purchased = "2024-01-02", holdingSince = "2024-01-02" } } },
            },
        };
        (await _http.PostAsJsonAsync("/api/households", body)).EnsureSuccessStatusCode();
        return id;
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response) => JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    private async Task<JsonElement> Lot(string account, string lot) =>
        (await Json(await _http.GetAsync($"/api/accounts/{account}/lots"))).EnumerateArray().Single(l => l.GetProperty("id").GetString() == lot);

    [Fact]
    public async Task A_split_applies_once_by_action_id_and_a_changed_action_under_the_same_id_is_refused()
    {
        var hh = await Create("CASPL");
        var split = new { id = "CASPL-2FOR1", kind = "split", symbol = "CASPL", date = "2025-03-03", ratio = 2m, price = 25m };
        var first = await _http.PostAsJsonAsync("/api/corporate-actions", split);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var report = await Json(first);
        Assert.Equal(2, report.GetProperty("households")[0].GetProperty("accounts").GetArrayLength());
        var lot = await Lot($"{hh}-T", "CASPL-L1");
        Assert.Equal((200m, 5000m, "2025-01-02"), (lot.GetProperty("quantity").GetDecimal(), lot.GetProperty("basis").GetDecimal(), lot.GetProperty("holdingSince").GetString()));

        var again = await _http.PostAsJsonAsync("/api/corporate-actions", split);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.True((await Json(again)).GetProperty("replayed").GetBoolean());
        Assert.Equal(200m, (await Lot($"{hh}-T", "CASPL-L1")).GetProperty("quantity").GetDecimal());

        var changed = await _http.PostAsJsonAsync("/api/corporate-actions", split with { ratio = 3m });
        Assert.Equal(HttpStatusCode.BadRequest, changed.StatusCode);
        Assert.Contains("already applied with different content", (await Json(changed)).GetProperty("detail").GetString());
        Assert.Equal(200m, (await Lot($"{hh}-T", "CASPL-L1")).GetProperty("quantity").GetDecimal());
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/api/corporate-actions/CASPL-2FOR1")).StatusCode);

        // Bad input is a 400 problem naming the field; an advisor may not apply actions.
        var bad = await _http.PostAsJsonAsync("/api/corporate-actions", new { id = "CASPL-BAD", kind = "split", symbol = "CASPL", date = "2025-03-04", ratio = 1m, price = 25m });
        Assert.Equal("a split's ratio must not be 1", (await Json(bad)).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await factory.CreateClientFor(HouseholdsAuth.Advisor, "ADV-R").PostAsJsonAsync("/api/corporate-actions", split)).StatusCode);
    }

    [Fact]
    public async Task Realized_unrealized_and_summary_reports_answer_in_json_csv_and_pdf()
    {
        var hh = await Create("CARPT");
        // R's reinvested dividend: 200 sh × $0.50 = $100 at $20 = 5 sh. T sells its 100 sh at $40: a short-term loss of 1,000.
        (await _http.PostAsJsonAsync("/api/corporate-actions", new { id = "CARPT-DIV", kind = "cashDividend", symbol = "CARPT", date = "2025-03-03", cash = 0.5m, price = 20m }))
            .EnsureSuccessStatusCode();
        (await _http.PostAsJsonAsync($"/api/accounts/{hh}-T/trades", new { idempotencyKey = "carpt-sell", date = "2025-03-10", symbol = "CARPT", side = "sell", quantity = 100m, price = 40m }))
            .EnsureSuccessStatusCode();

        // The loss sold on 2025-03-10 is washed by the reinvestment 7 days before: 5 of 100 shares, 50 disallowed.
        var csv = await _http.GetStringAsync($"/api/reports/realized?household={hh}&from=2025-01-01&to=2025-12-31&format=csv");
        Assert.Equal(
            $"""
            {Households.Domain.Tax.Form8949.Header}
            lot,I,A,{hh},{hh}-T,CARPT-L1,100 sh CARPT,2025-01-02,2025-03-10,4000.00,5000.00,W,50.00,-950.00,short,covered
            total,I,A,,,,Totals,,,4000.00,5000.00,,50.00,-950.00,short,covered

            """.ReplaceLineEndings("\n"), csv);
        var pdf = await _http.GetByteArrayAsync($"/api/reports/realized?account={hh}-T&from=2025-01-01&to=2025-12-31&format=pdf");
        Assert.StartsWith("%PDF-1.4", Encoding.ASCII.GetString(pdf));
        Assert.EndsWith("%%EOF\n", Encoding.ASCII.GetString(pdf));

        var unrealized = await Json(await _http.GetAsync($"/api/reports/unrealized?account={hh}-R&to=2025-06-01"));
        var lots = unrealized.GetProperty("lots").EnumerateArray().ToList();
        Assert.Equal(["CARPT-L2", "CA-CARPT-DIV"], lots.Select(l => l.GetProperty("lotId").GetString()));
        Assert.Equal(("long", "2025-01-03"), (lots[0].GetProperty("term").GetString(), lots[0].GetProperty("longTermOn").GetString()));
        // The reinvested lot's basis carries the washed 50 (100 + 50) and its holding period is tacked.
        Assert.Equal(150m, lots[1].GetProperty("basis").GetDecimal());

        var summary = await Json(await _http.GetAsync($"/api/reports/summary?household={hh}&to=2025-12-31"));
        var ytd = summary.GetProperty("households")[0].GetProperty("yearToDate");
        Assert.Equal((-950m, 950m, 0m), (ytd.GetProperty("shortTerm").GetDecimal(), ytd.GetProperty("lossDeducted").GetDecimal(), ytd.GetProperty("shortTermCarryoverOut").GetDecimal()));

        // Bad input: 400 problems; another advisor's household answers like a missing one.
        Assert.Equal(HttpStatusCode.BadRequest, (await _http.GetAsync($"/api/reports/realized?household={hh}&from=2025-12-31&to=2025-01-01")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _http.GetAsync($"/api/reports/realized?household={hh}&format=xls")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _http.GetAsync($"/api/reports/unrealized?household={hh}&to=2025-02-30")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await factory.CreateClientFor(HouseholdsAuth.Advisor, "ADV-OTHER").GetAsync($"/api/reports/realized?household={hh}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await factory.CreateClientFor(HouseholdsAuth.Advisor, "ADV-R").GetAsync($"/api/reports/summary?household={hh}")).StatusCode);
    }

    [Fact]
    public async Task Cli_imports_corporate_actions_and_writes_the_reports()
    {
        var hh = await Create("CACLI");
        var file = Path.Combine(Path.GetTempPath(), $"ca-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(file, "id,kind,symbol,date,new_symbol,ratio,cash,price,basis_percent\nCACLI-TC,ticker_change,CACLI,2025-03-03,CACLN,,,,\n");
        try
        {
            var dry = await CliRunner.Run(factory, "corporate-actions", "import", file, "--dry-run");
            Assert.Equal((0, "1 corporate actions are valid; nothing was sent\n"), (dry.Code, dry.Out.ReplaceLineEndings("\n")));
            var run = await CliRunner.Run(factory, "corporate-actions", "import", file);
            Assert.Equal(0, run.Code);
            Assert.Contains("CACLI-TC: applied: 1 households, 2 accounts", run.Out);
            Assert.Equal("CACLN", (await Lot($"{hh}-T", "CACLI-L1")).GetProperty("symbol").GetString());

            var unrealized = await CliRunner.Run(factory, "report", "unrealized", "--household", hh, "--to", "2025-06-01");
            Assert.Equal(0, unrealized.Code);
            Assert.StartsWith(Households.Domain.Tax.TaxReports.UnrealizedHeader + "\n", unrealized.Out);
            Assert.Contains($"{hh},{hh}-T,CACLI-L1,CACLN,100,5000.00,2025-01-02,2025-01-02,,,,short,2026-01-03", unrealized.Out);

            var bad = await CliRunner.Run(factory, "report", "realized", "--household", hh, "--from", "2025-13-01");
            Assert.Equal((2, "error: --from '2025-13-01' is not a date YYYY-MM-DD\n"), (bad.Code, bad.Err.ReplaceLineEndings("\n")));
            var pdfWithoutFile = await CliRunner.Run(factory, "report", "realized", "--format", "pdf");
            Assert.Equal(2, pdfWithoutFile.Code);
        }
        finally { File.Delete(file); }
    }
}
