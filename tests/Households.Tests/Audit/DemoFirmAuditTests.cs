using System.Net.Http.Json;
using System.Text.Json;
using Households.Tests.Api;
using Microsoft.AspNetCore.Hosting;
using Xunit;
using Xunit.Abstractions;

namespace Households.Tests.Audit;

/// <summary>The demo firm (20 households) live on a real silo, the simulated market at 0.5 trading days a batch and a
/// batch every 100 ms: about a simulated quarter in 13 seconds of wall time, decided by the grains through the one
/// engine and executed by the simulated broker.</summary>
public sealed class QuarterDemoFactory() : SiloFactory(true)
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Demo:Households", "20");
        builder.UseSetting("Market:Interval", "00:00:00.100");
        builder.UseSetting("Market:StepDays", "0.5");
    }
}

/// <summary>The long run on the live path: after a simulated quarter the compliance audit scans the whole journal, as a
/// compliance officer would, and finds none of the defects the engine guarantees against. The market is compressed, the
/// clock is not: cooldowns (30 minutes) and the wash-sale calendar run on real time, so each drift or harvest subject acts
/// about once and every trade carries today's date (a 30-day window never closes). Self-blocked harvests and the
/// out-of-tolerance share are reported, not asserted (issue #15 leaves them open).</summary>
public sealed class DemoFirmAuditTests(QuarterDemoFactory factory, ITestOutputHelper output) : IClassFixture<QuarterDemoFactory>
{
    [Fact]
    public async Task A_simulated_quarter_of_the_demo_firm_leaves_a_journal_without_self_washes_dust_frozen_decisions_or_unpaid_withdrawals()
    {
        var client = factory.CreateClient();
        // 130 batches of half a trading day: 65 trading days, a quarter.
        var deadline = DateTime.UtcNow.AddSeconds(90);
        long scans = 0;
        while (DateTime.UtcNow < deadline)
        {
            var monitor = await client.GetFromJsonAsync<JsonElement>("/api/monitor");
            scans = monitor.GetProperty("scans").GetInt64();
            if (scans >= 130) break;
            await Task.Delay(500);
        }
        Assert.True(scans >= 130, $"only {scans} batches scanned in 90 s");

        var report = await client.GetFromJsonAsync<JsonElement>("/api/audit");
        var tolerance = await client.GetFromJsonAsync<JsonElement>("/api/monitor");
        int Count(string category) => report.GetProperty(category).GetProperty("count").GetInt32();
        output.WriteLine($"{scans} batches: {report.GetProperty("decisions")} decisions, {report.GetProperty("engineFills")} engine fills; " +
            $"self-washed {Count("selfWashedSales")}, self-blocked {Count("selfBlockedHarvests")}, dust {Count("dustFills")}, " +
            $"fractional {Count("fractionalOrders")}, frozen {Count("frozenDecisions")}, relaxed {report.GetProperty("relaxedDecisions")}, " +
            $"unpaid {Count("unpaidWithdrawals")}; out of tolerance {tolerance.GetProperty("accountsOutOfTolerance")} of {tolerance.GetProperty("accounts")}");

        Assert.True(report.GetProperty("engineFills").GetInt32() > 0, "the quarter makes the firm trade");
        Assert.Equal(0, Count("selfWashedSales"));
        Assert.Equal(0, Count("dustFills"));
        Assert.Equal(0, Count("fractionalOrders"));
        Assert.Equal(0, Count("frozenDecisions"));
        Assert.Equal(0, Count("unpaidWithdrawals"));
        Assert.Equal(0, Count("unreadableEntries"));
    }
}
