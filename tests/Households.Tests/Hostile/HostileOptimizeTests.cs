using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Households.Client.Commands;
using Xunit;

namespace Households.Tests.Hostile;

/// <summary>Generated malformed <c>di-rebalance-qp/1</c> problems (exit 2, one line on stderr, nothing on stdout)
/// and genuinely infeasible ones (exit 3, status infeasible).</summary>
public static class HostileOptimizeCases
{
    /// <summary>n = 2, k = 1: the smallest valid problem; every case breaks one thing in it.</summary>
    public const string Small = """
        { "format": "di-rebalance-qp/1", "n": 2, "k": 1, "lambda": 0.00002, "w_max": 0.8, "sector_band": 0.5,
          "tickers": ["A", "B"], "sector_names": ["one"], "sector": [0, 0], "factor_names": ["market"],
          "B": [[1.0], [1.0]], "F": [[0.02]], "D": [0.04, 0.09], "b": [0.5, 0.5], "w0": [0.5, 0.5], "excluded": [] }
        """;

    private static IReadOnlyDictionary<string, (byte[] File, string Expect)>? _malformed;
    private static IReadOnlyDictionary<string, byte[]>? _infeasible;

    public static IReadOnlyDictionary<string, (byte[] File, string Expect)> Malformed => _malformed ??= BuildMalformed().ToDictionary(c => c.Name, c => (c.File, c.Expect));
    public static IReadOnlyDictionary<string, byte[]> Infeasible => _infeasible ??= BuildInfeasible().ToDictionary(c => c.Name, c => c.File);

    private static JsonObject Problem() => JsonNode.Parse(Small)!.AsObject();

    /// <summary>The problem with one field set (null removes it), serialized; <c>@@RAW:x@@</c> splices a bare token.</summary>
    private static byte[] With(string field, JsonNode? value, bool remove = false)
    {
        var p = Problem();
        if (remove) p.Remove(field);
        else p[field] = value;
        return Encoding.UTF8.GetBytes(System.Text.RegularExpressions.Regex.Replace(p.ToJsonString(), "\"@@RAW:([^@]*)@@\"", "$1"));
    }

    private static JsonNode Raw(string token) => JsonValue.Create($"@@RAW:{token}@@")!;

    private static JsonNode Arr(params object[] items) => JsonNode.Parse(JsonSerializer.Serialize(items))!;

    private static byte[] Text(string s) => Encoding.UTF8.GetBytes(s);

    private static IEnumerable<(string Name, byte[] File, string Expect)> BuildMalformed()
    {
        // Malformed JSON
        yield return ("truncated", Text(Small[..(Small.Length / 2)]), "not valid JSON");
        yield return ("empty-file", [], "not valid JSON");
        yield return ("null", Text("null"), "JSON object");
        yield return ("array", Text("[]"), "JSON object");
        yield return ("single-quotes", Text(Small.Replace('"', '\'')), "not valid JSON");
        yield return ("trailing-comma", Text(Small.TrimEnd().TrimEnd('}') + ",}"), "not valid JSON");
        yield return ("duplicate-n", Text(Small.Replace("\"n\": 2,", "\"n\": 2, \"n\": 3,")), "not valid JSON");
        yield return ("deep-nesting", Text(Small.Replace("\"excluded\": []", "\"excluded\": " + new string('[', 5000) + new string(']', 5000))), "not valid JSON");
        yield return ("invalid-utf8", [.. Text(Small.Replace("\"A\"", "\"A")[..Small.IndexOf("\"A\"", StringComparison.Ordinal)]), 0xFF, .. Text(Small[Small.IndexOf("\"A\"", StringComparison.Ordinal)..])], "UTF-8");
        // Format tag
        yield return ("format-missing", With("format", null, remove: true), "format");
        yield return ("format-v2", With("format", "di-rebalance-qp/2"), "format");
        yield return ("format-number", With("format", 1), "format");
        // Non-finite numbers
        yield return ("lambda-NaN-token", With("lambda", Raw("NaN")), "not valid JSON");
        yield return ("lambda-Infinity-token", With("lambda", Raw("Infinity")), "not valid JSON");
        yield return ("lambda-1e999", With("lambda", Raw("1e999")), "lambda");
        yield return ("lambda-NaN-string", With("lambda", "NaN"), "lambda");
        yield return ("F-NaN-string", With("F", JsonNode.Parse("""[["NaN"]]""")), "F[0][0]");
        yield return ("F-1e999", With("F", JsonNode.Parse("[[1e999]]")), "F[0][0]");
        yield return ("D-minus-1e999", With("D", JsonNode.Parse("[-1e999, 0.09]")), "D[0]");
        yield return ("b-Infinity-string", With("b", Arr("Infinity", 0.5)), "b[0]");
        yield return ("w0-1e400", With("w0", JsonNode.Parse("[1e400, 0.5]")), "w0[0]");
        yield return ("B-string-number", With("B", JsonNode.Parse("""[["1.0"], [1.0]]""")), "B[0][0]");
        // Dimensions
        yield return ("D-too-short", With("D", Arr(0.04)), "'D' has 1 entries, expected 2");
        yield return ("b-too-long", With("b", Arr(0.4, 0.3, 0.3)), "'b' has 3 entries, expected 2");
        yield return ("w0-too-short", With("w0", Arr(1.0)), "'w0'");
        yield return ("tickers-too-long", With("tickers", Arr("A", "B", "C")), "'tickers'");
        yield return ("sector-too-short", With("sector", Arr(0)), "'sector'");
        yield return ("B-one-row", With("B", JsonNode.Parse("[[1.0]]")), "'B'");
        yield return ("B-row-too-wide", With("B", JsonNode.Parse("[[1.0, 0.0], [1.0]]")), "B[0]");
        yield return ("F-2x2-for-k-1", With("F", JsonNode.Parse("[[0.02, 0], [0, 0.02]]")), "'F'");
        yield return ("factor_names-too-long", With("factor_names", Arr("a", "b")), "factor_names");
        // Variances and covariance
        yield return ("D-negative", With("D", Arr(-0.04, 0.09)), "D[0] is negative");
        var twoFactors = Problem();
        twoFactors["k"] = 2;
        twoFactors["factor_names"] = Arr("a", "b");
        twoFactors["B"] = JsonNode.Parse("[[1.0, 0.0], [0.0, 1.0]]");
        twoFactors["F"] = JsonNode.Parse("[[0.01, 0.05], [0.05, 0.01]]");
        yield return ("F-not-PSD", Text(twoFactors.ToJsonString()), "positive semidefinite");
        twoFactors["F"] = JsonNode.Parse("[[0.02, 0.01], [0.0, 0.02]]");
        yield return ("F-not-symmetric", Text(twoFactors.ToJsonString()), "symmetric");
        twoFactors["F"] = JsonNode.Parse("[[-0.02, 0.0], [0.0, 0.02]]");
        yield return ("F-negative-variance", Text(twoFactors.ToJsonString()), "positive semidefinite");
        // Bounds and scalars
        yield return ("w_max-zero", With("w_max", 0), "w_max");
        yield return ("w_max-negative", With("w_max", -0.1), "w_max");
        yield return ("sector_band-negative", With("sector_band", -0.01), "sector_band");
        yield return ("lambda-negative", With("lambda", -1), "lambda");
        yield return ("n-zero", With("n", 0), "n must be");
        yield return ("n-negative", With("n", -2), "n must be");
        yield return ("n-fraction", With("n", 1.5), "'n' must be an integer");
        yield return ("n-beyond-int", With("n", Raw("2147483648")), "'n' must be an integer");
        yield return ("n-huge", With("n", 50_000_000), "at most");
        yield return ("k-huge", With("k", 1_000_000_000), "at most");
        yield return ("k-zero", With("k", 0), "k must be");
        // Indices and weights
        yield return ("sector-index-negative", With("sector", Arr(0, -1)), "sector[1]");
        yield return ("sector-index-beyond", With("sector", Arr(0, 5)), "sector[1]");
        yield return ("sector_names-empty", With("sector_names", new JsonArray()), "sector_names");
        yield return ("excluded-out-of-range", With("excluded", Arr(2)), "excluded index 2");
        yield return ("excluded-negative", With("excluded", Arr(-1)), "excluded index -1");
        yield return ("excluded-fraction", With("excluded", Arr(0.5)), "excluded[0]");
        yield return ("tickers-duplicate", With("tickers", Arr("A", "A")), "not unique");
        yield return ("tickers-number", With("tickers", Arr("A", 7)), "tickers[1]");
        yield return ("b-negative", With("b", Arr(1.2, -0.2)), "negative");
        yield return ("b-sums-to-0.7", With("b", Arr(0.35, 0.35)), "sums to");
        yield return ("w0-negative", With("w0", Arr(-0.5, 1.5)), "w0[0]");
        yield return ("missing-F", With("F", null, remove: true), "missing field 'F'");
        yield return ("missing-tickers", With("tickers", null, remove: true), "missing field 'tickers'");
    }

    private static IEnumerable<(string Name, byte[] File)> BuildInfeasible()
    {
        // A name cap too small to be fully invested: 2 × 0.4 < 1.
        yield return ("cap-too-small", With("w_max", 0.4));
        // One of two names excluded, the other capped at 0.8.
        yield return ("excluded-leaves-too-little", With("excluded", Arr(0)));
        // Every name excluded.
        yield return ("all-excluded", With("excluded", Arr(0, 1)));
        // Two sectors with zero band: sector one must hold its benchmark 0.5 but its only name is excluded.
        var p = Problem();
        p["sector_names"] = Arr("one", "two");
        p["sector"] = Arr(0, 1);
        p["sector_band"] = 0;
        p["excluded"] = Arr(0);
        yield return ("sector-band-with-excluded-name", Text(p.ToJsonString()));
    }
}

public sealed class HostileOptimizeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hostile-optimize-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string> MalformedCases() => [.. HostileOptimizeCases.Malformed.Keys];
    public static TheoryData<string> InfeasibleCases() => [.. HostileOptimizeCases.Infeasible.Keys];

    private (int Code, string Out, string Err) Run(byte[] file)
    {
        var path = Path.Combine(_dir, "problem.json");
        File.WriteAllBytes(path, file);
        var root = new System.CommandLine.RootCommand("households");
        root.Subcommands.Add(OptimizeCommand.Create());
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = CommandLine.Run(root, ["optimize", path, "--json"], stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Theory]
    [MemberData(nameof(MalformedCases))]
    public void Malformed_problem_exits_2_with_one_line_naming_it_and_prints_nothing(string name)
    {
        var (file, expect) = HostileOptimizeCases.Malformed[name];
        var (code, stdout, stderr) = Run(file);
        Assert.True(code == 2, $"{name}: exit {code}, stderr {stderr}");
        Assert.Equal("", stdout);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.Contains(expect, stderr);
    }

    [Theory]
    [MemberData(nameof(InfeasibleCases))]
    public void Infeasible_problem_exits_3_with_status_infeasible(string name)
    {
        var (code, stdout, stderr) = Run(HostileOptimizeCases.Infeasible[name]);
        Assert.True(code == 3, $"{name}: exit {code}, stderr {stderr}");
        Assert.Equal("infeasible", JsonDocument.Parse(stdout).RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public void The_small_problem_the_cases_break_is_itself_valid()
    {
        Assert.Equal(0, Run(Encoding.UTF8.GetBytes(HostileOptimizeCases.Small)).Code);
    }
}
