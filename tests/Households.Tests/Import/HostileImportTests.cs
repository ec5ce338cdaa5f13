using System.Net;
using System.Text;
using Households.Client.Commands;
using Households.Domain.Import;
using Households.Tests.Api;
using Households.Tests.Cli;
using Xunit;

namespace Households.Tests.Import;

/// <summary>Issue 9's hostile input for the CSV importer: each case breaks one thing in an otherwise valid copy of
/// docs/samples. Every one must exit 2 with a message naming file, line and field, and send nothing (the server's
/// household list and securities are the same before and after).</summary>
public sealed class HostileImportTests(ApiFactory factory) : IClassFixture<ApiFactory>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hostile-import-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const string Drop = "'; DROP TABLE households; --";
    private const string Formula = "=cmd|' /C calc'!A0";
    private const string Script = "<script>alert(1)</script>";
    private const string Overflow = "79228162514264337593543950336";

    /// <summary>A case: the file to break, how, and where the report must point ("file line N, field F").</summary>
    public sealed record HostileCase(string Name, string File, Func<string, string> Break, string Where, bool Latin1 = false)
    {
        public override string ToString() => Name;
    }

    /// <summary>Replaces one field (1-based physical line, column name) with a value, quoting it as CSV needs.</summary>
    private static HostileCase Value(string file, int line, string column, string value, string? name = null) =>
        new(name ?? $"{file}:{line}:{column}={Printable(value)}", file, text => SetField(text, line, column, value), $"{file} line {line}, field {column}");

    private static HostileCase Raw(string name, string file, Func<string, string> change, string where, bool latin1 = false) =>
        new(name, file, change, where, latin1);

    private static string Printable(string value) => value.Length > 24 ? value[..24] + "…" : value;

    private static string SetField(string text, int line, string column, string value)
    {
        var lines = text.Split('\n');
        var header = lines[0].Split(',');
        var index = Array.IndexOf(header, column);
        if (index < 0) throw new ArgumentException($"no column {column}");
        var fields = lines[line - 1].Split(',');
        fields[index] = value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
        lines[line - 1] = string.Join(',', fields);
        return string.Join('\n', lines);
    }

    private static readonly Dictionary<string, HostileCase> ByName = All().ToDictionary(c => c.Name);

    /// <summary>Case names (strings, so each case is its own test in the runner).</summary>
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var name in ByName.Keys) data.Add(name);
        return data;
    }

    private static List<HostileCase> All()
    {
        const string S = ImportParser.SecuritiesFile, M = ImportParser.ModelsFile, H = ImportParser.HouseholdsFile,
            A = ImportParser.AccountsFile, L = ImportParser.LotsFile;
        var cases = new List<HostileCase>
        {
            // securities.csv
            Value(S, 2, "symbol", Drop), Value(S, 2, "symbol", Script), Value(S, 2, "symbol", ""), Value(S, 2, "symbol", new string('X', 33)),
            Value(S, 3, "symbol", "VTI", "duplicate symbol"),
            Value(S, 2, "name", Formula), Value(S, 2, "name", Script), Value(S, 2, "name", "+SUM(A1:A9)"), Value(S, 2, "name", "@SUM(1)"),
            Value(S, 2, "name", "-2+3"), Value(S, 2, "name", ""), Value(S, 2, "name", new string('n', 201)), Value(S, 2, "name", "bell\u0007name"),
            Value(S, 2, "asset_class", "<b>US</b>"), Value(S, 2, "asset_class", ""), Value(S, 2, "sector", "=1+1"),
            Value(S, 2, "type", "etf"), Value(S, 2, "type", Drop), Value(S, 2, "type", ""),
            Value(S, 2, "price", "NaN"), Value(S, 2, "price", "Infinity"), Value(S, 2, "price", "-Infinity"), Value(S, 2, "price", "∞"),
            Value(S, 2, "price", "-1"), Value(S, 2, "price", "0"), Value(S, 2, "price", "1e5"), Value(S, 2, "price", Overflow),
            Value(S, 2, "price", "abc"), Value(S, 2, "price", "1,000"), Value(S, 2, "price", "1000000001"), Value(S, 2, "identical_group", Script),
            // models.csv
            Value(M, 2, "weight", "NaN"), Value(M, 2, "weight", "-0.1"), Value(M, 2, "weight", "1.5"), Value(M, 2, "weight", "Infinity"),
            Value(M, 2, "weight", "0.7.1"), Value(M, 2, "weight", ""), Value(M, 2, "weight", "0.60", "weights sum to 0.9"),
            Value(M, 2, "sleeve", "NOPE", "unknown symbol in a model"), Value(M, 2, "sleeve", Drop), Value(M, 2, "kind", "fund"),
            Value(M, 2, "band_absolute", "-0.01"), Value(M, 2, "band_absolute", "NaN"), Value(M, 2, "band_relative", "Infinity"),
            Value(M, 2, "model", Script), Value(M, 2, "direct_indexing", "maybe"), Value(M, 4, "sleeve", "NO-MODEL", "unknown sub-model"),
            Value(M, 3, "name", "Another name", "one model, two names"),
            // households.csv
            Value(H, 2, "household", Drop), Value(H, 2, "household", ""), Value(H, 2, "household", "HH SMITH"), Value(H, 2, "household", new string('H', 65)),
            Value(H, 2, "name", "=HYPERLINK(\"http://evil\")"), Value(H, 2, "name", "<img src=x onerror=alert(1)>"), Value(H, 2, "name", ""),
            Value(H, 2, "advisor", ""), Value(H, 2, "advisor", "ADV 01"), Value(H, 2, "advisor", "=1"), Value(H, 3, "household", "HH-SMITH", "duplicate household"),
            // accounts.csv
            Value(A, 2, "account", ""), Value(A, 2, "account", Drop), Value(A, 2, "household", "HH-UNKNOWN"), Value(A, 2, "household", ""),
            Value(A, 2, "type", "checking"), Value(A, 2, "type", "401k"), Value(A, 2, "type", ""), Value(A, 2, "model", "NO-MODEL", "unknown model"),
            Value(A, 2, "cash", "NaN"), Value(A, 2, "cash", "-100"), Value(A, 2, "cash", "Infinity"), Value(A, 2, "cash", "1e3"),
            Value(A, 2, "cash", Overflow), Value(A, 2, "cash", "1000000000001"), Value(A, 2, "discretionary", "perhaps"),
            Value(A, 2, "relief", "random"), Value(A, 2, "relief", "specific"), Value(A, 3, "account", "SMITH-TAX", "duplicate account"),
            Value(A, 2, "name", Formula), Value(A, 2, "separate_taxpayer", "2"),
            // lots.csv
            Value(L, 2, "quantity", "0"), Value(L, 2, "quantity", "-5"), Value(L, 2, "quantity", "NaN"), Value(L, 2, "quantity", "Infinity"),
            Value(L, 2, "quantity", "-Infinity"), Value(L, 2, "quantity", "1e6"), Value(L, 2, "quantity", Overflow), Value(L, 2, "quantity", "abc"),
            Value(L, 2, "quantity", "1000000000001"), Value(L, 2, "quantity", "0x10"),
            Value(L, 2, "basis", "-1"), Value(L, 2, "basis", "NaN"), Value(L, 2, "basis", Overflow), Value(L, 2, "basis", ""),
            Value(L, 2, "purchased", "2099-01-01"), Value(L, 2, "purchased", "1899-12-31"), Value(L, 2, "purchased", "2025-02-30"),
            Value(L, 2, "purchased", "01/02/2024"), Value(L, 2, "purchased", ""), Value(L, 2, "purchased", "0001-01-01"),
            Value(L, 2, "holding_since", "2099-01-01"), Value(L, 2, "holding_since", "2026-01-01", "holding since after purchase"),
            Value(L, 2, "symbol", "NOPE", "unknown symbol in a lot"), Value(L, 2, "symbol", Script), Value(L, 2, "account", "NO-ACCOUNT", "lot for an unknown account"),
            Value(L, 2, "lot", ""), Value(L, 3, "lot", "ST-1", "duplicate lot"), Value(L, 2, "lot", Drop),
            // malformed CSV and file-level limits
            Raw("unbalanced quote", S, t => t + "\"VTX,Unclosed,US Equity,Diversified,stock,,1\n", $"{S} line 15, field (field 1)"),
            Raw("quote inside a field", H, t => t + "HH-X,The \"X\" family,ADV1\n", $"{H} line 5, field (field 2)"),
            Raw("text after a closing quote", A, t => t.Replace("SMITH-IRA,HH-SMITH,John Smith IRA", "SMITH-IRA,HH-SMITH,\"John\" Smith IRA"), $"{A} line 3, field (field 3)"),
            Raw("missing header", H, t => string.Join('\n', t.Split('\n').Skip(1)), $"{H} line 1, field household"),
            Raw("empty file", L, _ => "", $"{L} line 1, field (header)"),
            Raw("only a byte-order mark", M, _ => "\uFEFF", $"{M} line 1, field (header)"),
            Raw("too few fields", A, t => t.Replace("GARCIA-529,HH-GARCIA,Sofia Garcia 529 Plan,529,BAL-6040,false,500.00,fifo,false,,", "GARCIA-529,HH-GARCIA,Sofia"), $"{A} line 6, field type"),
            Raw("too many fields", L, t => t.Replace("SMITH-TAX,VTI,ST-1,120,27600.00,2021-03-15,", "SMITH-TAX,VTI,ST-1,120,27600.00,2021-03-15,,x"), $"{L} line 2, field (extra field 8)"),
            Raw("duplicate column", S, t => t.Replace("symbol,name,asset_class", "symbol,name,symbol"), $"{S} line 1, field symbol"),
            Raw("empty column name", H, t => t.Replace("household,name,advisor", "household,,advisor"), $"{H} line 1, field (column 2)"),
            Raw("binary garbage", L, _ => "\0\u0001\u0002\n\u0003", $"{L} line 1, field account"),
            Raw("too many rows", L, t => t + string.Concat(Enumerable.Range(0, ImportRules.MaxRows).Select(i => $"SMITH-TAX,VTI,X{i},1,1,2024-01-02,\n")), $"{L} line 100002, field (file)"),
            Raw("invalid UTF-8", H, t => t + "HH-X,Caf\u00E9 family,ADV1\n", $"{H} line 5, field (file)", latin1: true),
            Raw("oversize file", S, t => t + new string('#', (int)ImportRules.MaxFileBytes), $"{S}, field (file)"),
        };
        return cases;
    }

    [Fact]
    public void There_are_at_least_seventy_cases_across_all_five_files()
    {
        var cases = All();
        Assert.True(cases.Count >= 70, $"{cases.Count} cases");
        Assert.Equal(5, cases.Select(c => c.File).Distinct().Count());
        Assert.Equal(cases.Count, cases.Select(c => c.Name).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Hostile_file_exits_2_naming_file_line_and_field_and_changes_nothing(string name)
    {
        var hostile = ByName[name];
        foreach (var file in new[] { ImportParser.SecuritiesFile, ImportParser.ModelsFile, ImportParser.HouseholdsFile, ImportParser.AccountsFile, ImportParser.LotsFile })
        {
            var text = File.ReadAllText(Path.Combine(ImportParserTests.SamplesDir, file)).ReplaceLineEndings("\n");
            // Latin-1 writes 'é' as the single byte 0xE9: not valid UTF-8.
            File.WriteAllText(Path.Combine(_dir, file), file == hostile.File ? hostile.Break(text) : text,
                hostile.Latin1 && file == hostile.File ? Encoding.Latin1 : new UTF8Encoding(false));
        }
        var api = new HouseholdsApiClient(factory.CreateClient());
        var before = (await api.ListHouseholds(default)).Select(h => h.Id).ToList();

        var (code, stdout, stderr) = await CliRunner.Run(factory, "import", "--dir", _dir);

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.StartsWith("error: import rejected, nothing was sent:", stderr);
        Assert.Contains(hostile.Where, stderr);
        Assert.DoesNotContain('\u001b', stderr);
        Assert.Equal(before, (await api.ListHouseholds(default)).Select(h => h.Id).ToList());
        Assert.Empty(before); // nothing was ever imported into this silo
        Assert.Equal(HttpStatusCode.NotFound, (await factory.CreateClient().GetAsync("/api/securities/VTI")).StatusCode);
        Assert.Null(await api.GetModel("EQ-CORE", default));
    }
}
