using System.Text.Json;
using Households.Client.Commands;
using Xunit;

namespace Households.Tests.Stress;

/// <summary><c>households stress</c> embedded (nothing running): the demo firm through the domain engine.</summary>
public sealed class StressCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("stress-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args) => Households.Tests.Cli.CliRunner.Offline(StressCommand.Create(), args);

    [Fact]
    public void Embedded_run_prints_the_report_as_json_and_writes_the_drift_chart()
    {
        var outDir = Path.Combine(_dir, "out");
        var (code, stdout, stderr) = Run("stress", "--scenario", "equities-20-1d", "--households", "HH0001,HH0002,HH0003", "--json", "--out", outDir);
        Assert.Equal("", stderr);
        Assert.Equal(0, code);
        var report = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal("equities-20-1d", report.GetProperty("scenario").GetString());
        var firm = report.GetProperty("firm");
        Assert.Equal(3, firm.GetProperty("households").GetInt32());
        foreach (var field in new[] { "accountsOutOfBandBefore", "accountsOutOfBandAfter", "harvestableLossesAfter", "proposedTrades", "turnover",
                     "cashNeeded", "cashShortfall", "realizedShortTerm", "realizedLongTerm", "tax", "washSaleConflictsAvoided", "elapsedMilliseconds" })
            Assert.True(firm.TryGetProperty(field, out _), field);
        Assert.Equal(3, report.GetProperty("households").GetArrayLength());
        var png = File.ReadAllBytes(Path.Combine(outDir, StressCommand.ChartFile));
        Assert.True(png.Length > 1000);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        Assert.Equal(stdout.Trim(), File.ReadAllText(Path.Combine(outDir, "stress-report.json")).Trim());
    }

    [Fact]
    public void Unknown_scenario_exits_2_with_the_names()
    {
        var (code, stdout, stderr) = Run("stress", "--scenario", "crash-1929");
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains("unknown scenario 'crash-1929'", stderr);
        Assert.Contains("gfc-2008", stderr);
    }

    [Fact]
    public void An_edited_scenarios_file_is_used_and_a_bad_one_exits_2()
    {
        var file = Path.Combine(_dir, "scenarios.json");
        File.WriteAllText(file, """{ "scenarios": [ { "name": "bonds-10", "days": 1, "shocks": { "assetClasses": { "US Bonds": -0.10 } } } ] }""");
        var (code, stdout, _) = Run("stress", "--scenarios", file, "--scenario", "bonds-10", "--households", "HH0001", "--json");
        Assert.Equal(0, code);
        Assert.Equal("bonds-10", JsonDocument.Parse(stdout).RootElement.GetProperty("scenario").GetString());

        File.WriteAllText(file, """{ "scenarios": [ { "name": "x", "days": 0, "shocks": { "assetClasses": { "US Bonds": -0.1 } } } ] }""");
        var (bad, _, err) = Run("stress", "--scenarios", file, "--scenario", "x");
        Assert.Equal(2, bad);
        Assert.Contains("days", err);
    }
}
