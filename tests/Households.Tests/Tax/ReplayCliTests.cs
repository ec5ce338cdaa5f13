using System.Text.Json;
using Households.Client.Commands;
using Xunit;

namespace Households.Tests.Tax;

/// <summary><c>households tax replay</c> through <see cref="CommandLine.Run"/> on temporary CSV files.</summary>
public sealed class ReplayCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tax-replay-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string File(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    private static (int Code, string Out, string Err) Run(params string[] args) => Households.Tests.Cli.CliRunner.Offline(TaxReplayCommand.Create(), args);

    private const string Header = "date,account,account_type,symbol,side,quantity,price,id,lot\n";

    private const string FormatsExample = Header +
        "2024-12-26,A1,taxable,XYZ,buy,100,10,L1,\n" +
        "2025-03-31,A1,taxable,XYZ,sell,100,7.50,,L1\n" +
        "2025-04-10,A1,taxable,XYZ,buy,100,8,L2,\n";

    [Fact]
    public void Json_of_the_FORMATS_example()
    {
        var (code, stdout, stderr) = Run("tax", "replay", "--trades", File("t.csv", FormatsExample), "--json");
        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        const string expected = """
            {"realized":[{"date":"2025-03-31","account":"A1","symbol":"XYZ","lot":"L1","quantity":100,"proceeds":750.00,"basis":1000.00,"gain":-250.00,"disallowed":250.00,"recognized":0.00,"term":"short","permanent":false}],
             "lots":[{"id":"L2","account":"A1","symbol":"XYZ","quantity":100,"basis":1050.00,"purchased":"2025-04-10","holding_since":"2025-01-05"}],
             "summary":{"short_term":0.00,"long_term":0.00,"disallowed":250.00,"permanently_disallowed":0.00}}
            """;
        Assert.Equal(Compact(expected), Compact(stdout));
    }

    private static string Compact(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return JsonSerializer.Serialize(doc.RootElement);
    }

    [Fact]
    public void Table_output_shows_realized_lots_and_summary()
    {
        var (code, stdout, _) = Run("tax", "replay", "--trades", File("t.csv", FormatsExample));
        Assert.Equal(0, code);
        Assert.Contains("Realized", stdout);
        Assert.Contains("1,050.00", stdout);
        Assert.Contains("2025-01-05", stdout);
    }

    [Fact]
    public void Column_order_is_free_extra_columns_are_ignored_and_ids_are_generated()
    {
        var csv = "price,note,quantity,side,symbol,account_type,account,date\n" +
                  "10,\"first, quoted\",10,buy,XYZ,taxable,A,2024-01-02\n" +
                  "8,,10,sell,XYZ,taxable,A,2024-02-01\n" +
                  "9,,4,buy,XYZ,ira,R,2024-02-05\n" +
                  "8.5,,10,buy,XYZ,taxable,A,2024-02-06\n";
        var (code, stdout, stderr) = Run("tax", "replay", "--trades", File("t.csv", csv), "--json");
        Assert.Equal("", stderr);
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(stdout);
        var realized = doc.RootElement.GetProperty("realized");
        Assert.Equal(2, realized.GetArrayLength());
        Assert.Equal("A-1", realized[0].GetProperty("lot").GetString());
        Assert.Equal(6m, realized[0].GetProperty("quantity").GetDecimal());
        Assert.Equal(12m, realized[0].GetProperty("disallowed").GetDecimal());
        Assert.False(realized[0].GetProperty("permanent").GetBoolean());
        Assert.Equal(4m, realized[1].GetProperty("quantity").GetDecimal());
        Assert.Equal(8m, realized[1].GetProperty("disallowed").GetDecimal());
        Assert.True(realized[1].GetProperty("permanent").GetBoolean());
        var lots = doc.RootElement.GetProperty("lots");
        Assert.Equal(["A-4", "A-4.2", "R-3"], lots.EnumerateArray().Select(l => l.GetProperty("id").GetString()));
        Assert.Equal(51m + 12m, lots[0].GetProperty("basis").GetDecimal());
        Assert.Equal(34m, lots[1].GetProperty("basis").GetDecimal());
        Assert.Equal(36m, lots[2].GetProperty("basis").GetDecimal());
        var summary = doc.RootElement.GetProperty("summary");
        Assert.Equal(20m, summary.GetProperty("disallowed").GetDecimal());
        Assert.Equal(8m, summary.GetProperty("permanently_disallowed").GetDecimal());
        Assert.Equal(0m, summary.GetProperty("short_term").GetDecimal());
    }

    [Fact]
    public void Identical_groups_file_makes_two_symbols_wash_each_other()
    {
        var csv = Header +
            "2024-01-02,A,taxable,SPY,buy,10,500,S,\n" +
            "2024-02-01,A,taxable,SPY,sell,10,450,,\n" +
            "2024-02-02,A,taxable,IVV,buy,10,455,I,\n";
        var groups = File("g.csv", "symbol,group\nSPY,sp500\nIVV,sp500\n");
        var (code, stdout, _) = Run("tax", "replay", "--trades", File("t.csv", csv), "--identical", groups, "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal(500m, doc.RootElement.GetProperty("summary").GetProperty("disallowed").GetDecimal());
        Assert.Equal(5050m, doc.RootElement.GetProperty("lots")[0].GetProperty("basis").GetDecimal());
        var (plain, plainOut, _) = Run("tax", "replay", "--trades", File("t.csv", csv), "--json");
        Assert.Equal(0, plain);
        Assert.Contains("\"disallowed\": 0.00", plainOut);
    }

    [Theory]
    [InlineData("hifo", "B")]
    [InlineData("lifo", "C")]
    [InlineData("fifo", "A")]
    [InlineData("mintax", "B")]
    public void Method_option_chooses_the_lot_relief(string method, string lotSold)
    {
        var csv = Header +
            "2024-01-02,A,taxable,XYZ,buy,10,10,A,\n" +
            "2024-01-03,A,taxable,XYZ,buy,10,30,B,\n" +
            "2024-01-04,A,taxable,XYZ,buy,10,20,C,\n" +
            "2024-06-03,A,taxable,XYZ,sell,10,25,,\n";
        var (code, stdout, _) = Run("tax", "replay", "--trades", File("t.csv", csv), "--method", method, "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal(lotSold, doc.RootElement.GetProperty("realized")[0].GetProperty("lot").GetString());
    }

    public static TheoryData<string, string, string> BadFiles => new()
    {
        { Header + "2024-01-02,A,taxable,XYZ,buy,10,10,L1,\n2024-01-03,A,taxable,XYZ,sell,11,10,,\n", "line 3", "field quantity" },
        { Header + "2024-01-02,A,taxable,XYZ,buy,0,10,L1,\n", "line 2", "field quantity" },
        { Header + "2024-01-02,A,taxable,XYZ,buy,-5,10,L1,\n", "line 2", "field quantity" },
        { Header + "2024-01-02,A,taxable,XYZ,buy,5,-10,L1,\n", "line 2", "field price" },
        { Header + "2024-01-02,A,brokerage,XYZ,buy,5,10,L1,\n", "line 2", "field account_type" },
        { Header + "2024-01-02,A,taxable,XYZ,buy,5,10,L1,\n2024-01-03,A,taxable,XYZ,sell,5,10,,L9\n", "line 3", "field lot" },
        { Header + "2024-01-02,A,taxable,XYZ,buy,5,10,L1,\n2024-01-02,B,taxable,XYZ,buy,5,10,L2,\n2024-01-03,B,taxable,XYZ,sell,5,10,,L1\n", "line 4", "belongs to account A" },
        { Header + "2024-01-02,A,taxable,XYZ,buy,5,10,L1,\n2024-01-02,A,taxable,ABC,buy,5,10,L2,\n2024-01-03,A,taxable,ABC,sell,5,10,,L1\n", "line 4", "holds XYZ" },
        { Header + "2024-01-02,A,taxable,XYZ,buy,5,10,L1,\n2024-01-02,B,ira,XYZ,buy,5,10,L1,\n", "line 3", "duplicate lot id L1" },
        { Header + "2024-01-03,A,taxable,XYZ,buy,5,10,L1,\n2024-01-02,A,taxable,XYZ,buy,5,10,L2,\n", "line 3", "field date" },
        { Header + "2024-01-02,A,taxable,XYZ,buy,5,\"10,L1,\n", "line 2", "unterminated" },
        { Header + "2024-01-02,A,taxable,XYZ,buy,5,10,L1\n", "line 2", "fields where the header has 9" },
        { Header + "2024-01-02,A,taxable,XYZ,buy,5,1\"0,L1,\n", "line 2", "quote" },
        { "date,account,account_type,symbol,side,quantity\n2024-01-02,A,taxable,XYZ,buy,5\n", "t.csv", "column price" },
        { Header + "2024-02-30,A,taxable,XYZ,buy,5,10,L1,\n", "line 2", "field date" },
        { Header + "02/01/2024,A,taxable,XYZ,buy,5,10,L1,\n", "line 2", "field date" },
        { Header + "2024-01-02,A,taxable,XYZ,buy,NaN,10,L1,\n", "line 2", "field quantity" },
        { Header + "2024-01-02,A,taxable,XYZ,buy,1e3,10,L1,\n", "line 2", "field quantity" },
        { Header + "2024-01-02,A,taxable,XYZ,buy,99999999999999999999999999999999,10,L1,\n", "line 2", "field quantity" },
        { Header + "2024-01-02,A,taxable,XYZ,buy,79228162514264337593543950335,2,L1,\n", "line 2", "out of the decimal range" },
        { Header + "2024-01-02,A,taxable,XYZ,hold,5,10,L1,\n", "line 2", "field side" },
        { Header + "2024-01-02,A,taxable,XYZ,buy,5,10,L1,\n2024-01-03,A,ira,XYZ,buy,5,10,L2,\n", "line 3", "field account_type" },
        { Header + "2024-01-02,A,taxable,,buy,5,10,L1,\n", "line 2", "field symbol" },
        { Header + "2024-01-02,A,taxable,XYZ,sell,5,10,,\n", "line 2", "field quantity" },
        { "", "t.csv", "header" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void Bad_input_exits_2_with_one_line_naming_the_place_and_nothing_on_stdout(string csv, string place, string detail)
    {
        var (code, stdout, stderr) = Run("tax", "replay", "--trades", File("t.csv", csv), "--json");
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.Contains(place, stderr);
        Assert.Contains(detail, stderr);
    }

    [Fact]
    public void Missing_file_unknown_method_and_bad_groups_exit_2()
    {
        var ok = File("t.csv", FormatsExample);
        Assert.Equal((2, ""), Pick(Run("tax", "replay", "--trades", Path.Combine(_dir, "missing.csv"))));
        Assert.Equal((2, ""), Pick(Run("tax", "replay", "--trades", ok, "--method", "average")));
        Assert.Equal((2, ""), Pick(Run("tax", "replay")));
        Assert.Equal((2, ""), Pick(Run("tax", "replay", "--trades", ok, "--identical", File("g.csv", "symbol,group\nSPY,a\nSPY,b\n"))));
        Assert.Equal((2, ""), Pick(Run("tax", "replay", "--trades", ok, "--identical", File("g2.csv", "ticker,group\nSPY,a\n"))));
    }

    private static (int, string) Pick((int Code, string Out, string Err) r) => (r.Code, r.Out);
}
