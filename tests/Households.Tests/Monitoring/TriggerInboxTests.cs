using Households.Contracts;
using Households.Grains.Household;
using Households.Grains;
using Xunit;

namespace Households.Tests.Monitoring;

/// <summary>A household decides once for every trigger that arrived while it was deciding, not once per message.</summary>
public sealed class TriggerInboxTests
{
    private static Trigger T(TriggerKind kind, string account, string subject, long batch, double observed = 0) =>
        new(kind, account, subject, observed, 0, 0, batch, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);

    [Fact]
    public void Triggers_arriving_during_a_decision_wait_and_are_decided_together_the_newest_observation_kept()
    {
        var inbox = new TriggerInbox();
        Assert.True(inbox.Add([T(TriggerKind.Harvest, "A", "X", 1)]));   // first: schedule a decision
        Assert.False(inbox.Add([T(TriggerKind.Drift, "A", "X", 1)]));    // one is scheduled already
        Assert.Equal(2, inbox.Take().Length);                             // the decision takes both

        // While it runs, three messages arrive; two carry the same (kind, account, subject).
        Assert.False(inbox.Add([T(TriggerKind.Harvest, "A", "Y", 2, observed: -0.06)]));
        Assert.False(inbox.Add([T(TriggerKind.Harvest, "A", "Y", 3, observed: -0.08), T(TriggerKind.Drift, "B", "BND", 3)]));
        Assert.True(inbox.Done());                                        // more came: decide again
        var next = inbox.Take();
        Assert.Equal(2, next.Length);
        Assert.Equal(-0.08, next.Single(t => t.Subject == "Y").Observed);
        Assert.False(inbox.Done());                                       // nothing came meanwhile: idle
        Assert.True(inbox.Add([T(TriggerKind.Cash, "B", "deposit", 4)]));  // the next message schedules again
    }

    [Fact]
    public void While_the_market_is_closed_triggers_gather_undecided_and_the_open_decides_them_once()
    {
        var inbox = new TriggerInbox();
        Assert.True(inbox.Add([T(TriggerKind.Cash, "A", "deposit", 1)])); // a decision is scheduled
        inbox.Hold();                                                      // it finds the market closed
        Assert.False(inbox.Add([T(TriggerKind.Drift, "A", "BND", 2)]));    // the night's triggers wait, nothing scheduled
        Assert.False(inbox.Add([T(TriggerKind.Drift, "A", "BND", 3, observed: 0.07)]));
        Assert.Equal((true, false, 2), (inbox.Held, inbox.Deciding, inbox.Count));

        Assert.True(inbox.Release());                                     // the open: one decision over everything held
        Assert.Equal(0.07, inbox.Take().Single(t => t.Subject == "BND").Observed);
        Assert.False(inbox.Release());                                    // a second nudge finds it deciding
        Assert.False(inbox.Done());
        Assert.False(new TriggerInbox().Release());                       // nothing held: nothing to decide
    }

    [Fact]
    public void A_failed_decision_gives_its_triggers_back_unless_a_newer_observation_arrived_meanwhile()
    {
        var inbox = new TriggerInbox();
        Assert.True(inbox.Add([T(TriggerKind.Harvest, "A", "X", 1, observed: -0.05), T(TriggerKind.Cash, "A", "withdrawal", 1, observed: 5000)]));
        var failed = inbox.Take();
        Assert.False(inbox.Add([T(TriggerKind.Harvest, "A", "X", 2, observed: -0.07)])); // arrives while the decision runs
        inbox.GiveBack(failed);
        Assert.True(inbox.Done()); // something waits: decide again (the household pauses first)
        var retried = inbox.Take();
        Assert.Equal(2, retried.Length);
        Assert.Equal(-0.07, retried.Single(t => t.Kind == TriggerKind.Harvest).Observed); // the newer kept
        Assert.Equal(5000, retried.Single(t => t.Kind == TriggerKind.Cash).Observed);    // the client's withdrawal is not lost
    }
}
