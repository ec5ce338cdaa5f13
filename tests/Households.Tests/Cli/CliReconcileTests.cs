using System.Text.Json;
using Households.Client.Commands;
using Households.Contracts;
using Households.Tests.Api;
using Xunit;

namespace Households.Tests.Cli;

/// <summary><c>households reconcile</c> against a real silo: the household of <see cref="TransitionApiTests"/> (2,000 TRXYZ,
/// basis $40,000) and a custodian file with 1,990 shares and a lot we do not have.</summary>
public sealed class CliReconcileTests(ApiFactory factory) : IClassFixture<ApiFactory>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("reconcile-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string text)
    {
        var path = Path.Combine(_dir, "positions.csv");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task Reconcile_prints_one_table_per_account_or_json()
    {
        await TransitionApiTests.Seed(factory.CreateClient(), "RCCLI1");
        var path = Write("""
            account,symbol,quantity,cost_basis,acquired,lot_id
            RCCLI1-TAX,TRXYZ,1990,40000.00,2015-01-02,RCCLI1-L1
            RCCLI1-TAX,TRVTI,10,2400.00,2026-01-05,C-1
            RCCLI1-TAX,CASH,0,,,
            """);
        var table = await CliRunner.Run(factory, "reconcile", path, "--as-of", "2026-03-02");
        Assert.True(table.Code == 0, table.Err);
        Assert.Contains("RCCLI1-TAX as of 2026-03-02: 2 breaks", table.Out);
        Assert.Contains(table.Out.Split('\n'), l => l.Contains("quantity break") && l.Contains("2,000.00") && l.Contains("1,990.00") && l.Contains("-10.00"));
        Assert.Contains(table.Out.Split('\n'), l => l.Contains("missing lot") && l.Contains("C-1") && l.Contains("10.00"));

        var json = await CliRunner.Run(factory, "reconcile", path, "--as-of", "2026-03-02", "--json");
        Assert.True(json.Code == 0, json.Err);
        var report = JsonSerializer.Deserialize<ReconciliationReport>(json.Out, HouseholdsApiClient.Json)!;
        Assert.Equal(2, Assert.Single(report.Accounts).Breaks);
    }

    [Fact]
    public async Task Bad_input_is_exit_2_with_one_line_naming_line_and_field()
    {
        var path = Write("account,symbol,quantity,cost_basis,acquired\nRCCLI2-TAX,TRXYZ,NaN,1,2015-01-02\n");
        var run = await CliRunner.Run(factory, "reconcile", path);
        Assert.Equal(ExitCodes.BadInput, run.Code);
        Assert.Contains("positions.csv line 2, field quantity: not a finite number", run.Err);
        Assert.Single(run.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var date = await CliRunner.Run(factory, "reconcile", path, "--as-of", "March");
        Assert.Equal(ExitCodes.BadInput, date.Code);
        Assert.Contains("--as-of must be a date YYYY-MM-DD", date.Err);
    }
}
