using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit;
using Xunit.Abstractions;
using static Households.Tests.Browser.HouseholdPageTests;

namespace Households.Tests.Browser;

/// <summary>The reconciliation page (issue #17) on the demo firm: a custodian file pasted and run, the account's report with
/// its quantity break, and the break resolved by keeping our books with a note — shown on the page and journaled.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ReconciliationPageTests(BrowserSiloFactory factory, ITestOutputHelper output) : IClassFixture<BrowserSiloFactory>
{
    [Fact]
    public async Task A_custodian_file_runs_on_the_page_and_its_break_is_resolved_with_a_note()
    {
        await using var session = await BrowserSession.Open(factory, output);
        var (http, page) = (session.Http, session.Page);
        await DemoReady(http);

        // The custodian's file for one demo account: our lots, the first one with a share more (a quantity break).
        var text = await http.GetStringAsync("/api/households/HH0002");
        var household = JsonDocument.Parse(text).RootElement;
        Assert.True(household.TryGetProperty("accounts", out var accounts), text);
        var account = accounts[0].GetProperty("spec").GetProperty("id").GetString()!;
        var lots = JsonDocument.Parse(await http.GetStringAsync($"/api/accounts/{account}/lots")).RootElement.EnumerateArray().ToArray();
        Assert.NotEmpty(lots);
        // The custodian's own lot ids are not ours: rows pair by symbol, date and quantity.
        var csv = new StringBuilder("account,symbol,quantity,cost_basis,acquired\n");
        for (var i = 0; i < lots.Length; i++)
        {
            var l = lots[i];
            var quantity = l.GetProperty("quantity").GetDecimal() + (i == 0 ? 1m : 0m);
            csv.Append(CultureInfo.InvariantCulture, $"{account},{l.GetProperty("symbol").GetString()},{quantity},{l.GetProperty("basis").GetDecimal():0.00},{l.GetProperty("purchased").GetString()}\n");
        }

        await page.GotoAsync("/reconciliation");
        await page.Locator("#text").FillAsync(csv.ToString());
        await page.Locator("#run").ClickAsync();
        var panel = page.Locator($"[data-account='{account}']");
        try { await panel.WaitForAsync(new() { Timeout = 30_000 }); }
        catch (TimeoutException) { Assert.Fail("no report: " + await page.Locator("#status").TextContentAsync()); }
        await Assertions.Expect(panel).ToHaveAttributeAsync("data-status", "breaks", new() { Timeout = 30_000 });
        Assert.True(await panel.Locator("tr[data-kind='quantityBreak']").CountAsync() >= 1);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "reconciliation-breaks.png"), FullPage = true });

        // Keep our books, saying why: the page shows the resolution, the journal records it.
        await panel.Locator($"#note-{account}").FillAsync("custodian file predates the last trade");
        await panel.Locator($"[data-keep='{account}']").ClickAsync();
        await Assertions.Expect(page.Locator($"[data-resolution='{account}']")).ToContainTextAsync("keeping our books", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator($"[data-resolution='{account}']")).ToContainTextAsync("custodian file predates the last trade");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "reconciliation-resolved.png"), FullPage = true });
        var journal = JsonDocument.Parse(await http.GetStringAsync($"/api/journal?account={account}&kind=reconciliation")).RootElement;
        Assert.Contains("custodian file predates the last trade", Assert.Single(journal.EnumerateArray()).GetProperty("summary").GetString());
    }
}
