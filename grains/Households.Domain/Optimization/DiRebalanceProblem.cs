using System.Text.Json;
using Households.Contracts;
using Households.Domain.Optimization.Solvers;
using Households.Domain.Risk;

namespace Households.Domain.Optimization;

/// <summary>The result of solving a <c>di-rebalance-qp/1</c> problem: weights in ticker order and the
/// problem's stated objective (constants included) evaluated at them.</summary>
public sealed record DiSolution(QpStatus Status, double[] Weights, double Objective, double TrackingError, double SolveMilliseconds, int Iterations, string Solver);

/// <summary>A direct-indexing rebalance in the shared <c>di-rebalance-qp/1</c> format
/// (../shared/optimizer/README.md): minimize (w−b)ᵀΣ(w−b) + λ Σ|w−w0| with Σ = B F Bᵀ + diag(D),
/// subject to Σw = 1, 0 ≤ w ≤ w_max, excluded names at zero and sector bands. Parsing validates every field.</summary>
public sealed class DiRebalanceProblem
{
    public const string Format = "di-rebalance-qp/1";
    /// <summary>Limits that keep a hostile file from allocating without bound: the shared N=2000 problem is under half a megabyte.</summary>
    public const long MaxFileBytes = 512L * 1024 * 1024;
    public const int MaxDimension = 100_000;
    public required int N { get; init; }
    public required int K { get; init; }
    public required double Lambda { get; init; }
    public required double WMax { get; init; }
    public required double SectorBandWidth { get; init; }
    public required string[] Tickers { get; init; }
    public required string[] SectorNames { get; init; }
    public required int[] Sector { get; init; }
    public required FactorRiskModel Risk { get; init; }
    public required double[] Benchmark { get; init; }
    public required double[] W0 { get; init; }
    public required int[] Excluded { get; init; }

    public static DiRebalanceProblem Parse(string json)
    {
        JsonDocument doc;
        // A repeated field is ambiguous; refuse it rather than let the last one win.
        try { doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowDuplicateProperties = false, MaxDepth = 64 }); }
        catch (JsonException ex) { throw new BadInputException($"problem is not valid JSON: {ex.Message.Split('\n')[0]}"); }
        using (doc)
        {
            var r = doc.RootElement;
            if (r.ValueKind != JsonValueKind.Object) throw new BadInputException("problem must be a JSON object");
            string format = Str(r, "format");
            if (format != Format) throw new BadInputException($"format is '{format}', expected '{Format}'");
            int n = Int(r, "n"), k = Int(r, "k");
            if (n < 1) throw new BadInputException("n must be at least 1");
            if (k < 1) throw new BadInputException("k must be at least 1");
            if (n > MaxDimension || k > MaxDimension) throw new BadInputException($"n and k must be at most {MaxDimension}");
            double lambda = Num(r, "lambda"), wmax = Num(r, "w_max"), band = Num(r, "sector_band");
            if (lambda < 0) throw new BadInputException("lambda must be non-negative");
            if (wmax <= 0) throw new BadInputException("w_max must be positive");
            if (band < 0) throw new BadInputException("sector_band must be non-negative");
            var tickers = StrArray(r, "tickers", n);
            if (tickers.Distinct().Count() != n) throw new BadInputException("tickers are not unique");
            var sectorNames = StrArray(r, "sector_names", -1);
            if (sectorNames.Length == 0) throw new BadInputException("sector_names is empty");
            var sector = IntArray(r, "sector", n);
            for (int i = 0; i < n; i++)
                if (sector[i] < 0 || sector[i] >= sectorNames.Length) throw new BadInputException($"sector[{i}] = {sector[i]} is not an index into sector_names");
            var factorNames = r.TryGetProperty("factor_names", out _) ? StrArray(r, "factor_names", k) : Enumerable.Range(0, k).Select(f => $"f{f}").ToArray();
            var b = Matrix(r, "B", n, k);
            var f = Matrix(r, "F", k, k);
            for (int i = 0; i < k; i++)
                for (int j = i + 1; j < k; j++)
                    if (Math.Abs(f[i, j] - f[j, i]) > 1e-12 * Math.Max(1, Math.Abs(f[i, j])))
                        throw new BadInputException($"F is not symmetric: F[{i}][{j}] != F[{j}][{i}]");
            CheckPositiveSemidefinite(f);
            var d = NumArray(r, "D", n);
            for (int i = 0; i < n; i++) if (d[i] < 0) throw new BadInputException($"D[{i}] is negative");
            var bench = NumArray(r, "b", n);
            double sb = bench.Sum();
            if (bench.Any(v => v < 0)) throw new BadInputException("b has a negative weight");
            if (!(Math.Abs(sb - 1) <= 1e-6 || bench.All(v => v == 0))) throw new BadInputException($"b sums to {sb}, expected 1 (or all zeros)");
            var w0 = NumArray(r, "w0", n);
            for (int i = 0; i < n; i++) if (w0[i] < 0) throw new BadInputException($"w0[{i}] is negative");
            var excluded = IntArray(r, "excluded", -1);
            foreach (var e in excluded) if (e < 0 || e >= n) throw new BadInputException($"excluded index {e} is out of range");
            return new DiRebalanceProblem
            {
                N = n, K = k, Lambda = lambda, WMax = wmax, SectorBandWidth = band, Tickers = tickers, SectorNames = sectorNames,
                Sector = sector, Risk = new FactorRiskModel(tickers, factorNames, b, f, d), Benchmark = bench, W0 = w0,
                Excluded = [.. excluded.Distinct().Order()],
            };
        }
    }

    /// <summary>The problem's stated objective and tracking error at <paramref name="w"/>, constants included.</summary>
    public (double Objective, double TrackingVariance) Evaluate(ReadOnlySpan<double> w)
    {
        var a = new double[N];
        double turnover = 0;
        for (int i = 0; i < N; i++) { a[i] = w[i] - Benchmark[i]; turnover += Math.Abs(w[i] - W0[i]); }
        double te = Risk.Variance(a);
        return (te + Lambda * turnover, te);
    }

    /// <summary>The household view of this problem: one account, no lots, weights of a unit portfolio.</summary>
    public OptimizerHousehold ToState()
    {
        var secs = new Security[N];
        for (int i = 0; i < N; i++) secs[i] = new Security(Tickers[i], Tickers[i], "equity", SectorNames[Sector[i]], null, SecurityKind.Stock);
        var lots = new List<LotPosition>[N];
        for (int i = 0; i < N; i++) lots[i] = [];
        var eligible = new bool[N];
        Array.Fill(eligible, true);
        var account = new OptimizerAccount
        {
            Id = "di", Type = AccountType.Taxable, Share = 1, Cash = Math.Max(0, 1 - W0.Sum()), Holdings = (double[])W0.Clone(),
            Lots = lots, Eligible = eligible, Restrictions = [],
        };
        var prices = new double[N];
        Array.Fill(prices, 1.0);
        return new OptimizerHousehold { Securities = secs, Prices = prices, Accounts = [account], TotalValue = 1 };
    }

    /// <summary>The problem as a composed policy: tracking error plus linear trading cost; long only, fully invested,
    /// a name cap, exclusions and sector bands. An investment <paramref name="policy"/> (the live path's, <c>households optimize
    /// --policy</c>) adds its terms: the tracking-error weight, expected-return views by ticker or sector, factor tilts on the
    /// problem's factors (<see cref="WithPolicy"/> applies its name cap, sector band and excluded sectors).</summary>
    public Policy ToPolicy(InvestmentPolicy? policy = null)
    {
        var bench = new Dictionary<string, double>(N);
        for (int i = 0; i < N; i++) bench[Tickers[i]] = Benchmark[i];
        var terms = new List<ITerm> { new TrackingError(Risk, Benchmark, weight: policy?.TrackingErrorWeight ?? 1), new TransactionCost(Lambda) };
        var constraints = new List<IConstraint>
        {
            new LongOnly(), new FullyInvested(), new MaxWeight(WMax), Optimization.Excluded.Symbols(Excluded.Select(e => Tickers[e])), new SectorBand(SectorBandWidth, bench),
        };
        if (policy?.Views is { Length: > 0 } views)
        {
            var alpha = new Dictionary<string, double>(StringComparer.Ordinal);
            for (int i = 0; i < N; i++)
                if ((views.FirstOrDefault(v => v.Symbol == Tickers[i]) ?? views.FirstOrDefault(v => v.Symbol is null && v.Sector == SectorNames[Sector[i]])) is { } view)
                    alpha[Tickers[i]] = view.Alpha;
            terms.Add(new ExpectedReturn(alpha, policy.ViewWeight ?? 1));
        }
        foreach (var tilt in policy?.FactorTilts ?? [])
            constraints.Add(new FactorExposureBand(Risk, Benchmark, tilt.Factor, tilt.Tilt, tilt.Band));
        return new Policy(terms, constraints);
    }

    /// <summary>This problem under an investment policy's name cap, sector band and excluded sectors.</summary>
    public DiRebalanceProblem WithPolicy(InvestmentPolicy policy)
    {
        Decisions.PolicyValidation.Check(policy);
        var sectors = (policy.ExcludedSectors ?? []).ToHashSet(StringComparer.Ordinal);
        return new DiRebalanceProblem
        {
            N = N, K = K, Lambda = Lambda, WMax = policy.MaxWeight ?? WMax, SectorBandWidth = policy.SectorBand ?? SectorBandWidth, Tickers = Tickers,
            SectorNames = SectorNames, Sector = Sector, Risk = Risk, Benchmark = Benchmark, W0 = W0,
            Excluded = [.. Excluded.Concat(Enumerable.Range(0, N).Where(i => sectors.Contains(SectorNames[Sector[i]]))).Distinct().Order()],
        };
    }

    /// <summary>Exact feasibility of the box, budget and sector constraints (the solver need not discover it).</summary>
    public bool IsFeasible()
    {
        var ex = new HashSet<int>(Excluded);
        double lo = 0, hi = 0;
        for (int s = 0; s < SectorNames.Length; s++)
        {
            double bs = 0, cap = 0;
            bool any = false;
            for (int i = 0; i < N; i++)
                if (Sector[i] == s) { any = true; bs += Benchmark[i]; if (!ex.Contains(i)) cap += WMax; }
            if (!any) continue;
            double l = Math.Max(0, bs - SectorBandWidth), h = Math.Min(bs + SectorBandWidth, cap);
            if (l > h + 1e-12) return false;
            lo += l; hi += h;
        }
        return lo <= 1 + 1e-12 && 1 <= hi + 1e-12;
    }

    public DiSolution Solve(IQpSolver? solver = null, InvestmentPolicy? policy = null)
    {
        if (policy is not null) return WithPolicy(policy).SolveUnder(solver, policy);
        return SolveUnder(solver, null);
    }

    private DiSolution SolveUnder(IQpSolver? solver, InvestmentPolicy? policy)
    {
        var ipm = solver ?? new InteriorPointSolver();
        if (!IsFeasible()) return new DiSolution(QpStatus.Infeasible, [], double.NaN, double.NaN, 0, 0, SolverName(ipm));
        if (policy?.FactorTilts?.FirstOrDefault(t => !Risk.Factors.Contains(t.Factor)) is { } unknown)
            throw new BadInputException($"policy: factor tilt on {unknown.Factor}, which is not among the problem's factor_names");
        var ws = new RebalanceOptimizer(ipm).SolveWeights(ToState(), ToPolicy(policy));
        if (ws.Solution.Status != QpStatus.Optimal)
            return new DiSolution(ws.Solution.Status, [], double.NaN, double.NaN, ws.SolveMilliseconds, ws.Solution.Iterations, ws.Solution.Solver);
        var w = new double[N];
        for (int i = 0; i < N; i++) w[i] = ws.Context.Holding(0, i, ws.Solution.X);
        var (obj, tv) = Evaluate(w);
        return new DiSolution(QpStatus.Optimal, w, obj, Math.Sqrt(Math.Max(0, tv)), ws.SolveMilliseconds, ws.Solution.Iterations, ws.Solution.Solver);
    }

    private static string SolverName(IQpSolver s) => s is InteriorPointSolver ? InteriorPointSolver.Name : s.GetType().Name;

    private static void CheckPositiveSemidefinite(double[,] f)
    {
        var m = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfArray(f);
        var evd = m.Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric);
        double max = evd.EigenValues.Max(e => Math.Abs(e.Real));
        double min = evd.EigenValues.Min(e => e.Real);
        if (min < -1e-10 * Math.Max(max, 1e-300)) throw new BadInputException($"F is not positive semidefinite (eigenvalue {min:g3})");
    }

    private static JsonElement Prop(JsonElement r, string name) =>
        r.TryGetProperty(name, out var v) ? v : throw new BadInputException($"missing field '{name}'");

    private static string Str(JsonElement r, string name)
    {
        var v = Prop(r, name);
        return v.ValueKind == JsonValueKind.String ? v.GetString()! : throw new BadInputException($"'{name}' must be a string");
    }

    private static int Int(JsonElement r, string name) => AsInt(Prop(r, name), name);

    private static int AsInt(JsonElement v, string what) =>
        v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : throw new BadInputException($"'{what}' must be an integer");

    private static double Num(JsonElement r, string name) => AsNum(Prop(r, name), name);

    private static double AsNum(JsonElement v, string what)
    {
        // System.Text.Json rejects NaN/Infinity literals at parse time; huge numbers can still overflow to ∞.
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out var d) || !double.IsFinite(d))
            throw new BadInputException($"'{what}' must be a finite number");
        return d;
    }

    private static JsonElement Arr(JsonElement r, string name, int len)
    {
        var v = Prop(r, name);
        if (v.ValueKind != JsonValueKind.Array) throw new BadInputException($"'{name}' must be an array");
        if (len >= 0 && v.GetArrayLength() != len) throw new BadInputException($"'{name}' has {v.GetArrayLength()} entries, expected {len}");
        return v;
    }

    private static string[] StrArray(JsonElement r, string name, int len) =>
        [.. Arr(r, name, len).EnumerateArray().Select((e, i) => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw new BadInputException($"'{name}[{i}]' must be a string"))];

    private static int[] IntArray(JsonElement r, string name, int len) =>
        [.. Arr(r, name, len).EnumerateArray().Select((e, i) => AsInt(e, $"{name}[{i}]"))];

    private static double[] NumArray(JsonElement r, string name, int len) =>
        [.. Arr(r, name, len).EnumerateArray().Select((e, i) => AsNum(e, $"{name}[{i}]"))];

    private static double[,] Matrix(JsonElement r, string name, int rows, int cols)
    {
        var a = Arr(r, name, rows);
        // Shapes first: a claimed dimension the rows do not have must not allocate rows × cols.
        int i = 0;
        foreach (var row in a.EnumerateArray())
        {
            if (row.ValueKind != JsonValueKind.Array || row.GetArrayLength() != cols)
                throw new BadInputException($"'{name}[{i}]' must be an array of {cols} numbers");
            i++;
        }
        var m = new double[rows, cols];
        i = 0;
        foreach (var row in a.EnumerateArray())
        {
            int j = 0;
            foreach (var e in row.EnumerateArray()) { m[i, j] = AsNum(e, $"{name}[{i}][{j}]"); j++; }
            i++;
        }
        return m;
    }
}
