using System.Net.Http.Json;
using System.Text.Json;
using Households.Tests.Api;
using Microsoft.AspNetCore.Hosting;
using Xunit;

namespace Households.Tests.Advisors;

/// <summary>A silo whose webhook announces proposals expiring within two days (longer than a proposal lives: every pending
/// one is about to expire) and harvest opportunities from $1,000 of loss.</summary>
public sealed class NoticeKindsFactory() : SiloFactory(false)
{
    public WebhookReceiver Receiver { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Notifications:Webhooks:0:Url", Receiver.Url);
        builder.UseSetting("Notifications:Webhooks:0:Secret", WebhookReceiver.Secret);
        builder.UseSetting("Notifications:FirstRetry", "00:00:00.200");
        builder.UseSetting("Notifications:DispatchInterval", "00:00:00.100");
        builder.UseSetting("Notifications:ExpiringWithin", "2.00:00:00");
        builder.UseSetting("Notifications:HarvestThreshold", "1000");
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) Receiver.Dispose();
    }
}

/// <summary>The two notices besides "needs approval": a pending proposal about to expire, and a household whose harvestable
/// loss reaches the firm's threshold; each delivered by the signed webhook under its own idempotent delivery id.</summary>
public sealed class AdvisorNoticeKindsTests(NoticeKindsFactory factory) : IClassFixture<NoticeKindsFactory>
{
    private readonly HttpClient _admin = factory.CreateClient();

    private async Task<JsonElement> Delivered(string delivery)
    {
        for (var i = 0; i < 300; i++)
        {
            if (factory.Receiver.Attempts.FirstOrDefault(a => a.Delivery == delivery && a.Status == 200) is { Body: { } body }) return JsonDocument.Parse(body).RootElement;
            await Task.Delay(100);
        }
        throw new Xunit.Sdk.XunitException($"{delivery} not delivered; seen: {string.Join(", ", factory.Receiver.Attempts.Select(a => a.Delivery).Distinct())}");
    }

    [Fact]
    public async Task A_proposal_about_to_expire_and_a_harvest_opportunity_are_announced()
    {
        (await _admin.PostAsJsonAsync("/api/securities", new[]
        {
            new { symbol = "NKEQ", name = "Notice equity", assetClass = "US Equity", sector = "Diversified", kind = "equityFund" },
            new { symbol = "NKBD", name = "Notice bonds", assetClass = "US Bonds", sector = "Diversified", kind = "bondFund" },
        })).EnsureSuccessStatusCode();
        (await _admin.PostAsJsonAsync("/api/prices", new { quotes = new[] { new { symbol = "NKEQ", price = 100m }, new { symbol = "NKBD", price = 50m } } })).EnsureSuccessStatusCode();
        var band = new { absolute = 0.05m, relative = 0.25m };
        (await _admin.PutAsJsonAsync("/api/models/NKM", new
        {
            id = "NKM", name = "Notice 50/50", directIndexing = false,
            sleeves = new[] { new { kind = "security", key = "NKEQ", weight = 0.5m, band }, new { kind = "security", key = "NKBD", weight = 0.5m, band } },
        })).EnsureSuccessStatusCode();

        // An IRA all in equity against a 50/50 model: its rebalance waits for approval, and expires within a day.
        (await _admin.PostAsJsonAsync("/api/households", new
        {
            id = "NKX1", name = "The Expiring Family", advisorId = "ADV60",
            accounts = new object[]
            {
                new { id = "NKX1-IRA", type = "ira", discretionary = false, modelId = "NKM", cash = 0m, fractionalShares = true,
                    lots = new[] { new { id = "NKX1-L1", symbol = "NKEQ", quantity = 100m, basis = 8_000m, purchased = "2020-01-02", holdingSince = "2020-01-02" } } },
            },
        })).EnsureSuccessStatusCode();
        var filed = JsonDocument.Parse(await (await _admin.PostAsync("/api/households/NKX1/rebalance", null)).Content.ReadAsStringAsync()).RootElement;
        var pending = filed.EnumerateArray().Single(p => p.GetProperty("status").GetString() == "pending").GetProperty("id").GetString()!;
        var expiring = await Delivered($"proposal-expiring:NKX1:{pending}");
        Assert.Equal(("proposal-expiring", "NKX1", "ADV60", pending), (expiring.GetProperty("kind").GetString(), expiring.GetProperty("householdId").GetString(),
            expiring.GetProperty("advisorId").GetString(), expiring.GetProperty("proposalId").GetString()));
        Assert.Contains("expires at", expiring.GetProperty("summary").GetString());

        // A taxable account holding NKEQ bought at $150: a $5,000 loss at $100, above the $1,000 threshold. The next price
        // batch lets the monitor see it.
        (await _admin.PostAsJsonAsync("/api/households", new
        {
            id = "NKH1", name = "The Harvest Family", advisorId = "ADV61",
            accounts = new object[]
            {
                new { id = "NKH1-TAX", type = "taxable", discretionary = false, modelId = "NKM", cash = 0m, fractionalShares = true,
                    lots = new[]
                    {
                        new { id = "NKH1-L1", symbol = "NKEQ", quantity = 100m, basis = 15_000m, purchased = "2026-01-05", holdingSince = "2026-01-05" },
                        new { id = "NKH1-L2", symbol = "NKBD", quantity = 200m, basis = 10_000m, purchased = "2026-01-05", holdingSince = "2026-01-05" },
                    } },
            },
        })).EnsureSuccessStatusCode();
        (await _admin.PostAsJsonAsync("/api/prices", new { quotes = new[] { new { symbol = "NKEQ", price = 100m }, new { symbol = "NKBD", price = 50m } } })).EnsureSuccessStatusCode();
        var harvest = factory.Receiver.Attempts.Select(a => a.Delivery).FirstOrDefault(d => d.StartsWith("harvest-opportunity:NKH1:", StringComparison.Ordinal));
        for (var i = 0; i < 300 && harvest is null; i++)
        {
            await Task.Delay(100);
            harvest = factory.Receiver.Attempts.Select(a => a.Delivery).FirstOrDefault(d => d.StartsWith("harvest-opportunity:NKH1:NKH1-TAX:", StringComparison.Ordinal));
        }
        Assert.NotNull(harvest);
        var opportunity = await Delivered(harvest!);
        Assert.Equal(("harvest-opportunity", "NKH1", "ADV61"), (opportunity.GetProperty("kind").GetString(), opportunity.GetProperty("householdId").GetString(),
            opportunity.GetProperty("advisorId").GetString()));
        Assert.True(opportunity.GetProperty("amount").GetDecimal() >= 1_000m, opportunity.GetRawText());
        // Once a day per account: the same delivery id is the only one for this account.
        Assert.Single(factory.Receiver.Attempts, a => a.Delivery.StartsWith("harvest-opportunity:NKH1:", StringComparison.Ordinal) && a.Status == 200);
    }
}
