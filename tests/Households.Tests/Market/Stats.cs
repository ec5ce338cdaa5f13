namespace Households.Tests.Market;

internal static class Stats
{
    public static double[] Column(double[,] m, int c)
    {
        var x = new double[m.GetLength(0)];
        for (int r = 0; r < x.Length; r++) x[r] = m[r, c];
        return x;
    }

    public static double StdDev(double[] x)
    {
        double mean = x.Average();
        return Math.Sqrt(x.Sum(v => (v - mean) * (v - mean)) / (x.Length - 1));
    }

    public static double AnnualVol(double[] dailyLogReturns) => StdDev(dailyLogReturns) * Math.Sqrt(252);

    public static double Correlation(double[] x, double[] y)
    {
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.Length; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxy / Math.Sqrt(sxx * syy);
    }

    public static double ExcessKurtosis(double[] x)
    {
        double mean = x.Average(), m2 = 0, m4 = 0;
        foreach (double v in x)
        {
            double d = (v - mean) * (v - mean);
            m2 += d;
            m4 += d * d;
        }
        m2 /= x.Length;
        m4 /= x.Length;
        return m4 / (m2 * m2) - 3;
    }
}
