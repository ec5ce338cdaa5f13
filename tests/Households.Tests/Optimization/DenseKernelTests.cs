using Households.Domain.Optimization.Solvers;
using Xunit;

namespace Households.Tests.Optimization;

/// <summary>The solver's dense kernels: the vectorized inner products give the bits of their four-lane scalar
/// definition (so a decision is the same on any vector width), and the factorizations solve what they factor.</summary>
public class DenseKernelTests
{
    [Fact]
    public void Dot_gives_the_bits_of_four_interleaved_partial_sums_at_every_length()
    {
        var rng = new Random(7);
        for (int n = 0; n <= 41; n++)
        {
            var x = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 2e3 - 1e3).ToArray();
            var y = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 2e-3 - 1e-3).ToArray();
            double expected;
            if (n >= 8)
            {
                double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                int i = 0;
                for (; i <= n - 4; i += 4) { s0 += x[i] * y[i]; s1 += x[i + 1] * y[i + 1]; s2 += x[i + 2] * y[i + 2]; s3 += x[i + 3] * y[i + 3]; }
                expected = (s0 + s1) + (s2 + s3);
                for (; i < n; i++) expected += x[i] * y[i];
            }
            else
            {
                expected = 0;
                for (int i = 0; i < n; i++) expected += x[i] * y[i];
            }
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(Dense.Dot(x, y)));
        }
    }

    [Fact]
    public void SubtractScaled_is_elementwise_at_every_length()
    {
        var rng = new Random(11);
        for (int n = 0; n <= 13; n++)
        {
            var x = Enumerable.Range(0, n).Select(_ => rng.NextDouble()).ToArray();
            var y = Enumerable.Range(0, n).Select(_ => rng.NextDouble()).ToArray();
            var expected = x.Select((v, i) => v - 0.37 * y[i]).ToArray();
            Dense.SubtractScaled(x, 0.37, y);
            Assert.Equal(expected, x);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(40)]
    [InlineData(161)]
    public void Cholesky_and_LU_solve_a_symmetric_positive_definite_system(int m)
    {
        // A = MᵀM + m·I, b = A·1: both factorizations must give x = 1.
        var rng = new Random(m);
        var g = Enumerable.Range(0, m * m).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var a = new double[m * m];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++)
            {
                double v = i == j ? m : 0;
                for (int k = 0; k < m; k++) v += g[k * m + i] * g[k * m + j];
                a[i * m + j] = v;
            }
        var b = Enumerable.Range(0, m).Select(i => Enumerable.Range(0, m).Sum(j => a[i * m + j])).ToArray();

        var l = (double[])a.Clone();
        Assert.True(Dense.CholeskyFactor(l, m));
        var x = (double[])b.Clone();
        Dense.CholeskySolve(l, m, x);
        Assert.All(x, v => Assert.Equal(1.0, v, 1e-12));

        var lu = (double[])a.Clone();
        var piv = new int[m];
        Assert.True(Dense.LuFactor(lu, piv, m));
        var z = (double[])b.Clone();
        Dense.LuSolve(lu, piv, m, z);
        Assert.All(z, v => Assert.Equal(1.0, v, 1e-12));
    }

    [Fact]
    public void Cholesky_inside_an_envelope_gives_the_dense_factors_solution()
    {
        // Three groups of 5, 7 and 4 rows and a border of 3 rows that joins them: the shape of a household's Schur
        // complement ordered by OrderGlobalRows (each account's rows together, the household's rows last).
        int[] groups = [5, 7, 4];
        int border = 3, m = groups.Sum() + border;
        var group = new int[m];
        for (int g = 0, r = 0; g < groups.Length; g++)
            for (int k = 0; k < groups[g]; k++) group[r++] = g;
        for (int r = m - border; r < m; r++) group[r] = -1;
        var rng = new Random(5);
        var a = new double[m * m];
        for (int i = 0; i < m; i++)
            for (int j = 0; j <= i; j++)
            {
                bool joined = group[i] < 0 || group[j] < 0 || group[i] == group[j];
                double v = i == j ? m : joined ? rng.NextDouble() - 0.5 : 0;
                a[i * m + j] = a[j * m + i] = v;
            }
        var first = new int[m];
        for (int i = 0; i < m; i++) first[i] = Enumerable.Range(0, i + 1).First(j => a[i * m + j] != 0);
        Assert.Equal(5, first[6]);                 // the second group's rows start at its own first row
        Assert.Equal(0, first[m - 1]);             // the border spans everything
        var b = Enumerable.Range(0, m).Select(i => Enumerable.Range(0, m).Sum(j => a[i * m + j])).ToArray();

        var dense = (double[])a.Clone();
        Assert.True(Dense.CholeskyFactor(dense, m));
        var enveloped = (double[])a.Clone();
        Assert.True(Dense.CholeskyFactor(enveloped, m, first));
        for (int i = 0; i < m; i++)
            for (int j = 0; j <= i; j++) Assert.Equal(dense[i * m + j], enveloped[i * m + j], 1e-13);
        var x = (double[])b.Clone();
        Dense.CholeskySolve(enveloped, m, x, first);
        Assert.All(x, v => Assert.Equal(1.0, v, 1e-12));
        // Outside the envelope nothing was written: the factor's zeros are the matrix's.
        for (int i = 0; i < m; i++)
            for (int j = 0; j < first[i]; j++) Assert.Equal(0.0, enveloped[i * m + j]);
    }
}
