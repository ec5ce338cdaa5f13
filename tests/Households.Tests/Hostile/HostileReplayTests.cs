using System.Text;
using Households.Client.Commands;
using Xunit;

namespace Households.Tests.Hostile;

/// <summary>One malformed TRADES.csv (or GROUPS.csv) and what the one-line error must name.</summary>
public sealed record HostileFile(string Name, byte[] Trades, byte[]? Groups, string[] Expect, long SparseBytes = 0);

/// <summary>Generated malformed <c>tax replay</c> inputs (FORMATS.md §1): each exits 2 with one line on stderr naming
/// the line and field, and prints nothing on stdout.</summary>
public static class HostileReplayCases
{
    public const string Header = "date,account,account_type,symbol,side,quantity,price,id,lot\n";
    private const string Buy = "2024-01-02,A,taxable,XYZ,buy,10,10,L1,\n";

    private static IReadOnlyDictionary<string, HostileFile>? _all;
    public static IReadOnlyDictionary<string, HostileFile> All => _all ??= Build().ToDictionary(c => c.Name);

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    private static HostileFile T(string name, string csv, params string[] expect) => new(name, Utf8(csv), null, expect);

    /// <summary>A buy row with one field replaced.</summary>
    private static string Row(string field, string value, string side = "buy")
    {
        var cells = new Dictionary<string, string>
        {
            ["date"] = "2024-01-02", ["account"] = "A", ["account_type"] = "taxable", ["symbol"] = "XYZ", ["side"] = side,
            ["quantity"] = "10", ["price"] = "10", ["id"] = side == "buy" ? "L1" : "", ["lot"] = "",
        };
        cells[field] = value;
        return string.Join(",", new[] { "date", "account", "account_type", "symbol", "side", "quantity", "price", "id", "lot" }.Select(c => cells[c])) + "\n";
    }

    private static readonly (string Name, string Value)[] Injections =
    [
        ("sql", "x'; DROP TABLE households;--"),
        ("script", "<script>alert(1)</script>"),
        ("traversal", "../../etc/passwd"),
        ("crlf", "\"A\r\nB\""),
        ("nul", "A\u0000B"),
        ("rtl", "INV\u202Egnp.exe"),
        ("10k", new string('A', 10_000)),
    ];

    private static IEnumerable<HostileFile> Build()
    {
        foreach (var (name, value) in new[]
                 {
                     ("NaN", "NaN"), ("Infinity", "Infinity"), ("-Infinity", "-Infinity"), ("inf", "inf"), ("1e30", "1e30"),
                     ("decimal-max+1", "79228162514264337593543950336"), ("empty", ""), ("blank", " "), ("thousands", "\"1,000\""),
                     ("hex", "0x10"), ("fullwidth-digits", "１０"), ("double-sign", "--5"), ("underscore", "1_000"),
                 })
        {
            yield return T($"quantity-{name}", Header + Row("quantity", value), "line 2", "field quantity");
            yield return T($"price-{name}", Header + Row("price", value), "line 2", "field price");
        }
        yield return T("quantity-zero-decimal", Header + Row("quantity", "0.000"), "line 2", "field quantity");
        yield return T("quantity-negative-zero", Header + Row("quantity", "-0"), "line 2", "field quantity");
        yield return T("price-negative-cent", Header + Row("price", "-0.01"), "line 2", "field price");
        yield return T("cost-overflow", Header + Row("quantity", "79228162514264337593543950335").Replace(",10,L1", ",3,L1"), "line 2");
        foreach (var (name, value) in new[]
                 {
                     ("0001", "0001-01-01"), ("9999", "9999-12-31"), ("1899", "1899-12-31"), ("unpadded", "2024-1-2"), ("slashes", "2024/01/02"),
                     ("compact", "20240102"), ("with-time", "2024-01-02T00:00"), ("empty", ""), ("month-13", "2024-13-01"),
                 })
            yield return T($"date-{name}", Header + Row("date", value), "line 2", "field date");
        foreach (var value in new[] { "Taxable", "IRA", "401k", "" })
            yield return T($"account_type-{(value.Length == 0 ? "empty" : value)}", Header + Row("account_type", value), "line 2", "field account_type");
        foreach (var value in new[] { "BUY", "b", "short", "" })
            yield return T($"side-{(value.Length == 0 ? "empty" : value)}", Header + Row("side", value), "line 2", "field side");
        foreach (var (name, value) in Injections)
        {
            yield return T($"symbol-{name}", Header + Row("symbol", value), "line 2", "field symbol");
            yield return T($"account-{name}", Header + Row("account", value), "line 2", "field account");
            yield return T($"id-{name}", Header + Row("id", value), "line 2", "field id");
        }
        yield return T("lot-sql", Header + Buy + Row("lot", "x'; DROP TABLE lots;--", "sell").Replace("2024-01-02", "2024-01-03"), "line 3", "field lot");
        yield return T("sell-of-sold-lot", Header + Buy + "2024-01-03,A,taxable,XYZ,sell,10,10,,L1\n2024-01-04,A,taxable,XYZ,sell,1,10,,L1\n", "line 4", "field lot");
        yield return T("sell-before-any-buy", Header + Row("side", "sell").Replace(",L1,", ",,"), "line 2", "field quantity");
        yield return T("sell-more-than-lot", Header + Buy + "2024-01-03,A,taxable,XYZ,sell,11,10,,L1\n", "line 3", "field quantity");
        yield return T("sell-lot-in-ira-from-taxable", Header + Buy.Replace(",A,taxable", ",R,ira") + "2024-01-03,A,taxable,XYZ,sell,1,10,,L1\n", "line 3", "belongs to account R");
        yield return T("duplicate-generated-id", Header + "2024-01-02,A,taxable,XYZ,buy,1,10,A-2,\n2024-01-03,A,taxable,XYZ,buy,1,10,,\n", "line 3", "duplicate lot id A-2");
        yield return T("unsorted-late-row", Header + Buy + "2024-01-05,A,taxable,XYZ,buy,1,10,L2,\n2024-01-04,A,taxable,XYZ,buy,1,10,L3,\n", "line 4", "field date");
        yield return T("header-only", Header, "t.csv", "no trade rows");
        yield return T("blank-lines-only", "\n\n\r\n", "t.csv", "header");
        yield return T("missing-column-side", Header.Replace("side,", "") + "2024-01-02,A,taxable,XYZ,10,10,L1,\n", "t.csv", "column side");
        yield return T("duplicate-column", Header.TrimEnd('\n') + ",price\n" + Buy.TrimEnd('\n') + ",10\n", "line 1", "duplicate column");
        yield return T("empty-column-name", Header.TrimEnd('\n') + ",\n" + Buy.TrimEnd('\n') + ",x\n", "line 1", "empty column name");
        yield return T("too-many-fields", Header + Buy.TrimEnd('\n') + ",extra\n", "line 2", "fields where the header has 9");
        yield return T("unterminated-quote-at-eof", Header + "2024-01-02,A,taxable,\"XYZ", "line 2", "unterminated");
        yield return T("crlf-inside-quoted-quantity", Header + Row("quantity", "\"1\r\n0\""), "line 2", "field quantity");
        yield return new("bom-inside-a-data-row", [0xEF, 0xBB, 0xBF, .. Utf8(Header + "\uFEFF" + Buy)], null, ["line 2", "field date"]);
        yield return new("utf16-without-bom", Encoding.Unicode.GetBytes(Header + Buy), null, ["t.csv"]);
        yield return new("invalid-utf8-in-symbol", [.. Utf8(Header + "2024-01-02,A,taxable,X"), 0xFF, .. Utf8("Z,buy,10,10,L1,\n")], null, ["t.csv", "UTF-8"]);
        yield return new("latin1-account", Encoding.Latin1.GetBytes(Header + "2024-01-02,Société,taxable,XYZ,buy,10,10,L1,\n"), null, ["t.csv", "UTF-8"]);
        yield return new("oversize-file", [], null, ["t.csv", "larger than"], SparseBytes: Households.Domain.Tax.TradeFile.MaxFileBytes + 1);
        // GROUPS.csv
        var trades = Utf8(Header + Buy);
        yield return new("groups-symbol-in-two-groups", trades, Utf8("symbol,group\nSPY,a\nSPY,b\n"), ["g.csv line 3", "field group"]);
        yield return new("groups-empty-group", trades, Utf8("symbol,group\nSPY,\n"), ["g.csv line 2", "field group"]);
        yield return new("groups-symbol-script", trades, Utf8("symbol,group\n<script>,a\n"), ["g.csv line 2", "field symbol"]);
        yield return new("groups-group-sql", trades, Utf8("symbol,group\nSPY,x'; DROP TABLE g;--\n"), ["g.csv line 2", "field group"]);
        yield return new("groups-too-few-fields", trades, Utf8("symbol,group\nSPY\n"), ["g.csv line 2"]);
        yield return new("groups-empty-file", trades, [], ["g.csv", "header"]);
        yield return new("groups-missing-group-column", trades, Utf8("symbol,grp\nSPY,a\n"), ["g.csv", "column group"]);
    }
}

public sealed class HostileReplayTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hostile-replay-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string> Cases() => [.. HostileReplayCases.All.Keys];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Malformed_replay_input_exits_2_with_one_line_naming_the_place_and_prints_nothing(string name)
    {
        var c = HostileReplayCases.All[name];
        var trades = Path.Combine(_dir, "t.csv");
        if (c.SparseBytes > 0)
        {
            using var f = File.Create(trades);
            f.SetLength(c.SparseBytes);
        }
        else File.WriteAllBytes(trades, c.Trades);
        var args = new List<string> { "tax", "replay", "--trades", trades, "--json" };
        if (c.Groups is { } groups)
        {
            var path = Path.Combine(_dir, "g.csv");
            File.WriteAllBytes(path, groups);
            args.AddRange(["--identical", path]);
        }

        var root = new System.CommandLine.RootCommand("households");
        root.Subcommands.Add(TaxReplayCommand.Create());
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = CommandLine.Run(root, [.. args], stdout, stderr);

        var error = stderr.ToString();
        Assert.True(code == 2, $"{name}: exit {code}, stderr {error}");
        Assert.Equal("", stdout.ToString());
        Assert.Single(error.TrimEnd('\n').Split('\n'));
        Assert.DoesNotContain('\r', error);
        foreach (var word in c.Expect) Assert.Contains(word, error);
    }
}
