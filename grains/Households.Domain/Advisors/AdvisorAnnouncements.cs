using Households.Contracts;

namespace Households.Domain.Advisors;

/// <summary>When the advisor hears of something before asking (docs/formats.md §18, notices): a harvest opportunity
/// worth the firm's threshold, a proposal that needs approval, one about to expire.</summary>
public static class AdvisorAnnouncements
{
    public const string HarvestOpportunityKind = "harvest-opportunity";

    /// <summary>The notice for an account's harvest triggers whose losses net of costs (each trigger's observed loss) reach
    /// <paramref name="threshold"/> dollars, or null (below it, or announcements off at 0). Its delivery id names the
    /// account and the day, so the notifications grain drops a repeat the same day.</summary>
    public static AdvisorNotice? HarvestOpportunity(HouseholdSpec household, string accountId, IEnumerable<Trigger> triggers, decimal threshold,
        DateTimeOffset now, DateOnly today)
    {
        if (threshold <= 0) return null;
        var loss = triggers.Where(t => t.Kind == TriggerKind.Harvest).Sum(t => (decimal)Math.Abs(t.Observed));
        if (loss < threshold) return null;
        return new AdvisorNotice(0, HarvestOpportunityKind, household.Id, household.AdvisorId, null,
            FormattableString.Invariant($"{household.Name}: harvestable losses of {loss:0.00} in {accountId}"), now,
            $"{HarvestOpportunityKind}:{household.Id}:{accountId}:{today:yyyyMMdd}", Math.Round(loss, 2));
    }

    /// <summary>A household's proposals that need approval and the advisor has not heard of: pending, unexpired and not
    /// among the ids <paramref name="known"/> from the household's previous report.</summary>
    public static IEnumerable<RebalanceProposal> NewlyPending(HouseholdPending pending, IReadOnlySet<string> known, DateTimeOffset now) =>
        pending.Proposals.Where(p => !known.Contains(p.Id) && p.Status == ProposalStatus.Pending && now < p.ExpiresAt);

    /// <summary>Whether a proposal is about to expire: not yet expired and expiring within <paramref name="within"/>.</summary>
    public static bool Expiring(RebalanceProposal proposal, DateTimeOffset now, TimeSpan within) =>
        now < proposal.ExpiresAt && proposal.ExpiresAt - now <= within;

    /// <summary>The key under which an expiring proposal is announced once per household.</summary>
    public static string ExpiringKey(HouseholdPending household, RebalanceProposal proposal) => proposal.Id + "@" + household.HouseholdId;
}
