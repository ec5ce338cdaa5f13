using Households.Contracts;
using Households.Domain;
using Households.Domain.CorporateActions;
using Xunit;

namespace Households.Tests.CorporateActions;

public class CorporateActionFileTests
{
    [Fact]
    public void The_documented_sample_parses_in_date_order()
    {
        var text = File.ReadAllText(Path.Combine(Households.Tests.Import.ImportParserTests.SamplesDir, "corporate-actions.csv"));
        var actions = CorporateActionFile.Parse(text, "corporate-actions.csv");
        Assert.Equal(6, actions.Count);
        Assert.Equal(actions.OrderBy(a => a.Date).Select(a => a.Id), actions.Select(a => a.Id));
        var merger = actions.Single(a => a.Kind == CorporateActionKind.Merger);
        Assert.Equal(("ACQ", 0.5m, 10m, 80m), (merger.NewSymbol, merger.Ratio, merger.Cash, merger.Price));
    }

    [Fact]
    public void A_bad_row_names_the_file_line_and_field()
    {
        var ex = Assert.Throws<BadInputException>(() => CorporateActionFile.Parse(
            "id,kind,symbol,date,ratio,price\nS1,split,XYZ,2024-06-03,2,10\nS2,split,XYZ,2024-06-04,abc,10\n", "ca.csv"));
        Assert.Equal("ca.csv line 3, field ratio: 'abc' is not a decimal number", ex.Message);
        Assert.Equal("ca.csv line 2, field kind: 'splat' is not one of split, ticker_change, merger, spin_off, cash_dividend, return_of_capital",
            Assert.Throws<BadInputException>(() => CorporateActionFile.Parse("id,kind,symbol,date\nS1,splat,XYZ,2024-06-03\n", "ca.csv")).Message);
        Assert.Equal("ca.csv line 2: price is required for a Split (per share of the security received)",
            Assert.Throws<BadInputException>(() => CorporateActionFile.Parse("id,kind,symbol,date,ratio\nS1,split,XYZ,2024-06-03,2\n", "ca.csv")).Message);
    }
}
