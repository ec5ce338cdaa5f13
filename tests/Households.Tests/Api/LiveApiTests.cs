using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace Households.Tests.Api;

/// <summary>A silo of its own (no demo, no simulator), so the firm's figures are exactly the households created here.</summary>
public sealed class FirmSummaryFactory() : SiloFactory(false);

public sealed class LiveApiFactory() : SiloFactory(false);

public sealed class FirmSummaryApiTests(FirmSummaryFactory factory) : IClassFixture<FirmSummaryFactory>
{
    private readonly HttpClient _http = factory.CreateClient();
    private static readonly string Today = DateTime.UtcNow.ToString("yyyy-MM-dd");

    internal static object Household(string id, decimal cash, decimal shares, bool discretionary, decimal? iraCash = null, string? modelId = null) => new
    {
        id, name = $"The {id} Family", advisorId = "ADV07",
        accounts = iraCash is { } ira
            ? new object[]
            {
                new { id = $"{id}-TAX", type = "taxable", discretionary, cash, lots = new[] { new { id = $"{id}-L1", symbol = "LIVEQ", quantity = shares, basis = shares * 100m, purchased = "2025-01-02", holdingSince = "2025-01-02" } } },
                new { id = $"{id}-IRA", type = "ira", cash = ira },
            }
            : [new { id = $"{id}-TAX", type = "taxable", discretionary, cash, modelId, lots = new[] { new { id = $"{id}-L1", symbol = "LIVEQ", quantity = shares, basis = shares * 100m, purchased = "2025-01-02", holdingSince = "2025-01-02" } } }],
    };

    [Fact]
    public async Task Firm_summary_adds_the_monitored_accounts_harvests_and_proposals()
    {
        (await _http.PostAsJsonAsync("/api/securities", new[]
        {
            new { symbol = "LIVEQ", name = "Live equity", assetClass = "US Equity", sector = "Diversified", kind = "equityFund" },
            new { symbol = "LIVEB", name = "Live bonds", assetClass = "US Bonds", sector = "Diversified", kind = "bondFund" },
        })).EnsureSuccessStatusCode();
        (await _http.PostAsJsonAsync("/api/prices", new { quotes = new[] { new { symbol = "LIVEQ", price = 120m }, new { symbol = "LIVEB", price = 50m } } })).EnsureSuccessStatusCode();
        var band = new { absolute = 0.05m, relative = 0.25m };
        (await _http.PutAsJsonAsync("/api/models/LIVEM", new
        {
            id = "LIVEM", name = "Live 50/50", directIndexing = false,
            sleeves = new[] { new { kind = "security", key = "LIVEQ", weight = 0.5m, band }, new { kind = "security", key = "LIVEB", weight = 0.5m, band } },
        })).EnsureSuccessStatusCode();
        (await _http.PostAsJsonAsync("/api/households", Household("LIVE1", 1000m, 10m, true, iraCash: 500m))).EnsureSuccessStatusCode();
        // LIVE2 follows a 50/50 model holding only LIVEQ: out of tolerance from the start, and it needs approval.
        (await _http.PostAsJsonAsync("/api/households", Household("LIVE2", 250m, 50m, false, modelId: "LIVEM"))).EnsureSuccessStatusCode();
        await Price(120m); // a batch after the accounts registered, so the monitor scans them

        // LIVE1: 1,000 cash + 10 × 120 + IRA 500 = 2,700; LIVE2: 250 + 50 × 120 = 6,250.
        var s = await SummaryWhen(x => x.GetProperty("accountsMonitored").GetInt32() == 3 && x.GetProperty("assetsUnderManagement").GetDecimal() == 8_950m);
        Assert.Equal(8_950m, s.GetProperty("assetsUnderManagement").GetDecimal());
        Assert.Equal(3, s.GetProperty("accountsMonitored").GetInt32());
        Assert.Equal(2, s.GetProperty("householdsMonitored").GetInt32());
        Assert.Equal(1, s.GetProperty("accountsOutOfTolerance").GetInt32()); // LIVE2; LIVE1 follows no model
        Assert.Equal(0, s.GetProperty("accountsHarvestable").GetInt32());
        Assert.Equal(0m, s.GetProperty("harvestedLossesYearToDate").GetDecimal());
        Assert.Equal(1, s.GetProperty("silos").GetInt32());

        // Sell 4 of LIVE1's shares (basis 100) at 90: a 40.00 loss recognized this year.
        (await _http.PostAsJsonAsync("/api/accounts/LIVE1-TAX/trades", new { idempotencyKey = "live-1", date = Today, symbol = "LIVEQ", side = "sell", quantity = 4m, price = 90m }))
            .EnsureSuccessStatusCode();
        s = await SummaryWhen(x => x.GetProperty("harvestedLossesYearToDate").GetDecimal() == 40m);
        Assert.Equal(40m, s.GetProperty("harvestedLossesYearToDate").GetDecimal());

        // At 70 LIVE2's lot loses 50 × (100 − 70 − 0.07) = 1,496.50 net of costs: harvestable; LIVE1's 6 shares lose 179.58,
        // under the 250 minimum. LIVE1: 1,360 + 6 × 70 + 500 = 2,280; LIVE2: 250 + 50 × 70 = 3,750.
        await Price(70m);
        s = await SummaryWhen(x => x.GetProperty("assetsUnderManagement").GetDecimal() == 6_030m && x.GetProperty("accountsHarvestable").GetInt32() == 1);
        Assert.Equal(6_030m, s.GetProperty("assetsUnderManagement").GetDecimal());
        Assert.Equal(1, s.GetProperty("accountsHarvestable").GetInt32());
        Assert.True(s.GetProperty("triggersPerMinute").GetDouble() > 0);

        // LIVE2 needs approval, so its rebalance waits as a proposal; the summary counts what the household holds.
        var pending = 0;
        for (var i = 0; i < 150; i++)
        {
            var proposals = JsonDocument.Parse(await _http.GetStringAsync("/api/households/LIVE2/proposals")).RootElement;
            pending = proposals.EnumerateArray().Count(p => p.GetProperty("status").GetString() == "pending");
            if (pending > 0) break;
            await Task.Delay(100);
        }
        Assert.Equal(1, pending);
        s = await SummaryWhen(x => x.GetProperty("pendingProposals").GetInt32() == 1);
        Assert.Equal(1, s.GetProperty("pendingProposals").GetInt32());
    }

    private Task Price(decimal price) => LiveApiTests.Price(_http, price);

    private async Task<JsonElement> Summary() => JsonDocument.Parse(await _http.GetStringAsync("/api/firm/summary")).RootElement;

    /// <summary>Reads the summary until <paramref name="done"/> holds (figures arrive within a report interval), then returns it.</summary>
    private async Task<JsonElement> SummaryWhen(Func<JsonElement, bool> done)
    {
        var s = await Summary();
        for (var i = 0; i < 150 && !done(s); i++)
        {
            await Task.Delay(100);
            s = await Summary();
        }
        return s;
    }
}

public sealed class LiveApiTests(LiveApiFactory factory) : IClassFixture<LiveApiFactory>
{
    private readonly HttpClient _http = factory.CreateClient();
    private static readonly string Today = DateTime.UtcNow.ToString("yyyy-MM-dd");

    internal static object Household(string id, decimal cash, decimal shares, bool discretionary, decimal? iraCash = null) =>
        FirmSummaryApiTests.Household(id, cash, shares, discretionary, iraCash);

    internal static async Task Price(HttpClient http, decimal price) =>
        (await http.PostAsJsonAsync("/api/prices", new { quotes = new[] { new { symbol = "LIVEQ", price } } })).EnsureSuccessStatusCode();

    private Task Price(decimal price) => Price(_http, price);

    [Fact]
    public async Task Household_stream_sends_a_valuation_after_a_price_batch_and_the_trades()
    {
        (await _http.PostAsJsonAsync("/api/securities", new[] { new { symbol = "LIVEQ", name = "Live equity", assetClass = "US Equity", sector = "Diversified", kind = "equityFund" } })).EnsureSuccessStatusCode();
        await Price(110m);
        (await _http.PostAsJsonAsync("/api/households", Household("SSE1", 100m, 10m, true))).EnsureSuccessStatusCode();
        await Price(110m);

        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("/api/households/NOPE/events")).StatusCode);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var response = await _http.GetAsync("/api/households/SSE1/events", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new SseReader(await response.Content.ReadAsStreamAsync(cts.Token));

        var first = await reader.Next("valuation", cts.Token);
        Assert.Equal("SSE1", first.Data.GetProperty("householdId").GetString());
        Assert.False(string.IsNullOrEmpty(first.Id));
        var before = first.Data.GetProperty("marketValue").GetDecimal();
        Assert.Equal(100m + 10 * 110m, before);

        await Price(111.5m);
        var next = await reader.Next("valuation", cts.Token);
        Assert.Equal(100m + 10 * 111.5m, next.Data.GetProperty("marketValue").GetDecimal());
        Assert.True(next.Data.GetProperty("priceSequence").GetInt64() > first.Data.GetProperty("priceSequence").GetInt64());

        (await _http.PostAsJsonAsync("/api/accounts/SSE1-TAX/trades", new { idempotencyKey = "sse-1", date = Today, symbol = "LIVEQ", side = "sell", quantity = 2m, price = 111m }))
            .EnsureSuccessStatusCode();
        var trade = await reader.Next("trade", cts.Token);
        Assert.Equal("SSE1-TAX", trade.Data.GetProperty("accountId").GetString());
        Assert.Contains("Sell 2 LIVEQ @ 111.00", trade.Data.GetProperty("summary").GetString());
        Assert.True(reader.Comments > 0); // the stream opened with a comment (heartbeats are comments too)
    }

    [Fact]
    public async Task Firm_stream_sends_the_summary()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Price(101m);
        using var response = await _http.GetAsync("/api/firm/events", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        using var reader = new SseReader(await response.Content.ReadAsStreamAsync(cts.Token));
        var summary = await reader.Next("summary", cts.Token);
        Assert.True(summary.Data.TryGetProperty("assetsUnderManagement", out _));
        Assert.Equal(1, summary.Data.GetProperty("silos").GetInt32());
    }
}

/// <summary>Reads server-sent events: blocks of <c>field: value</c> lines separated by a blank line; comments start with ':'.</summary>
public sealed class SseReader(Stream stream) : IDisposable
{
    private readonly StreamReader _reader = new(stream);
    public int Comments { get; private set; }

    public async Task<(string Kind, string? Id, JsonElement Data)> Next(string kind, CancellationToken ct)
    {
        while (true)
        {
            string? eventKind = null, id = null, data = null;
            while (await _reader.ReadLineAsync(ct) is { } line)
            {
                if (line.Length == 0) { if (data is not null) break; continue; }
                if (line.StartsWith(':')) { Comments++; continue; }
                var colon = line.IndexOf(':');
                var (field, value) = colon < 0 ? (line, "") : (line[..colon], line[(colon + 1)..].TrimStart(' '));
                if (field == "event") eventKind = value;
                else if (field == "id") id = value;
                else if (field == "data") data = data is null ? value : data + "\n" + value;
            }
            if (data is null) throw new EndOfStreamException("the stream ended");
            if ((eventKind ?? "message") == kind) return (kind, id, JsonDocument.Parse(data).RootElement);
        }
    }

    public void Dispose() => _reader.Dispose();
}
