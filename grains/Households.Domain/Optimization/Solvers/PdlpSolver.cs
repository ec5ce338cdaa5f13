using System.Diagnostics;
using System.Globalization;
using Google.OrTools.ModelBuilder;
using Google.Protobuf;
using MathNet.Numerics.LinearAlgebra;
using OperationsResearch;

namespace Households.Domain.Optimization.Solvers;

/// <summary>OR-Tools through the model-builder path (FACTS.md). The C# <c>ModelBuilder.Model</c> API has no
/// quadratic objective setter (verified by reflection on Google.OrTools 9.15.6755: <c>ModelBuilderHelper</c> offers
/// variables, linear constraints and linear objective coefficients, and imports only from files or MPS/LP strings; an
/// MPS string with QUADOBJ/QMATRIX is rejected), so
/// the model is written as an <c>MPModelProto</c> with a <c>QuadraticObjective</c> to a file in memory-backed
/// /dev/shm and imported. PDLP takes diagonal quadratic objectives: every non-diagonal Hessian block is
/// diagonalized by its eigendecomposition (z = Eᵀx with objective Σ λ z²). <paramref name="solverName"/> may be
/// "pdlp" or "scip" ("highs" and "glop" ignore the quadratic term and are refused).</summary>
public sealed class PdlpSolver(double tolerance = 1e-8, double timeLimitSeconds = 60, string solverName = "pdlp") : IQpSolver
{
    /// <summary>Wall time of building the proto, writing and importing it (not part of SolveMilliseconds).</summary>
    public double LastOverheadMilliseconds { get; private set; }

    public QpSolution Solve(QpModel model)
    {
        if (solverName is "highs" or "glop") throw new ArgumentException($"{solverName} ignores the quadratic objective");
        if (model.QuadraticRowCount > 0) throw new NotSupportedException("quadratic rows are solved by the interior-point solver only");
        var sw = Stopwatch.StartNew();
        var proto = ToProto(model);
        // The domain's one file write, by necessity: OR-Tools' C# model builder takes a quadratic objective only through
        // ImportFromFile (MPSolver has none); in /dev/shm the file never leaves memory and is deleted at once.
        string dir = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
        string path = Path.Combine(dir, $"households-qp-{Environment.ProcessId}-{Guid.NewGuid():N}.pb");
        var mb = new Model();
        try
        {
            File.WriteAllBytes(path, proto.ToByteArray());
            if (!mb.ImportFromFile(path)) throw new InvalidOperationException("OR-Tools could not import the model");
        }
        finally { File.Delete(path); }
        LastOverheadMilliseconds = sw.Elapsed.TotalMilliseconds;

        var solver = new Solver(solverName);
        solver.SetTimeLimitInSeconds(timeLimitSeconds);
        if (solverName == "pdlp")
            solver.SetSolverSpecificParameters(string.Create(CultureInfo.InvariantCulture,
                $"termination_criteria {{ simple_optimality_criteria {{ eps_optimal_absolute: {tolerance:R} eps_optimal_relative: {tolerance:R} }} }} num_threads: 1"));
        var t0 = Stopwatch.StartNew();
        var status = solver.Solve(mb);
        double ms = t0.Elapsed.TotalMilliseconds;
        var x = new double[model.VariableCount];
        if (solver.HasSolution())
            for (int i = 0; i < x.Length; i++) x[i] = solver.Value(mb.VarFromIndex(i));
        var qs = status switch
        {
            SolveStatus.OPTIMAL => QpStatus.Optimal,
            SolveStatus.INFEASIBLE => QpStatus.Infeasible,
            _ => QpStatus.NotConverged,
        };
        return new QpSolution(qs, x, model.Objective(x), 0, ms, solverName);
    }

    /// <summary>The model as an MPModelProto with a diagonal quadratic objective (constant as objective offset).</summary>
    public static MPModelProto ToProto(QpModel m)
    {
        var p = new MPModelProto { ObjectiveOffset = m.ObjectiveConstant };
        for (int i = 0; i < m.VariableCount; i++)
            p.Variable.Add(new MPVariableProto { LowerBound = m.Lower[i], UpperBound = m.Upper[i], ObjectiveCoefficient = m.Cost[i] });
        for (int r = 0; r < m.RowCount; r++)
        {
            var c = new MPConstraintProto { LowerBound = m.RowLower[r], UpperBound = m.RowUpper[r] };
            foreach (var (v, coef) in m.Rows[r]) { c.VarIndex.Add(v); c.Coefficient.Add(coef); }
            p.Constraint.Add(c);
        }
        var q = new MPQuadraticObjective();
        // Group off-diagonal blocks; diagonal entries of purely diagonal blocks go straight in.
        var offDiagonalBlocks = new HashSet<int>(m.Quadratic.Where(e => e.I != e.J).Select(e => m.BlockOf[e.I]));
        var diag = new Dictionary<int, double>();
        var blocks = new Dictionary<int, List<(int I, int J, double Q)>>();
        foreach (var e in m.Quadratic)
        {
            int b = m.BlockOf[e.I];
            if (offDiagonalBlocks.Contains(b)) (blocks.TryGetValue(b, out var l) ? l : blocks[b] = []).Add(e);
            else diag[e.I] = diag.GetValueOrDefault(e.I) + e.Q;
        }
        foreach (var (v, c) in diag) { q.Qvar1Index.Add(v); q.Qvar2Index.Add(v); q.Coefficient.Add(c); }
        int next = m.VariableCount;
        foreach (var entries in blocks.Values)
        {
            var vars = entries.SelectMany(e => new[] { e.I, e.J }).Distinct().ToArray();
            var pos = vars.Select((v, k) => (v, k)).ToDictionary(t => t.v, t => t.k);
            var a = Matrix<double>.Build.Dense(vars.Length, vars.Length);
            foreach (var (i, j, c) in entries)
            {
                if (i == j) a[pos[i], pos[i]] += c;
                else { a[pos[i], pos[j]] += c / 2; a[pos[j], pos[i]] += c / 2; }
            }
            var evd = a.Evd(Symmetricity.Symmetric);
            double top = evd.EigenValues.Max(e => Math.Abs(e.Real));
            for (int k = 0; k < vars.Length; k++)
            {
                double lambda = evd.EigenValues[k].Real;
                if (lambda <= 1e-14 * top) continue;
                // z = eᵀx, objective λ z².
                p.Variable.Add(new MPVariableProto { LowerBound = double.NegativeInfinity, UpperBound = double.PositiveInfinity });
                var row = new MPConstraintProto { LowerBound = 0, UpperBound = 0 };
                for (int r = 0; r < vars.Length; r++)
                {
                    double e = evd.EigenVectors[r, k];
                    if (Math.Abs(e) < 1e-15) continue;
                    row.VarIndex.Add(vars[r]); row.Coefficient.Add(e);
                }
                row.VarIndex.Add(next); row.Coefficient.Add(-1);
                p.Constraint.Add(row);
                q.Qvar1Index.Add(next); q.Qvar2Index.Add(next); q.Coefficient.Add(lambda);
                next++;
            }
        }
        p.QuadraticObjective = q;
        return p;
    }
}
