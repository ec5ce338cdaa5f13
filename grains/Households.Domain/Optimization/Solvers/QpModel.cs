namespace Households.Domain.Optimization.Solvers;

/// <summary>A convex quadratic program in the form terms and constraints build:
/// minimize Σ q·x_i·x_j + cᵀx + constant subject to lo ≤ a_rᵀx ≤ hi and bounds on x.
/// Variables belong to blocks; every quadratic entry must stay inside one block, so the Hessian is
/// block diagonal. Rows whose variables all sit in one block are solved inside that block; the rest
/// ("global" rows: budgets, factor exposures, sector bands) form a small dense Schur complement.</summary>
public sealed class QpModel
{
    internal readonly List<double> Lower = [];
    internal readonly List<double> Upper = [];
    internal readonly List<double> Cost = [];
    internal readonly List<double> Hint = [];
    internal readonly List<int> BlockOf = [];
    internal readonly List<(int I, int J, double Q)> Quadratic = [];
    internal readonly List<double> RowLower = [];
    internal readonly List<double> RowUpper = [];
    internal readonly List<List<(int Var, double Coef)>> Rows = [];
    internal readonly List<QuadraticRow> QuadraticRows = [];
    private int blocks;

    /// <summary>A convex quadratic constraint Σ q·x_i·x_j + Σ c·x + constant ≤ upper; its quadratic entries stay inside
    /// blocks, as the objective's do, and together must be positive semidefinite (the caller's promise).</summary>
    internal sealed class QuadraticRow(double upper)
    {
        public readonly List<(int I, int J, double Q)> Quadratic = [];
        public readonly List<(int Var, double Coef)> Linear = [];
        public double Constant;
        public readonly double Upper = upper;
    }

    public int VariableCount => Lower.Count;
    public int RowCount => Rows.Count;
    public int QuadraticRowCount => QuadraticRows.Count;
    public int BlockCount => blocks;
    public double ObjectiveConstant { get; set; }

    public int NewBlock() => blocks++;

    /// <summary>Adds a variable; <paramref name="block"/> &lt; 0 gives it a block of its own.
    /// <paramref name="hint"/> is a starting guess (for example the current holding).</summary>
    public int AddVariable(double lower, double upper, double cost = 0, int block = -1, double hint = 0)
    {
        if (double.IsNaN(lower) || double.IsNaN(upper) || lower > upper)
            throw new ArgumentException($"variable bounds [{lower}, {upper}] are empty");
        Lower.Add(lower);
        Upper.Add(upper);
        Cost.Add(cost);
        Hint.Add(hint);
        BlockOf.Add(block < 0 ? NewBlock() : block);
        return Lower.Count - 1;
    }

    public double LowerBound(int v) => Lower[v];
    public double UpperBound(int v) => Upper[v];

    public void SetBounds(int v, double lower, double upper)
    {
        if (lower > upper) throw new ArgumentException($"variable bounds [{lower}, {upper}] are empty");
        Lower[v] = lower;
        Upper[v] = upper;
    }

    /// <summary>Tightens a variable's bounds (intersection with the current ones).</summary>
    public void Restrict(int v, double lower, double upper)
    {
        Lower[v] = Math.Max(Lower[v], lower);
        Upper[v] = Math.Min(Upper[v], upper);
        if (Lower[v] > Upper[v]) Lower[v] = Upper[v] = Math.Min(Lower[v], Upper[v]);
    }

    public void AddCost(int v, double c) => Cost[v] += c;

    /// <summary>Adds q·x_i·x_j to the objective (q·x_i² when i = j).</summary>
    public void AddQuadratic(int i, int j, double q)
    {
        if (BlockOf[i] != BlockOf[j])
            throw new InvalidOperationException("quadratic terms must stay inside one variable block");
        if (q != 0) Quadratic.Add((i, j, q));
    }

    public int AddRow(double lower, double upper)
    {
        if (double.IsNaN(lower) || double.IsNaN(upper)) throw new ArgumentException("row bound is NaN");
        RowLower.Add(lower);
        RowUpper.Add(upper);
        Rows.Add([]);
        return Rows.Count - 1;
    }

    public void AddRowTerm(int row, int v, double coef)
    {
        if (coef != 0) Rows[row].Add((v, coef));
    }

    /// <summary>Adds a convex quadratic constraint (value ≤ <paramref name="upper"/>), empty until its terms are added.</summary>
    public int AddQuadraticRow(double upper)
    {
        if (!double.IsFinite(upper)) throw new ArgumentException($"quadratic row bound {upper} is not finite");
        QuadraticRows.Add(new QuadraticRow(upper));
        return QuadraticRows.Count - 1;
    }

    /// <summary>Adds q·x_i·x_j to a quadratic row's value (q·x_i² when i = j), inside one block as in the objective.</summary>
    public void AddQuadraticRowTerm(int row, int i, int j, double q)
    {
        if (BlockOf[i] != BlockOf[j])
            throw new InvalidOperationException("quadratic terms must stay inside one variable block");
        if (q != 0) QuadraticRows[row].Quadratic.Add((i, j, q));
    }

    /// <summary>Adds c·x_v to a quadratic row's value.</summary>
    public void AddQuadraticRowCost(int row, int v, double c)
    {
        if (c != 0) QuadraticRows[row].Linear.Add((v, c));
    }

    /// <summary>Adds a constant to a quadratic row's value.</summary>
    public void AddQuadraticRowConstant(int row, double c) => QuadraticRows[row].Constant += c;

    /// <summary>A quadratic row's value at <paramref name="x"/> (compared with its bound by <see cref="MaxViolation"/>).</summary>
    public double QuadraticRowValue(int row, ReadOnlySpan<double> x)
    {
        var r = QuadraticRows[row];
        double g = r.Constant;
        foreach (var (v, c) in r.Linear) g += c * x[v];
        foreach (var (i, j, q) in r.Quadratic) g += q * x[i] * x[j];
        return g;
    }

    /// <summary>Whether <paramref name="other"/> states the same problem entry for entry: the same variables, blocks, bounds,
    /// hints, costs, quadratic entries, rows and constant, and no quadratic rows. A solve of one is then a solve of the other.</summary>
    internal bool SameProblem(QpModel other) =>
        blocks == other.blocks && ObjectiveConstant.Equals(other.ObjectiveConstant) && QuadraticRows.Count == 0 && other.QuadraticRows.Count == 0
        && Lower.SequenceEqual(other.Lower) && Upper.SequenceEqual(other.Upper) && Cost.SequenceEqual(other.Cost) && Hint.SequenceEqual(other.Hint)
        && BlockOf.SequenceEqual(other.BlockOf) && Quadratic.SequenceEqual(other.Quadratic)
        && RowLower.SequenceEqual(other.RowLower) && RowUpper.SequenceEqual(other.RowUpper)
        && Rows.Count == other.Rows.Count && Rows.Zip(other.Rows).All(r => r.First.SequenceEqual(r.Second));

    /// <summary>The objective at <paramref name="x"/>, constant included.</summary>
    public double Objective(ReadOnlySpan<double> x)
    {
        double f = ObjectiveConstant;
        for (int i = 0; i < Cost.Count; i++) f += Cost[i] * x[i];
        foreach (var (i, j, q) in Quadratic) f += q * x[i] * x[j];
        return f;
    }

    /// <summary>Largest violation of any bound or row at <paramref name="x"/>.</summary>
    public double MaxViolation(ReadOnlySpan<double> x)
    {
        double viol = 0;
        for (int i = 0; i < Lower.Count; i++)
            viol = Math.Max(viol, Math.Max(Lower[i] - x[i], x[i] - Upper[i]));
        for (int r = 0; r < Rows.Count; r++)
        {
            double a = 0;
            foreach (var (v, c) in Rows[r]) a += c * x[v];
            viol = Math.Max(viol, Math.Max(RowLower[r] - a, a - RowUpper[r]));
        }
        for (int r = 0; r < QuadraticRows.Count; r++) viol = Math.Max(viol, QuadraticRowValue(r, x) - QuadraticRows[r].Upper);
        return viol;
    }
}

public enum QpStatus
{
    Optimal = 0,
    Infeasible = 1,
    NotConverged = 2,
}

/// <summary>A solver's answer: primal values, the objective (constant included), iterations and wall time.
/// <paramref name="QuadraticMultipliers"/>: for each quadratic row, μ ≥ 0 such that X also minimizes the objective plus
/// μ × the row's value over the linear constraints alone (null when the model has none or the solver gives none).</summary>
public sealed record QpSolution(QpStatus Status, double[] X, double Objective, int Iterations, double SolveMilliseconds, string Solver,
    double[]? QuadraticMultipliers = null);

public interface IQpSolver
{
    QpSolution Solve(QpModel model);

    /// <summary>Whether <see cref="Solve"/> takes a model with quadratic rows (others refuse it).</summary>
    bool SolvesQuadraticRows => false;
}
