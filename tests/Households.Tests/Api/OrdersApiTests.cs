using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Households.Grains.Silo;
using Households.Tests.Cluster;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Households.Tests.Api;

/// <summary>The silo with a business clock the test moves: 10:00 in New York on Monday 2 March 2026 until told otherwise.</summary>
public sealed class OrdersApiFactory() : SiloFactory(false)
{
    public SettableClock Clock { get; } = new(new DateTimeOffset(2026, 3, 2, 15, 0, 0, TimeSpan.Zero));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s => s.AddKeyedSingleton<TimeProvider>(BusinessClock.Key, Clock));
        // The seed's price batch lets the monitor decide too, racing the test's own rebalance; without the daily turnover
        // cap on market-caused decisions both decide the same plan, so the orders' sizes do not depend on which came first.
        builder.UseSetting("Decisions:DailyTurnover", "1");
    }
}

public sealed class SettableClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>Issue #17 end to end: an orders-mode discretionary account decides, its orders go out (JSON, CSV, FIX), the desk's
/// fills come back (a partial then a full fill of the sell, a reject, a buy), lots are relieved at the fills' own prices, a
/// replayed execution applies nothing twice, bad input changes nothing, the household decides again after the reject, and an
/// order not done by 16:00 New York expires.</summary>
public sealed class OrdersApiTests(OrdersApiFactory factory) : IClassFixture<OrdersApiFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    private static async Task<JsonElement> Json(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    /// <summary>One taxable discretionary orders-mode account, no cash: 100 ORDX bought at $100 (now $80, a $2,000 short-term
    /// loss, off the model) and 30 ORDA at $80 (now $100); the model is 60 % ORDA, 40 % ORDB ($50).</summary>
    private Task Seed(string id) => Seed(_http, id);

    internal static async Task Seed(HttpClient _http, string id)
    {
        (await _http.PostAsJsonAsync("/api/securities", new[]
        {
            new { symbol = "ORDA", name = "Orders equity", assetClass = "US Equity", sector = "Diversified", kind = "equityFund" },
            new { symbol = "ORDB", name = "Orders bonds", assetClass = "US Bonds", sector = "Diversified", kind = "bondFund" },
            new { symbol = "ORDX", name = "Orders stock", assetClass = "US Equity", sector = "Technology", kind = "stock" },
        })).EnsureSuccessStatusCode();
        (await _http.PostAsJsonAsync("/api/prices", new { quotes = new[] { new { symbol = "ORDA", price = 100m }, new { symbol = "ORDB", price = 50m }, new { symbol = "ORDX", price = 80m } } }))
            .EnsureSuccessStatusCode();
        var band = new { absolute = 0.05m, relative = 0.25m };
        (await _http.PutAsJsonAsync("/api/models/ORDM", new
        {
            id = "ORDM", name = "Orders 60/40", directIndexing = false,
            sleeves = new[] { new { kind = "security", key = "ORDA", weight = 0.6m, band }, new { kind = "security", key = "ORDB", weight = 0.4m, band } },
        })).EnsureSuccessStatusCode();
        (await _http.PostAsJsonAsync("/api/households", new
        {
            id, name = "The Orders Family", advisorId = "ADV07",
            accounts = new object[]
            {
                new { id = $"{id}-TAX", type = "taxable", discretionary = true, modelId = "ORDM", cash = 0m, execution = "orders",
                    lots = new[]
                    {
                        new { id = $"{id}-L1", symbol = "ORDX", quantity = 100m, basis = 10_000m, purchased = "2025-09-02", holdingSince = "2025-09-02" },
                        new { id = $"{id}-L2", symbol = "ORDA", quantity = 30m, basis = 2_400m, purchased = "2020-01-02", holdingSince = "2020-01-02" },
                    } },
            },
        })).EnsureSuccessStatusCode();
    }

    private Task<HttpResponseMessage> Fills(params object[] executions) => _http.PostAsJsonAsync("/api/fills", executions);

    private static object Exec(string id, string order, string type, decimal quantity, decimal price, string time, string? reason = null) =>
        new { executionId = id, clientOrderId = order, type, quantity, price, time, reason };

    private async Task<JsonElement[]> Lots(string account) => [.. (await Json(await _http.GetAsync($"/api/accounts/{account}/lots"))).EnumerateArray()];

    private async Task<JsonElement[]> Orders(string query) => [.. (await Json(await _http.GetAsync($"/api/orders?{query}"))).EnumerateArray()];

    [Fact]
    public async Task Orders_go_out_fills_come_back_and_relieve_lots_at_the_fills_prices()
    {
        factory.Clock.Now = new DateTimeOffset(2026, 3, 2, 15, 0, 0, TimeSpan.Zero);
        await Seed("ORD1");
        // Decided now (or already by the monitor's drift trigger: either way one set of orders, the second decision deferred).
        Assert.Equal(HttpStatusCode.OK, (await _http.PostAsync("/api/households/ORD1/rebalance", null)).StatusCode);
        var orders = await ClusterFixture.Eventually(() => Orders("household=ORD1"), o => o.Length >= 3);
        var proposalId = orders[0].GetProperty("proposalId").GetString()!;
        var proposal = (await Json(await _http.GetAsync("/api/households/ORD1/proposals"))).EnumerateArray().Single(p => p.GetProperty("id").GetString() == proposalId);
        Assert.Equal("executed", proposal.GetProperty("status").GetString());

        // Out: nothing filled yet; the sell relieves the loss lot, the buys follow the model.
        Assert.All(orders, o => Assert.Equal(("open", 0m, "ORD1-TAX"), (o.GetProperty("status").GetString(), o.GetProperty("filledQuantity").GetDecimal(), o.GetProperty("accountId").GetString())));
        var sell = orders.Single(o => o.GetProperty("symbol").GetString() == "ORDX");
        Assert.Equal(($"{proposalId}-1", "sell", 100m, "market"), (sell.GetProperty("clientOrderId").GetString(), sell.GetProperty("side").GetString(),
            sell.GetProperty("quantity").GetDecimal(), sell.GetProperty("type").GetString()));
        var soldLot = Assert.Single(sell.GetProperty("lots").EnumerateArray());
        Assert.Equal(("ORD1-L1", 100m), (soldLot.GetProperty("lotId").GetString(), soldLot.GetProperty("quantity").GetDecimal()));
        var buyA = orders.Single(o => o.GetProperty("symbol").GetString() == "ORDA");
        var buyB = orders.Single(o => o.GetProperty("symbol").GetString() == "ORDB");
        var (idA, qtyA) = (buyA.GetProperty("clientOrderId").GetString()!, buyA.GetProperty("quantity").GetDecimal());
        var (idB, qtyB) = (buyB.GetProperty("clientOrderId").GetString()!, buyB.GetProperty("quantity").GetDecimal());
        Assert.Equal(("buy", "buy"), (buyA.GetProperty("side").GetString(), buyB.GetProperty("side").GetString()));
        Assert.Equal(3, orders.Length);
        // Nothing relieved at the decision: the lots are where they were.
        Assert.Equal(100m, (await Lots("ORD1-TAX")).Single(l => l.GetProperty("id").GetString() == "ORD1-L1").GetProperty("quantity").GetDecimal());

        var csv = (await _http.GetStringAsync("/api/orders.csv?household=ORD1")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Households.Domain.Execution.OrderFiles.CsvHeader, csv[0]);
        Assert.Contains($"{proposalId}-1,{proposalId},ORD1,ORD1-TAX,ORDX,sell,100,market,,DAY,2026-03-02,ORD1-L1:100,open,0,0,2026-03-02T15:00:00Z", csv);
        Assert.Equal(4, csv.Length);
        var fix = (await _http.GetStringAsync("/api/orders.fix?household=ORD1")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains($"35=D|11={proposalId}-1|1=ORD1-TAX|55=ORDX|54=2|38=100|40=1|59=0|60=20260302-15:00:00|", fix);
        Assert.Contains($"35=D|11={idA}|1=ORD1-TAX|55=ORDA|54=1|38={qtyA}|40=1|59=0|60=20260302-15:00:00|", fix);

        // The proposal shows its orders' state.
        var shown = (await Json(await _http.GetAsync("/api/households/ORD1/proposals"))).EnumerateArray().Single(p => p.GetProperty("id").GetString() == proposalId);
        Assert.Equal(["open", "open", "open"], shown.GetProperty("orders").EnumerateArray().Select(o => o.GetProperty("status").GetString()));

        // In: 40 of the sell at $79: 40 shares of the lot relieved at the fill's price, a $840 short-term loss.
        var partial = await Fills(Exec("X-1", $"{proposalId}-1", "partial", 40m, 79m, "2026-03-02T15:10:00Z"));
        Assert.Equal(HttpStatusCode.OK, partial.StatusCode);
        var first = (await Json(partial))[0];
        Assert.Equal(("partiallyFilled", 40m, 79m), (first.GetProperty("order").GetProperty("status").GetString(),
            first.GetProperty("order").GetProperty("filledQuantity").GetDecimal(), first.GetProperty("order").GetProperty("averagePrice").GetDecimal()));
        var realized = first.GetProperty("fills")[0].GetProperty("realized")[0];
        Assert.Equal(("ORD1-L1", 40m, 3_160m, 4_000m, -840m), (realized.GetProperty("lotId").GetString(), realized.GetProperty("quantity").GetDecimal(),
            realized.GetProperty("proceeds").GetDecimal(), realized.GetProperty("basis").GetDecimal(), realized.GetProperty("gain").GetDecimal()));
        var l1 = (await Lots("ORD1-TAX")).Single(l => l.GetProperty("id").GetString() == "ORD1-L1");
        Assert.Equal((60m, 6_000m), (l1.GetProperty("quantity").GetDecimal(), l1.GetProperty("basis").GetDecimal()));

        // The same execution again applies nothing twice and answers its first result.
        var replay = (await Json(await Fills(Exec("X-1", $"{proposalId}-1", "partial", 40m, 79m, "2026-03-02T15:10:00Z"))))[0];
        Assert.True(replay.GetProperty("replayed").GetBoolean());
        Assert.Equal(40m, replay.GetProperty("order").GetProperty("filledQuantity").GetDecimal());
        Assert.Equal(60m, (await Lots("ORD1-TAX")).Single(l => l.GetProperty("id").GetString() == "ORD1-L1").GetProperty("quantity").GetDecimal());

        // Bad input anywhere in a batch changes nothing: a good fill beside an over-fill is not applied.
        var bad = await Fills(Exec("X-2", $"{proposalId}-1", "fill", 60m, 78.5m, "2026-03-02T15:20:00Z"), Exec("X-3", idA, "fill", qtyA + 1, 100m, "2026-03-02T15:20:00Z"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains($"exceeds the open quantity {qtyA} of order {idA}", (await Json(bad)).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await Fills(Exec("X-4", "ORD1-P99999-1", "fill", 1m, 1m, "2026-03-02T15:20:00Z"))).StatusCode);
        Assert.Equal(40m, (await Orders("household=ORD1")).Single(o => o.GetProperty("symbol").GetString() == "ORDX").GetProperty("filledQuantity").GetDecimal());

        // The rest at $78.50 (a fills file this time): average 78.70, the lot gone, $1,290 more loss.
        var file = $"execution_id,client_order_id,type,quantity,price,time,reason,commission\nX-2,{proposalId}-1,fill,60,78.5,2026-03-02T15:20:00Z,,\nX-5,{idB},rejected,,,2026-03-02T15:21:00Z,no inventory,\n";
        var done = await _http.PostAsync("/api/fills", new StringContent(file, Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        var results = (await Json(done)).EnumerateArray().ToArray();
        Assert.Equal(("filled", 100m, 78.7m), (results[0].GetProperty("order").GetProperty("status").GetString(),
            results[0].GetProperty("order").GetProperty("filledQuantity").GetDecimal(), results[0].GetProperty("order").GetProperty("averagePrice").GetDecimal()));
        Assert.Equal(-1_290m, results[0].GetProperty("fills")[0].GetProperty("realized")[0].GetProperty("gain").GetDecimal());
        Assert.Equal(("rejected", "no inventory", 0m), (results[1].GetProperty("order").GetProperty("status").GetString(),
            results[1].GetProperty("order").GetProperty("reason").GetString(), results[1].GetProperty("order").GetProperty("filledQuantity").GetDecimal()));
        Assert.DoesNotContain(await Lots("ORD1-TAX"), l => l.GetProperty("id").GetString() == "ORD1-L1");
        var tax = await Json(await _http.GetAsync("/api/households/ORD1/tax"));
        Assert.Equal(-2_130m, tax.GetProperty("yearToDate").GetProperty("shortTerm").GetDecimal());

        // The buy at $101: a new lot at the fill's price; the account has no open order left and decides again (the reject released ORDB).
        var bought = (await Json(await Fills(Exec("X-6", idA, "fill", qtyA, 101m, "2026-03-02T15:30:00Z"))))[0];
        var lot = bought.GetProperty("fills")[0].GetProperty("createdLot");
        Assert.Equal((qtyA, qtyA * 101m), (lot.GetProperty("quantity").GetDecimal(), lot.GetProperty("basis").GetDecimal()));
        var again = await ClusterFixture.Eventually(() => Orders("household=ORD1&status=open"), o => o.Length > 0);
        var next = Assert.Single(again, o => o.GetProperty("symbol").GetString() == "ORDB");
        Assert.NotEqual(proposalId, next.GetProperty("proposalId").GetString());
        var journal = await _http.GetStringAsync("/api/journal?household=ORD1&limit=500");
        Assert.Contains("OrderResolved trigger on orders in ORD1-TAX", journal);
        Assert.Contains($"Order {idB} rejected by execution X-5 (no inventory)", journal);
        Assert.Contains($"Order {proposalId}-1 filled by execution X-2", journal);
        Assert.Contains($"fill:{proposalId}-1:0", journal);

        // The audit counts the order fills as the engine's: two pieces of the sell and the buy.
        var audit = await Json(await _http.GetAsync("/api/audit?household=ORD1"));
        Assert.Equal(3, audit.GetProperty("engineFills").GetInt32());
    }

    [Fact]
    public async Task An_order_not_done_by_the_close_expires_and_the_household_decides_again()
    {
        factory.Clock.Now = new DateTimeOffset(2026, 3, 4, 15, 0, 0, TimeSpan.Zero);
        await Seed("ORD2");
        Assert.Equal(HttpStatusCode.OK, (await _http.PostAsync("/api/households/ORD2/rebalance", null)).StatusCode);
        var orders = await ClusterFixture.Eventually(() => Orders("household=ORD2"), o => o.Length >= 3);
        var sell = orders.Single(o => o.GetProperty("symbol").GetString() == "ORDX").GetProperty("clientOrderId").GetString()!;
        (await Fills(Exec("Y-1", sell, "partial", 25m, 80m, "2026-03-04T16:00:00Z"))).EnsureSuccessStatusCode();

        // 16:00 in New York is 21:00 UTC on 4 March: every order of the day reads as expired, and a late fill is refused.
        factory.Clock.Now = new DateTimeOffset(2026, 3, 4, 21, 0, 0, TimeSpan.Zero);
        var all = await Orders("household=ORD2&status=all");
        Assert.All(all, o => Assert.Equal("expired", o.GetProperty("status").GetString()));
        var partly = all.Single(o => o.GetProperty("clientOrderId").GetString() == sell);
        Assert.Equal((25m, "2026-03-04T21:00:00+00:00"), (partly.GetProperty("filledQuantity").GetDecimal(), partly.GetProperty("closedAt").GetString()));
        var late = await Fills(Exec("Y-2", sell, "fill", 75m, 80m, "2026-03-04T21:05:00Z"));
        Assert.Equal(HttpStatusCode.BadRequest, late.StatusCode);
        Assert.Contains($"order {sell} is expired", (await Json(late)).GetProperty("detail").GetString());
        Assert.Equal(75m, (await Lots("ORD2-TAX")).Single(l => l.GetProperty("id").GetString() == "ORD2-L1").GetProperty("quantity").GetDecimal());

        // The household's next turn records the expiries and decides again: new orders for the next session.
        (await _http.PostAsync("/api/households/ORD2/rebalance", null)).EnsureSuccessStatusCode();
        var expected = $"Order {sell} expired at the close of 2026-03-04: 75 of 100 ORDX released";
        var journal = await ClusterFixture.Eventually(() => _http.GetStringAsync("/api/journal?household=ORD2&kind=orderExpired"), j => j.Contains(expected, StringComparison.Ordinal));
        Assert.True(journal.Contains(expected, StringComparison.Ordinal), journal);
        var fresh = await ClusterFixture.Eventually(() => Orders("household=ORD2"), o => o.Length > 0);
        Assert.All(fresh, o => Assert.Equal("2026-03-05", o.GetProperty("tradeDate").GetString()));
        Assert.All(fresh, o => Assert.NotEqual(orders[0].GetProperty("proposalId").GetString(), o.GetProperty("proposalId").GetString()));
        // The new sell relieves what is left of the same loss lot, at most its 75 shares.
        var again = fresh.Single(o => o.GetProperty("symbol").GetString() == "ORDX").GetProperty("lots").EnumerateArray().Single();
        Assert.Equal("ORD2-L1", again.GetProperty("lotId").GetString());
        Assert.InRange(again.GetProperty("quantity").GetDecimal(), 1m, 75m);
    }

    [Fact]
    public async Task The_cli_sends_a_fills_file_and_a_bad_file_is_exit_2_sending_nothing()
    {
        factory.Clock.Now = new DateTimeOffset(2026, 3, 6, 15, 0, 0, TimeSpan.Zero);
        await Seed("ORD3");
        Assert.Equal(HttpStatusCode.OK, (await _http.PostAsync("/api/households/ORD3/rebalance", null)).StatusCode);
        var orders = await ClusterFixture.Eventually(() => Orders("household=ORD3"), o => o.Length >= 3);
        var sell = orders.Single(o => o.GetProperty("symbol").GetString() == "ORDX").GetProperty("clientOrderId").GetString()!;
        var path = Path.Combine(Path.GetTempPath(), $"fills-{Guid.NewGuid():N}.csv");
        try
        {
            await File.WriteAllTextAsync(path, $"execution_id,client_order_id,type,quantity,price,time,reason,commission\nZ-1,{sell},partial,10,80.25,2026-03-06T15:05:00Z,,\nZ-2,{sell},canceled,,,2026-03-06T15:06:00Z,client asked,\n");
            var (code, output, error) = await Households.Tests.Cli.CliRunner.Run(factory, "fills", "import", path);
            Assert.True(code == 0, error);
            Assert.True(output.Contains($"Z-1: order {sell} partially filled, 10 of 100 ORDX at 80.25", StringComparison.Ordinal), output);
            Assert.True(output.Contains($"Z-2: order {sell} canceled, 10 of 100 ORDX at 80.25", StringComparison.Ordinal), output);
            Assert.Equal(90m, (await Lots("ORD3-TAX")).Single(l => l.GetProperty("id").GetString() == "ORD3-L1").GetProperty("quantity").GetDecimal());

            await File.WriteAllTextAsync(path, $"execution_id,client_order_id,type,quantity,price,time\nZ-3,{sell},fill,10,abc,2026-03-06T15:07:00Z\n");
            var bad = await Households.Tests.Cli.CliRunner.Run(factory, "fills", "import", path);
            Assert.Equal(2, bad.Code);
            Assert.Contains("line 2, field price", bad.Err);
        }
        finally { File.Delete(path); }
    }
}

/// <summary>The silo writing an order file per batch to a directory of its own, every 100 ms.</summary>
public sealed class OrderFilesFactory() : SiloFactory(false)
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("households-orders-").FullName;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Execution:OrdersDirectory", Directory);
        builder.UseSetting("Execution:OrdersFileInterval", "00:00:00.100");
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        // The factory is disposed twice (Dispose and DisposeAsync): delete once.
        if (disposing && System.IO.Directory.Exists(Directory)) System.IO.Directory.Delete(Directory, recursive: true);
    }
}

/// <summary>The order file per batch (docs/formats.md §15): the orders a decision sent appear in one whole file, in the
/// documented CSV layout, equal to the API's.</summary>
public sealed class OrderFileTests(OrderFilesFactory factory) : IClassFixture<OrderFilesFactory>
{
    [Fact]
    public async Task A_decisions_orders_are_written_as_one_file_equal_to_the_api()
    {
        using var http = factory.CreateClient();
        await OrdersApiTests.Seed(http, "ORDF");
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/api/households/ORDF/rebalance", null)).StatusCode);
        var orders = await ClusterFixture.Eventually(async () => JsonDocument.Parse(await http.GetStringAsync("/api/orders?household=ORDF")).RootElement.EnumerateArray().ToArray(),
            o => o.Length >= 3);
        var files = await ClusterFixture.Eventually(() => Task.FromResult(System.IO.Directory.GetFiles(factory.Directory, "orders-*.csv")), f => f.Length > 0);
        var file = Assert.Single(files);
        Assert.Empty(System.IO.Directory.GetFiles(factory.Directory, "*.tmp"));
        var lines = File.ReadAllLines(file);
        Assert.Equal(Households.Domain.Execution.OrderFiles.CsvHeader, lines[0]);
        // The file is the API's CSV of the same orders, line for line.
        var api = (await http.GetStringAsync("/api/orders.csv?household=ORDF")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(api.Order(), lines.Order());
        Assert.Equal(orders.Select(o => o.GetProperty("clientOrderId").GetString()).Order(), lines.Skip(1).Select(l => l.Split(',')[0]).Order());
    }
}
