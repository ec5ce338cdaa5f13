using System.Text.RegularExpressions;
using Households.Silo.Hosting;
using Households.Tests.Api.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Households.Tests.Api;

/// <summary>The silo's console at the default level: a banner, then a line per interval of what happened.</summary>
public sealed class ConsoleTextTests
{
    private static readonly DateTimeOffset Noon = new(2026, 12, 5, 12, 1, 0, TimeSpan.Zero);

    [Fact]
    public void Summary_counts_the_interval_with_thousands_separators_and_whole_dollars()
    {
        var counts = new ActivityCounts(Batches: 60, Triggers: 1_204, Decisions: 37, Executed: 30, Pending: 7, Failed: 0, Rejected: 0,
            Expired: 0, Fills: 212, Harvested: 48_209.50m);
        Assert.Equal("12:01 batches 60 · triggers 1,204 · decisions 37 (executed 30, pending 7) · fills 212 · harvested $48,210",
            ConsoleText.Summary(Noon, counts));
    }

    [Fact]
    public void Summary_names_failed_rejected_and_expired_proposals_only_when_there_were_some()
    {
        var counts = new ActivityCounts(Batches: 12, Triggers: 3, Decisions: 2, Executed: 1, Pending: 0, Failed: 1, Rejected: 0,
            Expired: 4, Fills: 9, Harvested: 0m);
        Assert.Equal("12:01 batches 12 · triggers 3 · decisions 2 (executed 1, pending 0, failed 1, expired 4) · fills 9 · harvested $0",
            ConsoleText.Summary(Noon, counts));
    }

    [Fact]
    public void An_interval_is_idle_only_when_nothing_at_all_happened()
    {
        Assert.True(default(ActivityCounts).Idle);
        Assert.False(new ActivityCounts(1, 0, 0, 0, 0, 0, 0, 0, 0, 0m).Idle);
        Assert.False(new ActivityCounts(0, 0, 0, 0, 0, 0, 0, 0, 0, 0.01m).Idle);
    }

    [Fact]
    public void Embedded_banner_gives_the_url_profile_dev_login_and_the_demo_firm()
    {
        var banner = ConsoleText.Banner(new BannerFacts(["http://localhost:5000"], Postgres: false, ClusterId: "households", Kubernetes: false,
            DevLogin: true, DevKeyFile: true, IdentityProvider: null, DemoHouseholds: 1_200, DemoAccounts: 3_480, TimeSpan.FromMinutes(1)));
        Assert.Equal(
            [
                "Households silo listening on http://localhost:5000",
                "Profile: embedded (memory storage, localhost clustering), cluster households",
                "Token: dotnet run --project client -- token --role admin; or sign in at http://localhost:5000/login",
                "Demo firm: 1,200 households, 3,480 accounts, simulated market",
                "Console: a summary every 00:01:00; per-trade lines with Logging__LogLevel__Households=Debug",
            ], banner.Split(Environment.NewLine));
    }

    [Fact]
    public void PostgreSQL_banner_asks_for_the_signing_key_and_names_the_identity_provider()
    {
        var banner = ConsoleText.Banner(new BannerFacts(["http://[::]:8080", "https://[::]:8443"], Postgres: true, ClusterId: "prod", Kubernetes: true,
            DevLogin: false, DevKeyFile: false, IdentityProvider: "https://login.example.com/firm", DemoHouseholds: null, DemoAccounts: null,
            TimeSpan.Zero));
        Assert.Equal(
            [
                "Households silo listening on http://[::]:8080, https://[::]:8443",
                "Profile: PostgreSQL, cluster prod (Kubernetes)",
                "Token: dotnet run --project client -- token --role admin --key-file <the silo's signing key>",
                "Identity provider: https://login.example.com/firm",
                "Console: summary off; per-trade lines with Logging__LogLevel__Households=Debug",
            ], banner.Split(Environment.NewLine));
    }
}

/// <summary>The demo silo at the shipped log levels, with a one-second summary, every line captured.</summary>
public sealed class ConsoleSiloFactory() : SiloFactory(true)
{
    public CapturedLogs Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        // The shipped default (silo/appsettings.json), which the base factory quietens.
        builder.UseSetting("Logging:LogLevel:Default", "Information");
        builder.UseSetting("Logging:LogLevel:Orleans", "Warning");
        builder.UseSetting("Console:SummaryInterval", "00:00:01");
        builder.ConfigureServices(s => s.AddLogging(l => l.AddProvider(Logs)));
    }
}

public sealed partial class SiloConsoleTests(ConsoleSiloFactory factory) : IClassFixture<ConsoleSiloFactory>
{
    [Fact]
    public async Task The_demo_trades_under_a_banner_and_summary_lines_without_a_line_per_trade()
    {
        _ = factory.Server;
        var fills = 0;
        for (var waited = 0; fills == 0 && waited < 1200; waited++)
        {
            await Task.Delay(100);
            fills = Summaries(factory.Logs.Text).Sum();
        }
        var text = factory.Logs.Text;
        Assert.True(fills > 0, "no summary line counted a fill:\n" + string.Join("\n", text.Split('\n').Where(l => l.Contains("Households.Console"))));
        Assert.Contains("Information Households.Console: Households silo", text);
        Assert.Matches(@"Demo firm: [\d,]+ households, [\d,]+ accounts", text);
        // The demo traded (the summaries counted fills), yet no trade, decision or approval has a line of its own.
        var perEvent = text.Split('\n').Where(l => l.StartsWith($"Information {typeof(Households.Grains.Accounts.AccountGrain).FullName}", StringComparison.Ordinal)
            || l.StartsWith($"Information {typeof(Households.Grains.Household.HouseholdGrain).FullName}", StringComparison.Ordinal)
            || l.StartsWith("Information Households.Silo.Hosting.DemoClients", StringComparison.Ordinal)
            || l.StartsWith("Information Polly", StringComparison.Ordinal)).ToList();
        Assert.Empty(perEvent);
    }

    /// <summary>The fills each summary line counted.</summary>
    private static IEnumerable<int> Summaries(string text) =>
        SummaryLine().Matches(text).Select(m => int.Parse(m.Groups[1].Value.Replace(",", ""), System.Globalization.CultureInfo.InvariantCulture));

    [GeneratedRegex(@"Information Households\.Console: \d\d:\d\d batches [\d,]+ · triggers [\d,]+ · decisions [\d,]+ \([^)]*\) · fills ([\d,]+) · harvested \$[\d,]+")]
    private static partial Regex SummaryLine();
}
