using Households.Contracts;

namespace Households.Domain.Decisions;

/// <summary>Refuses an investment policy the optimizer could not honour or that no firm would mean: negative weights,
/// bands and caps outside (0, 1], views without a subject, unknown objectives.</summary>
public static class PolicyValidation
{
    public static void Check(InvestmentPolicy p)
    {
        NonNegative("trackingErrorWeight", p.TrackingErrorWeight);
        NonNegative("taxSensitivity", p.TaxSensitivity);
        NonNegative("viewWeight", p.ViewWeight);
        NonNegative("locationWeight", p.LocationWeight);
        Share("turnoverLimit", p.TurnoverLimit);
        Share("sectorBand", p.SectorBand);
        Share("maxWeight", p.MaxWeight);
        if (p.MinTrade is < 0) throw new BadInputException("policy: minTrade cannot be negative");
        if (p.Objective is { } o && !Enum.IsDefined(o)) throw new BadInputException($"policy: unknown objective {(int)o}");
        foreach (var v in p.Views ?? [])
        {
            if (v is null || (string.IsNullOrWhiteSpace(v.Symbol) && string.IsNullOrWhiteSpace(v.Sector)))
                throw new BadInputException("policy: a view names a symbol or a sector");
            if (!double.IsFinite(v.Alpha) || Math.Abs(v.Alpha) >= 1) throw new BadInputException($"policy: view alpha {v.Alpha} must be a yearly fraction between -1 and 1");
        }
        foreach (var t in p.FactorTilts ?? [])
        {
            if (t is null || string.IsNullOrWhiteSpace(t.Factor)) throw new BadInputException("policy: a factor tilt names its factor");
            if (!double.IsFinite(t.Tilt) || !(t.Band > 0) || !double.IsFinite(t.Band)) throw new BadInputException($"policy: factor tilt {t.Factor} needs a finite tilt and a band above 0");
        }
        if ((p.ExcludedSectors ?? []).Any(string.IsNullOrWhiteSpace)) throw new BadInputException("policy: an excluded sector is empty");
    }

    private static void NonNegative(string name, double? value)
    {
        if (value is { } v && (!double.IsFinite(v) || v < 0)) throw new BadInputException($"policy: {name} {v} must be a number at least 0");
    }

    private static void Share(string name, double? value)
    {
        if (value is { } v && (!double.IsFinite(v) || v <= 0 || v > 1)) throw new BadInputException($"policy: {name} {v} must be a fraction in (0, 1]");
    }
}
