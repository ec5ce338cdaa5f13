using Households.Contracts;
using Households.Domain;
using Households.Domain.Decisions;
using Households.Domain.Import;
using Households.Domain.Tax;
using Xunit;

namespace Households.Tests.CsvFiles;

/// <summary>The one CSV writer: RFC 4180 escaping and formula neutralisation (CSV injection), numbers left as numbers, and
/// every CSV the product writes going through it.</summary>
public sealed class CsvWriterTests
{
    [Theory]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData("=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"")]
    [InlineData("=1+2", "\"'=1+2\"")]
    [InlineData("@SUM(A1)", "\"'@SUM(A1)\"")]
    [InlineData("+cmd", "\"'+cmd\"")]
    [InlineData("-cmd", "\"'-cmd\"")]
    [InlineData("\tlooks empty", "\"'\tlooks empty\"")]
    [InlineData("\r=1", "\"'\r=1\"")]
    [InlineData("-", "\"'-\"")]
    [InlineData("-2080.00", "-2080.00")]
    [InlineData("+12.5", "+12.5")]
    [InlineData("-1,234.56", "\"-1,234.56\"")]
    [InlineData("-1e5", "\"'-1e5\"")]
    [InlineData("ACC-1", "ACC-1")]
    [InlineData("", "")]
    public void Cell_is_escaped_and_formulas_are_neutralised_but_numbers_stay_numbers(string value, string written) =>
        Assert.Equal(written, CsvWriter.Cell(value));

    [Fact]
    public void A_neutralised_cell_reads_back_as_the_text_with_its_apostrophe()
    {
        var text = new CsvWriter("a,b,c").Row("=HYPERLINK(\"http://x\",\"y\")", "-2080.00", "x,y").ToString();
        var (_, records) = Households.Domain.Tax.Csv.Read(text, "t.csv");
        Assert.Equal(["'=HYPERLINK(\"http://x\",\"y\")", "-2080.00", "x,y"], records[0].Fields);
    }

    [Fact]
    public void Quote_every_cell_quotes_numbers_and_empty_cells_too() =>
        Assert.Equal("h\n\"2\",\"\",\"'=x\",\"-5\"\n", new CsvWriter("h", quoteEveryCell: true).Row("2", null, "=x", "-5").ToString());

    [Fact]
    public void Order_file_neutralises_a_hostile_symbol_and_keeps_the_quantity_a_number()
    {
        var trade = new OptimizedTrade("ACC1", "=EVIL", TradeSide.Sell, 12.5m, 1_250m, 0.5, 0.4, TradeReason.Drift, 0m, 0m, []);
        var csv = OrderFile.Csv([Proposal("P-1", trade)]).Split('\n');
        Assert.Equal(OrderFile.Header, csv[0]);
        Assert.Equal("P-1,ACC1,\"'=EVIL\",sell,12.5,,market,Drift", csv[1]);
    }

    [Fact]
    public void Import_report_quotes_every_cell_and_leaves_a_negative_value_a_number()
    {
        var csv = ImportReport.Csv([new ImportIssue("accounts.csv", 3, "cash", "-5", "must be >= 0")]).Split('\n');
        Assert.Equal("\"accounts.csv\",\"3\",\"cash\",\"-5\",\"must be >= 0\"", csv[1]);
    }

    [Fact]
    public void Form_8949_writes_losses_as_negative_numbers_and_neutralises_text()
    {
        // 100 sh bought for $5,080.00, sold for $3,000.00: a loss of $2,080.00, written -2080.00 (a number, not a formula).
        var line = new Form8949Line("H1", "@ACC", "L1", HoldingTerm.Short, true, Form8949Box.A, "100 sh XYZ",
            new DateOnly(2026, 1, 5), new DateOnly(2026, 3, 2), 3_000m, 5_080m, "", 0m, -2_080m);
        var rows = Form8949.Csv([line]).Split('\n');
        Assert.Equal("lot,I,A,H1,\"'@ACC\",L1,100 sh XYZ,2026-01-05,2026-03-02,3000.00,5080.00,,0.00,-2080.00,short,covered", rows[1]);
        Assert.Equal("total,I,A,,,,Totals,,,3000.00,5080.00,,0.00,-2080.00,short,covered", rows[2]);
    }

    private static RebalanceProposal Proposal(string id, params OptimizedTrade[] trades) =>
        new(id, "H1", ProposalStatus.Pending, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddDays(1), [], [.. trades], 0, 0, 0m, 0m, 1, null, null, [], null);
}
