using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Households.Tests.Explanations;
using Xunit;

namespace Households.Tests.Api;

/// <summary>The client explanation routes on the household of <see cref="TransitionApiTests.Seed"/> (2,000 TRXYZ at $100, basis
/// $40,000, held since 2015, in a non-discretionary taxable account on a 60/40 model of two funds) with a tax profile of
/// $450,000 taxable income, married filing jointly, 5 % state: a long-term dollar of gain costs 15 % + 3.8 % + 5 % = 23.8 %.</summary>
public sealed class ExplanationApiTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    private static async Task<JsonElement> Json(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    /// <summary>The seeded household with its profile and a pending proposal that trades.</summary>
    private async Task<JsonElement> PendingProposal(string id)
    {
        await TransitionApiTests.Seed(_http, id);
        await Json(await _http.PutAsJsonAsync($"/api/households/{id}/tax-profile", new { filing = "marriedJoint", taxableIncome = 450_000m, stateRate = 0.05m }));
        await Json(await _http.PostAsync($"/api/households/{id}/rebalance", null));
        // As the household lists it now (the route reads the same list).
        return (await Json(await _http.GetAsync($"/api/households/{id}/proposals"))).EnumerateArray()
            .First(p => p.GetProperty("status").GetString() == "pending" && p.GetProperty("trades").GetArrayLength() > 0);
    }

    private static string FigureText(string html, string section, string name)
    {
        var part = html[html.IndexOf($"<section id=\"{section}\"", StringComparison.Ordinal)..];
        var match = FigureValue(name).Match(part);
        Assert.True(match.Success, $"no {name} in section {section}");
        return match.Groups[1].Value;
    }

    private static decimal Figure(string html, string section, string name) =>
        decimal.Parse(FigureText(html, section, name), NumberStyles.Float, CultureInfo.InvariantCulture);

    private static double Ratio(string html, string section, string name) =>
        double.Parse(FigureText(html, section, name), NumberStyles.Float, CultureInfo.InvariantCulture);

    [Fact]
    public async Task The_proposal_explanation_shows_the_proposals_own_numbers_as_html_and_pdf()
    {
        var proposal = await PendingProposal("EXP1");
        var pid = proposal.GetProperty("id").GetString();

        var response = await _http.GetAsync($"/api/households/EXP1/proposals/{pid}/explanation.html");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("The Transition Family", html);
        var shortTerm = proposal.GetProperty("shortTermGain").GetDecimal();
        var longTerm = proposal.GetProperty("longTermGain").GetDecimal();
        Assert.Equal(shortTerm, Figure(html, "tax", "short-term-gain"));
        Assert.Equal(longTerm, Figure(html, "tax", "long-term-gain"));
        Assert.Equal(proposal.GetProperty("trackingErrorBefore").GetDouble(), Ratio(html, "allocation", "tracking-error-before"));
        Assert.Equal(proposal.GetProperty("trackingErrorAfter").GetDouble(), Ratio(html, "allocation", "tracking-error-after"));
        // Each trade with its own shares and amount.
        foreach (var t in proposal.GetProperty("trades").EnumerateArray())
            Assert.Contains($"data-symbol=\"{t.GetProperty("symbol").GetString()}\" data-side=\"{t.GetProperty("side").GetString()}\" data-quantity=\"{t.GetProperty("quantity").GetDecimal().ToString(CultureInfo.InvariantCulture)}\" data-amount=\"{t.GetProperty("amount").GetDecimal().ToString(CultureInfo.InvariantCulture)}\"", html);
        // Selling the old stock realizes long-term gains only: the estimate is 23.8 % of them.
        Assert.Equal(0m, shortTerm);
        Assert.True(longTerm > 0);
        Assert.Equal(Math.Round(longTerm * 0.238m, 2), Figure(html, "tax", "estimated-tax"));

        var pdf = await _http.GetAsync($"/api/households/EXP1/proposals/{pid}/explanation.pdf");
        Assert.Equal(HttpStatusCode.OK, pdf.StatusCode);
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);
        Assert.Equal("inline", pdf.Content.Headers.ContentDisposition?.DispositionType);
        var text = Encoding.ASCII.GetString(await pdf.Content.ReadAsByteArrayAsync());
        ClientExplanationTests.AssertValidPdf(text, out var pages);
        Assert.InRange(pages, 1, 2);
        Assert.Contains($"(${longTerm.ToString("#,##0.00", CultureInfo.InvariantCulture)})", text);
    }

    [Fact]
    public async Task An_unknown_proposal_or_household_is_404_and_another_advisor_sees_nothing()
    {
        var proposal = await PendingProposal("EXP2");
        var pid = proposal.GetProperty("id").GetString();

        var unknown = await _http.GetAsync("/api/households/EXP2/proposals/NOPE-1/explanation.html");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        Assert.Equal("proposal not found", (await Json404(unknown)).GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync($"/api/households/EXP-NONE/proposals/{pid}/explanation.pdf")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _http.GetAsync("/api/households/EXP2/proposals/bad%20id/explanation.pdf")).StatusCode);

        // The household's advisor (ADV03) reads it; another advisor gets exactly what a missing household answers.
        using var own = factory.CreateClientFor("advisor", "ADV03");
        Assert.Equal(HttpStatusCode.OK, (await own.GetAsync($"/api/households/EXP2/proposals/{pid}/explanation.pdf")).StatusCode);
        using var reader = factory.CreateClientFor("reader");
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync($"/api/households/EXP2/proposals/{pid}/explanation.html")).StatusCode);
        using var other = factory.CreateClientFor("advisor", "ADV99");
        foreach (var route in new[] { $"/api/households/EXP2/proposals/{pid}/explanation.html", $"/api/households/EXP2/proposals/{pid}/explanation.pdf",
                     "/api/households/EXP2/transition/explanation.html?budget=10000", "/api/households/EXP2/transition/explanation.pdf?budget=10000" })
        {
            var refused = await other.GetAsync(route);
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
            Assert.Equal("household EXP2 does not exist", (await Json404(refused)).GetProperty("detail").GetString());
        }
    }

    [Fact]
    public async Task The_transition_explanation_shows_the_plans_years()
    {
        await TransitionApiTests.Seed(_http, "EXP3");
        var plan = await Json(await _http.GetAsync("/api/households/EXP3/transition?budget=10000&years=3"));
        var response = await _http.GetAsync("/api/households/EXP3/transition/explanation.html?budget=10000&years=3");
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        foreach (var year in plan.GetProperty("years").EnumerateArray())
        {
            var row = YearRow(year.GetProperty("year").GetInt32()).Match(html).Value;
            Assert.Contains($"data-figure=\"long-term-gain\" data-value=\"{year.GetProperty("longTermGain").GetDecimal().ToString(CultureInfo.InvariantCulture)}\"", row);
            Assert.Contains($"data-figure=\"estimated-tax\" data-value=\"{year.GetProperty("estimatedTax").GetDecimal().ToString(CultureInfo.InvariantCulture)}\"", row);
        }
        // $10,000 of gain a year sells $12,500 of the stock (its gain is 80 % of its value): year one's sale, in words.
        Assert.Contains("Sell 125 shares of TRXYZ from EXP3-TAX for $12,500, realizing a $10,000 gain.", html);

        var pdf = await _http.GetAsync("/api/households/EXP3/transition/explanation.pdf?budget=10000&years=3");
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);
        ClientExplanationTests.AssertValidPdf(Encoding.ASCII.GetString(await pdf.Content.ReadAsByteArrayAsync()), out var pages);
        Assert.InRange(pages, 1, 2);
        Assert.Equal(HttpStatusCode.BadRequest, (await _http.GetAsync("/api/households/EXP3/transition/explanation.html?budget=10000&years=21")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("/api/households/EXP-NONE/transition/explanation.html?budget=1")).StatusCode);
    }

    private static async Task<JsonElement> Json404(HttpResponseMessage response) => JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    private static Regex FigureValue(string name) => new($"data-figure=\"{name}\" data-value=\"([^\"]+)\"");

    private static Regex YearRow(int year) => new($"<tr data-year=\"{year}\">.*?</tr>");
}
