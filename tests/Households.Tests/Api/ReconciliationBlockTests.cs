using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Xunit;

namespace Households.Tests.Api;

/// <summary>A firm that blocks on reconciliation breaks (<c>Decisions:BlockOnBreaks</c>).</summary>
public sealed class BlockOnBreaksFactory() : SiloFactory(false)
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Decisions:BlockOnBreaks", "true");
    }
}

/// <summary>With the firm blocking on breaks, an account with an open break is left out of decisions until it is resolved.</summary>
public sealed class ReconciliationBlockTests(BlockOnBreaksFactory factory) : IClassFixture<BlockOnBreaksFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    private async Task<int> Rebalance(string household)
    {
        var response = await _http.PostAsync($"/api/households/{household}/rebalance", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetArrayLength();
    }

    [Fact]
    public async Task An_open_break_blocks_trading_until_resolved()
    {
        await TransitionApiTests.Seed(_http, "RECB1");
        var positions = """
            account,symbol,quantity,cost_basis,acquired,lot_id
            RECB1-TAX,TRXYZ,1990,40000.00,2015-01-02,RECB1-L1
            """;
        (await _http.PostAsJsonAsync("/api/reconciliation", new { positions, asOf = "2026-03-02" })).EnsureSuccessStatusCode();
        Assert.Equal(0, await Rebalance("RECB1")); // the only account has an open quantity break

        (await _http.PostAsJsonAsync("/api/reconciliation/RECB1-TAX/resolve", new { action = "acceptCustodian" })).EnsureSuccessStatusCode();
        // Resolved: the non-discretionary account's move toward its 60/40 model becomes a pending proposal again.
        Assert.Equal(1, await Rebalance("RECB1"));
    }
}
