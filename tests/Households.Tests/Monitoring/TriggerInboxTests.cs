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

    [Fact]
    public void A_clients_events_are_each_a_cause_while_market_triggers_and_order_resolutions_keep_the_newest()
    {
        var inbox = new TriggerInbox();
        var t0 = new DateTimeOffset(2026, 3, 2, 15, 0, 0, TimeSpan.Zero);
        Trigger At(TriggerKind kind, string subject, double observed, double ms) =>
            new(kind, "A", subject, observed, 0, 0, 7, t0, t0.AddTicks((long)(ms * TimeSpan.TicksPerMillisecond)));
        Assert.True(inbox.Add([At(TriggerKind.Harvest, "X", -0.05, 0)]));
        // While the decision is scheduled: two deposits of $10 and $25 0.3 ms apart, a withdrawal, two restriction updates,
        // the harvest condition observed again, and two order resolutions.
        Assert.False(inbox.Add([At(TriggerKind.Cash, "deposit", 10, 1.0)]));
        Assert.False(inbox.Add([At(TriggerKind.Cash, "deposit", 25, 1.3), At(TriggerKind.Cash, "withdrawal", 400, 2)]));
        Assert.False(inbox.Add([At(TriggerKind.Restriction, "restrictions", 1, 3), At(TriggerKind.Restriction, "restrictions", 2, 4)]));
        Assert.False(inbox.Add([At(TriggerKind.Harvest, "X", -0.08, 5), At(TriggerKind.OrderResolved, "orders", 0, 6), At(TriggerKind.OrderResolved, "orders", 0, 7)]));
        var taken = inbox.Take();
        Assert.Equal(["Harvest X -0.08", "Cash deposit 10", "Cash deposit 25", "Cash withdrawal 400", "Restriction restrictions 1", "Restriction restrictions 2", "OrderResolved orders 0"],
            taken.Select(t => $"{t.Kind} {t.Subject} {t.Observed}"));

        // A failed decision gives them back: the same events are not doubled by the same events arriving again.
        inbox.Add([At(TriggerKind.Cash, "deposit", 10, 1.0)]);
        inbox.GiveBack(taken);
        Assert.Equal(7, inbox.Take().Length);
    }
}
