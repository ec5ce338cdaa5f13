using System.Globalization;
using System.Text.Json;
using Households.Client.Commands;
using Households.Contracts;
using Households.Tests.Api;
using Xunit;

namespace Households.Tests.Cli;

/// <summary><c>households custodian transactions</c> against a real silo: the household of <see cref="TransitionApiTests"/>
/// (2,000 TRXYZ, no cash): a clean file applied and printed, the same file again already applied, a file with an error exit 2.</summary>
public sealed class CliCustodianTests(ApiFactory factory) : IClassFixture<ApiFactory>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("custodian-").FullName;
    private static string D(int daysAgo) => DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-daysAgo).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string text)
    {
        var path = Path.Combine(_dir, "transactions.csv");
        File.WriteAllText(path, "transaction_id,account,trade_date,type,symbol,quantity,price,amount\n" + text);
        return path;
    }

    [Fact]
    public async Task Transactions_are_applied_once_and_a_file_with_an_error_is_exit_2()
    {
        await TransitionApiTests.Seed(factory.CreateClient(), "CTCLI1");
        var path = Write($"""
            K1,CTCLI1-TAX,{D(3)},transfer_in,,,,1000.00
            K2,CTCLI1-TAX,{D(2)},buy,TRVTI,2,250.00,-500.00

            """);
        var run = await CliRunner.Run(factory, "custodian", "transactions", path);
        Assert.True(run.Code == 0, run.Err);
        Assert.Contains("2 applied, 0 already applied, 0 error(s)", run.Out);
        Assert.Contains(run.Out.Split('\n'), l => l.Contains("K2") && l.Contains("buy") && l.Contains("applied"));

        var again = await CliRunner.Run(factory, "custodian", "transactions", path, "--json");
        Assert.True(again.Code == 0, again.Err);
        var report = JsonSerializer.Deserialize<CustodianTransactionReport>(again.Out, HouseholdsApiClient.Json)!;
        Assert.Equal((0, 2), (report.Applied, report.AlreadyApplied));

        var bad = await CliRunner.Run(factory, "custodian", "transactions", Write($"K3,CTCLI1-TAX,{D(1)},sell,TRVTI,5,250.00,1250.00\n"), "--json");
        Assert.Equal(ExitCodes.BadInput, bad.Code);
        var refused = Assert.Single(JsonSerializer.Deserialize<CustodianTransactionReport>(bad.Out, HouseholdsApiClient.Json)!.Rows);
        Assert.Equal((CustodianTransactionStatus.Error, "sell of 5 TRVTI exceeds the 2 shares held"), (refused.Status, refused.Detail));
        Assert.Contains("1 row(s) cannot apply; nothing was applied", bad.Err);
    }
}
