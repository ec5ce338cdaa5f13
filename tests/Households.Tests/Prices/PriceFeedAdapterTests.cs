using System.Net.Http.Json;
using System.Text.Json;
using Households.Tests.Api;
using Microsoft.AspNetCore.Hosting;
using Xunit;

namespace Households.Tests.Prices;

/// <summary>The silo with its feed adapter following a temporary file from its start, batching every 50 ms, and a
/// one-second stale threshold so a test sees a price go stale without waiting minutes.</summary>
public sealed class PriceFeedFileFactory : SiloFactory
{
    public string FeedPath { get; } = Path.Combine(Path.GetTempPath(), $"households-feed-{Guid.NewGuid():N}.jsonl");

    public PriceFeedFileFactory() : base(false) => File.WriteAllText(FeedPath, "");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("PriceFeed:Source", $"file:{FeedPath}");
        builder.UseSetting("PriceFeed:FromStart", "true");
        builder.UseSetting("PriceFeed:BatchInterval", "00:00:00.050");
        builder.UseSetting("PriceFeed:StaleAfter", "00:00:01");
    }

    public void Append(params string[] lines) => File.AppendAllLines(FeedPath, lines);

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        try { File.Delete(FeedPath); } catch (IOException) { }
    }
}

public sealed class PriceFeedAdapterTests(PriceFeedFileFactory factory) : IClassFixture<PriceFeedFileFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    private async Task<JsonElement> Until(string path, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var response = await _http.GetAsync(path);
            if (response.IsSuccessStatusCode)
            {
                var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
                if (done(json)) return json;
            }
            if (DateTime.UtcNow > deadline) Assert.Fail($"{path} did not reach the expected state in 15 s");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Lines_appended_to_the_file_price_securities_bad_lines_are_counted_and_unpriced_ones_go_stale()
    {
        factory.Append("""{"symbol":"PFA1","price":101.25,"time":"2026-12-05T15:30:00Z"}""", "not json",
            """{"symbol":"PFA2","price":-1}""");
        var first = await Until("/api/securities/PFA1", j => j.GetProperty("price").GetDecimal() == 101.25m);
        Assert.True(first.GetProperty("batchSequence").GetInt64() > 0);

        // A later line moves the price; a line older than the published one does not move it back.
        factory.Append("""{"symbol":"PFA1","price":102.5,"time":"2026-12-05T15:31:00Z"}""");
        await Until("/api/securities/PFA1", j => j.GetProperty("price").GetDecimal() == 102.5m);
        factory.Append("""{"symbol":"PFA1","price":99,"time":"2026-12-05T15:29:00Z"}""", """{"symbol":"PFA3","price":7.5}""");
        await Until("/api/securities/PFA3", j => j.GetProperty("price").GetDecimal() == 7.5m);
        Assert.Equal(102.5m, (await _http.GetFromJsonAsync<JsonElement>("/api/securities/PFA1")).GetProperty("price").GetDecimal());

        var status = await _http.GetFromJsonAsync<JsonElement>("/api/prices/feed");
        Assert.Equal(6, status.GetProperty("lines").GetInt64());
        Assert.Equal(4, status.GetProperty("parsed").GetInt64());
        Assert.Equal(2, status.GetProperty("skipped").GetInt64());
        Assert.Equal(1, status.GetProperty("outOfOrder").GetInt64());
        var errors = status.GetProperty("recentErrors").EnumerateArray().ToArray();
        Assert.Equal([2L, 3], errors.Select(e => e.GetProperty("line").GetInt64()).ToArray());
        Assert.Equal("price must be > 0", errors[1].GetProperty("reason").GetString());

        // No line for PFA1 since: after the one-second threshold it is listed stale, with its last priced time.
        var stale = await Until("/api/prices/stale", j => j.GetProperty("symbols").EnumerateArray().Any(s => s.GetProperty("symbol").GetString() == "PFA1"));
        Assert.True(stale.GetProperty("held").GetBoolean());
        Assert.Equal(1.0 / 60, stale.GetProperty("staleAfterMinutes").GetDouble(), 9);
        var pfa1 = stale.GetProperty("symbols").EnumerateArray().First(s => s.GetProperty("symbol").GetString() == "PFA1");
        Assert.True(pfa1.GetProperty("minutesStale").GetDouble() >= 1.0 / 60 - 0.01);
        Assert.True(pfa1.GetProperty("lastPriced").GetDateTimeOffset() < DateTimeOffset.UtcNow.AddSeconds(-1));
    }
}
