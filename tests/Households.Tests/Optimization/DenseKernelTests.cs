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
}
