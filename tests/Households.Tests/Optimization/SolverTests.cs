using Households.Simulation.Market;
using Households.Tests.Support;
using Households.Contracts;
using Households.Domain.Optimization;
using Households.Domain.Optimization.Solvers;
using Households.Domain.Risk;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace Households.Tests.Optimization;

public class SolverTests
{
    [Fact]
    public void Unconstrained_minimum_variance_matches_the_closed_form()
    {
        // Budget constraint only, long-short: w* = Σ⁻¹1 / 1ᵀΣ⁻¹1 on the real SWX daily returns (annualised).
        var swx = ReturnSeriesFile.Load(SharedData.Data("SWX.RET.csv"));
        var sigma = Covariance.Sample(swx.Returns) * 252;
        int n = swx.Count;
        var risk = FactorRiskModel.FromCovariance(swx.Assets, Symmetric(sigma));
        var portfolio = new HouseholdPortfolio(
            swx.Assets.Select(a => new Security(a, a, "index", "Index", null, SecurityKind.EquityFund)).ToArray(),
            swx.Assets.ToDictionary(a => a, _ => 1m),
            [new AccountHoldings("a", AccountType.Ira, 1_000_000m, [], [])], new DateOnly(2026, 11, 24));
        var policy = new Policy([new TrackingError(risk, new double[n])], [new FullyInvested()]);

        var ws = new RebalanceOptimizer().SolveWeights(OptimizerHousehold.From(portfolio), policy);

        var ones = Vector<double>.Build.Dense(n, 1.0);
        var sinv1 = sigma.Solve(ones);
        var expected = sinv1 / sinv1.Sum();
        var w = Vector<double>.Build.Dense(n, i => ws.Context.Holding(0, i, ws.Solution.X));
        Assert.Equal(QpStatus.Optimal, ws.Solution.Status);
        Assert.True(expected.Min() < 0, "the closed form is long-short on this data");
        for (int i = 0; i < n; i++) Assert.Equal(expected[i], w[i], 7);
        // First-order condition: Σw is the same for every asset (the budget's multiplier).
        var g = sigma * w;
        Assert.True((g - g.Average()).AbsoluteMaximum() <= 1e-7 * Math.Abs(g.Average()), "Σw is not constant");
        Assert.Equal(w * sigma * w, ws.Solution.Objective, 12);
    }

    [Fact]
    public void The_di_problem_solution_satisfies_every_constraint_tightly()
    {
        var p = DiRebalanceProblem.Parse(File.ReadAllText(SharedData.Problem(500)));
        var state = p.ToState();

        var ws = new RebalanceOptimizer().SolveWeights(state, p.ToPolicy());

        Assert.Equal(QpStatus.Optimal, ws.Solution.Status);
        Assert.True(ws.Context.Model.MaxViolation(ws.Solution.X) <= 1e-10, $"violation {ws.Context.Model.MaxViolation(ws.Solution.X)}");
        // The model's objective (constants included) is the problem's stated objective.
        var w = Enumerable.Range(0, p.N).Select(i => ws.Context.Holding(0, i, ws.Solution.X)).ToArray();
        Assert.Equal(p.Evaluate(w).Objective, ws.Solution.Objective, 14);
        // Complementarity of |w − w0|: never buy and sell the same name.
        for (int i = 0; i < p.N; i++)
            Assert.True(Math.Min(ws.Solution.X[ws.Context.Buy(0, i)], ws.Context.SoldWeight(0, i, ws.Solution.X)) <= 1e-9);
    }

    [Fact]
    public void Pdlp_through_or_tools_agrees_with_the_interior_point_solver()
    {
        var p = DiRebalanceProblem.Parse(File.ReadAllText(SharedData.Problem(100)));

        var ipm = p.Solve(new InteriorPointSolver());
        var pdlp = p.Solve(new PdlpSolver(tolerance: 1e-10));

        Assert.Equal(QpStatus.Optimal, pdlp.Status);
        Assert.True(Math.Abs(pdlp.Objective - ipm.Objective) / ipm.Objective <= 1e-6, $"pdlp {pdlp.Objective:R} ipm {ipm.Objective:R}");
        Assert.True(pdlp.Weights.Zip(ipm.Weights).Max(z => Math.Abs(z.First - z.Second)) <= 1e-4);
    }

    [Fact]
    public void The_proto_for_pdlp_has_a_diagonal_quadratic_objective_with_the_same_value()
    {
        var p = DiRebalanceProblem.Parse(File.ReadAllText(SharedData.Problem(100)));
        var state = p.ToState();
        var ctx = new OptimizationContext(state, true);
        foreach (var t in p.ToPolicy().Terms) t.AddTo(ctx);
        var x = new InteriorPointSolver().Solve(ctx.Model).X;

        var proto = PdlpSolver.ToProto(ctx.Model);

        var q = proto.QuadraticObjective;
        Assert.All(Enumerable.Range(0, q.Coefficient.Count), k => Assert.Equal(q.Qvar1Index[k], q.Qvar2Index[k]));
        // Extend x with the auxiliary variables z = Eᵀx from their defining rows and evaluate the proto's objective.
        var full = new double[proto.Variable.Count];
        Array.Copy(x, full, x.Length);
        foreach (var row in proto.Constraint.Skip(ctx.Model.RowCount))
        {
            int z = row.VarIndex[^1];
            full[z] = Enumerable.Range(0, row.VarIndex.Count - 1).Sum(k => row.Coefficient[k] * full[row.VarIndex[k]]);
        }
        double f = proto.ObjectiveOffset + proto.Variable.Select((v, i) => v.ObjectiveCoefficient * full[i]).Sum()
            + Enumerable.Range(0, q.Coefficient.Count).Sum(k => q.Coefficient[k] * full[q.Qvar1Index[k]] * full[q.Qvar2Index[k]]);
        Assert.Equal(ctx.Model.Objective(x), f, 12);
    }

    [Fact]
    public void A_factor_tilt_lands_inside_its_band()
    {
        var p = DiRebalanceProblem.Parse(File.ReadAllText(SharedData.Problem(100)));
        int value = p.Risk.Factors.ToList().IndexOf("value");
        double Exposure(WeightSolution ws) =>
            Enumerable.Range(0, p.N).Sum(i => p.Risk.B[i, value] * (ws.Context.Holding(0, i, ws.Solution.X) - p.Benchmark[i]));
        var basePolicy = p.ToPolicy();
        var tilted = basePolicy with { Constraints = [.. basePolicy.Constraints, new FactorExposureBand(p.Risk, p.Benchmark, "value", 0.10, 0.02)] };

        double plain = Exposure(new RebalanceOptimizer().SolveWeights(p.ToState(), basePolicy));
        double tilt = Exposure(new RebalanceOptimizer().SolveWeights(p.ToState(), tilted));

        Assert.True(Math.Abs(plain) < 0.05, $"untilted exposure {plain}");
        Assert.InRange(tilt, 0.08 - 1e-9, 0.12 + 1e-9);
        Assert.Equal(0.08, tilt, 6);  // tracking error pulls it to the nearest edge
    }

    [Fact]
    public void An_infeasible_model_is_reported_infeasible()
    {
        var m = new QpModel();
        int a = m.AddVariable(0, 1, 1), b = m.AddVariable(0, 1, 1);
        m.AddQuadratic(a, a, 1);
        int r = m.AddRow(3, 3);
        m.AddRowTerm(r, a, 1);
        m.AddRowTerm(r, b, 1);

        var s = new InteriorPointSolver().Solve(m);

        Assert.Equal(QpStatus.Infeasible, s.Status);
    }

    [Fact]
    public void A_small_qp_with_ranges_and_blocks_matches_its_hand_solution()
    {
        // minimize (x−2)² + (y−1)² + x·y  subject to x + y ≤ 1.5, x,y ≥ 0 (x, y in one block).
        // Both the row and y ≥ 0 are active: with y = 0, x = 1.5 and the row's multiplier λ = 4 − 2x = 1;
        // y's reduced cost 2y − 2 + x + λ = 0.5 ≥ 0 confirms y at its bound. Objective 0.25 + 1 + 0 = 1.25.
        var m = new QpModel();
        int blk = m.NewBlock();
        int x = m.AddVariable(0, double.PositiveInfinity, -4, blk), y = m.AddVariable(0, double.PositiveInfinity, -2, blk);
        m.AddQuadratic(x, x, 1);
        m.AddQuadratic(y, y, 1);
        m.AddQuadratic(x, y, 1);
        m.ObjectiveConstant = 5;
        int r = m.AddRow(double.NegativeInfinity, 1.5);
        m.AddRowTerm(r, x, 1);
        m.AddRowTerm(r, y, 1);

        var s = new InteriorPointSolver().Solve(m);

        Assert.Equal(QpStatus.Optimal, s.Status);
        Assert.Equal(1.5, s.X[x], 8);
        Assert.Equal(0.0, s.X[y], 8);
        Assert.Equal(1.25, s.Objective, 8);
    }

    private static double[,] Symmetric(Matrix<double> m)
    {
        var a = m.ToArray();
        for (int i = 0; i < m.RowCount; i++)
            for (int j = 0; j < i; j++) a[i, j] = a[j, i];
        return a;
    }
}
