using System.Text.Json;
using Households.Client.Commands;
using Xunit;

namespace Households.Tests.Backtesting;

/// <summary><c>households backtest</c> through <see cref="CommandLine.Run"/>.</summary>
public sealed class BacktestCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("backtest-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly string[] Tiny = ["backtest", "--accounts", "2", "--years", "1", "--stocks", "120", "--di-stocks", "40"];

    private static (int Code, string Out, string Err) Run(params string[] args) => Households.Tests.Cli.CliRunner.Offline(BacktestCommand.Create(), args);

    [Fact]
    public void A_tiny_backtest_writes_json_with_the_six_strategies()
    {
        var outFile = Path.Combine(_dir, "out", "result.json");
        var (code, stdout, stderr) = Run([.. Tiny, "--json", "--out", outFile]);
        Assert.Equal("", stderr);
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(stdout);
        var names = doc.RootElement.GetProperty("strategies").EnumerateArray().Select(s => s.GetProperty("strategy").GetString()).ToArray();
        Assert.Equal(new[] { "daily", "weekly", "monthly", "quarterly", "annual", "never" }, names);
        Assert.Equal(2, doc.RootElement.GetProperty("accounts").GetInt32());
        var daily = doc.RootElement.GetProperty("strategies")[0];
        Assert.True(daily.TryGetProperty("tax_alpha_liquidated", out _));
        // Decided by the engine, and measured against the never-harvest twin.
        Assert.True(daily.GetProperty("decisions").GetInt32() > 0);
        Assert.InRange(daily.GetProperty("tracking_error").GetDouble(), 0.0001, 0.1);
        Assert.True(doc.RootElement.GetProperty("decisions_per_second").GetDouble() > 0);
        Assert.Equal(stdout.Trim(), File.ReadAllText(outFile).Trim());
    }

    [Fact]
    public void The_table_names_every_strategy()
    {
        var (code, stdout, _) = Run([.. Tiny, "--strategies", "daily,annual"]);
        Assert.Equal(0, code);
        Assert.Contains("daily", stdout);
        Assert.Contains("annual", stdout);
        Assert.Contains("never", stdout);
        Assert.Contains("TE vs twin", stdout);
        Assert.DoesNotContain("quarterly ", stdout);
    }

    [Theory]
    [InlineData("--years", "0")]
    [InlineData("--accounts", "-1")]
    [InlineData("--strategies", "hourly")]
    [InlineData("--funding", "borrowed")]
    [InlineData("--short-rate", "1.5")]
    [InlineData("--years", "ten")]
    [InlineData("--replay", "/no/such/file.csv")]
    [InlineData("--out", "/tmp")]
    [InlineData("--report", "/tmp")]
    public void Bad_arguments_exit_2_with_one_line(string option, string value)
    {
        var (code, stdout, stderr) = Run([.. Tiny, option, value]);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    [Fact]
    public void A_bad_scenario_file_exits_2_naming_the_field()
    {
        var file = Path.Combine(_dir, "s.json");
        File.WriteAllText(file, """{"scenarios": [{"name": "x", "days": 1, "shocks": {"sectors": {"Tech": -0.4}}}]}""");
        var (code, _, stderr) = Run([.. Tiny, "--scenarios", file, "--charts", _dir]);
        Assert.Equal(2, code);
        Assert.Contains("shocks.sectors.Tech", stderr);
        var (code2, _, stderr2) = Run([.. Tiny, "--scenario", "meteor", "--charts", _dir]);
        Assert.Equal(2, code2);
        Assert.Contains("unknown scenario 'meteor'", stderr2);
    }

    [Fact]
    public void Charts_and_report_are_written_as_png_and_pdf()
    {
        var charts = Path.Combine(_dir, "charts");
        var report = Path.Combine(_dir, "report.pdf");
        var (code, _, stderr) = Run([.. Tiny, "--charts", charts, "--report", report, "--scenario", "tech-crash"]);
        Assert.Equal("", stderr);
        Assert.Equal(0, code);
        foreach (var name in new[] { "tax-alpha-by-frequency.png", "harvested-losses.png", "drift-before-after-shock.png" })
        {
            var bytes = File.ReadAllBytes(Path.Combine(charts, name));
            Assert.True(bytes.Length > 5_000);
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
        }
        var pdf = File.ReadAllBytes(report);
        Assert.Equal("%PDF", System.Text.Encoding.ASCII.GetString(pdf, 0, 4));
    }
}
