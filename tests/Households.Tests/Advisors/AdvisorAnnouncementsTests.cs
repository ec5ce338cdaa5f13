using Households.Contracts;
using Households.Domain.Advisors;
using Xunit;

namespace Households.Tests.Advisors;

/// <summary>When the advisor is told before asking: the harvest-opportunity rule (a household's grain asks it for every
/// account's triggers) and the pending and expiring rules of the advisor queue, on worked numbers.</summary>
public sealed class AdvisorAnnouncementsTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 15, 30, 0, TimeSpan.Zero);
    private static readonly HouseholdSpec Smiths = new("HH1", "Smith family", "ADV7", ["A1", "A2"]);

    private static Trigger Harvest(string subject, double loss) => new(TriggerKind.Harvest, "A1", subject, loss, 0, 0, 12, Now, Now);

    private static RebalanceProposal Proposal(string id, ProposalStatus status, DateTimeOffset expires) =>
        new(id, "HH1", status, Now.AddHours(-1), expires, [], [], 0.02, 0.01, 0, 0, 12, null, null, [], null);

    [Fact]
    public void Harvest_losses_that_reach_the_threshold_together_are_announced_with_their_sum_rounded_to_cents()
    {
        // -3,200.004 and -1,800.003 in two lots: 5,000.007 of loss reaches a 5,000 threshold; the drift trigger does not count.
        var triggers = new[] { Harvest("VTI", -3200.004), Harvest("VEA", -1800.003), new Trigger(TriggerKind.Drift, "A1", "US Equity", 9000, 0, 0, 12, Now, Now) };

        var notice = AdvisorAnnouncements.HarvestOpportunity(Smiths, "A1", triggers, 5_000m, Now, new DateOnly(2026, 3, 2));

        Assert.NotNull(notice);
        Assert.Equal("harvest-opportunity", notice.Kind);
        Assert.Equal(5_000.01m, notice.Amount);
        Assert.Equal("ADV7", notice.AdvisorId);
        Assert.Equal("Smith family: harvestable losses of 5000.01 in A1", notice.Summary);
        Assert.Equal("harvest-opportunity:HH1:A1:20260302", notice.DeliveryId);
        Assert.Null(notice.ProposalId);
        Assert.Equal(Now, notice.At);
    }

    [Fact]
    public void Harvest_losses_below_the_threshold_or_with_announcements_off_are_not_announced()
    {
        var triggers = new[] { Harvest("VTI", -4_999.99) };

        Assert.Null(AdvisorAnnouncements.HarvestOpportunity(Smiths, "A1", triggers, 5_000m, Now, new DateOnly(2026, 3, 2)));
        Assert.Null(AdvisorAnnouncements.HarvestOpportunity(Smiths, "A1", [Harvest("VTI", -50_000)], 0m, Now, new DateOnly(2026, 3, 2)));
    }

    [Fact]
    public void The_same_account_the_next_day_is_a_new_delivery_and_the_same_day_the_same_one()
    {
        var today = AdvisorAnnouncements.HarvestOpportunity(Smiths, "A1", [Harvest("VTI", -6_000)], 5_000m, Now, new DateOnly(2026, 3, 2))!;
        var later = AdvisorAnnouncements.HarvestOpportunity(Smiths, "A1", [Harvest("VTI", -7_000)], 5_000m, Now.AddHours(2), new DateOnly(2026, 3, 2))!;
        var tomorrow = AdvisorAnnouncements.HarvestOpportunity(Smiths, "A1", [Harvest("VTI", -6_000)], 5_000m, Now.AddDays(1), new DateOnly(2026, 3, 3))!;

        Assert.Equal(today.DeliveryId, later.DeliveryId);
        Assert.NotEqual(today.DeliveryId, tomorrow.DeliveryId);
    }

    [Fact]
    public void A_proposal_is_expiring_inside_the_window_up_to_its_expiry_and_not_after()
    {
        var within = TimeSpan.FromHours(2);

        Assert.True(AdvisorAnnouncements.Expiring(Proposal("P1", ProposalStatus.Pending, Now.AddHours(2)), Now, within));
        Assert.True(AdvisorAnnouncements.Expiring(Proposal("P1", ProposalStatus.Pending, Now.AddMinutes(1)), Now, within));
        Assert.False(AdvisorAnnouncements.Expiring(Proposal("P1", ProposalStatus.Pending, Now.AddHours(2).AddSeconds(1)), Now, within));
        Assert.False(AdvisorAnnouncements.Expiring(Proposal("P1", ProposalStatus.Pending, Now), Now, within));
    }

    [Fact]
    public void Newly_pending_are_the_unexpired_pending_proposals_the_last_report_did_not_have()
    {
        var report = new HouseholdPending("HH1", "Smith family", "ADV7", new MarginalTaxRates(0.37m, 0.2m, 0.37m, 0.2m, 0.37m, 0.2m, "flat"), ["A1"], false,
            [Proposal("P1", ProposalStatus.Pending, Now.AddHours(4)), Proposal("P2", ProposalStatus.Pending, Now.AddHours(4)),
             Proposal("P3", ProposalStatus.Executed, Now.AddHours(4)), Proposal("P4", ProposalStatus.Pending, Now.AddSeconds(-1))], Now);

        var fresh = AdvisorAnnouncements.NewlyPending(report, new HashSet<string>(["P1"], StringComparer.Ordinal), Now).Select(p => p.Id);

        Assert.Equal(["P2"], fresh);
        Assert.Equal("P2@HH1", AdvisorAnnouncements.ExpiringKey(report, report.Proposals[1]));
    }
}
