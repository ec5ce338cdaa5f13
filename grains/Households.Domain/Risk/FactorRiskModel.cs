namespace Households.Domain.Risk;

/// <summary>A factor risk model Σ = B F Bᵀ + diag(D) over named securities: exposures B (n × k), factor
/// covariance F (k × k, symmetric positive semidefinite) and specific variances D (n, non-negative).
/// Variances are annualised; weights are fractions.</summary>
public sealed class FactorRiskModel
{
    public FactorRiskModel(IReadOnlyList<string> symbols, IReadOnlyList<string> factors, double[,] exposures, double[,] factorCovariance, double[] specificVariance)
    {
        int n = symbols.Count, k = factors.Count;
        if (exposures.GetLength(0) != n || exposures.GetLength(1) != k)
            throw new BadInputException($"risk model: B is {exposures.GetLength(0)}x{exposures.GetLength(1)}, expected {n}x{k}");
        if (factorCovariance.GetLength(0) != k || factorCovariance.GetLength(1) != k)
            throw new BadInputException($"risk model: F is {factorCovariance.GetLength(0)}x{factorCovariance.GetLength(1)}, expected {k}x{k}");
        if (specificVariance.Length != n) throw new BadInputException($"risk model: D has {specificVariance.Length} entries, expected {n}");
        for (int i = 0; i < n; i++)
            if (!(specificVariance[i] >= 0) || !double.IsFinite(specificVariance[i]))
                throw new BadInputException($"risk model: D[{i}] = {specificVariance[i]} is not a non-negative number");
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
            {
                double a = factorCovariance[i, j], b = factorCovariance[j, i];
                if (!double.IsFinite(a)) throw new BadInputException($"risk model: F[{i}][{j}] is not finite");
                if (Math.Abs(a - b) > 1e-12 * Math.Max(1, Math.Max(Math.Abs(a), Math.Abs(b))))
                    throw new BadInputException($"risk model: F is not symmetric at [{i}][{j}]");
            }
        foreach (var v in exposures)
            if (!double.IsFinite(v)) throw new BadInputException("risk model: B has a value that is not finite");
        Symbols = symbols;
        Factors = factors;
        B = exposures;
        F = factorCovariance;
        D = specificVariance;
        index = new Dictionary<string, int>(n, StringComparer.Ordinal);
        for (int i = 0; i < n; i++)
            if (!index.TryAdd(symbols[i], i)) throw new BadInputException($"risk model: symbol {symbols[i]} appears twice");
    }

    private readonly Dictionary<string, int> index;
    public IReadOnlyList<string> Symbols { get; }
    public IReadOnlyList<string> Factors { get; }
    public double[,] B { get; }
    public double[,] F { get; }
    public double[] D { get; }
    public int N => Symbols.Count;
    public int K => Factors.Count;

    public int IndexOf(string symbol) =>
        index.TryGetValue(symbol, out var i) ? i : throw new BadInputException($"risk model has no security {symbol}");

    public bool Contains(string symbol) => index.ContainsKey(symbol);

    /// <summary>aᵀ Σ a for a vector a over the model's securities, without forming Σ.</summary>
    public double Variance(ReadOnlySpan<double> a)
    {
        int n = N, k = K;
        Span<double> f = k <= 256 ? stackalloc double[k] : new double[k];
        double v = 0;
        for (int i = 0; i < n; i++)
        {
            double ai = a[i];
            if (ai == 0) continue;
            v += D[i] * ai * ai;
            for (int j = 0; j < k; j++) f[j] += B[i, j] * ai;
        }
        for (int p = 0; p < k; p++)
        {
            double acc = 0;
            for (int q = 0; q < k; q++) acc += F[p, q] * f[q];
            v += f[p] * acc;
        }
        return v;
    }

    /// <summary>A plain covariance matrix as a factor model: B = I, F = Σ, D = 0.</summary>
    public static FactorRiskModel FromCovariance(IReadOnlyList<string> symbols, double[,] covariance)
    {
        int n = symbols.Count;
        var b = new double[n, n];
        for (int i = 0; i < n; i++) b[i, i] = 1;
        return new FactorRiskModel(symbols, symbols.Select(s => "asset:" + s).ToArray(), b, covariance, new double[n]);
    }
}
