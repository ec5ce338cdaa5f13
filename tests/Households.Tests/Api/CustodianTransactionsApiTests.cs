using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Households.Contracts;
using Households.Domain.Tax;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Households.Tests.Api;

/// <summary>A custodian transaction file through <c>POST /api/custodian/transactions</c> on the transition household
/// (2,000 TRXYZ, basis $40,000, no cash): every type booked through the same ledger, a re-import applying nothing twice, a
/// file with an error applying nothing; and accepting the custodian in a reconciliation correcting the books.</summary>
public sealed class CustodianTransactionsApiTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _http = factory.CreateClient();
    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);
    private const string Header = "transaction_id,account,trade_date,settle_date,type,symbol,cusip,quantity,price,amount,lot_id,acquired,cost_basis,description\n";

    private static string D(int daysAgo) => Today.AddDays(-daysAgo).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static async Task<JsonElement> Json(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    private Task<HttpResponseMessage> Post(string csv) =>
        _http.PostAsync("/api/custodian/transactions", new StringContent(csv, Encoding.UTF8, "text/csv"));

    private IGrainFactory Grains => factory.Services.GetRequiredService<IGrainFactory>();

    /// <summary>Every type, listed out of date order (the sale before the buy it follows) to show the file is applied by date.</summary>
    private static string EveryType(string id) => Header + $"""
        T3,{id}-TAX,{D(30)},{D(29)},sell,TRVTI,,100,200.00,19995.00,T-ct-T2,,,Sell at a loss
        T1,{id}-TAX,{D(40)},{D(40)},transfer_in,,,,,50000.00,,,,Cash from the old custodian
        T2,{id}-TAX,{D(38)},{D(37)},buy,TRVTI,,100,250.00,-25005.00,,,,Buy with $5 commission
        T4,{id}-TAX,{D(25)},{D(25)},dividend,TRXYZ,,,,400.00,,,,
        T5,{id}-TAX,{D(24)},{D(24)},interest,CASH,,,,12.34,,,,
        T6,{id}-TAX,{D(23)},{D(23)},fee,,,,,-25.00,,,,Advisory fee
        T7,{id}-TAX,{D(20)},{D(19)},buy,TRVTI,,40,210.00,-8400.00,,,,Buy back within 30 days
        T8,{id}-TAX,{D(15)},{D(15)},transfer_in,TRBND,,200,,,L-OLD-1,2019-05-01,14000.00,ACAT in
        T9,{id}-TAX,{D(10)},{D(10)},transfer_out,TRXYZ,,500,,,{id}-L1,,,Gift to a child
        T10,{id}-TAX,{D(5)},{D(5)},journal,,,,,-1000.00,,,,To the IRA
        T11,{id}-TAX,{D(3)},{D(2)},sell,TRXYZ,,100,100.00,10000.00,,,,

        """;

    [Fact]
    public async Task Every_type_books_through_the_ledger_and_a_reimport_applies_nothing_twice()
    {
        await TransitionApiTests.Seed(_http, "CTX1");
        var post = await Post(EveryType("CTX1"));
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        var report = await Json(post);
        Assert.Equal((11, 0, 0), (report.GetProperty("applied").GetInt32(), report.GetProperty("alreadyApplied").GetInt32(), report.GetProperty("errors").GetInt32()));
        Assert.Equal("T3", report.GetProperty("rows")[0].GetProperty("id").GetString()); // rows in file order

        // Cash: +50,000 − 25,005 + 19,995 + 400 + 12.34 − 25 − 8,400 − 1,000 + 10,000.
        var ledger = await Grains.GetGrain<IAccountGrain>("CTX1-TAX").GetLedger();
        Assert.Equal(45_977.34m, ledger.Cash);
        // Lots: TRXYZ 2,000 − 500 transferred − 100 sold, basis $20 a share; the buy-back carries the washed $2,004
        // (IRC §1091(d)) and the sold shares' 8 days of holding period (§1223(3)); the transferred-in lot keeps its basis and date.
        var lots = ledger.Lots.Select(p => p.Lot).OrderBy(l => l.Symbol, StringComparer.Ordinal).ToArray();
        Assert.Equal(new TaxLot("T-ct-T7", "TRVTI", 40m, 10_404m, Today.AddDays(-20), Today.AddDays(-28)), lots.Single(l => l.Symbol == "TRVTI"));
        Assert.Equal(new TaxLot("L-OLD-1", "TRBND", 200m, 14_000m, new(2019, 5, 1), new(2019, 5, 1)), lots.Single(l => l.Symbol == "TRBND"));
        Assert.Equal((1_400m, 28_000m), (lots.Single(l => l.Symbol == "TRXYZ").Quantity, lots.Single(l => l.Symbol == "TRXYZ").Basis));

        // Realized: the loss of 5,010 (19,995 − 25,005), 40 of its 100 shares washed by T7: 2,004 disallowed; the TRXYZ sale
        // long term, 10,000 − 2,000. The transfer out is no sale.
        var realized = RealizedGains.Restore((await Grains.GetGrain<IHouseholdGrain>("CTX1").GetStressSnapshot()).Realized).Rows();
        Assert.Equal(2, realized.Count);
        var loss = realized.Single(r => r.Symbol == "TRVTI");
        Assert.Equal((-5_010m, 2_004m, -3_006m, HoldingTerm.Short), (loss.Gain, loss.Disallowed, loss.Recognized, loss.Term));
        var gain = realized.Single(r => r.Symbol == "TRXYZ");
        Assert.Equal((100m, 10_000m, 2_000m, 8_000m, HoldingTerm.Long), (gain.Quantity, gain.Proceeds, gain.Basis, gain.Recognized, gain.Term));

        var journal = await _http.GetStringAsync("/api/journal?account=CTX1-TAX&limit=200");
        Assert.Contains("Correction of record (not a sale) in CTX1-TAX from custodian transaction T9: transfer out of 500 TRXYZ from lot CTX1-L1", journal);
        Assert.Contains("Fee of 25.00 in CTX1-TAX (ct-T6)", journal);

        // The same file again: every row already applied, nothing moves.
        var again = await Json(await Post(EveryType("CTX1")));
        Assert.Equal((0, 11, 0), (again.GetProperty("applied").GetInt32(), again.GetProperty("alreadyApplied").GetInt32(), again.GetProperty("errors").GetInt32()));
        Assert.All(again.GetProperty("rows").EnumerateArray(), r => Assert.Equal("alreadyApplied", r.GetProperty("status").GetString()));
        Assert.Equal(45_977.34m, (await Grains.GetGrain<IAccountGrain>("CTX1-TAX").GetLedger()).Cash);
        Assert.Equal(2, RealizedGains.Restore((await Grains.GetGrain<IHouseholdGrain>("CTX1").GetStressSnapshot()).Realized).Rows().Count);
    }

    [Fact]
    public async Task A_file_with_an_error_applies_nothing_and_reports_each_row()
    {
        await TransitionApiTests.Seed(_http, "CTX2");
        var csv = Header + $"""
            E1,CTX2-TAX,{D(9)},,transfer_in,,,,,1000.00,,,,
            E2,CTX2-TAX,{D(8)},,sell,TRXYZ,,2500,100.00,250000.00,,,,more than held
            E3,NOBODY-9,{D(8)},,interest,,,,,1.00,,,,
            E4,CTX2-TAX,{D(8)},,buy,NOSUCH,,1,10.00,-10.00,,,,
            E5,CTX2-TAX,{D(7)},,fee,,,,,5.00,,,,

            """;
        var response = await Post(csv);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var report = await Json(response);
        Assert.Equal((0, 4), (report.GetProperty("applied").GetInt32(), report.GetProperty("errors").GetInt32()));
        var rows = report.GetProperty("rows").EnumerateArray().ToDictionary(r => r.GetProperty("id").GetString()!);
        Assert.Equal("notApplied", rows["E1"].GetProperty("status").GetString());
        Assert.Equal("sell of 2500 TRXYZ exceeds the 2000 shares held", rows["E2"].GetProperty("detail").GetString());
        Assert.Equal("unknown account NOBODY-9", rows["E3"].GetProperty("detail").GetString());
        Assert.Equal("unknown security NOSUCH", rows["E4"].GetProperty("detail").GetString());
        Assert.Equal("amount: a fee is money out: the amount must be < 0 (value '5.00')", rows["E5"].GetProperty("detail").GetString());
        var ledger = await Grains.GetGrain<IAccountGrain>("CTX2-TAX").GetLedger();
        Assert.Equal(0m, ledger.Cash);
        Assert.Equal(2_000m, Assert.Single(ledger.Lots).Lot.Quantity);

        var notCsv = await _http.PostAsJsonAsync("/api/custodian/transactions", new { transactions = csv });
        Assert.Equal(HttpStatusCode.BadRequest, notCsv.StatusCode);
    }

    [Fact]
    public async Task Accepting_the_custodian_corrects_the_books_without_a_sale_and_the_rerun_matches()
    {
        await TransitionApiTests.Seed(_http, "CTX3");
        var positions = """
            account,symbol,quantity,cost_basis,acquired,lot_id
            CTX3-TAX,TRXYZ,1990,39800.00,2015-01-02,CTX3-L1
            CTX3-TAX,TRVTI,10,2400.00,2026-01-05,C-1
            CTX3-TAX,CASH,125.50,,,
            """;
        var first = await Json(await _http.PostAsJsonAsync("/api/reconciliation", new { positions, asOf = "2026-03-02" }));
        Assert.Equal(3, first.GetProperty("accounts")[0].GetProperty("breaks").GetInt32());

        var resolved = await Json(await _http.PostAsJsonAsync("/api/reconciliation/CTX3-TAX/resolve", new { action = "acceptCustodian" }));
        var resolution = resolved.GetProperty("resolution");
        Assert.True(resolution.GetProperty("booksChanged").GetBoolean());
        Assert.Equal(3, resolution.GetProperty("corrections").GetInt32());
        Assert.Equal("rc-CTX3-TAX-20260302-1", resolution.GetProperty("reconciliationId").GetString());

        var ledger = await Grains.GetGrain<IAccountGrain>("CTX3-TAX").GetLedger();
        Assert.Equal(125.50m, ledger.Cash);
        Assert.Equal(new TaxLot("CTX3-L1", "TRXYZ", 1_990m, 39_800m, new(2015, 1, 2), new(2015, 1, 2)), ledger.Lots.Single(p => p.Lot.Symbol == "TRXYZ").Lot);
        Assert.Equal(new TaxLot("C-1", "TRVTI", 10m, 2_400m, new(2026, 1, 5), new(2026, 1, 5)), ledger.Lots.Single(p => p.Lot.Symbol == "TRVTI").Lot);
        // Corrections of record, not sales: nothing realized for Form 8949.
        Assert.Empty(RealizedGains.Restore((await Grains.GetGrain<IHouseholdGrain>("CTX3").GetStressSnapshot()).Realized).Rows());
        var journal = await _http.GetStringAsync("/api/journal?account=CTX3-TAX&kind=BookCorrection");
        Assert.Contains("from reconciliation rc-CTX3-TAX-20260302-1: lot CTX3-L1 of TRXYZ set to 1990 shares, basis 39800.00", journal);

        var rerun = await Json(await _http.PostAsJsonAsync("/api/reconciliation", new { positions, asOf = "2026-03-02" }));
        Assert.Equal("matched", rerun.GetProperty("accounts")[0].GetProperty("status").GetString());
        Assert.Equal(0, rerun.GetProperty("accounts")[0].GetProperty("breaks").GetInt32());
    }
}
