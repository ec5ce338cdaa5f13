using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Households.Domain.Optimization.Solvers;

/// <summary>Tolerances for <see cref="InteriorPointSolver"/>. Residuals are relative to the data's size; the gap
/// is relative to |objective| (constants included), which bounds the objective's relative error.
/// The starting point: the hint pushed inside its bounds by at least <see cref="MarginFloor"/> (at most
/// <see cref="BoxFraction"/> of a box's width), duals that absorb the gradient's sign (<see cref="GradientStart"/>)
/// plus <see cref="InitialMu"/>/distance. These defaults were chosen on the shared problems and 600 random
/// block-structured QPs (no failures; a 1e-3 floor failed 4 of them). A model with quadratic rows starts from
/// <see cref="QuadraticRowMarginFloor"/> instead: a row's linearization is only as good as the point it is taken at, and
/// a household's weights pushed to 0.1 each put a tracking limit's row 10⁴ times over (measured on the demo firm's 63-day
/// run: 37 iterations a solve and 959 of 1,762 solves not converged from 0.1; 20 iterations from 10⁻³).
/// <see cref="Log"/> receives one line per iteration.</summary>
public sealed record InteriorPointOptions(
    double FeasibilityTolerance = 1e-10,
    double GapTolerance = 1e-9,
    int MaxIterations = 150,
    double InitialMu = 1e-2,
    double MarginFloor = 0.1,
    bool GradientStart = true,
    double BoxFraction = 0.5,
    Action<string>? Log = null,
    double QuadraticRowMarginFloor = 1e-3);

/// <summary>Mehrotra predictor-corrector primal-dual interior-point method (Mehrotra 1992; Nocedal and Wright,
/// Numerical Optimization, §16.6 and §14.2) for <see cref="QpModel"/>, exploiting its block structure:
/// each block's small KKT system (its variables and the rows local to it) is factorized densely, and the
/// few global rows are solved through their Schur complement, as block-angular interior-point codes do
/// (Gondzio and Grothey, OOPS). One iteration costs O(Σ block² · global rows + global rows³).</summary>
public sealed class InteriorPointSolver(InteriorPointOptions? options = null) : IQpSolver
{
    private readonly InteriorPointOptions opt = options ?? new InteriorPointOptions();
    public const string Name = "ipm";

    /// <summary>Quadratic rows are taken as convex constraints (see <see cref="Prepared"/>).</summary>
    public bool SolvesQuadraticRows => true;

    public QpSolution Solve(QpModel model)
    {
        var sw = Stopwatch.StartNew();
        var p = new Prepared(model, model.QuadraticRowCount > 0 ? opt.QuadraticRowMarginFloor : opt.MarginFloor, opt.BoxFraction);
        if (p.TriviallyInfeasible)
            return new QpSolution(QpStatus.Infeasible, new double[model.VariableCount], double.NaN, 0, sw.Elapsed.TotalMilliseconds, Name);
        var (status, iterations) = p.Run(opt);
        var x = p.X.AsSpan(0, model.VariableCount).ToArray();
        for (int i = 0; i < x.Length; i++) x[i] = Math.Clamp(x[i], model.Lower[i], model.Upper[i]);
        double f = model.Objective(x);
        return new QpSolution(status, x, f, iterations, sw.Elapsed.TotalMilliseconds, Name, p.QuadraticMultipliers());
    }

    /// <summary>The model in solver form: slacks added, rows split into local and global, arrays laid out.
    /// A quadratic row g(x) ≤ u (convex) is scaled by σ = 1/|u| and becomes the global row g(x) − s = 0 with a slack
    /// s ≤ σu of its own; each iteration linearizes it at x (its coefficients are ∇g(x), its right side ½xᵀHx − constant,
    /// so the row's residual is g(x) − s) and adds the row's multiplier times its Hessian to the blocks it touches: the
    /// Newton step of the Lagrangian, as interior-point codes for convex nonlinear programs take it (Nocedal and Wright
    /// §19.2). The blocks and the Schur complement keep their shape.</summary>
    private sealed class Prepared
    {
        private const double RegPrimal = 1e-12, RegDual = 1e-12;
        private readonly int n, mg, nb;
        private readonly double[] lo, hi, c;
        private readonly bool[] hasLo, hasHi, isFixed;
        private readonly int[] blockStart, blockVars, localOf; // blockVars[blockStart[b]..] = variables; localOf[v] = position in block
        private readonly int[] rowStart;                      // local rows: rows of block b are rowStart[b]..rowStart[b+1]
        private readonly double[][] localA;                   // per block: mr × nv dense
        private readonly double[] localRhs;
        private readonly double[][] hBase;                    // per block: nv × nv dense (scaled ½xᵀPx Hessian)
        private readonly int[] gStart, gRow;                  // global rows by variable
        private readonly int[] envelope;                      // the first column each row of the Schur complement's factor can hold
        private readonly double[] gVal, gRhs;
        private readonly double[][] kMat;
        private readonly int[][] kPiv;
        private readonly int[][] touched, touchedRows;
        private readonly double[][] unitSolves;               // per block: K⁻¹·e for each touched variable (t columns of m)
        private readonly double[] firstPass;                  // SolveKkt's K⁻¹·r of each touched block, at blockStart[b] + rowStart[b]
        private readonly bool[] constantBlock;
        private readonly bool[] diagonalBlock;                // a diagonal Hessian: variables the barrier pins are eliminated (FactorDiagonal)
        private readonly double[][] freeA;                    // a diagonal block's local rows, its fixed variables' columns zeroed
        private readonly double[][] pinnedInverse;            // per diagonal block: 1/d of each eliminated variable, 0 for a kept one
        private readonly int[][] keptVars;                    // per diagonal block: the variables left in its reduced system
        private readonly double[][] keptPivots;               // and their pivots d
        private readonly int[] keptCount;
        private double[]? constantS;
        // The Schur complement and its constant part are mg² doubles: above about a hundred global rows a new pair per
        // solve lands on the large-object heap, and a decision's solves would force a full collection every few solves.
        // A solve runs on one thread from start to end (no await), so each thread keeps one pair and reuses it.
        [ThreadStatic] private static double[]? threadSchur, threadConstantSchur;
        private readonly double scale, constant;
        // Quadratic rows k: their global row, the variables their gradient touches and those entries in gVal, the scaled
        // linear part and constant, the scale σ, and (per block) their scaled Hessians; the weight is the row's multiplier.
        private readonly int nq;
        private readonly int[] qGlobal = [];
        private readonly int[][] qVars = [], qEntry = [];
        private readonly (int Var, double Coef)[][] qLin = [];
        private readonly double[] qConst = [], qSigma = [], qWeight = [], qGrad = [];
        private readonly (int Block, double[] H)[][] qBlocks = [];
        private readonly List<(int Row, double[] H)>?[] qOfBlock = [];
        public readonly double[] X;
        private readonly double[] zl, zu, yl, yg;
        private readonly double[] gl, gu; // distances to the bounds, kept apart from x so they never round to zero
        public readonly bool TriviallyInfeasible;

        public Prepared(QpModel m, double marginFloor, double boxFraction)
        {
            int n0 = m.VariableCount;
            var lower = new List<double>(m.Lower);
            var upper = new List<double>(m.Upper);
            var cost = new List<double>(m.Cost);
            var hint = new List<double>(m.Hint);
            var (split, blocks) = SplitBlocks(m);
            var block = new List<int>(split);
            // Rows: classify and add slacks for ranges.
            var rows = new List<(List<(int Var, double Coef)> Terms, double Rhs, int Block)>();
            for (int r = 0; r < m.RowCount; r++)
            {
                double rl = m.RowLower[r], ru = m.RowUpper[r];
                var terms = m.Rows[r];
                if (double.IsNegativeInfinity(rl) && double.IsPositiveInfinity(ru)) continue;
                if (terms.Count == 0)
                {
                    if (rl > 1e-12 || ru < -1e-12) TriviallyInfeasible = true;
                    continue;
                }
                int b0 = block[terms[0].Var];
                bool local = true;
                foreach (var (v, _) in terms) if (block[v] != b0) { local = false; break; }
                var t = new List<(int, double)>(terms);
                if (rl != ru)
                {
                    // a·x − s = 0 with s ∈ [rl, ru]; a global row's slack is a block of its own.
                    int sb = local ? b0 : blocks++;
                    double start = 0;
                    foreach (var (v, cf) in terms) start += cf * hint[v];
                    lower.Add(rl); upper.Add(ru); cost.Add(0); hint.Add(start); block.Add(sb);
                    t.Add((lower.Count - 1, -1.0));
                    rows.Add((t, 0.0, local ? b0 : -1));
                }
                else rows.Add((t, rl, local ? b0 : -1));
            }
            nq = m.QuadraticRowCount;
            var qRowAt = new int[nq];
            qSigma = new double[nq];
            for (int k = 0; k < nq; k++)
            {
                var qr = m.QuadraticRows[k];
                double sigma = qSigma[k] = 1 / Math.Max(Math.Abs(qr.Upper), 1e-12);
                var support = new SortedSet<int>();
                double g0 = qr.Constant;
                foreach (var (i, j, q) in qr.Quadratic) { support.Add(i); support.Add(j); g0 += q * hint[i] * hint[j]; }
                foreach (var (v, cf) in qr.Linear) { support.Add(v); g0 += cf * hint[v]; }
                lower.Add(double.NegativeInfinity); upper.Add(sigma * qr.Upper); cost.Add(0); hint.Add(sigma * g0); block.Add(blocks++);
                var t = new List<(int, double)>(support.Count + 1);
                foreach (int v in support) t.Add((v, 1.0));   // coefficients set each iteration
                t.Add((lower.Count - 1, -1.0));
                qRowAt[k] = rows.Count;
                rows.Add((t, 0.0, -1));
            }
            n = lower.Count;
            nb = blocks;
            lo = [.. lower]; hi = [.. upper];
            hasLo = new bool[n]; hasHi = new bool[n]; isFixed = new bool[n];
            for (int i = 0; i < n; i++)
            {
                isFixed[i] = lo[i] == hi[i];
                hasLo[i] = !isFixed[i] && !double.IsNegativeInfinity(lo[i]);
                hasHi[i] = !isFixed[i] && !double.IsPositiveInfinity(hi[i]);
            }
            // Scale the objective so its largest coefficient is about one (the argmin is unchanged).
            double big = 0;
            foreach (var cc in cost) big = Math.Max(big, Math.Abs(cc));
            foreach (var (_, _, q) in m.Quadratic) big = Math.Max(big, 2 * Math.Abs(q));
            scale = big > 0 ? 1 / big : 1;
            constant = m.ObjectiveConstant;
            c = [.. cost];
            for (int i = 0; i < n; i++) c[i] *= scale;

            // Blocks.
            var count = new int[nb + 1];
            for (int i = 0; i < n; i++) count[block[i] + 1]++;
            blockStart = new int[nb + 1];
            for (int b = 0; b < nb; b++) blockStart[b + 1] = blockStart[b] + count[b + 1];
            blockVars = new int[n];
            localOf = new int[n];
            var fill = (int[])blockStart.Clone();
            for (int i = 0; i < n; i++) { localOf[i] = fill[block[i]] - blockStart[block[i]]; blockVars[fill[block[i]]++] = i; }

            var localRows = new List<int>[nb];
            var globalRows = new List<int>();
            for (int r = 0; r < rows.Count; r++)
            {
                if (rows[r].Block >= 0) (localRows[rows[r].Block] ??= []).Add(r);
                else globalRows.Add(r);
            }
            {
                // Each block's part of the Schur complement is dense over the global rows its free variables touch.
                var touches = new HashSet<int>?[nb];
                for (int g = 0; g < globalRows.Count; g++)
                    foreach (var (v, _) in rows[globalRows[g]].Terms)
                        if (!isFixed[v]) (touches[block[v]] ??= []).Add(g);
                var (order, first) = OrderGlobalRows(globalRows.Count, [.. touches.Select(t => t is null ? [] : t.Order().ToArray())]);
                globalRows = [.. order.Select(g => globalRows[g])];
                envelope = first;
            }
            rowStart = new int[nb + 1];
            for (int b = 0; b < nb; b++) rowStart[b + 1] = rowStart[b] + (localRows[b]?.Count ?? 0);
            localA = new double[nb][];
            localRhs = new double[rowStart[nb]];
            hBase = new double[nb][];
            kMat = new double[nb][];
            kPiv = new int[nb][];
            for (int b = 0; b < nb; b++)
            {
                int nv = blockStart[b + 1] - blockStart[b], mr = rowStart[b + 1] - rowStart[b];
                localA[b] = new double[mr * nv];
                for (int k = 0; k < mr; k++)
                {
                    var (terms, rhs, _) = rows[localRows[b]![k]];
                    foreach (var (v, cf) in terms) localA[b][k * nv + localOf[v]] += cf;
                    localRhs[rowStart[b] + k] = rhs;
                }
                hBase[b] = new double[nv * nv];
                kMat[b] = new double[(nv + mr) * (nv + mr)];
                kPiv[b] = new int[nv + mr];
            }
            foreach (var (i, j, q) in m.Quadratic)
            {
                int b = block[i];
                AddHessianEntry(hBase[b], BlockSize(b), i, j, q * scale);
            }
            if (nq > 0)
            {
                qOfBlock = new List<(int, double[])>?[nb];
                qBlocks = new (int, double[])[nq][];
                qLin = new (int, double)[nq][];
                qConst = new double[nq];
                qWeight = new double[nq];
                qGrad = new double[n];
                for (int k = 0; k < nq; k++)
                {
                    var qr = m.QuadraticRows[k];
                    double sigma = qSigma[k];
                    var mats = new Dictionary<int, double[]>();
                    foreach (var (i, j, q) in qr.Quadratic)
                    {
                        int b = block[i], nv = BlockSize(b);
                        if (!mats.TryGetValue(b, out var h)) mats[b] = h = new double[nv * nv];
                        AddHessianEntry(h, nv, i, j, q * sigma);
                    }
                    qBlocks[k] = [.. mats.Select(e => (e.Key, e.Value))];
                    foreach (var (b, h) in qBlocks[k]) (qOfBlock[b] ??= []).Add((k, h));
                    qLin[k] = [.. qr.Linear.Select(e => (e.Var, e.Coef * sigma))];
                    qConst[k] = qr.Constant * sigma;
                }
            }
            // Global rows, stored by variable.
            mg = globalRows.Count;
            gRhs = new double[mg];
            var byVar = new List<(int Row, double Val)>?[n];
            for (int g = 0; g < mg; g++)
            {
                var (terms, rhs, _) = rows[globalRows[g]];
                gRhs[g] = rhs;
                foreach (var (v, cf) in terms) (byVar[v] ??= []).Add((g, cf));
            }
            gStart = new int[n + 1];
            for (int i = 0; i < n; i++) gStart[i + 1] = gStart[i] + (byVar[i]?.Count ?? 0);
            gRow = new int[gStart[n]];
            gVal = new double[gStart[n]];
            for (int i = 0; i < n; i++)
                if (byVar[i] is { } list)
                    for (int k = 0; k < list.Count; k++) { gRow[gStart[i] + k] = list[k].Row; gVal[gStart[i] + k] = list[k].Val; }
            if (nq > 0)
            {
                var globalOf = new Dictionary<int, int>();
                for (int g = 0; g < mg; g++) globalOf[globalRows[g]] = g;
                qGlobal = new int[nq];
                qVars = new int[nq][];
                qEntry = new int[nq][];
                for (int k = 0; k < nq; k++)
                {
                    int gk = qGlobal[k] = globalOf[qRowAt[k]];
                    var vars = rows[qRowAt[k]].Terms.Select(e => e.Var).Where(v => v < n0).ToArray();
                    qVars[k] = vars;
                    qEntry[k] = new int[vars.Length];
                    for (int t = 0; t < vars.Length; t++)
                        for (int e = gStart[vars[t]]; e < gStart[vars[t] + 1]; e++)
                            if (gRow[e] == gk) { qEntry[k][t] = e; break; }
                }
            }
            touched = new int[nb][];
            touchedRows = new int[nb][];
            constantBlock = new bool[nb];
            diagonalBlock = new bool[nb];
            freeA = new double[nb][];
            pinnedInverse = new double[nb][];
            keptVars = new int[nb][];
            keptPivots = new double[nb][];
            keptCount = new int[nb];
            unitSolves = new double[nb][];
            for (int b = 0; b < nb; b++)
            {
                var t = new List<int>();
                for (int k = blockStart[b]; k < blockStart[b + 1]; k++)
                {
                    int v = blockVars[k];
                    if (!isFixed[v] && gStart[v + 1] > gStart[v]) t.Add(v);
                }
                touched[b] = [.. t];
                bool free = true;
                for (int k = blockStart[b]; k < blockStart[b + 1]; k++)
                {
                    int v = blockVars[k];
                    if (isFixed[v] || hasLo[v] || hasHi[v]) { free = false; break; }
                }
                constantBlock[b] = free && (nq == 0 || qOfBlock[b] is null);
                // A block of one or two entries is as cheap to factor whole.
                if (BlockSize(b) + BlockRows(b) > 2 && IsDiagonal(b))
                {
                    int nv = BlockSize(b), mr = BlockRows(b);
                    diagonalBlock[b] = true;
                    var a0 = (double[])localA[b].Clone();
                    for (int r = 0; r < nv; r++)
                        if (isFixed[blockVars[blockStart[b] + r]])
                            for (int row = 0; row < mr; row++) a0[row * nv + r] = 0;
                    freeA[b] = a0;
                    pinnedInverse[b] = new double[nv];
                    keptVars[b] = new int[nv];
                    keptPivots[b] = new double[nv];
                }
                var rs = new SortedSet<int>();
                foreach (int v in t)
                    for (int e = gStart[v]; e < gStart[v + 1]; e++) rs.Add(gRow[e]);
                touchedRows[b] = [.. rs];
                unitSolves[b] = new double[t.Count * (BlockSize(b) + BlockRows(b))];
            }
            firstPass = new double[n + rowStart[nb]];

            // Starting point: the hint pushed strictly inside its bounds.
            X = new double[n];
            zl = new double[n]; zu = new double[n];
            gl = new double[n]; gu = new double[n];
            yl = new double[rowStart[nb]]; yg = new double[mg];
            for (int i = 0; i < n; i++)
            {
                double x = hint[i];
                if (isFixed[i]) { X[i] = lo[i]; continue; }
                double width = hi[i] - lo[i];
                double margin = double.IsFinite(width) ? Math.Min(boxFraction * width, Math.Max(marginFloor, 0.01 * Math.Abs(x))) : Math.Max(marginFloor, 0.01 * Math.Abs(x));
                if (hasLo[i]) x = Math.Max(x, lo[i] + margin);
                if (hasHi[i]) x = Math.Min(x, hi[i] - margin);
                X[i] = x;
                gl[i] = hasLo[i] ? x - lo[i] : 0;
                gu[i] = hasHi[i] ? hi[i] - x : 0;
            }
        }

        private int BlockSize(int b) => blockStart[b + 1] - blockStart[b];

        /// <summary>Union-find over 0..n−1: a set's root is its smallest member, and a root knows its set's size.</summary>
        private sealed class DisjointSets
        {
            private readonly int[] parent;
            private readonly long[] size;

            public DisjointSets(int n)
            {
                parent = new int[n];
                size = new long[n];
                for (int i = 0; i < n; i++) { parent[i] = i; size[i] = 1; }
            }

            public int Find(int i)
            {
                while (parent[i] != i) i = parent[i] = parent[parent[i]];
                return i;
            }

            /// <summary>Joins the sets of i and j; the sizes of the two sets joined, or null when they were one.</summary>
            public (long, long)? Union(int i, int j)
            {
                int ri = Find(i), rj = Find(j);
                if (ri == rj) return null;
                if (ri > rj) (ri, rj) = (rj, ri);
                var joined = (size[ri], size[rj]);
                parent[rj] = ri;
                size[ri] += size[rj];
                return joined;
            }
        }

        /// <summary>The model's blocks cut into the parts that nothing inside a block joins: variables are in one part when a
        /// row lying wholly in their block, a Hessian entry or a quadratic row's Hessian entry links them. A security's block
        /// holds every account's holding, buys and lots, which share no row unless a household-wide term joins them; solved
        /// as parts, each part's KKT matrix is factored alone (Σ mₖ³ rather than (Σ mₖ)³) and couples only the global rows
        /// its own variables touch. Parts are numbered by their first variable.</summary>
        private static (int[] Block, int Count) SplitBlocks(QpModel m)
        {
            int n = m.VariableCount;
            var parts = new DisjointSets(n);
            var of = m.BlockOf;
            foreach (var terms in m.Rows)
            {
                if (terms.Count < 2) continue;
                int b0 = of[terms[0].Var];
                bool local = true;
                foreach (var (v, _) in terms) if (of[v] != b0) { local = false; break; }
                if (local) foreach (var (v, _) in terms) parts.Union(terms[0].Var, v);
            }
            foreach (var (i, j, _) in m.Quadratic) parts.Union(i, j);
            foreach (var qr in m.QuadraticRows)
                foreach (var (i, j, _) in qr.Quadratic) parts.Union(i, j);
            var id = new int[n];
            var block = new int[n];
            int count = 0;
            for (int i = 0; i < n; i++)
            {
                int r = parts.Find(i);   // a part's root is its first variable, numbered before the rest
                block[i] = r == i ? id[i] = count++ : id[r];
            }
            return (block, count);
        }

        /// <summary>An order of the global rows that keeps the Schur complement's Cholesky factor inside a narrow envelope,
        /// and each row's envelope (the first column its factor row can hold). Rows are joined when one block touches both
        /// (its part of the complement is dense over the rows it touches); rows of one account's terms form a group, and a
        /// household-wide row joins the groups. The rows that join the most go last, as many as pay for themselves (each
        /// such row spans every group's columns, each group only its own); the groups come first, contiguous, in their
        /// original order.</summary>
        private static (int[] Order, int[] First) OrderGlobalRows(int mg, int[][] touchedRows)
        {
            var weight = new long[mg];
            var cliques = touchedRows.Where(t => t.Length > 0).ToArray();
            foreach (var c in cliques) foreach (int r in c) weight[r] += c.Length;
            var heavy = Enumerable.Range(0, mg).OrderByDescending(r => weight[r]).ThenBy(r => r).ToArray();
            int maxLast = mg / 2;
            // Rows are added back from the lightest removed one; union-find keeps the groups' sizes and Σ size², Σ size³.
            var removed = new bool[mg];
            for (int k = 0; k < maxLast; k++) removed[heavy[k]] = true;
            var groups = new DisjointSets(mg);
            long sum2 = mg - maxLast, sum3 = mg - maxLast;
            // Merging groups of x and y rows adds (x + y)² − x² − y² = 2xy to Σ size² and 3xy(x + y) to Σ size³.
            void Union(int i, int j)
            {
                if (groups.Union(i, j) is (long x, long y)) { sum2 += 2 * x * y; sum3 += 3 * x * y * (x + y); }
            }
            var rep = new int[cliques.Length];
            Array.Fill(rep, -1);
            var cliquesOf = new List<int>[mg];
            for (int c = 0; c < cliques.Length; c++)
                foreach (int r in cliques[c])
                {
                    (cliquesOf[r] ??= []).Add(c);
                    if (removed[r]) continue;
                    if (rep[c] < 0) rep[c] = r;
                    else Union(rep[c], r);
                }
            // Flops of the factor with k rows last: each group's own triangle, each last row across the groups, the last rows' own.
            double Cost(int k) => sum3 / 6.0 + k * (sum2 / 2.0) + (double)k * k * mg / 2;
            int bestK = maxLast;
            double best = Cost(maxLast);
            for (int k = maxLast - 1; k >= 0; k--)
            {
                int r = heavy[k];
                removed[r] = false;
                sum2 += 1; sum3 += 1;
                if (cliquesOf[r] is { } cs)
                    foreach (int c in cs)
                    {
                        if (rep[c] < 0) rep[c] = r;
                        else Union(rep[c], r);
                    }
                if (Cost(k) <= best) { best = Cost(k); bestK = k; }
            }
            // Rebuild the groups without the bestK heaviest rows.
            Array.Clear(removed);
            for (int k = 0; k < bestK; k++) removed[heavy[k]] = true;
            groups = new DisjointSets(mg);
            Array.Fill(rep, -1);
            for (int c = 0; c < cliques.Length; c++)
                foreach (int r in cliques[c])
                {
                    if (removed[r]) continue;
                    if (rep[c] < 0) rep[c] = r;
                    else groups.Union(rep[c], r);
                }
            // Groups in the order of their first row, rows in their order; then the last rows in theirs.
            var order = new List<int>(mg);
            var members = new List<int>?[mg];
            for (int r = 0; r < mg; r++) if (!removed[r]) (members[groups.Find(r)] ??= []).Add(r);
            for (int r = 0; r < mg; r++) if (members[r] is { } list) order.AddRange(list);
            for (int r = 0; r < mg; r++) if (removed[r]) order.Add(r);
            var pos = new int[mg];
            for (int p = 0; p < mg; p++) pos[order[p]] = p;
            var first = new int[mg];
            for (int p = 0; p < mg; p++) first[p] = p;
            foreach (var c in cliques)
            {
                int lo = int.MaxValue;
                foreach (int r in c) lo = Math.Min(lo, pos[r]);
                foreach (int r in c) first[pos[r]] = Math.Min(first[pos[r]], lo);
            }
            return ([.. order], first);
        }

        /// <summary>q·x_i·x_j (q·x_i² when i = j) as entries of a block's dense Hessian: 2q on the diagonal, q on both sides of it.</summary>
        private void AddHessianEntry(double[] h, int nv, int i, int j, double q)
        {
            if (i == j) h[localOf[i] * nv + localOf[i]] += 2 * q;
            else
            {
                h[localOf[i] * nv + localOf[j]] += q;
                h[localOf[j] * nv + localOf[i]] += q;
            }
        }

        /// <summary>Row r of a block's dense matrix h times the block's part of X.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private double RowTimesX(double[] h, int nv, int o, int r)
        {
            double acc = 0;
            for (int q = 0; q < nv; q++) acc += h[r * nv + q] * X[blockVars[o + q]];
            return acc;
        }

        /// <summary>Each quadratic row linearized at X: its coefficients ∇g(X) = HX + c, its right side ½XᵀHX − constant,
        /// and its weight in the Hessian, the multiplier −y (y ≤ 0 at the optimum: the slack's bound is an upper one).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void UpdateQuadraticRows()
        {
            for (int k = 0; k < nq; k++)
            {
                foreach (int v in qVars[k]) qGrad[v] = 0;
                foreach (var (v, cf) in qLin[k]) qGrad[v] += cf;
                double xhx = 0;
                foreach (var (b, h) in qBlocks[k])
                {
                    int nv = BlockSize(b), o = blockStart[b];
                    for (int r = 0; r < nv; r++)
                    {
                        double acc = RowTimesX(h, nv, o, r);
                        qGrad[blockVars[o + r]] += acc;
                        xhx += X[blockVars[o + r]] * acc;
                    }
                }
                var vars = qVars[k];
                for (int t = 0; t < vars.Length; t++) gVal[qEntry[k][t]] = qGrad[vars[t]];
                gRhs[qGlobal[k]] = 0.5 * xhx - qConst[k];
                qWeight[k] = Math.Max(0, -yg[qGlobal[k]]);
            }
        }

        /// <summary>Each quadratic row's multiplier in the model's own units (the objective unscaled, the row unscaled).</summary>
        public double[]? QuadraticMultipliers()
        {
            if (nq == 0) return null;
            var mu = new double[nq];
            for (int k = 0; k < nq; k++) mu[k] = Math.Max(0, -yg[qGlobal[k]]) * qSigma[k] / scale;
            return mu;
        }
        private int BlockRows(int b) => rowStart[b + 1] - rowStart[b];

        public (QpStatus, int) Run(InteriorPointOptions opt)
        {
            var rd = new double[n];
            var rpl = new double[yl.Length];
            var rpg = new double[mg];
            var theta = new double[n];
            var rx = new double[n];
            var dx = new double[n]; var dzl = new double[n]; var dzu = new double[n];
            var dyl = new double[yl.Length]; var dyg = new double[mg];
            var dxa = new double[n]; var dzla = new double[n]; var dzua = new double[n];
            var s = SchurBuffer(ref threadSchur);
            var work = new double[64];
            int nc = 0;
            for (int i = 0; i < n; i++) nc += (hasLo[i] ? 1 : 0) + (hasHi[i] ? 1 : 0);

            // Initial duals: z absorbs the sign of the gradient g = Px + c (so the start is nearly dual feasible, and
            // the gap is not tiny next to the dual residual, which stalls Mehrotra's method), plus μ0/gap for centrality.
            double mu0 = opt.InitialMu;
            if (nq > 0) UpdateQuadraticRows();
            Residuals(rd, rpl, rpg);
            for (int i = 0; i < n; i++)
            {
                double g = opt.GradientStart ? rd[i] : 0;
                if (hasLo[i]) zl[i] = Math.Max(g, 0) + mu0 / Math.Max(gl[i], 1e-8);
                if (hasHi[i]) zu[i] = Math.Max(-g, 0) + mu0 / Math.Max(gu[i], 1e-8);
            }
            double bNorm = 1, cNorm = 1;
            foreach (var v in localRhs) bNorm = Math.Max(bNorm, Math.Abs(v));
            // A quadratic row's right side moves with x; scaled by σ its bound is 1, and the row is judged on that scale.
            for (int g = 0; g < mg; g++) if (nq == 0 || !qGlobal.Contains(g)) bNorm = Math.Max(bNorm, Math.Abs(gRhs[g]));
            foreach (var v in c) cNorm = Math.Max(cNorm, Math.Abs(v));

            double bestInfeas = double.MaxValue, dinf0 = 0;
            int stall = 0;
            for (int it = 0; it < opt.MaxIterations; it++)
            {
                if (nq > 0) UpdateQuadraticRows();
                Residuals(rd, rpl, rpg);
                double pinf = 0, dinf = 0, gap = 0;
                foreach (var v in rpl) pinf = Math.Max(pinf, Math.Abs(v));
                foreach (var v in rpg) pinf = Math.Max(pinf, Math.Abs(v));
                for (int i = 0; i < n; i++)
                {
                    if (!isFixed[i]) dinf = Math.Max(dinf, Math.Abs(rd[i]));
                    if (hasLo[i]) gap += gl[i] * zl[i];
                    if (hasHi[i]) gap += gu[i] * zu[i];
                }
                double obj = ScaledObjective() + scale * constant;
                if (it == 0) dinf0 = Math.Max(dinf, cNorm);   // a start that is nearly dual feasible is no yardstick
                bool feasible = pinf <= opt.FeasibilityTolerance * bNorm && dinf <= opt.FeasibilityTolerance * cNorm;
                if (feasible && gap <= opt.GapTolerance * Math.Max(Math.Abs(obj), 1e-12))
                    return (QpStatus.Optimal, it);
                // Near the end the Newton systems lose rank; a point this close is optimal for every purpose here. The gap is
                // also judged against a tenth of the objective's scale (its largest coefficient is one): a plan whose objective
                // is nearly zero (nothing to trade, every band kept) otherwise fails on a gap of 1e-10.
                bool nearlyOptimal = pinf <= 1e3 * opt.FeasibilityTolerance * bNorm && dinf <= 1e3 * opt.FeasibilityTolerance * cNorm
                    && gap <= 1e2 * opt.GapTolerance * Math.Max(Math.Abs(obj), 0.1);
                // Infeasible when primal residual stops improving while complementarity is exhausted.
                if (pinf < 0.5 * bestInfeas) { bestInfeas = pinf; stall = 0; }
                else if (++stall > 30 && pinf > 1e-6 * bNorm) return (QpStatus.Infeasible, it);
                // A quadratic row out of reach (a tracking limit below what the plan can do) shows as complementarity gone
                // to nothing while the row's residual stays: the iterates sit on the boundary and no step reduces it.
                if (nq > 0 && stall > 5 && !feasible && gap <= 1e-3 * opt.GapTolerance * Math.Max(Math.Abs(obj), 1e-12))
                    return (nearlyOptimal ? QpStatus.Optimal : QpStatus.Infeasible, it);
                // Or as the row's multiplier running off (no finite one exists) and the dual residual with it: on the demo
                // firm's run every solve that grew it a hundredfold ended infeasible, and no solve that ended optimal did.
                if (nq > 0 && dinf > 100 * dinf0) return (QpStatus.Infeasible, it);
                double mu = nc > 0 ? gap / nc : 0;
                opt.Log?.Invoke($"it {it} pinf {pinf:e2} dinf {dinf:e2} gap {gap:e2} obj {obj:e6}");

                for (int i = 0; i < n; i++)
                {
                    double t = 0;
                    if (hasLo[i]) t += zl[i] / gl[i];
                    if (hasHi[i]) t += zu[i] / gu[i];
                    theta[i] = t;
                }
                if (!Factorize(theta, s, ref work)) return (nearlyOptimal ? QpStatus.Optimal : QpStatus.NotConverged, it);

                // Predictor (affine scaling).
                for (int i = 0; i < n; i++)
                {
                    double r = -rd[i];
                    if (hasLo[i]) r += -zl[i];          // τl/gl with τl = −gl·zl
                    if (hasHi[i]) r -= -zu[i];          // −τu/gu with τu = −gu·zu
                    rx[i] = r;
                }
                SolveKkt(rx, rpl, rpg, s, dxa, dyl, dyg, ref work);
                for (int i = 0; i < n; i++)
                {
                    dzla[i] = hasLo[i] ? (-gl[i] * zl[i] - zl[i] * dxa[i]) / gl[i] : 0;
                    dzua[i] = hasHi[i] ? (-gu[i] * zu[i] + zu[i] * dxa[i]) / gu[i] : 0;
                }
                double aa = StepLength(dxa, dzla, dzua, 1.0);
                double gapA = 0;
                for (int i = 0; i < n; i++)
                {
                    if (hasLo[i]) gapA += (gl[i] + aa * dxa[i]) * (zl[i] + aa * dzla[i]);
                    if (hasHi[i]) gapA += (gu[i] - aa * dxa[i]) * (zu[i] + aa * dzua[i]);
                }
                double sigma = nc > 0 ? Math.Pow(gapA / Math.Max(gap, 1e-300), 3) : 0;
                sigma = Math.Min(sigma, 1.0);

                // Corrector with centering.
                for (int i = 0; i < n; i++)
                {
                    double r = -rd[i];
                    if (hasLo[i]) r += (sigma * mu - gl[i] * zl[i] - dxa[i] * dzla[i]) / gl[i];
                    if (hasHi[i]) r -= (sigma * mu - gu[i] * zu[i] + dxa[i] * dzua[i]) / gu[i];
                    rx[i] = r;
                }
                SolveKkt(rx, rpl, rpg, s, dx, dyl, dyg, ref work);
                for (int i = 0; i < n; i++)
                {
                    if (hasLo[i])
                    {
                        double g = gl[i];
                        dzl[i] = (sigma * mu - g * zl[i] - dxa[i] * dzla[i] - zl[i] * dx[i]) / g;
                    }
                    else dzl[i] = 0;
                    if (hasHi[i])
                    {
                        double g = gu[i];
                        dzu[i] = (sigma * mu - g * zu[i] + dxa[i] * dzua[i] + zu[i] * dx[i]) / g;
                    }
                    else dzu[i] = 0;
                }
                double a = StepLength(dx, dzl, dzu, 0.995);
                // Safeguard: on a QP the α² dxᵀP dx part of the new gap can outgrow the decrease, and plain Mehrotra
                // then cycles. Once feasible, backtrack until the gap falls.
                if (pinf <= 1e-6 * bNorm && dinf <= 1e-6 * cNorm)
                    while (a > 1e-3 && GapAfter(a, dx, dzl, dzu) > (1 - 0.01 * a) * gap) a *= 0.7;
                opt.Log?.Invoke($"   aa {aa:e2} sigma {sigma:e2} a {a:e2} mu {mu:e2}");
                for (int i = 0; i < n; i++)
                {
                    X[i] += a * dx[i];
                    gl[i] += a * dx[i];
                    gu[i] -= a * dx[i];
                    zl[i] += a * dzl[i];
                    zu[i] += a * dzu[i];
                }
                for (int k = 0; k < yl.Length; k++) yl[k] += a * dyl[k];
                for (int k = 0; k < mg; k++) yg[k] += a * dyg[k];
            }
            return (QpStatus.NotConverged, opt.MaxIterations);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private double ScaledObjective()
        {
            double f = 0;
            for (int i = 0; i < n; i++) f += c[i] * X[i];
            for (int b = 0; b < nb; b++)
            {
                int nv = BlockSize(b), o = blockStart[b];
                var h = hBase[b];
                for (int r = 0; r < nv; r++)
                {
                    double xr = X[blockVars[o + r]];
                    if (xr == 0) continue;
                    f += 0.5 * xr * RowTimesX(h, nv, o, r);
                }
            }
            return f;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private double GapAfter(double a, double[] dxv, double[] dzlv, double[] dzuv)
        {
            double g = 0;
            for (int i = 0; i < n; i++)
            {
                if (hasLo[i]) g += (gl[i] + a * dxv[i]) * (zl[i] + a * dzlv[i]);
                if (hasHi[i]) g += (gu[i] - a * dxv[i]) * (zu[i] + a * dzuv[i]);
            }
            return g;
        }

        private double StepLength(double[] dxv, double[] dzlv, double[] dzuv, double fraction)
        {
            double a = 1.0 / fraction;
            for (int i = 0; i < n; i++)
            {
                if (hasLo[i])
                {
                    if (dxv[i] < 0) a = Math.Min(a, -gl[i] / dxv[i]);
                    if (dzlv[i] < 0) a = Math.Min(a, -zl[i] / dzlv[i]);
                }
                if (hasHi[i])
                {
                    if (dxv[i] > 0) a = Math.Min(a, gu[i] / dxv[i]);
                    if (dzuv[i] < 0) a = Math.Min(a, -zu[i] / dzuv[i]);
                }
            }
            return Math.Min(1.0, fraction * a);
        }

        /// <summary>rd = Px + c − Aᵀy − zl + zu; rp = Ax − b (local and global rows).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Residuals(double[] rd, double[] rpl, double[] rpg)
        {
            for (int i = 0; i < n; i++) rd[i] = c[i] - zl[i] + zu[i];
            Array.Clear(rpg);
            for (int b = 0; b < nb; b++)
            {
                int nv = BlockSize(b), mr = BlockRows(b), o = blockStart[b];
                var h = hBase[b];
                for (int r = 0; r < nv; r++) rd[blockVars[o + r]] += RowTimesX(h, nv, o, r);
                var a = localA[b];
                for (int k = 0; k < mr; k++)
                {
                    double y = yl[rowStart[b] + k], ax = 0;
                    for (int q = 0; q < nv; q++)
                    {
                        double coef = a[k * nv + q];
                        if (coef == 0) continue;
                        rd[blockVars[o + q]] -= coef * y;
                        ax += coef * X[blockVars[o + q]];
                    }
                    rpl[rowStart[b] + k] = ax - localRhs[rowStart[b] + k];
                }
            }
            for (int i = 0; i < n; i++)
                for (int k = gStart[i]; k < gStart[i + 1]; k++)
                {
                    rd[i] -= gVal[k] * yg[gRow[k]];
                    rpg[gRow[k]] += gVal[k] * X[i];
                }
            for (int g = 0; g < mg; g++) rpg[g] -= gRhs[g];
        }

        /// <summary>This thread's buffer of at least mg² doubles (contents left from its last solve).</summary>
        private double[] SchurBuffer(ref double[]? kept)
        {
            int size = Math.Max(1, mg * mg);
            if (kept is null || kept.Length < size) kept = new double[size];
            return kept;
        }

        /// <summary>Factorizes every block's KKT matrix and forms the global Schur complement (Cholesky, in s).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private bool Factorize(double[] theta, double[] s, ref double[] work)
        {
            // Blocks without bounds (the factor-exposure block) have the same KKT matrix every iteration: factor them
            // once and keep their Schur contribution, which matters when F is large (a plain covariance problem).
            if (constantS is null)
            {
                constantS = SchurBuffer(ref threadConstantSchur);
                Array.Clear(constantS, 0, mg * mg);
                for (int b = 0; b < nb; b++)
                    if (constantBlock[b] && !FactorBlock(b, theta, constantS, ref work)) return false;
            }
            Array.Copy(constantS, s, mg * mg);
            for (int b = 0; b < nb; b++)
                if (!constantBlock[b] && !FactorBlock(b, theta, s, ref work)) return false;
            for (int g = 0; g < mg; g++) s[g * mg + g] += RegDual;
            return Dense.CholeskyFactor(s, mg, envelope);
        }

        /// <summary>Whether block b's Hessian is diagonal (no entry of the objective or of a quadratic row joins two of its
        /// variables): the lots, buys and holding of one account's security, whose KKT matrix is [D Aᵀ; A −δ].</summary>
        private bool IsDiagonal(int b)
        {
            int nv = BlockSize(b);
            bool Diagonal(double[] h)
            {
                for (int r = 0; r < nv; r++)
                    for (int q = 0; q < nv; q++)
                        if (r != q && h[r * nv + q] != 0) return false;
                return true;
            }
            if (!Diagonal(hBase[b])) return false;
            if (nq > 0 && qOfBlock[b] is { } quadratic)
                foreach (var (_, qh) in quadratic)
                    if (!Diagonal(qh)) return false;
            return true;
        }

        /// <summary>Factors a diagonal block's [D Aᵀ; A −δ] by eliminating first the variables whose pivot d is at least
        /// every entry of their column in A (those the barrier pins to a bound: a lot not sold, a buy not made), the pivots
        /// partial pivoting would take: stable, where eliminating every variable (A·D⁻¹·Aᵀ) loses a free holding's digits
        /// to cancellation. The rest and the rows form the reduced system [D_K A_Kᵀ; A_K −(δ + A_E·D_E⁻¹·A_Eᵀ)], factored
        /// by LU in kMat[b]: a few variables and the block's row instead of the whole block.</summary>
        private bool FactorDiagonal(int b, double[] theta)
        {
            int nv = BlockSize(b), mr = BlockRows(b), o = blockStart[b];
            var h = hBase[b];
            var a = freeA[b];
            var inv = pinnedInverse[b];
            var kept = keptVars[b];
            var pivots = keptPivots[b];
            var quadratic = nq > 0 ? qOfBlock[b] : null;
            int kc = 0;
            for (int r = 0; r < nv; r++)
            {
                int v = blockVars[o + r];
                if (isFixed[v]) { inv[r] = 1; continue; }   // its column is zero: x = p
                double dr = h[r * nv + r];
                if (quadratic is not null)
                    foreach (var (row, qh) in quadratic) dr += qWeight[row] * qh[r * nv + r];
                dr += theta[v] + RegPrimal;
                double amax = 0;
                for (int t = 0; t < mr; t++) amax = Math.Max(amax, Math.Abs(a[t * nv + r]));
                if (dr >= amax) inv[r] = 1 / dr;
                else
                {
                    inv[r] = 0;
                    pivots[kc] = dr;
                    kept[kc++] = r;
                }
            }
            keptCount[b] = kc;
            int mk = kc + mr;
            var d = kMat[b];
            for (int i = 0; i < kc; i++)
            {
                for (int j = 0; j < mk; j++) d[i * mk + j] = 0;
                d[i * mk + i] = pivots[i];
            }
            for (int t = 0; t < mr; t++)
            {
                for (int i = 0; i < kc; i++) d[(kc + t) * mk + i] = d[i * mk + kc + t] = a[t * nv + kept[i]];
                for (int u = 0; u <= t; u++)
                {
                    double sum = t == u ? RegDual : 0;
                    for (int q = 0; q < nv; q++)
                        if (inv[q] != 0) sum += a[t * nv + q] * inv[q] * a[u * nv + q];
                    d[(kc + t) * mk + kc + u] = d[(kc + u) * mk + kc + t] = -sum;
                }
            }
            return Dense.LuFactor(d, kPiv[b], mk);
        }

        /// <summary>Solves block b's KKT system K·v = [p; q] in place (v holds p then q on entry, x then y on return).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void SolveBlock(int b, Span<double> v)
        {
            int nv = BlockSize(b), mr = BlockRows(b);
            if (!diagonalBlock[b])
            {
                Dense.LuSolve(kMat[b], kPiv[b], nv + mr, v);
                return;
            }
            var a = freeA[b];
            var inv = pinnedInverse[b];
            var kept = keptVars[b];
            int kc = keptCount[b], mk = kc + mr;
            Span<double> reduced = mk <= 128 ? stackalloc double[mk] : new double[mk];
            for (int i = 0; i < kc; i++) reduced[i] = v[kept[i]];
            for (int t = 0; t < mr; t++)
            {
                double sum = v[nv + t];
                for (int q = 0; q < nv; q++)
                    if (inv[q] != 0) sum -= a[t * nv + q] * inv[q] * v[q];
                reduced[kc + t] = sum;
            }
            Dense.LuSolve(kMat[b], kPiv[b], mk, reduced);
            for (int q = 0; q < nv; q++)
            {
                if (inv[q] == 0) continue;
                double sum = v[q];
                for (int t = 0; t < mr; t++) sum -= a[t * nv + q] * reduced[kc + t];
                v[q] = sum * inv[q];
            }
            for (int i = 0; i < kc; i++) v[kept[i]] = reduced[i];
            for (int t = 0; t < mr; t++) v[nv + t] = reduced[kc + t];
        }

        /// <summary>Factors block b's KKT matrix [H + Θ Aᵀ; A −δ] densely (LU with partial pivoting) in kMat[b].</summary>
        private bool FactorLu(int b, double[] theta)
        {
            int nv = BlockSize(b), mr = BlockRows(b), m = nv + mr, o = blockStart[b];
            var k = kMat[b];
            var h = hBase[b];
            var a = localA[b];
            Array.Clear(k);
            for (int r = 0; r < nv; r++)
                for (int q = 0; q < nv; q++) k[r * m + q] = h[r * nv + q];
            if (nq > 0 && qOfBlock[b] is { } quadratic)
                foreach (var (row, qh) in quadratic)
                {
                    double w = qWeight[row];
                    if (w == 0) continue;
                    for (int r = 0; r < nv; r++)
                        for (int q = 0; q < nv; q++) k[r * m + q] += w * qh[r * nv + q];
                }
            for (int r = 0; r < nv; r++) k[r * m + r] += theta[blockVars[o + r]] + RegPrimal;
            for (int t = 0; t < mr; t++)
            {
                for (int q = 0; q < nv; q++)
                {
                    k[(nv + t) * m + q] = a[t * nv + q];
                    k[q * m + nv + t] = a[t * nv + q];
                }
                k[(nv + t) * m + nv + t] = -RegDual;
            }
            for (int r = 0; r < nv; r++)
            {
                if (!isFixed[blockVars[o + r]]) continue;
                for (int q = 0; q < m; q++) { k[r * m + q] = 0; k[q * m + r] = 0; }
                k[r * m + r] = 1;
            }
            return Dense.LuFactor(k, kPiv[b], m);
        }

        /// <summary>Factors block b and adds its part to the Schur complement s.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private bool FactorBlock(int b, double[] theta, double[] s, ref double[] work)
        {
            if (!(diagonalBlock[b] ? FactorDiagonal(b, theta) : FactorLu(b, theta))) return false;
            int m = BlockSize(b) + BlockRows(b);
            var tv = touched[b];
            if (tv.Length == 0) return true;
            if (work.Length < m + mg) work = new double[2 * (m + mg)];
            for (int ta = 0; ta < tv.Length; ta++)
            {
                var col = work.AsSpan(0, m);
                col.Clear();
                col[localOf[tv[ta]]] = 1;
                SolveBlock(b, col);
                col.CopyTo(unitSolves[b].AsSpan(ta * m, m));
                // hvec = Σ_b (K⁻¹)[tb, ta] · g_tb  (a dense vector over global rows)
                // Only the rows this block touches are written and read: clearing all mg of them for each touched
                // variable was most of a solve's memory traffic.
                var hvec = work.AsSpan(m, mg);
                foreach (int q in touchedRows[b]) hvec[q] = 0;
                foreach (int vb in tv)
                {
                    double kinv = col[localOf[vb]];
                    if (kinv == 0) continue;
                    for (int e = gStart[vb]; e < gStart[vb + 1]; e++) hvec[gRow[e]] += kinv * gVal[e];
                }
                // Only the lower triangle is read by the Cholesky, and only the rows this block touches are nonzero.
                int va = tv[ta];
                var rowsHere = touchedRows[b];
                for (int e = gStart[va]; e < gStart[va + 1]; e++)
                {
                    int r = gRow[e];
                    double ga = gVal[e];
                    foreach (int q in rowsHere)
                    {
                        if (q > r) break;
                        s[r * mg + q] += ga * hvec[q];
                    }
                }
            }
            return true;
        }

        /// <summary>Solves [H Aᵀ; A −δ][dx; −dy] = [rx; −rp] block by block through the Schur complement. A block the global
        /// rows touch is solved once: its second pass is K⁻¹·(r − Gᵀζ) = K⁻¹·r − Σ (Gᵀζ)ₜ·K⁻¹·eₜ, from the first pass and the
        /// columns the factorization kept.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void SolveKkt(double[] rx, double[] rpl, double[] rpg, double[] s, double[] dxOut, double[] dylOut, double[] dygOut, ref double[] work)
        {
            var zeta = new double[mg];
            for (int g = 0; g < mg; g++) zeta[g] = rpg[g];   // rhs = Σ G a − p_g, with p_g = −rpg
            for (int pass = 0; pass < 2; pass++)
            {
                for (int b = 0; b < nb; b++)
                {
                    int nv = BlockSize(b), mr = BlockRows(b), m = nv + mr, o = blockStart[b];
                    var tv = touched[b];
                    if (pass == 0 && tv.Length == 0) continue;
                    if (work.Length < m) work = new double[2 * m];
                    var v = pass == 0 ? firstPass.AsSpan(o + rowStart[b], m) : work.AsSpan(0, m);
                    if (pass == 1 && tv.Length > 0)
                    {
                        firstPass.AsSpan(o + rowStart[b], m).CopyTo(v);
                        var cols = unitSolves[b];
                        for (int ta = 0; ta < tv.Length; ta++)
                        {
                            int i = tv[ta];
                            double w = 0;
                            for (int e = gStart[i]; e < gStart[i + 1]; e++) w += gVal[e] * zeta[gRow[e]];
                            if (w != 0) Dense.SubtractScaled(v, w, cols.AsSpan(ta * m, m));
                        }
                    }
                    else
                    {
                        for (int r = 0; r < nv; r++)
                        {
                            int i = blockVars[o + r];
                            v[r] = isFixed[i] ? 0 : rx[i];
                        }
                        for (int t = 0; t < mr; t++) v[nv + t] = -rpl[rowStart[b] + t];
                        SolveBlock(b, v);
                    }
                    if (pass == 0)
                    {
                        foreach (int i in tv)
                            for (int e = gStart[i]; e < gStart[i + 1]; e++) zeta[gRow[e]] += gVal[e] * v[localOf[i]];
                    }
                    else
                    {
                        for (int r = 0; r < nv; r++) dxOut[blockVars[o + r]] = v[r];
                        for (int t = 0; t < mr; t++) dylOut[rowStart[b] + t] = -v[nv + t];
                    }
                }
                if (pass == 0) Dense.CholeskySolve(s, mg, zeta, envelope);
            }
            for (int g = 0; g < mg; g++) dygOut[g] = -zeta[g];
        }
    }
}

/// <summary>Small dense kernels for the solver's blocks (no allocation, row-major). The inner products run four lanes
/// at a time (256-bit vectors where the machine has them, the same four partial sums in scalar code where it does not),
/// so a solve gives the same bits on every machine whatever its vector width.</summary>
public static class Dense
{
    /// <summary>Σ x[i]·y[i], summed in four interleaved partial sums combined as (s0 + s1) + (s2 + s3), then the tail.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        int n = x.Length, i = 0;
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            ref double xr = ref MemoryMarshal.GetReference(x), yr = ref MemoryMarshal.GetReference(y);
            var acc = Vector256<double>.Zero;
            for (; i <= n - 4; i += 4)
                acc += Vector256.LoadUnsafe(ref xr, (nuint)i) * Vector256.LoadUnsafe(ref yr, (nuint)i);
            (s0, s1, s2, s3) = (acc.GetElement(0), acc.GetElement(1), acc.GetElement(2), acc.GetElement(3));
        }
        else if (n >= 8)
            for (; i <= n - 4; i += 4)
            {
                s0 += x[i] * y[i]; s1 += x[i + 1] * y[i + 1];
                s2 += x[i + 2] * y[i + 2]; s3 += x[i + 3] * y[i + 3];
            }
        double sum = (s0 + s1) + (s2 + s3);
        for (; i < n; i++) sum += x[i] * y[i];
        return sum;
    }

    /// <summary>x[i] −= f·y[i] (element by element: the same bits at any vector width).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SubtractScaled(Span<double> x, double f, ReadOnlySpan<double> y)
    {
        int n = x.Length, i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref double xr = ref MemoryMarshal.GetReference(x), yr = ref MemoryMarshal.GetReference(y);
            var fv = Vector256.Create(f);
            for (; i <= n - 4; i += 4)
                (Vector256.LoadUnsafe(ref xr, (nuint)i) - fv * Vector256.LoadUnsafe(ref yr, (nuint)i)).StoreUnsafe(ref xr, (nuint)i);
        }
        for (; i < n; i++) x[i] -= f * y[i];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool LuFactor(double[] a, int[] piv, int m)
    {
        for (int k = 0; k < m; k++)
        {
            int p = k;
            double best = Math.Abs(a[k * m + k]);
            for (int r = k + 1; r < m; r++)
            {
                double v = Math.Abs(a[r * m + k]);
                if (v > best) { best = v; p = r; }
            }
            if (best == 0 || !double.IsFinite(best)) return false;
            piv[k] = p;
            if (p != k)
                for (int q = 0; q < m; q++) (a[k * m + q], a[p * m + q]) = (a[p * m + q], a[k * m + q]);
            double inv = 1 / a[k * m + k];
            for (int r = k + 1; r < m; r++)
            {
                double f = a[r * m + k] * inv;
                if (f == 0) continue;
                a[r * m + k] = f;
                SubtractScaled(a.AsSpan(r * m + k + 1, m - k - 1), f, a.AsSpan(k * m + k + 1, m - k - 1));
            }
        }
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LuSolve(double[] a, int[] piv, int m, Span<double> b)
    {
        if (m == 1) { b[0] /= a[0]; return; }   // most blocks are one slack or one cash variable
        for (int k = 0; k < m; k++)
        {
            int p = piv[k];
            if (p != k) (b[k], b[p]) = (b[p], b[k]);
        }
        for (int r = 1; r < m; r++) b[r] -= Dot(a.AsSpan(r * m, r), b[..r]);
        for (int r = m - 1; r >= 0; r--) b[r] = (b[r] - Dot(a.AsSpan(r * m + r + 1, m - r - 1), b[(r + 1)..m])) / a[r * m + r];
    }

    /// <summary>In-place Cholesky (lower triangle) of a symmetric positive definite matrix. With an envelope, row i's
    /// entries left of first[i] are zero and stay zero in the factor (nothing is read or written there): a matrix of
    /// groups with a border of rows that join them costs its groups' triangles and the border, not m³/3.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool CholeskyFactor(double[] a, int m, int[]? first = null)
    {
        for (int i = 0; i < m; i++)
        {
            int fi = first?[i] ?? 0;
            for (int j = fi; j < i; j++)
            {
                int lo = Math.Max(fi, first?[j] ?? 0);
                a[i * m + j] = (a[i * m + j] - Dot(a.AsSpan(i * m + lo, j - lo), a.AsSpan(j * m + lo, j - lo))) / a[j * m + j];
            }
            var rowI = a.AsSpan(i * m + fi, i - fi);
            double d = a[i * m + i] - Dot(rowI, rowI);
            if (!(d > 0)) return false;
            a[i * m + i] = Math.Sqrt(d);
        }
        return true;
    }

    /// <summary>Solves L·Lᵀ·x = b in place with the factor <see cref="CholeskyFactor"/> left (and its envelope, if any).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void CholeskySolve(double[] l, int m, double[] b, int[]? first = null)
    {
        for (int i = 0; i < m; i++)
        {
            int fi = first?[i] ?? 0;
            b[i] = (b[i] - Dot(l.AsSpan(i * m + fi, i - fi), b.AsSpan(fi, i - fi))) / l[i * m + i];
        }
        for (int i = m - 1; i >= 0; i--)
        {
            int fi = first?[i] ?? 0;
            double v = b[i] /= l[i * m + i];
            if (v == 0) continue;
            for (int j = fi; j < i; j++) b[j] -= l[i * m + j] * v;
        }
    }
}
