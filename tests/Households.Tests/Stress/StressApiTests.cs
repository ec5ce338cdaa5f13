using Households.Simulation.Firms;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Households.Contracts;
using Households.Domain.Market;
using Households.Tests.Api;
using Microsoft.AspNetCore.Hosting;
using Xunit;

namespace Households.Tests.Stress;

/// <summary>The demo firm (six households) seeded, one price batch published and the simulator off, so live state
/// only changes when something acts on it.</summary>
public sealed class StressApiFactory() : SiloFactory(true)
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Market:Simulate", "false");
        builder.UseSetting("Demo:Households", "6");
    }
}

/// <summary><c>/api/stress</c> over a copy of live state: a report comes back and the live households, accounts (lots,
/// cash, drift), proposals and journal read the same before and after.</summary>
public sealed class StressApiTests(StressApiFactory factory) : IClassFixture<StressApiFactory>
{
    private static readonly string[] Households = ["HH0001", "HH0002", "HH0003", "HH0004", "HH0005", "HH0006"];

    private async Task<HttpClient> Ready()
    {
        var http = factory.CreateClient();
        for (var i = 0; i < 600; i++)
        {
            var page = await http.GetAsync("/api/households?pageSize=1");
            if (page.IsSuccessStatusCode && JsonDocument.Parse(await page.Content.ReadAsStringAsync()).RootElement.GetProperty("total").GetInt32() == 6) break;
            await Task.Delay(100);
        }
        // One batch of the demo universe's opening prices; with no further batch the live decisions it causes settle
        // (the broker fills at the last price after its bounded wait), then nothing moves.
        var universe = DemoFirm.Build(DemoFirmOptions.Default with { Households = 6 }).Universe;
        var quotes = Enumerable.Range(0, universe.Count).Select(i => new { symbol = universe[i].Symbol, price = Math.Round((decimal)universe.InitialPrices[i], 4) }).ToArray();
        (await http.PostAsJsonAsync("/api/prices", new { quotes })).EnsureSuccessStatusCode();
        // A household read before its prices arrive answers 500 (a value of zero: NaN weights), so wait for them.
        foreach (var id in Households)
            for (var i = 0; i < 300; i++)
            {
                var response = await http.GetAsync($"/api/households/{id}");
                if (response.IsSuccessStatusCode && JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement
                        .GetProperty("accounts")[0].GetProperty("priceSequence").GetInt64() > 0) break;
                await Task.Delay(100);
            }
        string last = "", now = await LiveState(http);
        for (var i = 0; i < 120 && now != last; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(5));
            (last, now) = (now, await LiveState(http));
        }
        Assert.Equal(last, now);
        return http;
    }

    /// <summary>Everything a stress run must not touch, as the API shows it.</summary>
    private static async Task<string> LiveState(HttpClient http)
    {
        var parts = new List<string>();
        foreach (var id in Households)
        {
            var view = await http.GetStringAsync($"/api/households/{id}");
            parts.Add(view);
            parts.Add(await http.GetStringAsync($"/api/households/{id}/proposals"));
            parts.Add(await http.GetStringAsync($"/api/journal?household={id}&limit=1000"));
            foreach (var account in JsonDocument.Parse(view).RootElement.GetProperty("accounts").EnumerateArray())
                parts.Add(await http.GetStringAsync($"/api/accounts/{account.GetProperty("spec").GetProperty("id").GetString()}"));
        }
        return string.Join("\n", parts);
    }

    [Fact]
    public async Task A_stress_run_returns_a_report_and_leaves_live_state_unchanged()
    {
        var http = await Ready();
        var before = await LiveState(http);
        var grains = (IGrainFactory)factory.Services.GetService(typeof(IGrainFactory))!;
        var snapshotBefore = JsonSerializer.Serialize(await grains.GetGrain<IHouseholdGrain>("HH0001").GetStressSnapshot());

        var response = await http.PostAsJsonAsync("/api/stress", new { scenario = "covid-2020" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var firm = report.GetProperty("firm");
        Assert.Equal("covid-2020", report.GetProperty("scenario").GetString());
        Assert.Equal(6, firm.GetProperty("households").GetInt32());
        Assert.True(firm.GetProperty("accounts").GetInt32() >= 6);
        Assert.True(firm.GetProperty("marketValueAfter").GetDecimal() < firm.GetProperty("marketValueBefore").GetDecimal());
        Assert.True(firm.GetProperty("harvestTriggers").GetInt32() + firm.GetProperty("driftTriggers").GetInt32() > 0);
        Assert.True(firm.GetProperty("proposedTrades").GetInt32() > 0);
        Assert.Equal(6, report.GetProperty("households").GetArrayLength());

        Assert.Equal(before, await LiveState(http));
        Assert.Equal(snapshotBefore, JsonSerializer.Serialize(await grains.GetGrain<IHouseholdGrain>("HH0001").GetStressSnapshot()));
    }

    [Fact]
    public async Task A_firm_wide_run_over_the_monitors_copy_matches_the_full_run_and_leaves_live_state_unchanged()
    {
        var http = await Ready();
        var before = await LiveState(http);

        var full = JsonDocument.Parse(await (await http.PostAsJsonAsync("/api/stress", new { scenario = "equities-20-1d" })).Content.ReadAsStringAsync()).RootElement.GetProperty("firm");
        var response = await http.PostAsJsonAsync("/api/stress", new { scenario = "equities-20-1d", decideWithinSeconds = 120 });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var firm = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("firm");
        Assert.Equal(6, firm.GetProperty("households").GetInt32());
        Assert.Equal(full.GetProperty("accounts").GetInt32(), firm.GetProperty("accounts").GetInt32());
        Assert.Equal(full.GetProperty("lots").GetInt64(), firm.GetProperty("lots").GetInt64());
        // The monitor's snapshots sum a position's value in their own order: a cent apart at most per account.
        Assert.InRange(firm.GetProperty("marketValueAfter").GetDecimal() - full.GetProperty("marketValueAfter").GetDecimal(), -1m, 1m);
        Assert.Equal(full.GetProperty("accountsOutOfBandAfter").GetInt32(), firm.GetProperty("accountsOutOfBandAfter").GetInt32());
        Assert.Equal(full.GetProperty("decisions").GetInt32(), firm.GetProperty("decisions").GetInt32());
        Assert.Equal(0, firm.GetProperty("decisionsDeferred").GetInt32());
        Assert.True(firm.GetProperty("decisions").GetInt32() > 0);
        Assert.Equal(full.GetProperty("proposedTrades").GetInt32(), firm.GetProperty("proposedTrades").GetInt32());

        var none = JsonDocument.Parse(await (await http.PostAsJsonAsync("/api/stress", new { scenario = "equities-20-1d", decideWithinSeconds = 0 })).Content.ReadAsStringAsync()).RootElement.GetProperty("firm");
        Assert.Equal(0, none.GetProperty("decisions").GetInt32());
        Assert.Equal(full.GetProperty("decisions").GetInt32(), none.GetProperty("decisionsDeferred").GetInt32());

        Assert.Equal(before, await LiveState(http));
    }

    [Theory]
    [InlineData(-1.0, "between 0 and 3600")]
    [InlineData(4000.0, "between 0 and 3600")]
    public async Task A_decision_time_out_of_range_is_a_400_problem(double seconds, string message)
    {
        var http = factory.CreateClient();
        var response = await http.PostAsJsonAsync("/api/stress", new { scenario = "equities-20-1d", decideWithinSeconds = seconds });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync());
        var named = await http.PostAsJsonAsync("/api/stress", new { scenario = "equities-20-1d", decideWithinSeconds = 5, households = new[] { "HH0001" } });
        Assert.Equal(HttpStatusCode.BadRequest, named.StatusCode);
        Assert.Contains("leave households out", await named.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Scenarios_are_listed_and_unknown_names_or_households_are_400_problems()
    {
        var http = factory.CreateClient();
        var list = JsonDocument.Parse(await http.GetStringAsync("/api/stress/scenarios")).RootElement;
        Assert.Contains("gfc-2008", list.EnumerateArray().Select(s => s.GetProperty("name").GetString()));

        var unknown = await http.PostAsJsonAsync("/api/stress", new { scenario = "crash-1929" });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("unknown scenario 'crash-1929'", await unknown.Content.ReadAsStringAsync());

        var missing = await http.PostAsJsonAsync("/api/stress", new { scenario = "rate-shock", households = new[] { "NOPE" } });
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("households", await missing.Content.ReadAsStringAsync());
    }
}
