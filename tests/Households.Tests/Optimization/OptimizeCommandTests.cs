using Households.Tests.Support;
using System.CommandLine;
using System.Text.Json;
using Households.Client.Commands;
using Xunit;

namespace Households.Tests.Optimization;

public class OptimizeCommandTests
{
    // Reference objectives from the peer (cvxopt interior point, tolerances 1e-10), produced once with
    //   /usr/bin/python3 ../shared/optimizer/di_qp.py solve ../shared/optimizer/di_N{N}_problem.json --form factor --reps 3
    // on 2026-11-24 (Debian python3-cvxopt 1.3.0, numpy 1.24.2). The peer cannot run in CI, so its answers live here.
    public static TheoryData<int, double> PeerObjectives => new()
    {
        { 100, 0.00013362349814219335 },
        { 500, 1.3188692791738775e-05 },
        { 2000, 1.0453255646312015e-05 },
    };

    private static (int Code, string Out, string Err) Run(params string[] args) => Households.Tests.Cli.CliRunner.Offline(OptimizeCommand.Create(), args);

    [Theory]
    [MemberData(nameof(PeerObjectives))]
    public void Optimize_reproduces_the_peer_objective(int n, double peer)
    {
        var (code, stdout, stderr) = Run("optimize", SharedData.Problem(n), "--json");

        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        using var doc = JsonDocument.Parse(stdout);
        var r = doc.RootElement;
        Assert.Equal("optimal", r.GetProperty("status").GetString());
        double objective = r.GetProperty("objective").GetDouble();
        Assert.True(Math.Abs(objective - peer) / peer <= 1e-6, $"objective {objective:R} vs peer {peer:R}");
        Assert.Equal(n, r.GetProperty("weights").GetArrayLength());
        double te = r.GetProperty("tracking_error").GetDouble();
        Assert.InRange(te * te, 0, objective);
        Assert.True(r.GetProperty("solve_ms").GetDouble() > 0);
    }

    [Fact]
    public void Optimize_json_weights_are_feasible_in_ticker_order()
    {
        var problem = Households.Domain.Optimization.DiRebalanceProblem.Parse(File.ReadAllText(SharedData.Problem(100)));
        var (_, stdout, _) = Run("optimize", SharedData.Problem(100), "--json");
        var w = JsonDocument.Parse(stdout).RootElement.GetProperty("weights").EnumerateArray().Select(e => e.GetDouble()).ToArray();

        Assert.Equal(1.0, w.Sum(), 9);
        Assert.All(w, x => Assert.InRange(x, -1e-12, problem.WMax + 1e-9));
        Assert.All(problem.Excluded, i => Assert.True(Math.Abs(w[i]) <= 1e-10, $"excluded {problem.Tickers[i]} holds {w[i]}"));
        for (int s = 0; s < problem.SectorNames.Length; s++)
        {
            double active = Enumerable.Range(0, problem.N).Where(i => problem.Sector[i] == s).Sum(i => w[i] - problem.Benchmark[i]);
            Assert.True(Math.Abs(active) <= problem.SectorBandWidth + 1e-9, $"sector {problem.SectorNames[s]} active {active}");
        }
    }

    [Fact]
    public void A_plain_covariance_statement_of_the_problem_gives_the_same_objective()
    {
        // README: D may be zero and B the identity with F a full covariance. Restate the N=100 problem that way.
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(SharedData.Problem(100)))!.AsObject();
        var p = Households.Domain.Optimization.DiRebalanceProblem.Parse(json.ToJsonString());
        int n = p.N;
        var sigma = new double[n][];
        for (int i = 0; i < n; i++) sigma[i] = new double[n];
        for (int i = 0; i < n; i++)
            for (int j = i; j < n; j++)
            {
                var a = new double[n];
                a[i] += 1; a[j] += 1;
                double v = i == j ? p.Risk.Variance(a) / 4 : (p.Risk.Variance(a) - Var(p, i) - Var(p, j)) / 2;
                sigma[i][j] = sigma[j][i] = v;
            }
        json["k"] = n;
        json["B"] = new System.Text.Json.Nodes.JsonArray(Enumerable.Range(0, n).Select(i =>
            (System.Text.Json.Nodes.JsonNode)new System.Text.Json.Nodes.JsonArray(Enumerable.Range(0, n).Select(j => (System.Text.Json.Nodes.JsonNode)(i == j ? 1.0 : 0.0)).ToArray())).ToArray());
        json["F"] = new System.Text.Json.Nodes.JsonArray(sigma.Select(row =>
            (System.Text.Json.Nodes.JsonNode)new System.Text.Json.Nodes.JsonArray(row.Select(v => (System.Text.Json.Nodes.JsonNode)v).ToArray())).ToArray());
        json["D"] = new System.Text.Json.Nodes.JsonArray(Enumerable.Repeat(0.0, n).Select(v => (System.Text.Json.Nodes.JsonNode)v).ToArray());
        json["factor_names"] = new System.Text.Json.Nodes.JsonArray(Enumerable.Range(0, n).Select(i => (System.Text.Json.Nodes.JsonNode)$"a{i}").ToArray());
        var path = Path.GetTempFileName();
        File.WriteAllText(path, json.ToJsonString());
        try
        {
            var (code, stdout, _) = Run("optimize", path, "--json");

            Assert.Equal(0, code);
            double objective = JsonDocument.Parse(stdout).RootElement.GetProperty("objective").GetDouble();
            double peer = 0.00013362349814219335;
            Assert.True(Math.Abs(objective - peer) / peer <= 1e-6, $"objective {objective:R} vs peer {peer:R}");
        }
        finally { File.Delete(path); }

        static double Var(Households.Domain.Optimization.DiRebalanceProblem p, int i)
        {
            var e = new double[p.N];
            e[i] = 1;
            return p.Risk.Variance(e);
        }
    }

    [Fact]
    public void Optimize_prints_a_human_summary_without_json()
    {
        var (code, stdout, _) = Run("optimize", SharedData.Problem(100));

        Assert.Equal(0, code);
        Assert.StartsWith("optimal: objective ", stdout);
    }

    [Fact]
    public void An_infeasible_problem_exits_3_with_status_infeasible()
    {
        // A 0.1% name cap cannot hold a fully invested 100-name portfolio (at most 10% invested).
        var json = File.ReadAllText(SharedData.Problem(100)).Replace("\"w_max\": 0.05", "\"w_max\": 0.001");
        Assert.Contains("\"w_max\": 0.001", json);
        var path = Path.GetTempFileName();
        File.WriteAllText(path, json);
        try
        {
            var (code, stdout, _) = Run("optimize", path, "--json");

            Assert.Equal(3, code);
            Assert.Equal("infeasible", JsonDocument.Parse(stdout).RootElement.GetProperty("status").GetString());
        }
        finally { File.Delete(path); }
    }

    public static TheoryData<string, string> BadProblems => new()
    {
        { "malformed JSON", "{ \"format\": " },
        { "wrong format tag", Small().Replace("di-rebalance-qp/1", "di-rebalance-qp/9") },
        { "dimension mismatch", Small().Replace("\"D\": [0.04, 0.09]", "\"D\": [0.04]") },
        { "negative D", Small().Replace("\"D\": [0.04, 0.09]", "\"D\": [-0.04, 0.09]") },
        { "non-symmetric F", Small().Replace("\"F\": [[0.02]]", "\"F\": [[0.02]]").Replace("\"k\": 1", "\"k\": 2").Replace("\"F\": [[0.02]]", "\"F\": [[0.02, 0.01], [0.0, 0.02]]").Replace("\"B\": [[1.0], [1.0]]", "\"B\": [[1.0, 0.0], [1.0, 1.0]]").Replace("\"factor_names\": [\"market\"]", "\"factor_names\": [\"market\", \"x\"]") },
        { "NaN", Small().Replace("\"lambda\": 0.00002", "\"lambda\": NaN") },
        { "infinite number", Small().Replace("\"lambda\": 0.00002", "\"lambda\": 1e999") },
        { "sector index out of range", Small().Replace("\"sector\": [0, 0]", "\"sector\": [0, 3]") },
        { "missing field", Small().Replace("\"w0\": [0.5, 0.5],", "") },
        { "string for a number", Small().Replace("\"w_max\": 0.8", "\"w_max\": \"0.8\"") },
    };

    [Theory]
    [MemberData(nameof(BadProblems))]
    public void Bad_input_exits_2_with_one_line_on_stderr(string what, string json)
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, json);
        try
        {
            var (code, stdout, stderr) = Run("optimize", path, "--json");

            Assert.True(code == 2, $"{what}: exit {code}, stderr {stderr}");
            Assert.Equal("", stdout);
            Assert.Single(stderr.TrimEnd('\n').Split('\n'));
            Assert.StartsWith("error: ", stderr);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void A_missing_file_exits_2()
    {
        var (code, stdout, stderr) = Run("optimize", "/nonexistent/problem.json");

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains("cannot read", stderr);
    }

    [Fact]
    public void The_small_valid_problem_solves()
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, Small());
        try { Assert.Equal(0, Run("optimize", path, "--json").Code); }
        finally { File.Delete(path); }
    }

    private static string Small() => """
        { "format": "di-rebalance-qp/1", "n": 2, "k": 1, "lambda": 0.00002, "w_max": 0.8, "sector_band": 0.5,
          "tickers": ["A", "B"], "sector_names": ["one"], "sector": [0, 0], "factor_names": ["market"],
          "B": [[1.0], [1.0]], "F": [[0.02]], "D": [0.04, 0.09], "b": [0.5, 0.5], "w0": [0.5, 0.5], "excluded": [] }
        """;
}
