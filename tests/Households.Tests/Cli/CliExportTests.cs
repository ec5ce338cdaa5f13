using System.Net.Http.Json;
using System.Text.Json;
using Households.Client.Commands;
using Households.Contracts;
using Households.Tests.Api;
using Xunit;

namespace Households.Tests.Cli;

/// <summary><c>export trades</c> writes TRADES.csv that <c>tax replay</c> replays to the live books and tax ledger.</summary>
public sealed class CliExportTests(ApiFactory factory) : IClassFixture<ApiFactory>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cli-export-").FullName;
    private readonly HttpClient _http = factory.CreateClient();
    private readonly HouseholdsApiClient _api = new(factory.CreateClient());

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Exported_trades_replay_to_the_live_books_and_tax()
    {
        (await _http.PostAsJsonAsync("/api/securities", new[]
        {
            new Security("EXA", "Export fund A", "US Equity", "Diversified", null, SecurityKind.EquityFund),
            new Security("EXB", "Export fund B", "US Bonds", "Fixed Income", null, SecurityKind.BondFund),
        }, HouseholdsApiClient.Json)).EnsureSuccessStatusCode();
        (await _http.PostAsJsonAsync("/api/prices", new { quotes = new[] { new { symbol = "EXA", price = 9m }, new { symbol = "EXB", price = 50m } } })).EnsureSuccessStatusCode();
        (await _http.PostAsJsonAsync("/api/households", new
        {
            id = "EXPHH", name = "Export household", advisorId = "ADV09",
            accounts = new object[]
            {
                new
                {
                    id = "EXP-TAX", type = "taxable", discretionary = false, cash = 10_000m,
                    lots = new[] { new { id = "OPEN-1", symbol = "EXA", quantity = 60m, basis = 660m, purchased = "2025-06-02", holdingSince = "2025-06-02" } },
                },
                new { id = "EXP-IRA", type = "ira", discretionary = false, cash = 2_000m },
            },
        })).EnsureSuccessStatusCode();
        var year = DateTime.UtcNow.Year;
        var trades = new (string Account, string Date, string Symbol, string Side, decimal Quantity, decimal Price)[]
        {
            ("EXP-TAX", $"{year}-01-05", "EXA", "buy", 100, 10m),
            ("EXP-TAX", $"{year}-02-02", "EXA", "buy", 50, 12m),
            ("EXP-TAX", $"{year}-03-02", "EXA", "sell", 120, 8m),  // HIFO: the $12 lot, the $11 opening lot, 10 of the $10 lot: a loss
            ("EXP-IRA", $"{year}-03-20", "EXA", "buy", 30, 8.5m), // the spouse-style IRA purchase washes part of it permanently
            ("EXP-TAX", $"{year}-03-25", "EXA", "buy", 40, 8.25m), // and this one washes more, added to its basis
            ("EXP-TAX", $"{year}-04-01", "EXB", "buy", 20, 50m),
        };
        var key = 0;
        foreach (var t in trades)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/api/accounts/{t.Account}/trades")
            {
                Content = JsonContent.Create(new { date = t.Date, symbol = t.Symbol, side = t.Side, quantity = t.Quantity, price = t.Price }),
            };
            request.Headers.Add("Idempotency-Key", $"exp-{++key}");
            var response = await _http.SendAsync(request);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }
        var file = Path.Combine(_dir, "TRADES.csv");

        var export = await CliRunner.Run(factory, "export", "trades", "--household", "EXPHH", "--out", file);
        var replay = await CliRunner.Run(factory, "tax", "replay", "--trades", file, "--json");

        Assert.True(export.Code == 0, export.Err);
        Assert.Contains("wrote 9 trade rows", export.Out);
        var rows = File.ReadAllLines(file);
        Assert.Equal("date,account,account_type,symbol,side,quantity,price,id,lot,household,commission,source", rows[0]);
        Assert.Equal("2025-06-02,EXP-TAX,taxable,EXA,buy,60,11,OPEN-1,,EXPHH,,opening", rows[1]); // the lot the account opened with
        Assert.Equal(10, rows.Length); // the sale relieved three lots: one row per lot
        Assert.Equal(3, rows.Count(r => r.Contains(",sell,")));
        Assert.True(replay.Code == 0, replay.Err);
        using var doc = JsonDocument.Parse(replay.Out);
        var view = (await _api.GetHousehold("EXPHH", default))!;
        var live = view.Accounts.SelectMany(a => a.Holdings.SelectMany(h => h.Lots.Select(l => (a.Spec.Id, l.Lot.Id, l.Lot.Quantity, Math.Round(l.Lot.Basis, 2, MidpointRounding.AwayFromZero), l.Lot.HoldingSince))))
            .OrderBy(x => x.Item2).ToList();
        var replayed = doc.RootElement.GetProperty("lots").EnumerateArray()
            .Select(l => (l.GetProperty("account").GetString()!, l.GetProperty("id").GetString()!, l.GetProperty("quantity").GetDecimal(),
                l.GetProperty("basis").GetDecimal(), DateOnly.Parse(l.GetProperty("holding_since").GetString()!, System.Globalization.CultureInfo.InvariantCulture)))
            .OrderBy(x => x.Item2).ToList();
        Assert.Equal(live, replayed);
        Assert.Equal(5, live.Count); // 30 of the $10 lot, the IRA lot, the split replacement lot (2 pieces), EXB
        var summary = doc.RootElement.GetProperty("summary");
        var ytd = view.Tax.YearToDate;
        Assert.Equal(Math.Round(ytd.ShortTerm, 2, MidpointRounding.AwayFromZero), summary.GetProperty("short_term").GetDecimal());
        Assert.Equal(Math.Round(ytd.Disallowed, 2, MidpointRounding.AwayFromZero), summary.GetProperty("disallowed").GetDecimal());
        Assert.Equal(Math.Round(ytd.PermanentlyDisallowed, 2, MidpointRounding.AwayFromZero), summary.GetProperty("permanently_disallowed").GetDecimal());
        // Worked: proceeds 960, basis 600 + 660 + 100 = 1,360, loss 400; washed by 30 IRA shares (permanent) and 40 taxable shares.
        Assert.Equal(-400m, doc.RootElement.GetProperty("realized").EnumerateArray().Sum(r => r.GetProperty("gain").GetDecimal()));
        Assert.True(summary.GetProperty("permanently_disallowed").GetDecimal() > 0);

        var ranged = await CliRunner.Run(factory, "export", "trades", "--household", "EXPHH", "--from", $"{year}-03-01", "--to", $"{year}-03-31");
        Assert.Equal(0, ranged.Code);
        Assert.Equal(6, ranged.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length); // header, 3 sale rows, 2 buys
        var fillsOnly = await CliRunner.Run(factory, "export", "trades", "--household", "EXPHH", "--fills-only");
        Assert.Equal(9, fillsOnly.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.DoesNotContain(",opening", fillsOnly.Out);
        var backwards = await CliRunner.Run(factory, "export", "trades", "--from", "2026-02-01", "--to", "2026-01-01");
        Assert.Equal((2, "error: --to must not be before --from"), (backwards.Code, backwards.Err.Trim()));
    }

}
