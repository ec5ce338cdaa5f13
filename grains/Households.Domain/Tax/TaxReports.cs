using Households.Contracts;
using Households.Domain.Lots;

namespace Households.Domain.Tax;

/// <summary>An open lot with its unrealized gain at a price, its term and the day it turns long term.</summary>
public sealed record UnrealizedLot(
    string HouseholdId, string Account, string LotId, string Symbol, decimal Quantity, decimal Basis, DateOnly Acquired,
    DateOnly HoldingSince, decimal? Price, decimal? MarketValue, decimal? Gain, HoldingTerm Term, DateOnly LongTermOn);

/// <summary>One tax year of a household: recognized short- and long-term results of taxable accounts, the carryover that came
/// in, the capital loss deducted and the carryover that goes on (the Schedule D Capital Loss Carryover Worksheet).</summary>
public sealed record TaxYearSummary(
    int Year, DateOnly Through, decimal ShortTerm, decimal LongTerm, decimal Disallowed, decimal PermanentlyDisallowed,
    decimal ShortTermCarryoverIn, decimal LongTermCarryoverIn, decimal NetShortTerm, decimal NetLongTerm, decimal LossDeducted,
    decimal ShortTermCarryoverOut, decimal LongTermCarryoverOut);

public static class TaxReports
{
    /// <summary>IRC §1211(b): net capital losses offset at most $3,000 of ordinary income a year ($1,500 married filing
    /// separately); the rest carries forward (§1212(b)).</summary>
    public const decimal LossLimit = 3_000m;

    /// <summary>Open lots valued at <paramref name="priceOf"/> (null: no price, no value). Term and the day the lot turns long
    /// term come from its (tacked) holding period: long term is more than one year, so the first long-term day is the day
    /// after the one-year anniversary of <see cref="TaxLot.HoldingSince"/> (IRC §1222; Pub. 550 "Holding Period").</summary>
    public static IReadOnlyList<UnrealizedLot> Unrealized(string householdId, IEnumerable<(string Account, IEnumerable<TaxLot> Lots)> accounts,
        DateOnly asOf, Func<string, decimal?> priceOf) =>
        accounts.SelectMany(a => a.Lots.Select(l =>
        {
            var price = priceOf(l.Symbol);
            var value = price * l.Quantity;
            return new UnrealizedLot(householdId, a.Account, l.Id, l.Symbol, l.Quantity, l.Basis, l.Purchased, l.HoldingSince, price, value,
                value - l.Basis, HoldingPeriod.TermOf(l.HoldingSince, asOf), LongTermOn(l.HoldingSince));
        })).OrderBy(u => u.Account, StringComparer.Ordinal).ThenBy(u => u.Symbol, StringComparer.Ordinal).ThenBy(u => u.Acquired).ToList();

    public const string UnrealizedHeader = "household,account,lot,symbol,quantity,basis,acquired,holding_since,price,market_value,gain,term,long_term_on";

    /// <summary>The unrealized CSV (docs/formats.md §7): one line per open lot; price, value and gain empty when unpriced.</summary>
    public static string UnrealizedCsv(IEnumerable<UnrealizedLot> lots)
    {
        var csv = new CsvWriter(UnrealizedHeader);
        foreach (var u in lots)
            csv.Row(u.HouseholdId, u.Account, u.LotId, u.Symbol, Form8949.Number(u.Quantity),
                Form8949.Money(Form8949.Cents(u.Basis)), Form8949.Date(u.Acquired), Form8949.Date(u.HoldingSince),
                u.Price is { } p ? Form8949.Number(p) : "", u.MarketValue is { } v ? Form8949.Money(Form8949.Cents(v)) : "",
                u.Gain is { } g ? Form8949.Money(Form8949.Cents(g)) : "", u.Term == HoldingTerm.Short ? "short" : "long", Form8949.Date(u.LongTermOn));
        return csv.ToString();
    }

    /// <summary>The first day a sale is long term: held more than one year counting from the day after acquisition, so the
    /// day after the anniversary (bought 2022-02-05: long term from 2023-02-06). A February 29 purchase's anniversary is
    /// February 28.</summary>
    public static DateOnly LongTermOn(DateOnly holdingSince) => holdingSince.AddYears(1).AddDays(1);

    /// <summary>Each year from the first realized sale through <paramref name="asOf"/>'s year (that one to date), carrying
    /// losses forward. Assumes taxable income large enough to take the whole deduction (worksheet line 1) and no carryover
    /// from before the ledger's first year.</summary>
    public static IReadOnlyList<TaxYearSummary> Years(RealizedGains gains, DateOnly asOf, decimal lossLimit = LossLimit)
    {
        var years = gains.Snapshot().Where(e => e.Date <= asOf).Select(e => e.Date.Year).Distinct().Order().ToList();
        if (years.Count == 0 || years[^1] != asOf.Year) years.Add(asOf.Year);
        var result = new List<TaxYearSummary>();
        decimal stIn = 0, ltIn = 0;
        for (var year = years[0]; year <= asOf.Year; year++)
        {
            var through = year == asOf.Year ? asOf : new DateOnly(year, 12, 31);
            var s = gains.Summary(year: year, through: through);
            var (deducted, stOut, ltOut) = Carryover(s.ShortTerm - stIn, s.LongTerm - ltIn, lossLimit);
            result.Add(new TaxYearSummary(year, through, s.ShortTerm, s.LongTerm, s.Disallowed, s.PermanentlyDisallowed, stIn, ltIn,
                s.ShortTerm - stIn, s.LongTerm - ltIn, deducted, stOut, ltOut));
            (stIn, ltIn) = (stOut, ltOut);
        }
        return result;
    }

    /// <summary>The Capital Loss Carryover Worksheet (Instructions for Schedule D; Pub. 550 "Capital Losses"), with line 4
    /// the loss deducted: short-term carryover = net short-term loss − (deduction + net long-term gain); long-term carryover
    /// = net long-term loss − (net short-term gain + the deduction the short-term loss did not use).</summary>
    public static (decimal Deducted, decimal ShortTermOut, decimal LongTermOut) Carryover(decimal netShort, decimal netLong, decimal lossLimit)
    {
        var total = netShort + netLong;
        if (total >= 0) return (0m, 0m, 0m);
        var deducted = Math.Min(lossLimit, -total);                         // line 4
        var shortLoss = Math.Max(0m, -netShort);                             // line 5
        var longGain = Math.Max(0m, netLong);                                // line 6
        var shortOut = Math.Max(0m, shortLoss - (deducted + longGain));      // line 8
        var longLoss = Math.Max(0m, -netLong);                               // line 9
        var shortGain = Math.Max(0m, netShort);                              // line 10
        var unused = Math.Max(0m, deducted - shortLoss);                     // line 11
        var longOut = Math.Max(0m, longLoss - (shortGain + unused));         // line 13
        return (deducted, shortOut, longOut);
    }
}
