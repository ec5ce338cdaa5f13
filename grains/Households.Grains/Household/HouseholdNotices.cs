using System.Collections.Immutable;
using Households.Contracts;
using Households.Domain.Accounts;
using Households.Domain.Advisors;
using Households.Grains.Advisors;
using Households.Grains.Firm;
using Households.Grains.Silo;

namespace Households.Grains.Household;

/// <summary>What a household tells the firm's index grains, one-way (never awaited: a lost or late notice does no harm,
/// each carries absolute figures): its harvested losses and pending proposals to the firm's stats, its pending proposals to
/// the advisor queue, a harvest opportunity to the advisor's notifications.</summary>
public sealed class HouseholdNotices(IPersistentState<HouseholdState> state, HouseholdBooks books, IGrainFactory grains, TimeProvider clock,
    DecisionOptions decisions, NotificationOptions notices)
{
    private HouseholdFigures? _reported;

    private DateOnly Today() => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    /// <summary>Tells the firm-stats grain this household's harvested losses and pending proposals, only when they changed.</summary>
    public void Figures(IReadOnlyList<RebalanceProposal> proposals)
    {
        if (state.State.Spec is not { } spec || state.State.WashSales is null) return;
        var figures = Households.Domain.Firm.FirmFigures.Of(spec.Id, books.Tax.Gains, proposals, Today());
        if (figures == _reported || (_reported is null && figures.HarvestedLossesYearToDate == 0 && figures.PendingProposals == 0)) { _reported = figures; return; }
        _reported = figures;
        grains.GetGrain<IFirmStatsGrain>(FirmStatsGrain.Key).ReportHousehold(figures).Ignore();
    }

    /// <summary>Tells the advisor queue's index this household's pending proposals (time-stamped; re-sent on activation),
    /// with the marginal rates and taxable accounts its rows need, so reading the queue never wakes a household.</summary>
    public void Pending(IReadOnlyList<RebalanceProposal> proposals)
    {
        if (state.State.Spec is not { } spec || state.State.WashSales is null) return;
        var rates = Households.Domain.Tax.TaxProfiles.Marginal(spec.Tax, books.Tax.Gains.YearToDate(Today()), decisions.Settings.Rates);
        var taxable = spec.AccountIds.Where(a => books.Tax.WashSales.ProfileOf(a) is { } p && TaxTreatment.IsTaxable(p.Type)).ToImmutableArray();
        var pending = proposals.Where(p => p.Status == ProposalStatus.Pending).ToImmutableArray();
        grains.GetGrain<IAdvisorQueueGrain>(AdvisorQueueGrain.KeyOf(spec.Id))
            .Report(new HouseholdPending(spec.Id, spec.Name, spec.AdvisorId, rates, taxable, state.State.Transition?.Budget is not null, pending, clock.GetUtcNow()))
            .Ignore();
    }

    /// <summary>Announces an account's harvest triggers to the advisor when their losses reach the firm's threshold
    /// (<see cref="AdvisorAnnouncements.HarvestOpportunity"/>: once per account a day).</summary>
    public void Harvest(string accountId, Trigger[] triggers)
    {
        if (state.State.Spec is not { } spec) return;
        if (AdvisorAnnouncements.HarvestOpportunity(spec, accountId, triggers, notices.HarvestThreshold, clock.GetUtcNow(), Today()) is { } notice)
            grains.GetGrain<IAdvisorNotificationsGrain>(AdvisorNotificationsGrain.Key).Notify(notice).Ignore();
    }
}
