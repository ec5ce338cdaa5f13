using System.Globalization;
using Households.Client.Commands;
using Households.Simulation.Backtesting;
using Xunit;

namespace Households.Tests.Backtesting;

/// <summary>Issue #19: <c>households backtest</c>'s text table fits the console, on the figures of a real (small)
/// backtest: at 80 columns the engine's bookkeeping goes and the tax alpha, tracking error and harvested losses stay
/// whole; at 160 every column is there.</summary>
public sealed class BacktestTableWidthTests(SmallBacktest run) : IClassFixture<SmallBacktest>
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    private static string[] Lines(string text) => text.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();

    /// <summary>The table's lines: those inside its left border.</summary>
    private static string[] TableLines(string text) => [.. Lines(text).Where(l => l.StartsWith('│'))];

    private static string RowOf(string text, string strategy) =>
        Assert.Single(TableLines(text), l => l.StartsWith($"│ {strategy} ", StringComparison.Ordinal));

    private static void HasCell(string row, string cell) => Assert.Contains($" {cell} ", row);

    [Fact]
    public void At_80_columns_each_strategy_keeps_alpha_tracking_error_and_harvested_losses_whole()
    {
        var text = BacktestCommand.Table(run.Result, 80);
        Assert.All(Lines(text), l => Assert.True(l.Length <= 80, $"{l.Length} > 80: {l}"));
        Assert.DoesNotContain("…", text);
        var header = string.Join('\n', TableLines(text).TakeWhile(l => !l.StartsWith("│ daily ", StringComparison.Ordinal)));
        foreach (var column in new[] { "strategy", "alpha", "twin", "harvested" }) Assert.Contains(column, header);
        foreach (var column in new[] { "decisions", "drift", "planned", "max", "turnover" }) Assert.DoesNotContain(column, header);
        Assert.Equal(6, run.Result.Strategies.Length);
        foreach (var s in run.Result.Strategies)
        {
            var row = RowOf(text, s.Strategy);
            HasCell(row, s.TaxAlpha.ToString("P2", C));
            HasCell(row, s.TrackingError.ToString("P2", C));
            HasCell(row, s.HarvestedLosses.ToString("N0", C));
            Assert.True(row.Count(ch => ch == '│') < 15, row); // fewer than the 14 columns
            // The prose under the table wraps between words; each pre-tax excess return stays whole on its line.
            var excess = s.PreTaxExcessReturn.ToString("P2", C).Replace(" %", "%", StringComparison.Ordinal);
            Assert.Contains(Lines(text), l => l.Contains(excess, StringComparison.Ordinal) && !l.StartsWith('│'));
        }
        var daily = run["daily"];
        Assert.True(daily.HarvestedLosses >= 1_000, $"the daily strategy harvested {daily.HarvestedLosses}"); // a number with a separator
    }

    [Fact]
    public void At_160_columns_every_column_appears()
    {
        var text = BacktestCommand.Table(run.Result, 160);
        Assert.All(Lines(text), l => Assert.True(l.Length <= 160, $"{l.Length} > 160: {l}"));
        var header = string.Join('\n', TableLines(text).TakeWhile(l => !l.StartsWith("│ daily ", StringComparison.Ordinal)));
        foreach (var column in new[] { "strategy", "alpha", "liquidated", "twin", "max", "planned", "harvested", "start", "sales", "held", "disallowed", "turnover", "decisions", "drift" })
            Assert.Contains(column, header);
        foreach (var s in run.Result.Strategies)
        {
            var row = RowOf(text, s.Strategy);
            Assert.Equal(15, row.Count(ch => ch == '│'));
            foreach (var cell in new[]
            {
                s.TaxAlpha.ToString("P2", C), s.TaxAlphaLiquidated.ToString("P2", C), s.TrackingError.ToString("P2", C),
                s.TrackingErrorMax.ToString("P2", C), s.PlannedTrackingError.ToString("P2", C), s.HarvestedLosses.ToString("N0", C),
                s.HarvestedLossPercent.ToString("P1", C), s.HarvestSales.ToString("N0", C), s.WashSalesAvoided.ToString("N0", C),
                s.DisallowedLosses.ToString("N0", C), s.Turnover.ToString("P1", C), s.Decisions.ToString("N0", C), s.DriftTriggers.ToString("N0", C),
            })
                HasCell(row, cell);
        }
    }
}
