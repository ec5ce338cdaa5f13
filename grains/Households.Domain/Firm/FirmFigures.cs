using Households.Contracts;

namespace Households.Domain.Firm;

/// <summary>The firm summary's arithmetic. Where each figure comes from, and why it scales:
/// <list type="bullet">
/// <item>Assets, accounts, households, out-of-tolerance and harvestable accounts, triggers per minute: each silo's
/// monitor already values every account it watches after each price batch (no messages), so it tallies them in the
/// same scan; a silo sends its tally to the firm-stats grain every few seconds (one message per silo, not per
/// account or tick). The summary adds the silos' latest figures and drops silos that stopped reporting.</item>
/// <item>Harvested losses and pending proposals live in household grains: a household sends its own absolute
/// figures one-way when they change (a harvest fills, a proposal is filed or decided), so retries and duplicates are
/// harmless and the grain's map is the latest word per household.</item>
/// </list>
/// At 1M accounts (about 300k households) the stats grain holds one small entry per household that ever harvested or
/// proposed, and receives notices at the rate decisions happen, which is bounded by the trigger budgets.</summary>
public static class FirmFigures
{
    /// <summary>A silo whose last report is older than this is gone (its accounts moved to other silos).</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(30);

    /// <summary>Households are counted per silo; a household whose accounts live on two silos counts on both (its
    /// accounts are usually activated together by the household, so they rarely split).</summary>
    public static FirmSummary Combine(IEnumerable<SiloFigures> silos, IEnumerable<HouseholdFigures> households,
        DateTimeOffset now, TimeSpan staleAfter)
    {
        var live = silos.Where(s => now - s.At <= staleAfter).ToList();
        var year = now.Year;
        decimal harvested = 0m;
        var pending = 0;
        foreach (var h in households)
        {
            if (h.Year == year) harvested += h.HarvestedLossesYearToDate;
            pending += h.PendingProposals;
        }
        return new FirmSummary(now,
            live.Count == 0 ? 0 : live.Max(s => s.PriceSequence),
            decimal.Round(live.Sum(s => s.AssetsUnderManagement), 2),
            live.Sum(s => s.Accounts),
            live.Sum(s => s.Households),
            live.Sum(s => s.AccountsOutOfTolerance),
            live.Sum(s => s.AccountsHarvestable),
            decimal.Round(harvested, 2),
            Math.Round(live.Sum(s => s.TriggersPerMinute), 1),
            pending,
            live.Count);
    }

    /// <summary>Losses recognized by harvesting sales in <paramref name="year"/>, as a positive amount: the recognized
    /// (not wash-sale disallowed) part of every realized row that lost money. Gains do not offset it.</summary>
    public static decimal HarvestedLosses(IEnumerable<RealizedLot> rows, int year) =>
        -rows.Where(r => r.Date.Year == year && r.Recognized < 0).Sum(r => r.Recognized);

    /// <summary>A household's figures for the firm: losses harvested this year through <paramref name="today"/>, pending proposals.</summary>
    public static HouseholdFigures Of(string householdId, Tax.RealizedGains gains, IEnumerable<RebalanceProposal> proposals, DateOnly today) =>
        new(householdId, today.Year, HarvestedLosses(gains.Rows(year: today.Year, through: today), today.Year), Pending(proposals));

    public static int Pending(IEnumerable<RebalanceProposal> proposals) => proposals.Count(p => p.Status == ProposalStatus.Pending);
}

/// <summary>Triggers per minute from the monitor's running total, over a sliding window of samples.</summary>
public sealed class TriggerRate(TimeSpan window)
{
    private readonly Queue<(DateTimeOffset At, long Total)> _samples = new();

    public void Add(DateTimeOffset at, long total)
    {
        _samples.Enqueue((at, total));
        while (_samples.Count > 2 && at - _samples.Peek().At > window) _samples.Dequeue();
    }

    /// <summary>Zero until two samples span some time.</summary>
    public double PerMinute
    {
        get
        {
            if (_samples.Count < 2) return 0;
            var first = _samples.Peek();
            var last = _samples.Last();
            var minutes = (last.At - first.At).TotalMinutes;
            return minutes <= 0 ? 0 : Math.Max(0, last.Total - first.Total) / minutes;
        }
    }
}
