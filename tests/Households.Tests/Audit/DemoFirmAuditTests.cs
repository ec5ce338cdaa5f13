using System.Net.Http.Json;
using System.Text.Json;
using Households.Tests.Api;
using Microsoft.AspNetCore.Hosting;
using Xunit;
using Xunit.Abstractions;

namespace Households.Tests.Audit;

/// <summary>The demo firm (20 households) live on a real silo, the simulated market at 0.5 trading days a batch, a batch
/// every 500 ms, the business clock paced to the market (<c>Market:FastClock</c>) and the demo's simulated clients
/// approving advisory proposals a business day late (<c>Demo:ClientApproval</c>): 130 batches are 65 trading days,
/// a quarter of trade dates, wash-sale windows, cooldowns and daily reminders, in about 70 seconds of wall time (at 250 ms a batch the
/// two cores CI shares with other tests fell behind the market and left more accounts out between decisions), decided by
/// the grains through the one engine and executed by the simulated broker.</summary>
public sealed class QuarterDemoFactory() : SiloFactory(true)
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Demo:Households", "20");
        builder.UseSetting("Market:Interval", "00:00:00.500");
        builder.UseSetting("Market:StepDays", "0.5");
        builder.UseSetting("Market:FastClock", "true");
        // The demo's clients answer their advisory proposals two business hours late (DemoClients); a pending proposal is
        // superseded by the next decision for its accounts, so a client who waited a day would never see one that lasts.
        builder.UseSetting("Demo:ClientApproval", "02:00:00");
        builder.UseSetting("Demo:ClientCheck", "00:00:00.250");
    }
}

/// <summary>The long run on the live path: after a simulated quarter, with clients depositing and withdrawing in its first
/// half (and one setting an exclusion, another household a new tax profile, the firm a model change its accounts hear), the compliance audit scans the whole journal, as a compliance officer would, and finds none of the defects the
/// engine guarantees against; every client event was a decision's cause and every withdrawal was paid; the share of
/// accounts out of tolerance in the steady state is at most 10 % (issue #15).</summary>
public sealed class DemoFirmAuditTests(QuarterDemoFactory factory, ITestOutputHelper output) : IClassFixture<QuarterDemoFactory>
{
    [Fact]
    public async Task A_simulated_quarter_of_the_demo_firm_leaves_a_journal_without_self_washes_dust_frozen_decisions_or_unpaid_withdrawals()
    {
        var client = factory.CreateClient();
        // The firm's clients move cash during the quarter's first half: every 5 batches from the 5th to the 45th, a deposit of
        // $5,000 into one discretionary account and a withdrawal of $3,000 from another (the clients' events a decision must
        // never drop), long before the steady state is measured.
        string? depositTo = null, withdrawFrom = null, changedModel = null;
        var posted = 0;
        // 130 batches of half a trading day: 65 trading days, a quarter. The steady state's tolerance is the share of accounts
        // out of tolerance averaged over the last 30 batches (one scan is one instant of a market that moves half a day a
        // batch while decisions follow it).
        var deadline = DateTime.UtcNow.AddSeconds(200);
        long scans = 0;
        var shares = new List<double>();
        while (DateTime.UtcNow < deadline)
        {
            var monitor = await client.GetFromJsonAsync<JsonElement>("/api/monitor");
            scans = monitor.GetProperty("scans").GetInt64();
            if (scans >= 100 && monitor.GetProperty("accounts").GetInt32() is var watched and > 0)
                shares.Add((double)monitor.GetProperty("accountsOutOfTolerance").GetInt32() / watched);
            if (scans >= 130) break;
            if (posted < 9 && scans >= 5 * (posted + 1))
            {
                if (depositTo is null) (depositTo, withdrawFrom) = await TwoDiscretionaryAccounts(client);   // seeded by now
                posted++;
                (await client.PostAsJsonAsync($"/api/accounts/{depositTo}/cash", new { idempotencyKey = $"quarter-dep-{posted}", kind = "deposit", amount = 5_000m })).EnsureSuccessStatusCode();
                (await client.PostAsJsonAsync($"/api/accounts/{withdrawFrom}/cash", new { idempotencyKey = $"quarter-wd-{posted}", kind = "withdrawal", amount = 3_000m })).EnsureSuccessStatusCode();
                // A client's exclusion (of a security the account does not hold) and another household's new tax profile.
                if (posted == 3)
                    (await client.PutAsJsonAsync($"/api/accounts/{depositTo}/restrictions", new[] { new { kind = "exclude", symbol = "ZZESG", reason = "client ESG screen" } })).EnsureSuccessStatusCode();
                if (posted == 6)
                    (await client.PutAsJsonAsync($"/api/households/{HouseholdOf(withdrawFrom)}/tax-profile", new { filing = "marriedJoint", taxableIncome = 400_000m, stateRate = 0.05m })).EnsureSuccessStatusCode();
                // The firm moves a point of weight between the two largest sleeves of the deposit account's model: every
                // account on it hears the change and decides it.
                if (posted == 4) changedModel = await ShiftAPoint(client, depositTo);
            }
            await Task.Delay(250);
        }
        Assert.True(scans >= 130, $"only {scans} batches scanned in 200 s");
        var steady = shares.Average();

        var report = await client.GetFromJsonAsync<JsonElement>("/api/audit");
        int Count(string category) => report.GetProperty(category).GetProperty("count").GetInt32();
        int monitored = report.GetProperty("accountsMonitored").GetInt32(), outOfTolerance = report.GetProperty("accountsOutOfTolerance").GetInt32();
        output.WriteLine($"{scans} batches: {report.GetProperty("decisions")} decisions, {report.GetProperty("engineFills")} engine fills; " +
            $"self-washed {Count("selfWashedSales")}, self-blocked {Count("selfBlockedHarvests")} (deferred by earlier purchases {report.GetProperty("harvestsDeferredByEarlierPurchases")}), " +
            $"dust {Count("dustFills")}, fractional {Count("fractionalOrders")}, frozen {Count("frozenDecisions")}, relaxed {report.GetProperty("relaxedDecisions")}, " +
            $"unpaid {Count("unpaidWithdrawals")}, decided twice {Count("triggersDecidedTwice")}, client events {report.GetProperty("clientEvents")} (never decided {Count("clientEventsNotDecided")}); out of tolerance {outOfTolerance} of {monitored} at the end, {steady:P1} on average over the last {shares.Count} samples");
        foreach (var category in new[] { "selfBlockedHarvests", "dustFills", "selfWashedSales", "triggersDecidedTwice", "clientEventsNotDecided" })
            foreach (var f in report.GetProperty(category).GetProperty("findings").EnumerateArray().Take(5)) output.WriteLine("  " + f.GetProperty("explanation").GetString());

        Assert.True(report.GetProperty("engineFills").GetInt32() > 0, "the quarter makes the firm trade");
        Assert.Equal(0, Count("selfWashedSales"));
        Assert.Equal(0, Count("selfBlockedHarvests"));
        Assert.Equal(0, Count("dustFills"));
        Assert.Equal(0, Count("fractionalOrders"));
        Assert.Equal(0, Count("frozenDecisions"));
        Assert.Equal(0, Count("unpaidWithdrawals"));
        Assert.Equal(0, Count("unreadableEntries"));
        Assert.Equal(0, Count("triggersDecidedTwice"));
        Assert.Equal(0, Count("clientEventsNotDecided"));
        Assert.True(monitored >= 40, $"{monitored} accounts monitored");
        // Issue #15: at most 10 % of accounts out of tolerance in the steady state. Measured 2026-12-05 at commit 166edad in five
        // runs at 250 ms a batch: 3.4–6.6 % (the market path differs per run), and 11.3 % in CI beside the other tests; at
        // 500 ms a batch beside the crisis stress tests, 5.2 % and 5.9 %. Before the asset classes joined the band penalty, the simulated
        // clients saw proposals between the households' turns and the fund families grew: 7.9–14.6 %; deciding once per
        // message: 27–35 %.
        Assert.True(steady <= 0.10, $"{steady:P1} of the accounts out of tolerance on average over the last 30 batches");

        // Every client event was a decision's cause (its trigger journaled) and every withdrawal was paid.
        async Task<int> Keyed(string? account, string kind, string prefix) =>
            (await client.GetFromJsonAsync<JsonElement>($"/api/journal?account={account}&kind={kind}&limit=1000")).EnumerateArray()
                .Count(e => e.GetProperty("idempotencyKey").GetString() is { } key && key.StartsWith(prefix, StringComparison.Ordinal));
        var events = (Deposits: await Keyed(depositTo, "trigger", "trigger:Cash:deposit:"), Withdrawals: await Keyed(withdrawFrom, "trigger", "trigger:Cash:withdrawal:"),
            Paid: await Keyed(withdrawFrom, "cash", "paid:quarter-wd-"), Restrictions: await Keyed(depositTo, "trigger", "trigger:Restriction:restrictions:"));
        var taxProfile = (await client.GetFromJsonAsync<JsonElement>($"/api/journal?household={HouseholdOf(withdrawFrom)}&kind=trigger&limit=1000")).EnumerateArray()
            .Count(e => e.GetProperty("idempotencyKey").GetString()!.StartsWith("trigger:Policy:tax profile:", StringComparison.Ordinal));
        output.WriteLine($"client events: {posted} deposits into {depositTo}, {posted} withdrawals from {withdrawFrom}; triggers journaled {events.Deposits} and {events.Withdrawals}, " +
            $"withdrawals paid {events.Paid}; restrictions set on {depositTo} and a tax profile on {HouseholdOf(withdrawFrom)}, triggers journaled {events.Restrictions} and {taxProfile}");
        var heard = (await client.GetFromJsonAsync<JsonElement>($"/api/journal?kind=modelChange&limit=1000")).EnumerateArray()
            .Select(e => e.GetProperty("accountId").GetString()!).ToArray();
        output.WriteLine($"model {changedModel} changed: {heard.Length} accounts heard it ({string.Join(", ", heard.Order(StringComparer.Ordinal))})");
        Assert.Equal((9, 9, 9, 9, 1, 1), (posted, events.Deposits, events.Withdrawals, events.Paid, events.Restrictions, taxProfile));
        Assert.Contains(depositTo, heard);
        Assert.Equal(heard.Length, heard.Distinct().Count());
        Assert.True(report.GetProperty("clientEvents").GetInt32() >= 20 + heard.Length,
            $"the audit read {report.GetProperty("clientEvents")} client events of the {20 + heard.Length} made");
    }

    /// <summary>Moves 0.01 of weight from the largest sleeve of <paramref name="account"/>'s model to the next; returns the model.</summary>
    private static async Task<string> ShiftAPoint(HttpClient client, string account)
    {
        var modelId = (await client.GetFromJsonAsync<JsonElement>($"/api/accounts/{account}")).GetProperty("spec").GetProperty("modelId").GetString()!;
        var model = System.Text.Json.Nodes.JsonNode.Parse(await client.GetStringAsync($"/api/models/{modelId}"))!;
        var sleeves = model["sleeves"]!.AsArray().OrderByDescending(n => n!["weight"]!.GetValue<decimal>()).ToArray();
        sleeves[0]!["weight"] = sleeves[0]!["weight"]!.GetValue<decimal>() - 0.01m;
        sleeves[1]!["weight"] = sleeves[1]!["weight"]!.GetValue<decimal>() + 0.01m;
        (await client.PutAsync($"/api/models/{modelId}", new StringContent(model.ToJsonString(), System.Text.Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        return modelId;
    }

    private static string HouseholdOf(string? account) => account is { } id ? id[..id.IndexOf('-')] : throw new InvalidOperationException("no account chosen yet");

    /// <summary>Two discretionary accounts worth $250,000 or more, of different households of the demo firm: nine withdrawals
    /// of $3,000 from a $30,000 account would leave it too small to hold its model (a first run drained one to $2,460, out of
    /// tolerance for the rest of the quarter).</summary>
    private static async Task<(string, string)> TwoDiscretionaryAccounts(HttpClient client)
    {
        var found = new List<string>();
        foreach (var household in (await client.GetFromJsonAsync<JsonElement>("/api/households?pageSize=20")).GetProperty("items").EnumerateArray())
        {
            var view = await client.GetFromJsonAsync<JsonElement>($"/api/households/{household.GetProperty("id").GetString()}");
            if (view.GetProperty("accounts").EnumerateArray().FirstOrDefault(a => a.GetProperty("spec").GetProperty("discretionary").GetBoolean()
                    && a.GetProperty("marketValue").GetDecimal() >= 250_000m) is { ValueKind: JsonValueKind.Object } account)
                found.Add(account.GetProperty("spec").GetProperty("id").GetString()!);
            if (found.Count == 2) return (found[0], found[1]);
        }
        throw new InvalidOperationException("the demo firm has fewer than two households with a discretionary account of $250,000");
    }
}
