using System.Text.Json;
using Households.Client.Commands;
using Households.Tests.Support;
using Xunit;

namespace Households.Tests.Cli;

/// <summary><c>households optimize PROBLEM.json --policy POLICY.json</c> on the shared N=100 direct-indexing problem: the live
/// path's policy terms reach the standalone optimizer, and an empty policy changes nothing.</summary>
public sealed class CliOptimizePolicyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hh-optimize-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Policy(string json)
    {
        var path = Path.Combine(_dir, $"{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }

    private static JsonElement Solve(params string[] extra)
    {
        var (code, output, error) = CliRunner.Offline(OptimizeCommand.Create(), ["optimize", SharedData.Problem(100), "--json", .. extra]);
        Assert.True(code == 0, error + output);
        return JsonDocument.Parse(output).RootElement;
    }

    private static double[] Weights(JsonElement r) => [.. r.GetProperty("weights").EnumerateArray().Select(w => w.GetDouble())];

    [Fact]
    public void An_empty_policy_solves_the_problem_as_stated_and_views_and_tilts_move_the_weights()
    {
        var plain = Solve();
        var empty = Solve("--policy", Policy("{}"));
        Assert.Equal(plain.GetProperty("objective").GetDouble(), empty.GetProperty("objective").GetDouble(), 1e-10);

        var problem = JsonDocument.Parse(File.ReadAllText(SharedData.Problem(100))).RootElement;
        var sector = problem.GetProperty("sector").EnumerateArray().Select(s => s.GetInt32()).ToArray();
        var it = Array.IndexOf(problem.GetProperty("sector_names").EnumerateArray().Select(s => s.GetString()).ToArray(), "Information Technology");
        double SectorWeight(double[] w) => w.Where((_, i) => sector[i] == it).Sum();

        // A +5 % a year view on technology, inside the problem's 2 % sector band: technology rises to the band's edge.
        var viewed = Solve("--policy", Policy("""{"views":[{"sector":"Information Technology","alpha":0.05}]}"""));
        var benchmark = problem.GetProperty("b").EnumerateArray().Select(b => b.GetDouble()).Where((_, i) => sector[i] == it).Sum();
        Assert.Equal(benchmark + 0.02, SectorWeight(Weights(viewed)), 1e-4);
        Assert.True(viewed.GetProperty("tracking_error").GetDouble() > plain.GetProperty("tracking_error").GetDouble());

        // A value tilt of +0.1 (band 0.01) on the problem's own factor.
        var b = problem.GetProperty("B").EnumerateArray().Select(r => r.EnumerateArray().Select(x => x.GetDouble()).ToArray()).ToArray();
        var value = Array.IndexOf(problem.GetProperty("factor_names").EnumerateArray().Select(s => s.GetString()).ToArray(), "value");
        double Exposure(double[] w) => w.Select((x, i) => x * b[i][value]).Sum();
        var bench = problem.GetProperty("b").EnumerateArray().Select(x => x.GetDouble()).ToArray();
        var tilted = Solve("--policy", Policy("""{"factorTilts":[{"factor":"value","tilt":0.1,"band":0.01}]}"""));
        Assert.InRange(Exposure(Weights(tilted)) - Exposure(bench), 0.09 - 1e-6, 0.11 + 1e-6);
    }

    [Fact]
    public void A_bad_policy_exits_2_with_one_line()
    {
        var (code, _, error) = CliRunner.Offline(OptimizeCommand.Create(), "optimize", SharedData.Problem(100), "--policy", Policy("""{"maxWeight":2}"""));
        Assert.Equal(2, code);
        Assert.Contains("maxWeight", error);
        Assert.Single(error.Trim().Split('\n'));
        (code, _, error) = CliRunner.Offline(OptimizeCommand.Create(), "optimize", SharedData.Problem(100), "--policy", Policy("""{"factorTilts":[{"factor":"carry","tilt":0.1}]}"""));
        Assert.Equal(2, code);
        Assert.Contains("carry", error);
    }
}
