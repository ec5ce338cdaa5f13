using System.Text.Json;
using Households.Client.Commands;
using Households.Contracts;
using Xunit;

namespace Households.Tests.Cli;

/// <summary><c>households optimize FILE</c> on a <c>household-decision/1</c> file (docs/samples/household-decision.json: the
/// location case of PolicyTests as a file): the live engine decides it with every term the live path uses.</summary>
public sealed class CliHouseholdProblemTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hh-household-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Sample() => Path.Combine(Repo(), "docs", "samples", "household-decision.json");

    private static string Repo()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Households.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("Households.sln not found above the test binaries");
    }

    [Fact]
    public void The_sample_household_moves_its_bonds_to_the_IRA_within_its_budget_at_its_marginal_rates()
    {
        var (code, output, error) = CliRunner.Offline(OptimizeCommand.Create(), "optimize", Sample(), "--json");
        Assert.True(code == 0, error + output);
        var preview = JsonSerializer.Deserialize<HouseholdPreview>(output, HouseholdsApiClient.Json)!;
        var trades = preview.Plan.Trades;
        decimal Held(string account, string symbol, decimal before) =>
            before + trades.Where(t => t.Account == account && t.Symbol == symbol).Sum(t => t.Side == TradeSide.Buy ? t.Quantity : -t.Quantity);
        Assert.Equal(0m, Held("TAX", "BND", 400));
        Assert.InRange(Held("IRA", "BND", 400), 750m, 800m);
        // The taxable bonds were bought at $90 over a year ago: $4,000 of long-term gain, within the $10,000 budget, taxed at
        // 23.8 % (15 % federal, 3.8 % surtax, 5 % state).
        Assert.Equal(4_000m, preview.Plan.LongTermGain);
        Assert.Equal(0.238m, preview.Rates.LongTermGain);
        Assert.Equal(952m, preview.EstimatedTax);

        var (tableCode, table, _) = CliRunner.Offline(OptimizeCommand.Create(), "optimize", Sample());
        Assert.Equal(0, tableCode);
        Assert.Contains("household on 2026-06-15: Planned", table);
        Assert.Contains("IRA (Ira, 100,000): tracking error", table);
    }

    [Theory]
    [InlineData("""{"format":"household-decision/1","securities":[],"prices":{},"accounts":[]}""", "asOf is required")]
    [InlineData("""{"format":"household-decision/1","asOf":"2026-06-15","securities":[],"prices":{"X":1},"accounts":[]}""", "price of X, which is not among the securities")]
    [InlineData("""{"format":"household-decision/1","asOf":"2026-06-15","securities":[{"symbol":"X","kind":"stock"}],"prices":{"X":1},"accounts":[{"id":"A","type":"taxable","lots":[{"id":"L","symbol":"Y","quantity":1,"basis":1,"purchased":"2026-01-02","holdingSince":"2026-01-02"}]}]}""", "account A, lot L: Y has no security or no price")]
    [InlineData("""{"format":"household-decision/1","asOf":"2026-06-15","securities":[],"prices":{},"accounts":[],"policy":{"maxWeight":3}}""", "accounts are required")]
    [InlineData("""{"format":"household-decision/1","asOf":"2026-06-15","typo":1}""", "not a household-decision/1 file")]
    public void A_bad_household_file_exits_2_with_one_line(string json, string message)
    {
        var path = Path.Combine(_dir, "bad.json");
        File.WriteAllText(path, json);
        var (code, output, error) = CliRunner.Offline(OptimizeCommand.Create(), "optimize", path);
        Assert.Equal(2, code);
        Assert.Contains(message, error);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Equal("", output);
    }
}
