using System.Globalization;
using System.Net;
using System.Text.Json;
using Households.Tests.Api;
using Households.Tests.Cli;
using Households.Tests.Cluster;
using Xunit;

namespace Households.Tests.EndToEnd;

/// <summary>Issue #17's day, end to end through the commands a firm's operations staff run: the custodian's books are
/// imported (<c>households import</c>) and its transaction file applied (<c>households custodian transactions</c>); the
/// household decides; its orders go out; the desk's fills come back as a file (<c>households fills import</c>: the sell
/// in two pieces, one buy filled, the other rejected); the next morning the custodian's position file reconciles
/// (<c>households reconcile</c>) with no break. Every figure the custodian's file states is worked here from the fills,
/// not read back from our books.</summary>
public sealed class OperatingLoopTests(OrdersApiFactory factory) : IClassFixture<OrdersApiFactory>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("households-e2e-").FullName;
    private readonly HttpClient _http = factory.CreateClient();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text.ReplaceLineEndings("\n"));
        return path;
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    private static string Money(decimal amount) => amount.ToString("0.00", CultureInfo.InvariantCulture);

    [Fact]
    public async Task Custodian_files_in_orders_out_fills_in_and_the_next_days_file_reconciles_with_no_break()
    {
        factory.Clock.Now = new DateTimeOffset(2026, 3, 2, 15, 0, 0, TimeSpan.Zero); // Monday 10:00 in New York

        // 1. The custodian's books: 100 LOOPX bought at $100 (now $80: a $2,000 short-term loss, and off the model), 30 LOOPA
        //    at $80 (now $100); the model is 60 % LOOPA, 40 % LOOPB; no cash. The account trades through the desk.
        Write("securities.csv", """
            symbol,name,asset_class,sector,type,identical_group,price
            LOOPA,Loop equity fund,US Equity,Diversified,equity_fund,,100.00
            LOOPB,Loop bond fund,US Bonds,Diversified,bond_fund,,50.00
            LOOPX,Loop stock,US Equity,Technology,stock,,80.00
            """);
        Write("models.csv", """
            model,name,kind,sleeve,weight,band_absolute,band_relative,direct_indexing
            LOOPM,Loop 60/40,security,LOOPA,0.60,0.05,0.25,false
            LOOPM,Loop 60/40,security,LOOPB,0.40,0.05,0.25,false
            """);
        Write("households.csv", """
            household,name,advisor
            LOOP1,The Loop Family,ADV09
            """);
        Write("accounts.csv", """
            account,household,name,type,model,discretionary,cash,relief,execution
            LOOP1-TAX,LOOP1,Loop Joint Brokerage,taxable,LOOPM,true,0.00,hifo,orders
            """);
        Write("lots.csv", """
            account,symbol,lot,quantity,basis,purchased,holding_since
            LOOP1-TAX,LOOPX,LOOP1-L1,100,10000.00,2025-09-02,
            LOOP1-TAX,LOOPA,LOOP1-L2,30,2400.00,2020-01-02,
            """);
        var import = await CliRunner.Run(factory, "import", "--dir", _dir);
        Assert.True(import.Code == 0, import.Out + import.Err);

        // 2. The custodian's transactions of the day: a $30.00 dividend on LOOPA, swept to cash.
        var transactions = Write("transactions.csv", """
            transaction_id,account,trade_date,settle_date,type,symbol,quantity,price,amount,description
            LOOP-T1,LOOP1-TAX,2026-03-02,2026-03-02,dividend,LOOPA,,,30.00,LOOPA dividend
            """);
        var applied = await CliRunner.Run(factory, "custodian", "transactions", transactions);
        Assert.True(applied.Code == 0, applied.Out + applied.Err);
        Assert.Equal(30m, (await Json(await _http.GetAsync("/api/accounts/LOOP1-TAX"))).GetProperty("cash").GetDecimal());

        // 3. Decide: one set of orders (the monitor may have decided on the drift already; a second decision waits for them).
        Assert.Equal(HttpStatusCode.OK, (await _http.PostAsync("/api/households/LOOP1/rebalance", null)).StatusCode);
        var orders = await ClusterFixture.Eventually(async () => (await Json(await _http.GetAsync("/api/orders?household=LOOP1"))).EnumerateArray().ToArray(),
            o => o.Length >= 3);
        Assert.True(orders.Length == 3, await _http.GetStringAsync("/api/households/LOOP1/proposals") + "\n" + await _http.GetStringAsync("/api/journal?household=LOOP1&limit=30"));
        var sell = orders.Single(o => o.GetProperty("symbol").GetString() == "LOOPX");
        var buyA = orders.Single(o => o.GetProperty("symbol").GetString() == "LOOPA");
        var buyB = orders.Single(o => o.GetProperty("symbol").GetString() == "LOOPB");
        Assert.Equal(("sell", 100m), (sell.GetProperty("side").GetString(), sell.GetProperty("quantity").GetDecimal()));
        var (sellId, buyAId, buyBId) = (sell.GetProperty("clientOrderId").GetString(), buyA.GetProperty("clientOrderId").GetString(), buyB.GetProperty("clientOrderId").GetString());
        var quantityA = buyA.GetProperty("quantity").GetDecimal();
        Assert.True(quantityA > 0);
        // Nothing moved at the decision: the books wait for the fills.
        Assert.Equal(30m, (await Json(await _http.GetAsync("/api/accounts/LOOP1-TAX"))).GetProperty("cash").GetDecimal());

        // 4. The desk's fills: the sell in two pieces (60 at $79.00, then 40 at $79.50), LOOPA filled at $101.00, LOOPB rejected.
        var fills = Write("fills.csv", $"""
            execution_id,client_order_id,type,quantity,price,time,reason,commission
            DESK-1,{sellId},partial,60,79.00,2026-03-02T15:05:00Z,,0
            DESK-2,{sellId},fill,40,79.50,2026-03-02T15:06:00Z,,0
            DESK-3,{buyAId},fill,{quantityA},101.00,2026-03-02T15:07:00Z,,0
            DESK-4,{buyBId},rejected,,,2026-03-02T15:08:00Z,insufficient buying power at the desk,
            """);
        var filled = await CliRunner.Run(factory, "fills", "import", fills);
        Assert.True(filled.Code == 0, filled.Out + filled.Err);
        var after = (await Json(await _http.GetAsync("/api/orders?household=LOOP1&status=all"))).EnumerateArray()
            .ToDictionary(o => o.GetProperty("clientOrderId").GetString()!);
        Assert.Equal(("filled", 100m, 79.2m), (after[sellId!].GetProperty("status").GetString(), after[sellId!].GetProperty("filledQuantity").GetDecimal(),
            after[sellId!].GetProperty("averagePrice").GetDecimal()));
        Assert.Equal(("filled", quantityA), (after[buyAId!].GetProperty("status").GetString(), after[buyAId!].GetProperty("filledQuantity").GetDecimal()));
        Assert.Equal(("rejected", 0m), (after[buyBId!].GetProperty("status").GetString(), after[buyBId!].GetProperty("filledQuantity").GetDecimal()));
        // The sale realized (60 × 79 + 40 × 79.50) − 10,000 = −2,080.00 short-term.
        var tax = await Json(await _http.GetAsync("/api/households/LOOP1/tax"));
        Assert.Equal(-2_080m, tax.GetProperty("yearToDate").GetProperty("shortTerm").GetDecimal());

        // 5. The next morning (after the reject the household may have sent LOOPB again; the desk did not fill it, and it
        //    expired at Monday's close): the custodian's positions, worked from the fills.
        factory.Clock.Now = new DateTimeOffset(2026, 3, 3, 14, 0, 0, TimeSpan.Zero);
        var cash = 30m + 60m * 79.00m + 40m * 79.50m - quantityA * 101.00m;
        var positions = Write("positions-2026-03-03.csv", $"""
            account,symbol,quantity,cost_basis,acquired,lot_id
            LOOP1-TAX,LOOPA,30,2400.00,2020-01-02,CUST-88101
            LOOP1-TAX,LOOPA,{quantityA},{Money(quantityA * 101.00m)},2026-03-02,CUST-88214
            LOOP1-TAX,CASH,{Money(cash)},,,
            """);
        var reconcile = await CliRunner.Run(factory, "reconcile", positions, "--as-of", "2026-03-03", "--json");
        Assert.True(reconcile.Code == 0, reconcile.Out + reconcile.Err);
        var account = Assert.Single(JsonDocument.Parse(reconcile.Out).RootElement.GetProperty("accounts").EnumerateArray());
        Assert.Equal(("LOOP1-TAX", "matched", 0), (account.GetProperty("account").GetString(), account.GetProperty("status").GetString(),
            account.GetProperty("breaks").GetInt32()));
        Assert.All(account.GetProperty("lines").EnumerateArray(), l => Assert.Equal("matched", l.GetProperty("kind").GetString()));
        Assert.Equal(3, account.GetProperty("lines").GetArrayLength());
    }
}
