namespace Households.Simulation.Market;

/// <summary>A small, fast, seed-reproducible generator (xoshiro256**, seeded by SplitMix64) with normal and
/// unit-variance Student-t draws. Its sequence does not depend on the .NET version, unlike <see cref="Random"/>.</summary>
internal sealed class SeededRandom
{
    private ulong _s0, _s1, _s2, _s3;
    private double _spare;
    private bool _hasSpare;

    public SeededRandom(ulong seed)
    {
        _s0 = SplitMix(ref seed);
        _s1 = SplitMix(ref seed);
        _s2 = SplitMix(ref seed);
        _s3 = SplitMix(ref seed);
    }

    public SeededRandom(int seed, long stream = 0) : this(Mix(seed, stream)) { }

    /// <summary>A well-mixed 64-bit seed for sub-stream <paramref name="stream"/> of <paramref name="seed"/>,
    /// so that (for example) each household can be generated on its own.</summary>
    public static ulong Mix(int seed, long stream)
    {
        ulong x = unchecked((ulong)(uint)seed * 0x9E3779B97F4A7C15UL ^ (ulong)stream * 0xD1B54A32D192ED03UL);
        return SplitMix(ref x);
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextULong()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform on [0, 1).</summary>
    public double NextDouble() => (NextULong() >> 11) * (1.0 / 9007199254740992.0);

    /// <summary>Uniform on (0, 1], safe for a logarithm.</summary>
    public double NextOpen() => ((NextULong() >> 11) + 1) * (1.0 / 9007199254740992.0);

    /// <summary>Uniform integer on [0, <paramref name="maxExclusive"/>).</summary>
    public int Next(int maxExclusive) => (int)(((NextULong() >> 32) * (ulong)maxExclusive) >> 32);

    public int Next(int minInclusive, int maxInclusive) => minInclusive + Next(maxInclusive - minInclusive + 1);

    public double Uniform(double low, double high) => low + (high - low) * NextDouble();

    public bool Chance(double probability) => NextDouble() < probability;

    /// <summary>Standard normal (Box–Muller, both draws used).</summary>
    public double Gaussian()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spare;
        }
        double r = Math.Sqrt(-2.0 * Math.Log(NextOpen()));
        (double sin, double cos) = Math.SinCos(2.0 * Math.PI * NextDouble());
        _spare = r * sin;
        _hasSpare = true;
        return r * cos;
    }

    /// <summary>Student-t with <paramref name="nu"/> (&gt; 2) degrees of freedom scaled to unit variance:
    /// z / √(χ²ᵥ/ν) · √((ν−2)/ν). χ² is built from exponentials (χ²₂ = −2 ln U) plus one z² when ν is odd.</summary>
    public double StudentT(int nu)
    {
        double chi2 = 0;
        double product = 1;
        for (int k = 0; k < nu / 2; k++) product *= NextOpen();
        chi2 -= 2.0 * Math.Log(product);
        if ((nu & 1) == 1)
        {
            double g = Gaussian();
            chi2 += g * g;
        }
        return Gaussian() * Math.Sqrt((nu - 2) / chi2);
    }
}
