using Xunit;
using Households.Client.Commands;
using Households.Contracts;

namespace Households.Tests.Cli;

/// <summary>Issue #19: the CLI's tables fit the console. At 80 columns they drop their low-priority columns and never
/// split a number; at 160 they show every column.</summary>
public sealed class CliTableWidthTests
{
    private static readonly DateTimeOffset Noon = new(2026, 3, 2, 14, 30, 0, TimeSpan.Zero);

    /// <summary>A 60/30/10 model account, worth 390,227.45 in securities plus 1,234.56 cash.</summary>
    private static HouseholdView Household()
    {
        var spec = new AccountSpec("HH-WIDTH-TAX", "HH-WIDTH", "Joint taxable", AccountType.Taxable, false, "GROWTH-60", [], false,
            LotRelief.MinTax, HarvestPolicy.Default);
        HoldingView Holding(string symbol, string assetClass, decimal quantity, decimal price, double weight) =>
            new(symbol, assetClass, quantity, price, quantity * price, weight, []);
        DriftLine Drift(string symbol, double weight, double target, bool outOfBand) =>
            new(DriftLevel.Security, symbol, weight, target, weight - target, 0.05, outOfBand);
        var account = new AccountView(spec, 1_234.56m, 391_462.01m,
            [
                Holding("VTI", "us_equity", 1_000m, 234.56m, 0.6011),
                Holding("BND", "us_bond", 1_234.5m, 72.10m, 0.2281),
                Holding("VXUS", "intl_equity", 1_000m, 66.66m, 0.1708),
            ],
            [Drift("VTI", 0.6011, 0.55, true), Drift("BND", 0.2281, 0.30, true), Drift("VXUS", 0.1708, 0.15, false)],
            [], 42);
        return new HouseholdView("HH-WIDTH", "The Width family", "ADV-1", 391_462.01m, [account], [],
            new HouseholdTaxView(new DateOnly(2026, 3, 2), GainsSummary.Zero, [], []));
    }

    private static RebalanceProposal Proposal()
    {
        OptimizedTrade Trade(string symbol, TradeSide side, decimal quantity, decimal amount) =>
            new("HH-WIDTH-TAX", symbol, side, quantity, amount, 0, 0, TradeReason.Drift, 0m, 0m, []);
        return new RebalanceProposal("HH-WIDTH-P0007", "HH-WIDTH", ProposalStatus.Pending, Noon, Noon.AddHours(24), [],
            [
                Trade("VTI", TradeSide.Sell, 200m, 46_912m), Trade("BND", TradeSide.Buy, 500m, 36_050m),
                Trade("VXUS", TradeSide.Sell, 80m, 5_332.80m), Trade("VEA", TradeSide.Buy, 100m, 5_012m),
                Trade("VWO", TradeSide.Buy, 10m, 432.10m),
            ],
            0.0123, 0.0045, 1_234.56m, -12_345.67m, 42, null, null, [], null);
    }

    private static string[] Lines(string text) => text.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();

    private static string ShowAt(int width)
    {
        var output = new StringWriter();
        ShowCommand.Render(Household(), output, width);
        return output.ToString();
    }

    private static string ProposalsAt(int width)
    {
        var output = new StringWriter();
        ProposalsCommand.Render("HH-WIDTH", [Proposal()], output, width);
        return output.ToString();
    }

    [Fact]
    public void Show_at_80_columns_drops_target_keeps_every_number_whole_and_one_line_per_holding()
    {
        var text = ShowAt(80);
        Assert.All(Lines(text), l => Assert.True(l.Length <= 80, $"{l.Length} > 80: {l}"));
        var header = Assert.Single(Lines(text), l => l.Contains("Symbol"));
        Assert.DoesNotContain("Target", header);
        Assert.DoesNotContain("Class", header); // the asset class goes next
        Assert.Contains("Drift", header);
        Assert.Contains("Weight", header);
        // Each holding's quantity, value, weight and drift on one line, unbroken: 1,000 x 234.56 = 234,560.00.
        Assert.Contains(Lines(text), l => l.Contains("VTI") && l.Contains(" 1000 ") && l.Contains("234,560.00") && l.Contains("60.11 %") && l.Contains("+5.11%") && l.Contains("OUT"));
        Assert.Contains(Lines(text), l => l.Contains("BND") && l.Contains("1234.5") && l.Contains("89,007.45") && l.Contains("-7.19%") && l.Contains("OUT"));
        Assert.Contains(Lines(text), l => l.Contains("VXUS") && l.Contains("66,660.00") && l.Contains("+2.08%") && l.Contains(" in "));
        Assert.DoesNotContain("55.00 %", text); // VTI's target went with its column
        Assert.Contains("1,234.56", text); // the cash in the title, whole even if the title wraps
    }

    [Fact]
    public void Show_at_160_columns_has_every_column()
    {
        var text = ShowAt(160);
        Assert.All(Lines(text), l => Assert.True(l.Length <= 160, $"{l.Length} > 160: {l}"));
        var header = Assert.Single(Lines(text), l => l.Contains("Symbol"));
        foreach (var column in new[] { "Class", "Quantity", "Price", "Value", "Weight", "Target", "Drift", "Band" }) Assert.Contains(column, header);
        Assert.Contains(Lines(text), l => l.Contains("VTI") && l.Contains("us_equity") && l.Contains("234.56") && l.Contains("234,560.00") && l.Contains("55.00 %") && l.Contains("+5.11%"));
        Assert.Contains("HH-WIDTH-TAX Taxable model GROWTH-60: 391,462.01, cash 1,234.56", text);
    }

    [Fact]
    public void Proposals_at_80_columns_drop_the_times_and_keep_the_gains_whole()
    {
        var text = ProposalsAt(80);
        Assert.All(Lines(text), l => Assert.True(l.Length <= 80, $"{l.Length} > 80: {l}"));
        Assert.DoesNotContain("Created", text);
        Assert.DoesNotContain("2026-03-02 14:30:00", text);
        // The id, status, tracking error after and both gains share the proposal's first line, each unbroken.
        Assert.Contains(Lines(text), l => l.Contains("HH-WIDTH-P0007") && l.Contains("pending") && l.Contains("0.45 %") && l.Contains("1,234.56") && l.Contains("-12,345.67"));
        // The trade list wraps between words, never inside one: each of the four trades' account stays whole.
        Assert.Equal(4, text.Split("HH-WIDTH-TAX;").Length - 1);
        Assert.Contains(Lines(text), l => l.Contains("sell 200 VTI in"));
    }

    [Fact]
    public void Proposals_at_160_columns_show_creation_and_expiry()
    {
        var text = ProposalsAt(160);
        Assert.All(Lines(text), l => Assert.True(l.Length <= 160, $"{l.Length} > 160: {l}"));
        Assert.Contains(Lines(text), l => l.Contains("HH-WIDTH-P0007") && l.Contains("2026-03-02 14:30:00") && l.Contains("2026-03-03 14:30:00")
            && l.Contains("1.23 %") && l.Contains("0.45 %") && l.Contains("1,234.56") && l.Contains("-12,345.67"));
        Assert.Equal(4, text.Split("HH-WIDTH-TAX;").Length - 1);
    }
}

/// <summary>The shared layout rule behind every CLI table: columns go in their drop order (largest first) until the table
/// fits; the width comes from <c>COLUMNS</c> when the output is not a terminal.</summary>
public sealed class TableLayoutTests
{
    /// <summary>Widths asked: A 4, B 8 ("1,234.56"), C 6, D 13 (prose under 20); with Spectre's borders 1 + (w + 3) a column.</summary>
    private static TableLayout Layout() =>
        new TableLayout("t").Key("A").Number("B", drop: 1).Number("C", drop: 2).Prose("D").Row("aaaa", "1,234.56", "12.34%", "one two three");

    [Theory]
    [InlineData(44, "A B C D")] // 4 + 8 + 6 + 13 + 13 = 44: everything fits
    [InlineData(43, "A B D")]   // C (drop 2) goes first: 35
    [InlineData(35, "A B D")]
    [InlineData(34, "A D")]     // then B: 24
    [InlineData(10, "A D")]     // columns with drop 0 always stay
    public void Columns_go_in_drop_order_until_the_table_fits(int width, string columns) =>
        Assert.Equal(columns, string.Join(' ', Layout().Columns(width)));

    [Fact]
    public void A_table_laid_out_for_its_width_is_no_wider()
    {
        foreach (var width in new[] { 44, 43, 40 })
        {
            var output = new StringWriter();
            Layout().WriteTo(PlainConsole.For(output, width));
            Assert.All(output.ToString().Split('\n'), l => Assert.True(l.TrimEnd('\r').Length <= width, $"{l.Length} > {width}: {l}"));
            Assert.Contains("aaaa", output.ToString());
        }
    }

    [Theory]
    [InlineData("100", 100)]
    [InlineData("80", 80)]
    [InlineData("0", null)]
    [InlineData("-5", null)]
    [InlineData("wide", null)]
    [InlineData(null, null)]
    public void COLUMNS_is_a_positive_whole_number_or_ignored(string? value, int? width) =>
        Assert.Equal(width, PlainConsole.Columns(value));

    [Fact]
    public void A_console_is_never_narrower_than_the_minimum() =>
        Assert.Equal(PlainConsole.MinimumWidth, PlainConsole.For(new StringWriter(), 20).Profile.Width);
}
