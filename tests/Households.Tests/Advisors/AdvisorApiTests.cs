using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Households.Auth;
using Households.Domain.Advisors;
using Households.Tests.Api;
using Households.Tests.PostgreSql;
using Microsoft.AspNetCore.Hosting;
using Xunit;

namespace Households.Tests.Advisors;

/// <summary>A local webhook receiver: answers 500 to the first <see cref="FailFirst"/> attempts of each delivery id, then
/// 200; records every attempt's headers and body.</summary>
public sealed class WebhookReceiver : IDisposable
{
    public const string Secret = "whsec_advisor_tests";
    public const int FailFirst = 2;
    private readonly HttpListener _listener = new();
    public ConcurrentQueue<(string Delivery, long Timestamp, string Signature, string Body, int Status)> Attempts { get; } = new();
    private readonly ConcurrentDictionary<string, int> _seen = new();

    public WebhookReceiver()
    {
        Url = $"http://127.0.0.1:{OrleansAdoNetSmokeTests.FreePort()}/hook/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _ = Task.Run(Serve);
    }

    public string Url { get; }

    private async Task Serve()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception) { return; }
            using var reader = new StreamReader(context.Request.InputStream);
            var body = await reader.ReadToEndAsync();
            var delivery = context.Request.Headers[WebhookSignature.DeliveryHeader] ?? "";
            var attempt = _seen.AddOrUpdate(delivery, 1, (_, n) => n + 1);
            var status = attempt <= FailFirst ? 500 : 200;
            Attempts.Enqueue((delivery, long.Parse(context.Request.Headers[WebhookSignature.TimestampHeader] ?? "0"),
                context.Request.Headers[WebhookSignature.SignatureHeader] ?? "", body, status));
            context.Response.StatusCode = status;
            context.Response.Close();
        }
    }

    public void Dispose() => _listener.Close();
}

/// <summary>The silo with one webhook endpoint (the local receiver), fast retries, and no harvest notices.</summary>
public sealed class AdvisorApiFactory() : SiloFactory(false)
{
    public WebhookReceiver Receiver { get; } = new();
    private readonly SemaphoreSlim _seeding = new(1, 1);
    private bool _seeded;

    /// <summary>Runs <paramref name="seed"/> once for the factory.</summary>
    public async Task SeedOnce(Func<Task> seed)
    {
        await _seeding.WaitAsync();
        try
        {
            if (!_seeded) await seed();
            _seeded = true;
        }
        finally { _seeding.Release(); }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Notifications:Webhooks:0:Url", Receiver.Url);
        builder.UseSetting("Notifications:Webhooks:0:Secret", WebhookReceiver.Secret);
        builder.UseSetting("Notifications:FirstRetry", "00:00:00.200");
        builder.UseSetting("Notifications:DispatchInterval", "00:00:00.100");
        builder.UseSetting("Notifications:MaxAttempts", "5");
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) Receiver.Dispose();
    }
}

/// <summary>The advisor's queue, bulk decisions, approver identity and webhook notices through the API.</summary>
public sealed class AdvisorApiTests(AdvisorApiFactory factory) : IClassFixture<AdvisorApiFactory>
{
    private readonly HttpClient _admin = factory.CreateClient();

    private static async Task<JsonElement> Json(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    private HttpClient Advisor(string advisor, string subject)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", SiloFactory.Tokens.Mint(HouseholdsAuth.Advisor, advisor, subject: subject));
        return client;
    }

    /// <summary>A household of one non-discretionary IRA following a 50/50 model while holding only equity (100 × 100.00):
    /// its rebalance sells half the equity for bonds and waits for approval. Returns the pending proposal.</summary>
    private async Task<JsonElement> Pending(string id, string advisor)
    {
        await factory.SeedOnce(Seed);
        (await _admin.PostAsJsonAsync("/api/households", new
        {
            id, name = $"The {id} Family", advisorId = advisor,
            accounts = new object[]
            {
                new { id = $"{id}-IRA", type = "ira", discretionary = false, modelId = "AQM", cash = 0m, fractionalShares = true,
                    lots = new[] { new { id = $"{id}-L1", symbol = "AQEQ", quantity = 100m, basis = 8_000m, purchased = "2020-01-02", holdingSince = "2020-01-02" } } },
            },
        })).EnsureSuccessStatusCode();
        var filed = await Json(await _admin.PostAsync($"/api/households/{id}/rebalance", null));
        return filed.EnumerateArray().Single(p => p.GetProperty("status").GetString() == "pending");
    }

    /// <summary>Securities, prices and the model, once: no price batch after that, so no drift trigger files a proposal that
    /// would replace the tests' own.</summary>
    private async Task Seed()
    {
        (await _admin.PostAsJsonAsync("/api/securities", new[]
        {
            new { symbol = "AQEQ", name = "Queue equity", assetClass = "US Equity", sector = "Diversified", kind = "equityFund" },
            new { symbol = "AQBD", name = "Queue bonds", assetClass = "US Bonds", sector = "Diversified", kind = "bondFund" },
        })).EnsureSuccessStatusCode();
        (await _admin.PostAsJsonAsync("/api/prices", new { quotes = new[] { new { symbol = "AQEQ", price = 100m }, new { symbol = "AQBD", price = 50m } } })).EnsureSuccessStatusCode();
        var band = new { absolute = 0.05m, relative = 0.25m };
        (await _admin.PutAsJsonAsync("/api/models/AQM", new
        {
            id = "AQM", name = "Queue 50/50", directIndexing = false,
            sleeves = new[] { new { kind = "security", key = "AQEQ", weight = 0.5m, band }, new { kind = "security", key = "AQBD", weight = 0.5m, band } },
        })).EnsureSuccessStatusCode();
    }

    private static async Task<JsonElement> Eventually(Func<Task<JsonElement>> read, Func<JsonElement, bool> done)
    {
        for (var i = 0; i < 100; i++)
        {
            var value = await read();
            if (done(value)) return value;
            await Task.Delay(100);
        }
        return await read();
    }

    private static string[] Ids(JsonElement page) => [.. page.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("proposalId").GetString()!)];

    [Fact]
    public async Task An_advisor_sees_only_their_households_and_a_reader_may_read_but_not_decide()
    {
        var mine = await Pending("AQS1", "ADV41");
        var theirs = await Pending("AQS2", "ADV42");
        var (mineId, theirsId) = (mine.GetProperty("id").GetString()!, theirs.GetProperty("id").GetString()!);

        using var adv41 = Advisor("ADV41", "alice");
        var own = await Eventually(async () => await Json(await adv41.GetAsync("/api/advisor/queue")), q => Ids(q).Contains(mineId));
        Assert.Equal([mineId], Ids(own));
        // Asking for another advisor changes nothing; asking for another's household is not found, as elsewhere.
        Assert.Equal([mineId], Ids(await Json(await adv41.GetAsync("/api/advisor/queue?advisor=ADV42"))));
        Assert.Equal(HttpStatusCode.NotFound, (await adv41.GetAsync("/api/advisor/queue?household=AQS2")).StatusCode);

        // The row's figures are the proposal's own.
        var row = own.GetProperty("items")[0];
        Assert.Equal(("AQS1", "The AQS1 Family", "ADV41", "rebalance"), (row.GetProperty("householdId").GetString(), row.GetProperty("householdName").GetString(),
            row.GetProperty("advisorId").GetString(), row.GetProperty("kind").GetString()));
        Assert.Equal(["AQS1-IRA"], row.GetProperty("accounts").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(mine.GetProperty("trackingErrorBefore").GetDouble(), row.GetProperty("trackingErrorBefore").GetDouble());
        Assert.Equal(mine.GetProperty("expiresAt").GetDateTimeOffset(), row.GetProperty("expiresAt").GetDateTimeOffset());
        Assert.Equal(0m, row.GetProperty("estimatedTaxBenefit").GetDecimal()); // an IRA: nothing taxed
        Assert.False(row.GetProperty("pricesMoved").GetBoolean());

        // An admin filters by advisor; a reader reads the whole firm.
        var admins = await Json(await _admin.GetAsync("/api/advisor/queue?advisor=ADV42"));
        Assert.Equal([theirsId], Ids(admins));
        using var reader = factory.CreateClientFor(HouseholdsAuth.Reader);
        var all = Ids(await Json(await reader.GetAsync("/api/advisor/queue?sort=expiry&pageSize=500")));
        Assert.Contains(mineId, all);
        Assert.Contains(theirsId, all);
        var refused = await reader.PostAsJsonAsync("/api/advisor/queue/decisions", new
        {
            requestId = "reader-1", decisions = new[] { new { householdId = "AQS1", proposalId = mineId, decision = "approve" } },
        });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("pending", (await Json(await _admin.GetAsync("/api/households/AQS1/proposals"))).EnumerateArray()
            .Single(p => p.GetProperty("id").GetString() == mineId).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await adv41.GetAsync("/api/advisor/queue?sort=name")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await adv41.GetAsync("/api/advisor/queue?kind=everything")).StatusCode);
    }

    [Fact]
    public async Task A_retried_bulk_request_applies_nothing_twice_and_records_the_approver_once_per_proposal()
    {
        var approve = (await Pending("AQB1", "ADV43")).GetProperty("id").GetString()!;
        var reject = (await Pending("AQB2", "ADV43")).GetProperty("id").GetString()!;
        var strangers = (await Pending("AQB3", "ADV44")).GetProperty("id").GetString()!;
        using var bob = Advisor("ADV43", "bob");
        var request = new
        {
            requestId = "bulk-7",
            decisions = new object[]
            {
                new { householdId = "AQB1", proposalId = approve, decision = "approve" },
                new { householdId = "AQB2", proposalId = reject, decision = "reject", note = "client on holiday" },
                new { householdId = "AQB3", proposalId = strangers, decision = "approve" },
                new { householdId = "AQB1", proposalId = "AQB1-P99999", decision = "approve" },
            },
        };
        var first = await Json(await bob.PostAsJsonAsync("/api/advisor/queue/decisions", request));
        var outcomes = first.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("outcome").GetString()!).ToArray();
        Assert.Equal(["executed", "rejected", "notFound", "notFound"], outcomes);
        Assert.Equal(("bob", "ADV43", "advisor"), (first.GetProperty("decidedBy").GetProperty("subject").GetString(),
            first.GetProperty("decidedBy").GetProperty("advisorId").GetString(), first.GetProperty("decidedBy").GetProperty("role").GetString()));

        async Task<(int Fills, int Approvals, int Rejections)> Counts()
        {
            var proposals = await Json(await _admin.GetAsync("/api/households/AQB1/proposals"));
            var fills = proposals.EnumerateArray().Single(p => p.GetProperty("id").GetString() == approve).GetProperty("fills").GetArrayLength();
            var approvals = (await Json(await _admin.GetAsync("/api/journal?household=AQB1&kind=Approval"))).GetArrayLength();
            var rejections = (await Json(await _admin.GetAsync("/api/journal?household=AQB2&kind=Rejection"))).GetArrayLength();
            return (fills, approvals, rejections);
        }
        var before = await Counts();
        Assert.True(before.Fills > 0);
        Assert.Equal((1, 1), (before.Approvals, before.Rejections));
        var journalFills = (await Json(await _admin.GetAsync("/api/journal?household=AQB1&kind=Fill"))).GetArrayLength();

        var again = await Json(await bob.PostAsJsonAsync("/api/advisor/queue/decisions", request));
        Assert.Equal(first.GetRawText(), again.GetRawText());
        Assert.Equal(before, await Counts());
        Assert.Equal(journalFills, (await Json(await _admin.GetAsync("/api/journal?household=AQB1&kind=Fill"))).GetArrayLength());

        // The approver is on the proposals and in their journal entries.
        var executed = (await Json(await _admin.GetAsync("/api/households/AQB1/proposals"))).EnumerateArray().Single(p => p.GetProperty("id").GetString() == approve);
        Assert.Equal(("executed", "bob"), (executed.GetProperty("status").GetString(), executed.GetProperty("decidedBy").GetProperty("subject").GetString()));
        var rejected = (await Json(await _admin.GetAsync("/api/households/AQB2/proposals"))).EnumerateArray().Single(p => p.GetProperty("id").GetString() == reject);
        Assert.Equal(("rejected", "client on holiday", "bob"), (rejected.GetProperty("status").GetString(), rejected.GetProperty("note").GetString(),
            rejected.GetProperty("decidedBy").GetProperty("subject").GetString()));
        var approval = (await Json(await _admin.GetAsync("/api/journal?household=AQB1&kind=Approval")))[0];
        Assert.Contains("decided by bob (advisor, advisor ADV43)", approval.GetProperty("summary").GetString());
        Assert.Contains("\"subject\":\"bob\"", approval.GetProperty("payload").GetString());
        // The stranger's proposal is untouched.
        Assert.Equal("pending", (await Json(await _admin.GetAsync("/api/households/AQB3/proposals"))).EnumerateArray()
            .Single(p => p.GetProperty("id").GetString() == strangers).GetProperty("status").GetString());

        // The same request id with a different request is bad input; a single approval records its approver too.
        var changed = await bob.PostAsJsonAsync("/api/advisor/queue/decisions", new { requestId = "bulk-7", decisions = new[] { new { householdId = "AQB3", proposalId = strangers, decision = "reject" } } });
        Assert.Equal(HttpStatusCode.BadRequest, changed.StatusCode);
        var single = await Json(await _admin.PostAsync($"/api/households/AQB3/proposals/{strangers}/reject", JsonContent.Create(new { note = "no" })));
        Assert.Equal(("test-admin", "admin"), (single.GetProperty("decidedBy").GetProperty("subject").GetString(), single.GetProperty("decidedBy").GetProperty("role").GetString()));
    }

    [Fact]
    public async Task A_new_proposal_is_announced_by_a_signed_webhook_retried_with_the_same_delivery_id()
    {
        var id = (await Pending("AQW1", "ADV45")).GetProperty("id").GetString()!;
        var delivery = $"proposal-pending:AQW1:{id}";
        var receiver = factory.Receiver;
        for (var i = 0; i < 200 && receiver.Attempts.Count(a => a.Delivery == delivery && a.Status == 200) == 0; i++) await Task.Delay(100);
        var attempts = receiver.Attempts.Where(a => a.Delivery == delivery).ToArray();
        // Two refusals, then delivered; every attempt the same id and body, each signed over its own timestamp.
        Assert.Equal([500, 500, 200], attempts.Select(a => a.Status));
        Assert.Single(attempts.Select(a => a.Body).Distinct());
        Assert.All(attempts, a => Assert.Equal(WebhookSignature.Sign(WebhookReceiver.Secret, a.Timestamp, a.Body), a.Signature));
        Assert.All(attempts, a => Assert.True(WebhookSignature.Verify(WebhookReceiver.Secret, a.Timestamp, a.Body, a.Signature, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5))));
        var body = JsonDocument.Parse(attempts[0].Body).RootElement;
        Assert.Equal((delivery, "proposal-pending", "AQW1", "ADV45", id), (body.GetProperty("deliveryId").GetString(), body.GetProperty("kind").GetString(),
            body.GetProperty("householdId").GetString(), body.GetProperty("advisorId").GetString(), body.GetProperty("proposalId").GetString()));
        // Delivered: the outbox no longer holds it, and nothing more arrives for it.
        await Task.Delay(1000);
        Assert.Equal(3, receiver.Attempts.Count(a => a.Delivery == delivery));
    }

    [Fact]
    public async Task The_advisor_stream_carries_their_new_proposals_and_not_another_advisors()
    {
        using var carol = Advisor("ADV46", "carol");
        carol.Timeout = TimeSpan.FromMinutes(2);
        using var response = await carol.GetAsync("/api/advisor/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new SseReader(await response.Content.ReadAsStreamAsync());
        await Task.Delay(2500); // the stream takes its cursor on the first wake-up
        var other = (await Pending("AQE2", "ADV47")).GetProperty("id").GetString()!;
        var mine = (await Pending("AQE1", "ADV46")).GetProperty("id").GetString()!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var events = new List<string>();
        while (!events.Any(e => e.Contains(mine, StringComparison.Ordinal)))
            events.Add((await reader.Next("proposal-pending", timeout.Token)).Data.GetRawText());
        Assert.Contains(events, e => e.Contains($"\"proposalId\":\"{mine}\"", StringComparison.Ordinal) && e.Contains("\"kind\":\"proposal-pending\"", StringComparison.Ordinal));
        Assert.DoesNotContain(events, e => e.Contains("AQE2", StringComparison.Ordinal) || e.Contains(other, StringComparison.Ordinal));
    }
}
