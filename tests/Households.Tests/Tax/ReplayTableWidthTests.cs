using Households.Client.Commands;
using Households.Domain.Tax;
using Xunit;

namespace Households.Tests.Tax;

/// <summary>Issue #19: <c>households tax replay</c>'s text tables fit the console. The replay is real: a long-term loss
/// partly washed by an IRA purchase (permanent) and a second loss washed by a taxable repurchase.</summary>
public sealed class ReplayTableWidthTests
{
    // Buys without an id get <account>-<row>: HH-LEE-TAX-1, HH-LEE-TAX-2, HH-LEE-IRA-4, HH-LEE-TAX-6.
    private const string Trades = "date,account,account_type,symbol,side,quantity,price,id,lot\n" +
        "2024-01-02,HH-LEE-TAX,taxable,VTI,buy,120,250.00,,\n" +
        "2024-03-01,HH-LEE-TAX,taxable,VTI,buy,80,240.00,,\n" +
        "2025-06-02,HH-LEE-TAX,taxable,VTI,sell,120,210.00,,HH-LEE-TAX-1\n" +
        "2025-06-20,HH-LEE-IRA,ira,VTI,buy,50.125,212.00,,\n" +
        "2025-09-02,HH-LEE-TAX,taxable,VTI,sell,80,200.00,,HH-LEE-TAX-2\n" +
        "2025-09-15,HH-LEE-TAX,taxable,VTI,buy,80,205.00,,\n";

    private static string TableAt(int width) =>
        TaxReplayCommand.Table(TaxReplay.Run(TradeFile.Parse(Trades, "t.csv"), new ReplayOptions()), width);

    private static string[] Lines(string text) => text.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();

    /// <summary>The table's header: the lines between its top rule and the rule under the header.</summary>
    private static string Header(string text, string title)
    {
        var lines = Lines(text);
        var top = Array.FindIndex(lines, Array.IndexOf(lines, lines.First(l => l.Trim() == title)), l => l.StartsWith('┌'));
        var rule = Array.FindIndex(lines, top + 1, l => l.StartsWith('├'));
        return string.Join('\n', lines[(top + 1)..rule]);
    }

    private static string Row(string text, params string[] cells) =>
        Assert.Single(Lines(text), l => cells.All(c => l.Contains($" {c} ", StringComparison.Ordinal)));

    [Fact]
    public void At_80_columns_realized_rows_keep_date_account_symbol_quantity_gain_and_disallowed_whole()
    {
        var text = TableAt(80);
        Assert.All(Lines(text), l => Assert.True(l.Length <= 80, $"{l.Length} > 80: {l}"));
        Assert.DoesNotContain("…", text); // nothing truncated
        var header = Header(text, "Realized");
        foreach (var column in new[] { "date", "account", "symbol", "quantity", "gain", "disallowed" }) Assert.Contains(column, header);
        foreach (var column in new[] { "proceeds", "basis", "lot", "term", "permanent" }) Assert.DoesNotContain(column, header);
        // 120 shares of HH-LEE-TAX-1 (basis 250) sold at 210: a 4,800.00 loss; 50.125 shares bought in the IRA 18 days
        // later disallow 50.125/120 of it for good (2,005.00), the other 69.875 shares' 2,795.00 is recognized.
        Row(text, "2025-06-02", "HH-LEE-TAX", "VTI", "50.125", "-2,005.00", "2,005.00");
        Row(text, "2025-06-02", "HH-LEE-TAX", "VTI", "69.875", "-2,795.00", "0.00");
        // 80 shares of HH-LEE-TAX-2 (basis 240) sold at 200, bought back 13 days later: all 3,200.00 disallowed.
        Row(text, "2025-09-02", "HH-LEE-TAX", "VTI", "80", "-3,200.00", "3,200.00");
        Assert.DoesNotContain("12,531.25", text); // the first row's basis went with its column
    }

    [Fact]
    public void At_80_columns_open_lots_keep_id_symbol_quantity_and_basis_whole()
    {
        var text = TableAt(80);
        var header = Header(text, "Open lots");
        foreach (var column in new[] { "id", "symbol", "quantity", "basis" }) Assert.Contains(column, header);
        Assert.DoesNotContain("purchased", header);
        // The repurchase carries the washed 3,200.00: 80 x 205 + 3,200 = 19,600.00. The IRA lot gets nothing (permanent).
        Row(text, "HH-LEE-TAX-6", "VTI", "80", "19,600.00");
        Row(text, "HH-LEE-IRA-4", "VTI", "50.125", "10,626.50");
        // Summary: the 2,795.00 long-term loss recognized; 2,005.00 + 3,200.00 disallowed, 2,005.00 of it for good.
        Row(text, "0.00", "-2,795.00", "5,205.00", "2,005.00");
    }

    [Fact]
    public void At_160_columns_every_column_appears()
    {
        var text = TableAt(160);
        Assert.All(Lines(text), l => Assert.True(l.Length <= 160, $"{l.Length} > 160: {l}"));
        var realized = Header(text, "Realized");
        foreach (var column in new[] { "date", "account", "symbol", "lot", "quantity", "proceeds", "basis", "gain", "disallowed", "recognized", "term", "permanent" })
            Assert.Contains(column, realized);
        Row(text, "2025-06-02", "HH-LEE-TAX", "VTI", "HH-LEE-TAX-1", "50.125", "10,526.25", "12,531.25", "-2,005.00", "2,005.00", "0.00", "long", "yes");
        Row(text, "2025-06-02", "HH-LEE-TAX", "VTI", "HH-LEE-TAX-1", "69.875", "14,673.75", "17,468.75", "-2,795.00", "0.00", "-2,795.00", "long", "no");
        Row(text, "2025-09-02", "HH-LEE-TAX", "VTI", "HH-LEE-TAX-2", "80", "16,000.00", "19,200.00", "-3,200.00", "3,200.00", "0.00", "long", "no");
        var lots = Header(text, "Open lots");
        foreach (var column in new[] { "id", "account", "symbol", "quantity", "basis", "purchased", "holding" }) Assert.Contains(column, lots);
        // The repurchase's holding period starts the 550 days HH-LEE-TAX-2 was held before its purchase.
        Row(text, "HH-LEE-TAX-6", "HH-LEE-TAX", "VTI", "80", "19,600.00", "2025-09-15", "2024-03-14");
        Row(text, "HH-LEE-IRA-4", "HH-LEE-IRA", "VTI", "50.125", "10,626.50", "2025-06-20", "2025-06-20");
    }

    [Fact]
    public void Nothing_realized_says_so_in_one_line()
    {
        var text = TaxReplayCommand.Table(TaxReplay.Run(TradeFile.Parse(Trades.Split('\n')[0] + "\n" + Trades.Split('\n')[1] + "\n", "t.csv"), new ReplayOptions()), 80);
        Assert.Contains("Realized: none", text);
        Row(text, "HH-LEE-TAX-1", "VTI", "120", "30,000.00");
    }
}
