using Households.Contracts;
using Households.Domain.Decisions;
using Xunit;

namespace Households.Tests.Decisions;

/// <summary>What an account holds for a resend after a silo's death, and what a household drops as already decided.</summary>
public sealed class AwaitingDecisionTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 15, 0, 0, TimeSpan.Zero);

    private static Trigger Market(TriggerKind kind, string subject, int seconds) =>
        new(kind, "A1", subject, 900, 0, 250, 40 + seconds, T0.AddSeconds(seconds - 1), T0.AddSeconds(seconds));

    [Fact]
    public async Task Two_deposits_within_a_millisecond_are_two_triggers_each_journaled_once()
    {
        // Their identities differ by 0.3 ms; keys to the millisecond made the journal drop the second (a cluster test's
        // sixty quick deposits lost 8 of their triggers' entries).
        var first = new Trigger(TriggerKind.Cash, "A1", "deposit", 10, 0, 0, 40, T0, T0.AddTicks(1_000));
        var second = first with { DetectedAt = T0.AddTicks(4_000) };
        Assert.NotEqual(TriggerIdentity.Of(first), TriggerIdentity.Of(second));

        var journal = new Households.Persistence.Journal.InMemoryJournal();
        await journal.Append([ProposalJournal.Trigger("H1", first, T0), ProposalJournal.Trigger("H1", second, T0)]);
        await journal.Append([ProposalJournal.Trigger("H1", first, T0)]);   // sent again after a silo died: the same entry
        Assert.Equal(2, (await journal.Query(new JournalQuery("H1", "A1", null, null, JournalKind.Trigger, 10, null))).Count);
        Assert.Equal(0, journal.EntriesDroppedForReusedKeys);
        Assert.Equal("trigger:Cash:deposit:40:" + T0.AddTicks(1_000).UtcTicks, ProposalJournal.TriggerKey(first));
    }

    [Fact]
    public void Triggers_and_a_clients_events_are_held_until_decided_through_their_detection()
    {
        // A withdrawal waiting in a household's inbox when its silo died would wait for whatever triggered the household
        // next: held and sent again like the market's triggers.
        var awaiting = new AwaitingDecision();
        var cash = new Trigger(TriggerKind.Cash, "A1", "withdrawal", 1000, 0, 0, 40, T0, T0.AddSeconds(3));
        awaiting.Sent([Market(TriggerKind.Harvest, "XYZ", 1), cash, Market(TriggerKind.Drift, "BND", 2)]);
        awaiting.Sent([Market(TriggerKind.Harvest, "XYZ", 5)]);
        Assert.Equal(["XYZ@1", "withdrawal@3", "BND@2", "XYZ@5"], awaiting.Waiting.Select(t => $"{t.Subject}@{t.DetectedAt.Second}"));

        awaiting.Decided(T0.AddSeconds(2));
        Assert.Equal(["withdrawal@3", "XYZ@5"], awaiting.Waiting.Select(t => $"{t.Subject}@{t.DetectedAt.Second}"));
        awaiting.Decided(T0.AddSeconds(3));
        Assert.Equal(["XYZ@5"], awaiting.Waiting.Select(t => $"{t.Subject}@{t.DetectedAt.Second}"));
        awaiting.Decided(T0.AddSeconds(5));
        Assert.Equal(0, awaiting.Count);
    }

    [Fact]
    public void At_most_256_are_held_the_oldest_market_triggers_going_first_and_a_clients_events_last()
    {
        var awaiting = new AwaitingDecision();
        awaiting.Sent(Enumerable.Range(1, 300).Select(i => Market(TriggerKind.Harvest, $"S{i}", i)));
        Assert.Equal(AwaitingDecision.Max, awaiting.Count);
        Assert.Equal("S45", awaiting.Waiting[0].Subject);

        // A withdrawal held before 300 more harvest triggers is kept; the oldest 299 market triggers make room.
        var withdrawal = new Trigger(TriggerKind.Cash, "A1", "withdrawal", 400, 0, 0, 40, T0, T0.AddSeconds(400));
        awaiting.Sent([withdrawal]);
        awaiting.Sent(Enumerable.Range(401, 300).Select(i => Market(TriggerKind.Harvest, $"S{i}", i)));
        Assert.Equal(AwaitingDecision.Max, awaiting.Count);
        Assert.Equal(["withdrawal", "S446"], awaiting.Waiting.Take(2).Select(t => t.Subject));
        Assert.Equal("S700", awaiting.Waiting[^1].Subject);

        // Only events held: the oldest go, as a last resort.
        var events = new AwaitingDecision();
        events.Sent(Enumerable.Range(1, 300).Select(i => withdrawal with { DetectedAt = T0.AddSeconds(i) }));
        Assert.Equal((AwaitingDecision.Max, 45), (events.Count, events.Waiting[0].DetectedAt.Second + 60 * events.Waiting[0].DetectedAt.Minute));
    }

    [Fact]
    public void A_household_drops_what_a_filed_proposal_names_and_keeps_the_same_condition_detected_anew()
    {
        var book = new ProposalBook("HH1");
        var decided = Market(TriggerKind.Harvest, "XYZ", 1);
        var result = new RebalanceResult(OptimizationStatus.Optimal, [], 0.02, 0.01, 0m, 0m, 0, "ipm", 1, 1.0);
        book.Create(result, [], [decided], 41, T0.AddSeconds(2), TimeSpan.FromDays(1));

        var anew = decided with { DetectedAt = decided.DetectedAt.AddMinutes(31) };
        var other = Market(TriggerKind.Drift, "BND", 3);
        Assert.Equal([anew, other], book.Undecided([decided, anew, other]));
    }

    [Fact]
    public void Taken_triggers_are_remembered_until_given_back_and_a_retake_outlives_its_older_take()
    {
        var taken = new TakenTriggers();
        var harvest = Market(TriggerKind.Harvest, "XYZ", 1);
        var cash = new Trigger(TriggerKind.Cash, "A1", "deposit", 1000, 0, 0, 40, T0, T0);
        taken.Take([harvest, cash]);
        Assert.True(taken.Contains(harvest));
        Assert.False(taken.Contains(cash)); // an event is kept from a second decision by the proposal naming it (a fixed clock may stamp two alike)
        Assert.False(taken.Contains(harvest with { DetectedAt = harvest.DetectedAt.AddMinutes(31) })); // detected anew: another trigger

        // The decision failed: given back, then taken again by the retry.
        taken.GiveBack([harvest]);
        Assert.False(taken.Contains(harvest));
        taken.Take([harvest]);
        // 4,095 more takes push the first take of the harvest out of the window, not the retake.
        taken.Take(Enumerable.Range(2, TakenTriggers.Max - 1).Select(i => Market(TriggerKind.Drift, $"S{i}", i)));
        Assert.True(taken.Contains(harvest));
        Assert.Equal(TakenTriggers.Max, taken.Count);
        taken.Take([Market(TriggerKind.Drift, "LAST", 9_999)]);
        Assert.False(taken.Contains(harvest)); // now the oldest remembered: forgotten
        Assert.Equal(TakenTriggers.Max, taken.Count);
    }

    [Fact]
    public void A_decision_takes_from_its_inbox_only_market_triggers_not_decided_already_and_every_event()
    {
        // A duplicate activation filed the harvest on XYZ (proposal P00002); this one still holds it in its inbox, with a
        // drift trigger sent twice (a resend met its first copy there) and two cash events a fixed clock stamped alike.
        var book = new ProposalBook("HH1");
        var filed = Market(TriggerKind.Harvest, "XYZ", 1);
        var result = new RebalanceResult(OptimizationStatus.Optimal, [], 0.02, 0.01, 0m, 0m, 0, "ipm", 1, 1.0);
        book.Create(result, [], [filed], 41, T0.AddSeconds(2), TimeSpan.FromDays(1));
        var drift = Market(TriggerKind.Drift, "BND", 3);
        var cash = new Trigger(TriggerKind.Cash, "A1", "deposit", 1000, 0, 0, 40, T0, T0);
        var taken = new TakenTriggers();

        var first = taken.TakeUndecided([filed, drift, cash, drift, cash with { Observed = 500 }], book);
        Assert.Equal([drift, cash, cash with { Observed = 500 }], first);
        Assert.True(taken.Contains(drift));

        // Sent again while its decision runs: not taken twice; given back by a failed decision: taken by the retry.
        Assert.Empty(taken.TakeUndecided([drift], book));
        taken.GiveBack([drift]);
        Assert.Equal([drift], taken.TakeUndecided([drift], book));

        // The condition detected anew is another trigger; the filed one stays decided while the book keeps its proposal.
        var anew = filed with { DetectedAt = filed.DetectedAt.AddMinutes(31) };
        Assert.Equal([anew], taken.TakeUndecided([filed, anew], book));

        // A withdrawal a filed proposal names, sent again after a silo died, is not decided twice; one it does not name is.
        var withdrawal = new Trigger(TriggerKind.Cash, "A1", "withdrawal", 400, 0, 0, 42, T0, T0.AddSeconds(4));
        book.Create(result, [], [withdrawal], 42, T0.AddSeconds(5), TimeSpan.FromDays(1));
        var later = withdrawal with { DetectedAt = T0.AddSeconds(6) };
        Assert.Equal([later], taken.TakeUndecided([withdrawal, later], book));
    }

    [Fact]
    public void The_book_forgets_what_a_proposal_named_only_when_no_kept_proposal_names_it()
    {
        var result = new RebalanceResult(OptimizationStatus.Optimal, [], 0.02, 0.01, 0m, 0m, 0, "ipm", 1, 1.0);
        var book = new ProposalBook("HH1");
        var early = Market(TriggerKind.Harvest, "XYZ", 1);
        var both = Market(TriggerKind.Drift, "BND", 2);
        // The first decision's pending and executing halves both name its triggers; its executing half executes.
        book.Create(result, [], [early, both], 41, T0.AddSeconds(2), TimeSpan.FromDays(1));
        var executing = book.Create(result, [], [early, both], 41, T0.AddSeconds(2), TimeSpan.FromDays(1));
        book.Executed(executing, [], [], T0.AddSeconds(3));
        Assert.True(book.Names(early) && book.Names(both));
        // 200 later decisions push the first decision's executed half out of the book (the pending half is kept).
        Trigger Later(int i) => Market(TriggerKind.Drift, $"S{i}", 10 + i);
        void Decide(int i) => book.Executed(book.Create(result, [], [Later(i)], 50 + i, T0.AddSeconds(10 + i), TimeSpan.FromDays(1)), [], [], T0.AddSeconds(10 + i));
        for (var i = 0; i < ProposalBook.Kept; i++) Decide(i);
        Assert.Equal(ProposalBook.Kept + 1, book.All.Length);
        Assert.True(book.Names(early) && book.Names(both)); // still named by the pending half
        Assert.True(book.Names(Later(0)));
        // One more pushes out the decision over S0: no kept proposal names its trigger now.
        Decide(ProposalBook.Kept);
        Assert.False(book.Names(Later(0)));
        Assert.True(book.Names(Later(1)) && book.Names(Later(ProposalBook.Kept)));
        // Read back from its stored proposals, the book names the same triggers.
        var stored = new ProposalBook("HH1", book.All, book.NextNumber);
        Trigger[] asked = [early, both, Later(0), Later(1), Later(ProposalBook.Kept), Later(ProposalBook.Kept + 1)];
        Assert.Equal([Later(0), Later(ProposalBook.Kept + 1)], book.Undecided(asked));
        Assert.Equal([Later(0), Later(ProposalBook.Kept + 1)], stored.Undecided(asked));
    }

    [Fact]
    public void A_failed_decision_is_tried_again_after_1_2_4_8_and_16_seconds_and_then_dropped()
    {
        Assert.Equal([1d, 2, 4, 8, 16], Enumerable.Range(1, 5).Select(n => DecisionRetry.After(n)!.Value.TotalSeconds));
        Assert.Null(DecisionRetry.After(DecisionRetry.MaxFailures));
        Assert.Throws<ArgumentOutOfRangeException>(() => DecisionRetry.After(0));

        // A household's retries: failures in a row, the count starting over after a decision or a drop.
        var retry = new DecisionRetry();
        Assert.Equal([1d, 2], new[] { retry.Failed(), retry.Failed() }.Select(p => p!.Value.TotalSeconds));
        retry.Succeeded();
        Assert.Equal([1d, 2, 4, 8, 16], Enumerable.Range(1, 5).Select(_ => retry.Failed()!.Value.TotalSeconds));
        Assert.Null(retry.Failed());
        Assert.Equal(1, retry.Failed()!.Value.TotalSeconds);
    }

    [Fact]
    public void A_trigger_is_the_same_trigger_by_account_kind_subject_batch_and_detection()
    {
        var t = Market(TriggerKind.Harvest, "XYZ", 1);
        Assert.Equal(TriggerIdentity.Of(t), TriggerIdentity.Of(t with { Observed = 123 })); // a later observation of it
        Assert.NotEqual(TriggerIdentity.Of(t), TriggerIdentity.Of(t with { BatchSequence = t.BatchSequence + 1 }));
        Assert.NotEqual(TriggerIdentity.Of(t), TriggerIdentity.Of(t with { AccountId = "A2" }));
    }
}
