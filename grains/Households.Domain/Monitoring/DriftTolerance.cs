using Households.Contracts;

namespace Households.Domain.Monitoring;

/// <summary>The "5/25" style band: a line is out of band when its drift exceeds the absolute band or the
/// relative band times its target, whichever is tighter; a zero band is not used. A line with no usable band
/// (target 0 and only a relative band) tolerates nothing.</summary>
public static class DriftTolerance
{
    public static double Of(double target, DriftBand band)
    {
        var tolerance = double.PositiveInfinity;
        if (band.Absolute > 0) tolerance = (double)band.Absolute;
        if (band.Relative > 0) tolerance = Math.Min(tolerance, (double)band.Relative * target);
        return double.IsPositiveInfinity(tolerance) ? 0 : tolerance;
    }
}
