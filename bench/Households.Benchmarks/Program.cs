using Households.Simulation.Market;
using Households.Simulation.Samples;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using Households.Domain.Optimization;
using Households.Domain.Optimization.Solvers;
using Households.Domain.Risk;

// Households.Benchmarks: figures for docs/benchmarks.md.
//   compare --shared DIR --out DIR --reps R N...   di-rebalance-qp/1 problems: our solvers, one JSON line per (N, solver)
//   model-account --shared DIR --reps R             one model-portfolio account rebalance (full Optimize), median
//   household --shared DIR --reps R                 the four-account household rebalance (full Optimize), median
//   household-decision --shared DIR --reps R        the same household through DecisionEngine.Decide, plain and with location and budget
//   bdn [BenchmarkDotNet args]                      the same scenarios under BenchmarkDotNet
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
string Arg(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
string shared = Arg("--shared", "/work/shared");
int reps = int.Parse(Arg("--reps", "11"), CultureInfo.InvariantCulture);
switch (args.FirstOrDefault())
{
    case "compare":
        string outDir = Arg("--out", "/tmp/optimize-vs-peer");
        Directory.CreateDirectory(outDir);
        var sizes = args.Skip(1).Where((a, i) => !a.StartsWith("--") && !(i > 0 && args.Skip(1).ElementAt(i - 1).StartsWith("--"))).Select(int.Parse);
        foreach (int n in sizes) Scenarios.Compare(shared, outDir, n, reps);
        break;
    case "compare-file":
        // compare-file PATH LABEL --reps R: the interior-point solver alone on any di-rebalance-qp/1 file.
        Scenarios.CompareFile(args[1], args[2], Arg("--out", "/tmp/optimize-vs-peer"), reps);
        break;
    case "model-account":
        Scenarios.Timed("model-account", reps, Scenarios.ModelAccount(shared));
        break;
    case "household":
        Scenarios.Timed("household", reps, Scenarios.Household(shared));
        break;
    case "household-decision":
        // The live engine's decision for the four-account household, plain and with location, tax profile and budget, side by side.
        foreach (var on in new[] { false, true }) Scenarios.Decision(on ? "household-decision+location+budget" : "household-decision", reps, shared, on);
        break;
    case "bdn":
        BenchmarkRunner.Run<OptimizerBenchmarks>(args: args.Skip(1).ToArray());
        break;
    default:
        Console.Error.WriteLine("usage: compare|model-account|household|bdn ...");
        return 2;
}
return 0;

public static class Scenarios
{
    public static RebalanceCase ModelAccount(string shared) =>
        SampleHouseholds.ModelAccount(ReturnSeriesFile.Load(Path.Combine(shared, "data", "SMALLCAP.RET.csv")));

    public static RebalanceCase Household(string shared) =>
        SampleHouseholds.FourAccountHousehold(DiRebalanceProblem.Parse(File.ReadAllText(Path.Combine(shared, "optimizer", "di_N500_problem.json"))));

    public static void Timed(string name, int reps, RebalanceCase c)
    {
        var opt = new RebalanceOptimizer();
        var total = new List<double>();
        var solve = new List<double>();
        Households.Contracts.RebalanceResult r = null!;
        for (int i = 0; i < Math.Max(40, reps / 10); i++) opt.Optimize(c.Portfolio, c.Policy);   // JIT warm-up (tiered compilation)
        for (int i = 0; i < reps; i++)
        {
            var sw = Stopwatch.StartNew();
            r = opt.Optimize(c.Portfolio, c.Policy);
            total.Add(sw.Elapsed.TotalMilliseconds);
            solve.Add(r.SolveMilliseconds);
        }
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            scenario = name, status = r.Status.ToString(), reps, median_ms = Median(total), p90_ms = Pct(total, 0.9), median_solve_ms = Median(solve),
            solves = r.Solves, trades = r.Trades.Length, te_before = r.TrackingErrorBefore, te_after = r.TrackingErrorAfter,
            short_term_gain = r.ShortTermGain, long_term_gain = r.LongTermGain, accounts = c.Portfolio.Accounts.Count,
            lots = c.Portfolio.Accounts.Sum(a => a.Lots.Count), securities = c.Portfolio.Securities.Count,
        }));
    }

    public static void Decision(string name, int reps, string shared, bool locationAndBudget)
    {
        var di = DiRebalanceProblem.Parse(File.ReadAllText(Path.Combine(shared, "optimizer", "di_N500_problem.json")));
        var (request, market) = SampleDecisions.FourAccountHousehold(di, locationAndBudget);
        for (int i = 0; i < (reps > 3 ? 20 : 0); i++) Households.Domain.Decisions.DecisionEngine.Decide(request, market);   // JIT warm-up
        var total = new List<double>();
        Households.Domain.Decisions.HouseholdPlan plan = null!;
        for (int i = 0; i < reps; i++)
        {
            var sw = Stopwatch.StartNew();
            plan = Households.Domain.Decisions.DecisionEngine.Decide(request, market);
            total.Add(sw.Elapsed.TotalMilliseconds);
        }
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            scenario = name, outcome = plan.Record.Outcome.ToString(), reps, median_ms = Median(total), p90_ms = Pct(total, 0.9),
            median_solve_ms = plan.Result.SolveMilliseconds, solves = plan.Result.Solves, relaxed = plan.Record.Relaxed.Length, trades = plan.Trades.Length,
            te_before = plan.Result.TrackingErrorBefore, te_after = plan.Result.TrackingErrorAfter, net_gain = plan.Result.ShortTermGain + plan.Result.LongTermGain,
        }));
    }

    public static void Compare(string shared, string outDir, int n, int reps)
    {
        var p = DiRebalanceProblem.Parse(File.ReadAllText(Path.Combine(shared, "optimizer", $"di_N{n}_problem.json")));
        var ctx = new OptimizationContext(p.ToState(), true);
        foreach (var t in p.ToPolicy().Terms) t.AddTo(ctx);
        foreach (var c in p.ToPolicy().Constraints) c.AddTo(ctx);
        (string Name, Func<IQpSolver> Make, int Reps)[] solvers =
        [
            ("ipm", () => new InteriorPointSolver(), reps),
            ("pdlp-1e-6", () => new PdlpSolver(tolerance: 1e-6), Math.Min(reps, 5)),
            ("pdlp-1e-8", () => new PdlpSolver(tolerance: 1e-8), Math.Min(reps, 5)),
            ("pdlp-1e-10", () => new PdlpSolver(tolerance: 1e-10), Math.Min(reps, 5)),
            // SCIP accepts the QP (as MIQP) but is slow: one run, and only on the small problem.
            .. (n <= 100 ? new (string, Func<IQpSolver>, int)[] { ("scip", () => new PdlpSolver(solverName: "scip"), 1) } : []),
        ];
        foreach (var (name, make, r) in solvers)
        {
            // Warm-up: tiered JIT promotes the solver's loops after ~30 calls; a silo runs warm.
            for (int i = 0; i < (name == "ipm" ? 40 : name == "scip" ? 0 : 2); i++) make().Solve(ctx.Model);
            var times = new List<double>();
            QpSolution s = null!;
            for (int i = 0; i < r; i++)
            {
                s = make().Solve(ctx.Model);
                times.Add(s.SolveMilliseconds);
            }
            var w = Enumerable.Range(0, p.N).Select(i => ctx.Holding(0, i, s.X)).ToArray();
            var (obj, tv) = p.Evaluate(w);
            string file = Path.Combine(outDir, $"{name}_N{n}.json");
            File.WriteAllText(file, JsonSerializer.Serialize(new { weights = w }));
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                n, solver = name, status = s.Status.ToString(), objective = obj, tracking_error = Math.Sqrt(tv), iterations = s.Iterations,
                median_ms = Median(times), min_ms = times.Min(), reps = r, max_violation = ctx.Model.MaxViolation(s.X), weights_file = file,
            }));
        }
    }

    public static void CompareFile(string path, string label, string outDir, int reps)
    {
        var p = DiRebalanceProblem.Parse(File.ReadAllText(path));
        var ctx = new OptimizationContext(p.ToState(), true);
        foreach (var t in p.ToPolicy().Terms) t.AddTo(ctx);
        foreach (var c in p.ToPolicy().Constraints) c.AddTo(ctx);
        for (int i = 0; i < 3; i++) new InteriorPointSolver().Solve(ctx.Model);
        var times = new List<double>();
        QpSolution s = null!;
        for (int i = 0; i < reps; i++)
        {
            s = new InteriorPointSolver().Solve(ctx.Model);
            times.Add(s.SolveMilliseconds);
        }
        var w = Enumerable.Range(0, p.N).Select(i => ctx.Holding(0, i, s.X)).ToArray();
        var (obj, _) = p.Evaluate(w);
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, $"ipm_{label}.json"), JsonSerializer.Serialize(new { weights = w }));
        Console.WriteLine(JsonSerializer.Serialize(new { label, n = p.N, solver = "ipm", status = s.Status.ToString(), objective = obj, median_ms = Median(times), reps, iterations = s.Iterations }));
    }

    public static double Median(List<double> xs) => Pct(xs, 0.5);

    public static double Pct(List<double> xs, double q)
    {
        var s = xs.Order().ToArray();
        double pos = q * (s.Length - 1);
        int lo = (int)Math.Floor(pos), hi = (int)Math.Ceiling(pos);
        return s[lo] + (s[hi] - s[lo]) * (pos - lo);
    }
}

[MemoryDiagnoser]
public class OptimizerBenchmarks
{
    private RebalanceCase model = null!, household = null!;
    private OptimizationContext di500 = null!;
    private readonly RebalanceOptimizer optimizer = new();

    [GlobalSetup]
    public void Setup()
    {
        string shared = Environment.GetEnvironmentVariable("HOUSEHOLDS_SHARED") ?? "/work/shared";
        model = Scenarios.ModelAccount(shared);
        household = Scenarios.Household(shared);
        var p = DiRebalanceProblem.Parse(File.ReadAllText(Path.Combine(shared, "optimizer", "di_N500_problem.json")));
        di500 = new OptimizationContext(p.ToState(), true);
        foreach (var t in p.ToPolicy().Terms) t.AddTo(di500);
        foreach (var c in p.ToPolicy().Constraints) c.AddTo(di500);
    }

    [Benchmark]
    public QpSolution DiN500InteriorPoint() => new InteriorPointSolver().Solve(di500.Model);

    [Benchmark]
    public Households.Contracts.RebalanceResult ModelAccountRebalance() => optimizer.Optimize(model.Portfolio, model.Policy);

    [Benchmark]
    public Households.Contracts.RebalanceResult FourAccountHousehold() => optimizer.Optimize(household.Portfolio, household.Policy);
}
