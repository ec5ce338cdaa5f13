using Households.Contracts;
using Households.Domain;
using Households.Domain.Advisors;
using Households.Domain.Decisions;
using Xunit;

namespace Households.Tests.Advisors;

/// <summary>The queue's rows, value and order on worked numbers.</summary>
public sealed class AdvisorQueueTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 15, 0, 0, TimeSpan.Zero);
    private static readonly MarginalTaxRates Rates = new(0.40m, 0.238m, 0.40m, 0.238m, 0.37m, 0.20m, "test rates");

    private static OptimizedTrade Trade(string account, string symbol, TradeSide side, decimal quantity, decimal amount, double before, double after,
        TradeReason reasons, decimal shortTerm = 0, decimal longTerm = 0) =>
        new(account, symbol, side, quantity, amount, before, after, reasons, shortTerm, longTerm, []);

    private static Trigger Cause(TriggerKind kind) => new(kind, "A-TAX", "XYZ", 1, 0, 0, 1, T0, T0);

    private static RebalanceProposal Proposal(string id, string household, OptimizedTrade[] trades, double teBefore, double teAfter,
        DateTimeOffset expires, params Trigger[] causes) =>
        new(id, household, ProposalStatus.Pending, T0, expires, [.. causes], [.. trades], teBefore, teAfter,
            trades.Sum(t => t.ShortTermGain), trades.Sum(t => t.LongTermGain), 7, null, null, [], null);

    /// <summary>A household worth 50,000 (each trade's dollars over its change in weight): sell 100 XYZ (5,000, −10 % weight)
    /// at a 1,000 short-term loss in the taxable account, buy 5,000 of its substitute (+10 %), and sell 1,000 of bonds
    /// (−2 %) at a 300 short-term gain in the IRA; tracking error 3 % → 1 %.</summary>
    private static RebalanceProposal Harvest(string id = "H1-P00001", DateTimeOffset? expires = null) => Proposal(id, "H1",
    [
        Trade("A-TAX", "XYZ", TradeSide.Sell, 100, 5_000m, 0.25, 0.15, TradeReason.Harvest, shortTerm: -1_000m),
        Trade("A-TAX", "SUB", TradeSide.Buy, 50, 5_000m, 0.00, 0.10, TradeReason.Harvest),
        Trade("A-IRA", "BND", TradeSide.Sell, 10, 1_000m, 0.30, 0.28, TradeReason.Drift, shortTerm: 300m),
    ], 0.03, 0.01, expires ?? T0.AddHours(24), Cause(TriggerKind.Harvest));

    [Fact]
    public void Value_to_the_client_is_the_tax_saved_less_costs_plus_the_tracking_error_removed_at_the_households_value()
    {
        var value = ProposalValue.Of(Harvest(), Rates, new HashSet<string> { "A-TAX" }, transactionCost: 0.0005, commission: 1m);
        // The IRA's 300 gain is not taxed; the 1,000 short-term loss saves 400 at 40 %.
        Assert.Equal(400.00m, value.TaxBenefit);
        // 11,000 traded × 0.05 % = 5.50, plus 3 trades × 1.00.
        Assert.Equal(8.50m, value.TransactionCosts);
        Assert.Equal(50_000.00m, value.HouseholdValue);
        // (3 % − 1 %) × 50,000.
        Assert.Equal(1_000.00m, value.TrackingValue);
        Assert.Equal(1_391.50m, value.ValueToClient);
    }

    [Fact]
    public void A_realized_gain_is_a_negative_benefit_at_the_gain_rate()
    {
        var gain = Proposal("H2-P00001", "H2", [Trade("B-TAX", "XYZ", TradeSide.Sell, 10, 2_000m, 0.10, 0.06, TradeReason.Drift, longTerm: 1_000m)],
            0.02, 0.02, T0.AddHours(24));
        var value = ProposalValue.Of(gain, Rates, new HashSet<string> { "B-TAX" }, 0.0005, 0m);
        Assert.Equal((-238.00m, 1.00m, 0m, -239.00m), (value.TaxBenefit, value.TransactionCosts, value.TrackingValue, value.ValueToClient));
    }

    [Fact]
    public void The_kind_is_the_first_of_cash_restriction_harvest_transition_step_then_rebalance()
    {
        Assert.Equal(ProposalKind.Harvest, ProposalKinds.Of(Harvest(), inTransition: false));
        var drift = Proposal("P", "H", [Trade("A", "X", TradeSide.Buy, 1, 100m, 0, 0.01, TradeReason.Drift)], 0.02, 0.01, T0.AddHours(1), Cause(TriggerKind.Drift));
        Assert.Equal(ProposalKind.Rebalance, ProposalKinds.Of(drift, inTransition: false));
        Assert.Equal(ProposalKind.Rebalance, ProposalKinds.Of(drift, inTransition: true)); // a drift cause is a rebalance even in transition
        var model = drift with { Causes = [Cause(TriggerKind.ModelChange)] };
        Assert.Equal(ProposalKind.TransitionStep, ProposalKinds.Of(model, inTransition: true));
        Assert.Equal(ProposalKind.Rebalance, ProposalKinds.Of(model, inTransition: false));
        // A withdrawal's harvest is a cash proposal; a trade's own cash reason (it moves cash) says nothing.
        Assert.Equal(ProposalKind.Cash, ProposalKinds.Of(Harvest() with { Causes = [Cause(TriggerKind.Cash)] }, false));
        Assert.Equal(ProposalKind.Rebalance, ProposalKinds.Of(drift with { Trades = [Trade("A", "X", TradeSide.Sell, 1, 100m, 0.01, 0, TradeReason.Cash | TradeReason.Drift)] }, false));
        Assert.Equal(ProposalKind.Restriction, ProposalKinds.Of(drift with { Causes = [Cause(TriggerKind.Restriction)] }, false));
        Assert.Equal(ProposalKind.TransitionStep, ProposalKinds.Parse("transition-step"));
        Assert.Throws<BadInputException>(() => ProposalKinds.Parse("everything"));
    }

    private static HouseholdPending Household(string id, string advisor, params RebalanceProposal[] proposals) =>
        new(id, $"The {id} Family", advisor, Rates, [$"{id[..1]}-TAX", "A-TAX", "B-TAX"], false, [.. proposals], T0);

    private static QueueRow[] Rows(DateTimeOffset now, params HouseholdPending[] households) =>
        [.. AdvisorQueue.Rows(households, now, _ => false, 0.0005, 1m)];

    [Fact]
    public void Rows_sort_by_value_or_expiry_filter_by_advisor_kind_and_household_and_page()
    {
        var harvest = Harvest("H1-P00001", T0.AddHours(24));                                                // value 1,391.50
        var small = Proposal("H2-P00003", "H2", [Trade("B-TAX", "XYZ", TradeSide.Sell, 10, 2_000m, 0.10, 0.06, TradeReason.Drift, longTerm: 1_000m)],
            0.02, 0.02, T0.AddHours(2), Cause(TriggerKind.Drift));                                            // value −240.00, expires first
        var drift = Proposal("H3-P00002", "H3", [Trade("C-IRA", "BND", TradeSide.Buy, 20, 1_000m, 0.10, 0.12, TradeReason.Drift)],
            0.015, 0.005, T0.AddHours(6), Cause(TriggerKind.Drift));                                          // 1,000 / 2 % = 50,000 × 1 % − 1.50 = 498.50
        var expired = Proposal("H3-P00001", "H3", [Trade("C-IRA", "BND", TradeSide.Buy, 20, 1_000m, 0.10, 0.12, TradeReason.Drift)],
            0.015, 0.005, T0.AddMinutes(-1), Cause(TriggerKind.Drift));
        var rows = Rows(T0, Household("H1", "ADV1", harvest), Household("H2", "ADV2", small), Household("H3", "ADV1", drift, expired));
        Assert.Equal(3, rows.Length); // the expired one is not in the queue

        var byValue = AdvisorQueue.Page(rows, new QueueQuery(null, null, null, QueueSort.Value, 1, 50));
        Assert.Equal(["H1-P00001", "H3-P00002", "H2-P00003"], byValue.Items.Select(r => r.ProposalId));
        Assert.Equal([1_391.50m, 498.50m, -240.00m], byValue.Items.Select(r => r.ValueToClient));
        var first = byValue.Items[0];
        Assert.Equal(("H1", "The H1 Family", "ADV1", ProposalKind.Harvest, 3), (first.HouseholdId, first.HouseholdName, first.AdvisorId, first.Kind, first.Trades));
        Assert.Equal(["A-IRA", "A-TAX"], first.Accounts.AsEnumerable());
        Assert.Equal((-700m, 0m, 400.00m, 8.50m, 1_000.00m), (first.ShortTermGain, first.LongTermGain, first.EstimatedTaxBenefit, first.TransactionCosts, first.TrackingValue));
        Assert.Equal((0.03, 0.01, "test rates"), (first.TrackingErrorBefore, first.TrackingErrorAfter, first.RatesBasis));

        var byExpiry = AdvisorQueue.Page(rows, new QueueQuery(null, null, null, QueueSort.Expiry, 1, 50));
        Assert.Equal(["H2-P00003", "H3-P00002", "H1-P00001"], byExpiry.Items.Select(r => r.ProposalId));

        Assert.Equal(["H1-P00001", "H3-P00002"], AdvisorQueue.Page(rows, new QueueQuery("ADV1", null, null, QueueSort.Value, 1, 50)).Items.Select(r => r.ProposalId));
        Assert.Equal(["H1-P00001"], AdvisorQueue.Page(rows, new QueueQuery(null, ProposalKind.Harvest, null, QueueSort.Value, 1, 50)).Items.Select(r => r.ProposalId));
        Assert.Equal(["H2-P00003"], AdvisorQueue.Page(rows, new QueueQuery(null, null, "H2", QueueSort.Value, 1, 50)).Items.Select(r => r.ProposalId));

        var second = AdvisorQueue.Page(rows, new QueueQuery(null, null, null, QueueSort.Value, 2, 2));
        Assert.Equal((3, 2, 2), (second.Total, second.Page, second.PageSize));
        Assert.Equal(["H2-P00003"], second.Items.Select(r => r.ProposalId));
        Assert.Throws<BadInputException>(() => AdvisorQueue.Page(rows, new QueueQuery(null, null, null, QueueSort.Value, 0, 50)));
        Assert.Throws<BadInputException>(() => QueueQuery.ParseSort("name"));
    }

    [Fact]
    public void Prices_moved_is_the_approvals_own_rule_at_the_tolerance()
    {
        // XYZ was priced at 5,000 / 100 = 50.00; a 1 % tolerance.
        var p = Harvest();
        var prices = new Dictionary<string, decimal> { ["XYZ"] = 50.49m, ["SUB"] = 100m, ["BND"] = 100m };
        Assert.False(ProposalRules.PricesMoved(p, prices, 0.01));
        prices["XYZ"] = 50.51m;
        Assert.True(ProposalRules.PricesMoved(p, prices, 0.01));
        var rows = AdvisorQueue.Rows([Household("H1", "ADV1", p)], T0, q => ProposalRules.PricesMoved(q, prices, 0.01), 0.0005, 1m).ToArray();
        Assert.True(rows.Single().PricesMoved);
    }
}
