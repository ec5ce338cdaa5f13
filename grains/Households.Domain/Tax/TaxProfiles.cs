using System.Globalization;
using Households.Contracts;
using Households.Domain.Lots;

namespace Households.Domain.Tax;

/// <summary>Prices tax at the margin from a household's <see cref="TaxProfile"/> and its year so far: the combined marginal
/// rates (federal bracket, the net investment income tax, state) and, through the year's netting, what a dollar more of
/// gain costs and a dollar more of loss saves. The netting follows Schedule D: short- and long-term results net within
/// their term, then against each other (IRC §1222); a net loss offsets ordinary income up to $3,000 ($1,500 married filing
/// separately, IRC §1211(b)) and the rest carries forward (§1212(b)), valued at the long-term rate discounted by
/// <see cref="CarryforwardDiscount"/> (a year's wait, and it may never be used) unless the client has gains elsewhere.</summary>
public static class TaxProfiles
{
    /// <summary>The tax year whose brackets are built in (Rev. Proc. 2025-32).</summary>
    public const int BracketYear = 2026;

    /// <summary>What a dollar of loss carried forward is worth against a dollar used this year at the long-term rate.</summary>
    public const decimal CarryforwardDiscount = 0.9m;

    /// <summary>The net investment income tax (IRC §1411).</summary>
    public const decimal SurtaxRate = 0.038m;

    private static readonly decimal[] OrdinaryRates = [0.10m, 0.12m, 0.22m, 0.24m, 0.32m, 0.35m, 0.37m];

    // Upper edges of taxable income for the 10 % … 35 % brackets, 2026 (Rev. Proc. 2025-32 §4.01).
    private static readonly Dictionary<FilingStatus, decimal[]> OrdinaryEdges = new()
    {
        [FilingStatus.Single] = [12_400m, 50_400m, 105_700m, 201_775m, 256_225m, 640_600m],
        [FilingStatus.MarriedJoint] = [24_800m, 100_800m, 211_400m, 403_550m, 512_450m, 768_700m],
        [FilingStatus.MarriedSeparate] = [12_400m, 50_400m, 105_700m, 201_775m, 256_225m, 384_350m],
    };

    // Upper edges of taxable income for the 0 % and 15 % long-term rates, 2026 (IRC §1(h), Rev. Proc. 2025-32 §4.03).
    private static readonly Dictionary<FilingStatus, (decimal Zero, decimal Fifteen)> LongTermEdges = new()
    {
        [FilingStatus.Single] = (49_450m, 545_500m),
        [FilingStatus.MarriedJoint] = (98_900m, 613_700m),
        [FilingStatus.MarriedSeparate] = (49_450m, 306_850m),
    };

    // Modified adjusted gross income above which the surtax applies (IRC §1411(b); not indexed).
    private static readonly Dictionary<FilingStatus, decimal> SurtaxThreshold = new()
    {
        [FilingStatus.Single] = 200_000m,
        [FilingStatus.MarriedJoint] = 250_000m,
        [FilingStatus.MarriedSeparate] = 125_000m,
    };

    /// <summary>Refuses a profile no tax return could have: rates outside [0, 1), negative income or carryforwards.</summary>
    public static void Check(TaxProfile p)
    {
        if (!Enum.IsDefined(p.Filing)) throw new BadInputException($"tax profile: unknown filing status {(int)p.Filing}");
        foreach (var (name, rate) in new[] { ("ordinaryRate", p.OrdinaryRate), ("longTermRate", p.LongTermRate), ("stateRate", (decimal?)p.StateRate) })
            if (rate is { } r && (r < 0 || r >= 1)) throw new BadInputException($"tax profile: {name} {r} must be a fraction in [0, 1)");
        if (p.TaxableIncome is < 0) throw new BadInputException("tax profile: taxableIncome cannot be negative");
        if (p.ShortTermCarryforward < 0 || p.LongTermCarryforward < 0)
            throw new BadInputException("tax profile: carryforwards are losses carried in, given as positive amounts");
    }

    /// <summary>The federal marginal rate on ordinary income: the one given, else the bracket of the taxable income, else
    /// <paramref name="fallback"/> (the firm's short-term rate).</summary>
    public static decimal OrdinaryFederal(TaxProfile p, decimal fallback)
    {
        if (p.OrdinaryRate is { } given) return given;
        if (p.TaxableIncome is not { } income) return fallback;
        var edges = OrdinaryEdges[p.Filing];
        for (var i = 0; i < edges.Length; i++) if (income <= edges[i]) return OrdinaryRates[i];
        return OrdinaryRates[^1];
    }

    /// <summary>The federal long-term rate (IRC §1(h)): the one given, else 0, 15 or 20 % by where the taxable income ends,
    /// else <paramref name="fallback"/>.</summary>
    public static decimal LongTermFederal(TaxProfile p, decimal fallback)
    {
        if (p.LongTermRate is { } given) return given;
        if (p.TaxableIncome is not { } income) return fallback;
        var (zero, fifteen) = LongTermEdges[p.Filing];
        return income <= zero ? 0m : income <= fifteen ? 0.15m : 0.20m;
    }

    /// <summary>Whether the 3.8 % surtax applies: as given, else when taxable income exceeds the threshold (taxable income
    /// stands in for modified AGI), else not.</summary>
    public static bool Surtax(TaxProfile p) => p.NetInvestmentIncomeTax ?? (p.TaxableIncome is { } income && income > SurtaxThreshold[p.Filing]);

    /// <summary>The net capital loss a year may deduct from ordinary income (IRC §1211(b)).</summary>
    public static decimal LossLimit(TaxProfile p) => p.Filing == FilingStatus.MarriedSeparate ? TaxReports.LossLimit / 2 : TaxReports.LossLimit;

    /// <summary>The marginal prices of gains and losses for a household whose taxable accounts realized
    /// <paramref name="yearToDate"/> this year; <paramref name="fallback"/> stands in for rates the profile does not give.
    /// Without a profile every price is the firm's flat rate of its term.</summary>
    public static MarginalTaxRates Marginal(TaxProfile? profile, GainsSummary yearToDate, TaxRates fallback)
    {
        if (profile is null)
            return new(fallback.ShortTerm, fallback.LongTerm, fallback.ShortTerm, fallback.LongTerm, fallback.ShortTerm, fallback.LongTerm,
                "the firm's flat rates (no tax profile)");
        var surtax = Surtax(profile) ? SurtaxRate : 0m;
        var ordinaryIncome = OrdinaryFederal(profile, fallback.ShortTerm) + profile.StateRate;
        var year = new Year(
            ordinaryIncome + surtax,
            LongTermFederal(profile, fallback.LongTerm) + surtax + profile.StateRate,
            ordinaryIncome,
            LossLimit(profile),
            profile.GainsElsewhere ? 1m : CarryforwardDiscount);
        var st = yearToDate.ShortTerm + profile.OutsideShortTermGains - profile.ShortTermCarryforward;
        var lt = yearToDate.LongTerm + profile.OutsideLongTermGains - profile.LongTermCarryforward;
        var now = year.Tax(st, lt);
        return new(
            year.Tax(st + 1, lt) - now,
            year.Tax(st, lt + 1) - now,
            now - year.Tax(st - 1, lt),
            now - year.Tax(st, lt - 1),
            year.ShortTerm,
            year.LongTerm,
            string.Create(CultureInfo.InvariantCulture, $"net short-term {st:0.00} and long-term {lt:0.00} this year (realized, outside and carried in)"));
    }

    /// <summary>One year's tax on its capital results, plus (negative) the value of the loss it deducts or carries.</summary>
    private sealed record Year(decimal ShortTerm, decimal LongTerm, decimal OffsetRate, decimal LossLimit, decimal CarryShare)
    {
        public decimal Tax(decimal st, decimal lt)
        {
            if (st >= 0 && lt >= 0) return st * ShortTerm + lt * LongTerm;
            var net = st + lt;
            // A loss in one term offsets the other term's gain first (Schedule D lines 7, 15, 16); what is left keeps its term.
            if (net >= 0) return st < 0 ? net * LongTerm : net * ShortTerm;
            var deducted = Math.Min(-net, LossLimit);
            return -deducted * OffsetRate - (-net - deducted) * LongTerm * CarryShare;
        }
    }
}
