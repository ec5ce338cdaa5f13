using CsCheck;
using Households.Domain.Optimization.Solvers;
using Xunit;

namespace Households.Tests.Optimization;

public class SolverPropertyTests
{
    /// <summary>A random convex QP with the structure terms build: blocks of 1–4 variables with a PSD quadratic
    /// (random L Lᵀ, possibly singular), box, one-sided or no bounds, rows inside a block and rows across blocks,
    /// equalities and ranges, all feasible by construction around a random point.</summary>
    private static QpModel RandomQp(int seed)
    {
        var rng = new Random(seed);
        var m = new QpModel();
        int blocks = 1 + rng.Next(6);
        var vars = new List<int>();
        var feasible = new List<double>();
        for (int b = 0; b < blocks; b++)
        {
            int block = m.NewBlock(), size = 1 + rng.Next(4);
            var mine = new List<int>();
            for (int j = 0; j < size; j++)
            {
                double x0 = rng.NextDouble();
                int kind = rng.Next(4);
                int v = kind switch
                {
                    0 => m.AddVariable(0, 1 + rng.NextDouble(), rng.NextDouble() - 0.5, block),
                    1 => m.AddVariable(0, double.PositiveInfinity, rng.NextDouble(), block),
                    3 => m.AddVariable(double.NegativeInfinity, double.PositiveInfinity, rng.NextDouble() - 0.5, block, x0),
                    _ => m.AddVariable(x0 - rng.NextDouble(), x0 + rng.NextDouble(), rng.NextDouble() - 0.5, block),
                };
                mine.Add(v);
                vars.Add(v);
                feasible.Add(kind is 1 or 3 ? x0 : Math.Clamp(x0, m.LowerBound(v), m.UpperBound(v)));
            }
            int rank = 1 + rng.Next(size);
            var l = new double[size, rank];
            for (int p = 0; p < size; p++)
                for (int q = 0; q < rank; q++) l[p, q] = rng.NextDouble() - 0.5;
            for (int p = 0; p < size; p++)
                for (int q = p; q < size; q++)
                {
                    double h = 0;
                    for (int r = 0; r < rank; r++) h += l[p, r] * l[q, r];
                    // Unbounded-above variables need curvature so the problem stays bounded.
                    if (p == q) h += 0.05;
                    m.AddQuadratic(mine[p], mine[q], p == q ? h : 2 * h);
                }
            if (size > 1 && rng.Next(2) == 0) AddRow(m, rng, mine, vars, feasible);
        }
        for (int r = rng.Next(4); r > 0; r--) AddRow(m, rng, vars, vars, feasible);
        return m;
    }

    private static void AddRow(QpModel m, Random rng, List<int> pick, List<int> all, List<double> feasible)
    {
        double activity = 0;
        var terms = pick.Where(_ => rng.Next(3) > 0).DefaultIfEmpty(pick[0]).Distinct().Select(v => (v, c: rng.NextDouble() * 2 - 1)).ToList();
        foreach (var (v, c) in terms) activity += c * feasible[all.IndexOf(v)];
        bool equality = rng.Next(2) == 0;
        int row = equality ? m.AddRow(activity, activity) : m.AddRow(activity - rng.NextDouble(), activity + rng.NextDouble());
        foreach (var (v, c) in terms) m.AddRowTerm(row, v, c);
    }

    [Fact]
    public void Interior_point_and_pdlp_agree_on_random_block_structured_qps()
    {
        Gen.Int[0, 1_000_000].Sample(seed =>
        {
            var m = RandomQp(seed);
            var ipm = new InteriorPointSolver().Solve(m);
            var pdlp = new PdlpSolver(tolerance: 1e-10).Solve(m);

            Assert.Equal(QpStatus.Optimal, ipm.Status);
            Assert.True(m.MaxViolation(ipm.X) <= 1e-8, $"seed {seed}: violation {m.MaxViolation(ipm.X)}");
            if (pdlp.Status == QpStatus.Optimal)
                Assert.True(ipm.Objective <= pdlp.Objective + 1e-6 * (1 + Math.Abs(pdlp.Objective)),
                    $"seed {seed}: ipm {ipm.Objective:R} pdlp {pdlp.Objective:R}");
        }, iter: int.TryParse(Environment.GetEnvironmentVariable("QP_ITER"), out var k) ? k : 60, threads: 1);   // QP_ITER=3000 for a longer hunt
    }
}
