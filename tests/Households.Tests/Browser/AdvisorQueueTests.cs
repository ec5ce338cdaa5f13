using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit;
using Xunit.Abstractions;

namespace Households.Tests.Browser;

/// <summary>The advisor page in chromium against the demo silo: three households of one advisor, each with a pending
/// proposal; the queue sorted and filtered as the API answers; a bulk approval of all three after one's traded price moved
/// beyond the tolerance (that one re-optimized, the others executed); and a fourth household's proposal arriving live.
/// Screenshots go to .ci/out/screenshots/.</summary>
[Collection(BrowserCollection.Name)]
public sealed class AdvisorQueueTests(BrowserSiloFactory factory, ITestOutputHelper output) : IClassFixture<BrowserSiloFactory>
{
    private const string Advisor = "ADVQ";

    private static async Task<JsonElement> Json(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    /// <summary>A household of one non-discretionary IRA following a 50/50 model of its own equity and the shared bond fund
    /// while holding only the equity (<paramref name="shares"/> × 100.00): the monitor's first scan, or a rebalance, files a
    /// proposal that waits for approval. Returns its id.</summary>
    private static async Task<string> PendingHousehold(HttpClient http, string id, decimal shares)
    {
        var equity = $"{id}EQ";
        (await http.PostAsJsonAsync("/api/securities", new[]
        {
            new { symbol = equity, name = $"{id} equity", assetClass = "US Equity", sector = "Diversified", kind = "equityFund" },
            new { symbol = "BQBND", name = "Queue bonds", assetClass = "US Bonds", sector = "Diversified", kind = "bondFund" },
        })).EnsureSuccessStatusCode();
        (await http.PostAsJsonAsync("/api/prices", new { quotes = new[] { new { symbol = equity, price = 100m }, new { symbol = "BQBND", price = 50m } } })).EnsureSuccessStatusCode();
        var band = new { absolute = 0.05m, relative = 0.25m };
        (await http.PutAsJsonAsync($"/api/models/{id}M", new
        {
            id = $"{id}M", name = $"{id} 50/50", directIndexing = false,
            sleeves = new[] { new { kind = "security", key = equity, weight = 0.5m, band }, new { kind = "security", key = "BQBND", weight = 0.5m, band } },
        })).EnsureSuccessStatusCode();
        (await http.PostAsJsonAsync("/api/households", new
        {
            id, name = $"The {id} Family", advisorId = Advisor,
            accounts = new object[]
            {
                new { id = $"{id}-IRA", type = "ira", discretionary = false, modelId = $"{id}M", cash = 0m, fractionalShares = true,
                    lots = new[] { new { id = $"{id}-L1", symbol = equity, quantity = shares, basis = shares * 80m, purchased = "2020-01-02", holdingSince = "2020-01-02" } } },
            },
        })).EnsureSuccessStatusCode();
        // The demo's next price batch scans the new account: its drift trigger files the proposal (then the cooldown keeps it).
        for (var i = 0; i < 100; i++)
        {
            var pending = (await Json(await http.GetAsync($"/api/households/{id}/proposals"))).EnumerateArray()
                .FirstOrDefault(p => p.GetProperty("status").GetString() == "pending");
            if (pending.ValueKind == JsonValueKind.Object) return pending.GetProperty("id").GetString()!;
            if (i == 50) await http.PostAsync($"/api/households/{id}/rebalance", null);
            await Task.Delay(100);
        }
        Assert.Fail($"{id} filed no pending proposal");
        return "";
    }

    private static async Task<string[]> ApiOrder(HttpClient http, string sort) =>
        [.. (await Json(await http.GetAsync($"/api/advisor/queue?advisor={Advisor}&sort={sort}"))).GetProperty("items").EnumerateArray()
            .Select(r => $"{r.GetProperty("householdId").GetString()}/{r.GetProperty("proposalId").GetString()}")];

    [Fact]
    public async Task The_queue_sorts_filters_approves_in_bulk_and_shows_new_proposals_live()
    {
        await using var session = await BrowserSession.Open(factory, output, width: 1600, height: 900, awaitDemo: false);
        var (http, page) = (session.Http, session.Page);
        // Different sizes give different values to the client, so the two sorts differ.
        var proposals = new Dictionary<string, string>
        {
            ["BQ1"] = await PendingHousehold(http, "BQ1", 100m),
            ["BQ2"] = await PendingHousehold(http, "BQ2", 400m),
            ["BQ3"] = await PendingHousehold(http, "BQ3", 200m),
        };
        output.WriteLine(string.Join(", ", proposals.Select(kv => $"{kv.Key}: {kv.Value}")));

        // The demo firm keeps two cores busy: every expectation may take a while.
        Assertions.SetDefaultExpectTimeout(30_000);
        // The firm page links to the queue.
        await page.GotoAsync("/");
        await page.Locator("a[href='/advisor']").ClickAsync();
        await page.WaitForURLAsync("**/advisor");
        await page.Locator("#advisor").FillAsync(Advisor);
        await page.Locator("#advisor").DispatchEventAsync("change");
        var rows = page.Locator("#queue tbody tr[data-row]");
        await Assertions.Expect(rows).ToHaveCountAsync(3, new() { Timeout = 30_000 });

        // Sorted as the API sorts: by value to the client, then by expiry.
        Assert.Equal(await ApiOrder(http, "value"), await rows.EvaluateAllAsync<string[]>("rs => rs.map(r => r.dataset.row)"));
        await page.Locator("#sort").SelectOptionAsync("expiry");
        await Assertions.Expect(rows.First).ToHaveAttributeAsync("data-row", (await ApiOrder(http, "expiry"))[0]);
        Assert.Equal(await ApiOrder(http, "expiry"), await rows.EvaluateAllAsync<string[]>("rs => rs.map(r => r.dataset.row)"));
        await page.Locator("#sort").SelectOptionAsync("value");

        // Filters: a household, then a kind none of them is.
        await page.Locator("#household").FillAsync("BQ2");
        await page.Locator("#household").DispatchEventAsync("change");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        // BQ2's pending proposal: the one it filed first, or (on a slow machine, its cooldown run out) one a later batch filed.
        await Assertions.Expect(rows.First).ToHaveAttributeAsync("data-row", new Regex("^BQ2/BQ2-P[0-9]{5}$"));
        await page.Locator("#household").FillAsync("");
        await page.Locator("#household").DispatchEventAsync("change");
        await page.Locator("#kind").SelectOptionAsync("harvest");
        await Assertions.Expect(rows).ToHaveCountAsync(0);
        await page.Locator("#kind").SelectOptionAsync("rebalance");
        await Assertions.Expect(rows).ToHaveCountAsync(3);
        await page.ScreenshotAsync(new() { Path = Path.Combine(HouseholdPageTests.Screenshots, "advisor-queue.png"), FullPage = true });

        // BQ3's equity moves 5 % (the tolerance is 1 %): its row says so, and approving it re-optimizes.
        (await http.PostAsJsonAsync("/api/prices", new { quotes = new[] { new { symbol = "BQ3EQ", price = 105m } } })).EnsureSuccessStatusCode();
        // The batch reaches the silo's price board a moment after the post answers: the page reloads once the API sees it.
        var seen = false;
        for (var i = 0; i < 300 && !seen; i++)
        {
            seen = (await Json(await http.GetAsync($"/api/advisor/queue?advisor={Advisor}&household=BQ3"))).GetProperty("items").EnumerateArray()
                .Any(r => r.GetProperty("proposalId").GetString() == proposals["BQ3"] && r.GetProperty("pricesMoved").GetBoolean());
            if (!seen) await Task.Delay(100);
        }
        Assert.True(seen, $"the queue never showed BQ3's {proposals["BQ3"]} with moved prices: {(await Json(await http.GetAsync($"/api/households/BQ3/proposals")))}");
        await page.Locator("#sort").SelectOptionAsync("expiry");
        await Assertions.Expect(page.Locator($"[data-moved='BQ3/{proposals["BQ3"]}']")).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        // BQ1 and BQ2 may have filed again since the queue was first read (a later batch's trigger once their cooldown ran out,
        // on a slow machine, supersedes the first proposal): select what each has pending now, once the page shows it.
        foreach (var household in new[] { "BQ1", "BQ2" })
        {
            proposals[household] = (await Json(await http.GetAsync($"/api/households/{household}/proposals"))).EnumerateArray()
                .Single(p => p.GetProperty("status").GetString() == "pending").GetProperty("id").GetString()!;
            await Assertions.Expect(page.Locator($"[data-select='{household}/{proposals[household]}']")).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        }
        foreach (var (household, proposal) in proposals) await page.Locator($"[data-select='{household}/{proposal}']").CheckAsync();
        await page.Locator("#approve").ClickAsync();
        foreach (var household in new[] { "BQ1", "BQ2" })
            await Assertions.Expect(page.Locator($"[data-result='{household}/{proposals[household]}']")).ToHaveAttributeAsync("data-outcome", "executed", new() { Timeout = 60_000 });
        var moved = page.Locator($"[data-result='BQ3/{proposals["BQ3"]}']");
        await Assertions.Expect(moved).ToHaveAttributeAsync("data-outcome", "reoptimized", new() { Timeout = 60_000 });
        var fresh = (await Json(await http.GetAsync("/api/households/BQ3/proposals"))).EnumerateArray().Single(p => p.GetProperty("id").GetString() == proposals["BQ3"]);
        Assert.Equal("superseded", fresh.GetProperty("status").GetString());
        await Assertions.Expect(moved).ToContainTextAsync(fresh.GetProperty("supersededBy").GetString()!);
        await page.ScreenshotAsync(new() { Path = Path.Combine(HouseholdPageTests.Screenshots, "advisor-bulk-approved.png"), FullPage = true });

        // A new household's proposal arrives on the stream and joins the queue without a reload.
        var arriving = await PendingHousehold(http, "BQ4", 300m);
        await Assertions.Expect(page.Locator($"#queue tbody tr[data-row='BQ4/{arriving}']")).ToHaveCountAsync(1, new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("#notices [data-notice='proposal-pending']").First).ToContainTextAsync("BQ4");
        await page.ScreenshotAsync(new() { Path = Path.Combine(HouseholdPageTests.Screenshots, "advisor-live-arrival.png"), FullPage = true });
    }
}
