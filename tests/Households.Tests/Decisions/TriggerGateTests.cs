using Households.Contracts;
using Households.Domain.Decisions;
using Xunit;

namespace Households.Tests.Decisions;

public sealed class TriggerGateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 15, 0, 0, TimeSpan.Zero);
    private static readonly TriggerPolicy Policy = new(TimeSpan.FromMinutes(30), 3, 2, 2);

    private static Trigger T(TriggerKind kind, string subject) => new(kind, "A", subject, 0.7, 0.6, 0.05, 1, T0, T0);

    [Fact]
    public void A_subject_that_fired_is_quiet_for_the_cooldown()
    {
        var gate = new TriggerCooldowns();
        Assert.Single(gate.Admit([T(TriggerKind.Drift, "EQ")], T0, Policy));
        Assert.Empty(gate.Admit([T(TriggerKind.Drift, "EQ")], T0.AddMinutes(29), Policy));
        Assert.Single(gate.Admit([T(TriggerKind.Drift, "BD")], T0.AddMinutes(29), Policy));
        Assert.Single(gate.Admit([T(TriggerKind.Drift, "EQ")], T0.AddMinutes(30), Policy));
    }

    [Fact]
    public void An_account_acts_at_most_its_hourly_budget_and_cash_skips_the_cooldown()
    {
        var gate = new TriggerCooldowns();
        Assert.Single(gate.Admit([T(TriggerKind.Cash, "deposit")], T0, Policy));
        Assert.Single(gate.Admit([T(TriggerKind.Cash, "deposit")], T0.AddMinutes(1), Policy));
        Assert.Single(gate.Admit([T(TriggerKind.Harvest, "XYZ")], T0.AddMinutes(2), Policy));
        Assert.Empty(gate.Admit([T(TriggerKind.Drift, "EQ")], T0.AddMinutes(3), Policy));
        Assert.Single(gate.Admit([T(TriggerKind.Drift, "EQ")], T0.AddMinutes(60), Policy));
    }

    [Fact]
    public void Firm_bucket_allows_the_burst_then_the_rate()
    {
        var bucket = new TokenBucket(2, 2, T0);
        Assert.True(bucket.TryTake(T0));
        Assert.True(bucket.TryTake(T0));
        Assert.False(bucket.TryTake(T0));
        Assert.False(bucket.TryTake(T0.AddMilliseconds(400)));
        Assert.True(bucket.TryTake(T0.AddMilliseconds(500)));
        Assert.True(bucket.TryTake(T0.AddSeconds(10)));
        Assert.True(bucket.TryTake(T0.AddSeconds(10)));
        Assert.False(bucket.TryTake(T0.AddSeconds(10)));
    }
}

public sealed class ProposalBookTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 15, 0, 0, TimeSpan.Zero);

    private static OptimizedTrade Trade(string account) => new(account, "EQ", TradeSide.Sell, 10, 1000, 0.6, 0.55, TradeReason.Drift, 0, 0, []);

    private static RebalanceResult Result => new(OptimizationStatus.Optimal, [], 0.02, 0.01, 0, 0, 0, "ipm", 1, 1);

    [Fact]
    public void A_fresh_pending_proposal_replaces_older_pending_ones_for_the_same_accounts_and_expiry_ends_the_rest()
    {
        var book = new ProposalBook("H");
        var first = book.Create(Result, [Trade("A")], [], 1, T0, TimeSpan.FromHours(1));
        var other = book.Create(Result, [Trade("B")], [], 1, T0, TimeSpan.FromHours(1));
        var fresh = book.Create(Result, [Trade("A")], [], 2, T0.AddMinutes(5), TimeSpan.FromHours(1));

        var replaced = Assert.Single(book.SupersedePending(fresh, T0.AddMinutes(5)));

        Assert.Equal("H-P00001", replaced.Id);
        Assert.Equal((ProposalStatus.Superseded, "H-P00003"), (book.Get(first.Id).Status, book.Get(first.Id).SupersededBy));
        Assert.Equal(ProposalStatus.Pending, book.Get(other.Id).Status);
        Assert.Contains("is superseded", Assert.Throws<Households.Domain.BadInputException>(() => book.ForDecision(first.Id, T0.AddMinutes(6))).Message);

        var expired = book.Expire(T0.AddHours(1));
        Assert.Equal([other.Id], expired.Select(p => p.Id));
        Assert.Contains("expired", Assert.Throws<Households.Domain.BadInputException>(() => book.ForDecision(fresh.Id, T0.AddHours(1).AddMinutes(5))).Message);
    }

    /// <summary>A read between the household's turns sees a pending proposal past its expiry as expired (at its expiry)
    /// without changing the book; the expiry recorded at the next turn reads the same.</summary>
    [Fact]
    public void A_read_shows_expiry_as_it_stands_without_recording_it()
    {
        var book = new ProposalBook("H");
        var p = book.Create(Result, [Trade("A")], [], 1, T0, TimeSpan.FromHours(24));

        Assert.Equal(ProposalStatus.Pending, Assert.Single(book.AllAt(T0.AddHours(23))).Status);
        var read = Assert.Single(book.AllAt(T0.AddHours(30)));
        Assert.Equal((ProposalStatus.Expired, T0.AddHours(24)), (read.Status, read.DecidedAt));
        Assert.Equal(ProposalStatus.Pending, book.Get(p.Id).Status);

        var recorded = Assert.Single(book.Expire(T0.AddHours(31)));
        Assert.Equal(read, recorded);
    }
}
