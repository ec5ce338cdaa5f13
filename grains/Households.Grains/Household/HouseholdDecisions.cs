using Households.Contracts;
using Households.Domain;
using Households.Domain.Decisions;
using Households.Domain.Monitoring;
using Households.Domain.Risk;
using Households.Grains.Silo;
using Households.Persistence.Journal;
using Microsoft.Extensions.Logging;

namespace Households.Grains.Household;

/// <summary>The decision request path: what a household asks the one decision engine (<see cref="DecisionEngine"/>) — its
/// accounts, ledger, prices, turnover so far, tax profile and transition, under its policy's market — and the journal
/// entries that make each decision explain itself. Filing and executing what it decides is <see cref="HouseholdProposals"/>'.</summary>
public sealed class HouseholdDecisions(IPersistentState<HouseholdState> state, HouseholdBooks books, SecurityMaster master, IJournal journal,
    PriceBoard board, SecurityRiskModels risk, LiveReplacements replacements, DecisionOptions decisions, PriceFeedOptions feed,
    TimeProvider clock, HouseholdEventRing events, ILogger log)
{
    private long _decisionCount;

    private DateOnly Today() => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    /// <summary>A decision's id, unique within the household's activation: the board's batch, a count and the activation's epoch.</summary>
    public string NextDecisionId() => $"{board.Current.Sequence}:{++_decisionCount}:{events.Epoch}";

    /// <summary>The market this household decides and executes in: the firm's settings under the household's policy.</summary>
    public DecisionMarket Market
    {
        get
        {
            var market = new DecisionMarket(master.Find, master.Identical, decisions.Substitutes, replacements.Current, risk, decisions.Settings);
            return state.State.Spec is { } spec ? market.ForHousehold(spec) : market;
        }
    }

    /// <summary>Asks the decision engine and journals what it refused, overrode, relaxed or could not do, so every decision
    /// explains itself. With a <paramref name="lane"/> (the market's decisions) the engine runs on the silo's decision lane,
    /// below the monitor's priority; the request is built here, on the grain's turn.</summary>
    public async Task<HouseholdPlan> Plan(HouseholdSpec spec, IReadOnlyList<AccountDecisionInput> inputs, Trigger[] causes, IReadOnlyList<RebalanceProposal> proposals,
        DecisionLane? lane = null)
    {
        var request = Request(spec, inputs, causes, proposals);
        var market = Market;
        var plan = lane is null ? DecisionEngine.Decide(request, market) : await lane.Run(() => DecisionEngine.Decide(request, market));
        var result = plan.Result;
        HouseholdsMetrics.Solved(result.SolveMilliseconds, result.Status);
        log.LogDebug("{Household}: {Outcome} ({Status} in {Ms:0.0} ms) for {Causes}: {Trades} trades, tracking error {Before:P2} -> {After:P2}",
            spec.Id, plan.Record.Outcome, result.Status, result.SolveMilliseconds, string.Join(",", causes.Select(c => c.Kind).Distinct()),
            result.Trades.Length, result.TrackingErrorBefore, result.TrackingErrorAfter);
        var entries = ProposalJournal.Explained(plan, spec.Id, Today(), clock.GetUtcNow(), NextDecisionId);
        if (entries.Length > 0) await journal.Append(entries);
        if (plan.Record.Outcome == DecisionOutcome.NoPlan) log.LogWarning("{Household}: no plan: {Reason}", spec.Id, plan.Record.Reason);
        return plan;
    }

    /// <summary>What the engine is asked: the accounts (under a configured feed, a security without a recent price is neither
    /// bought nor sold: docs/architecture.md), the ledger, the board's prices, the turnover already proposed today.</summary>
    public DecisionRequest Request(HouseholdSpec spec, IReadOnlyList<AccountDecisionInput> inputs, Trigger[] causes, IReadOnlyList<RebalanceProposal> proposals)
    {
        var today = Today();
        if (feed.HoldsStale && board.Current.Sequence != 0)
        {
            var now = clock.GetUtcNow();
            var symbols = inputs.SelectMany(a => a.Lots.Select(l => l.Symbol).Concat(a.Target?.Weights.Select(w => w.Key) ?? [])).ToHashSet(StringComparer.Ordinal);
            inputs = Domain.Prices.StalePrices.HoldRestrictions(inputs, board.Priced.Stale(now, feed.StaleAfter, symbols), now);
        }
        return new DecisionRequest(spec.Id, inputs, causes, books.Tax, s => board.QuoteOf(s)?.Price, today,
            ProposalRules.TurnoverOn(proposals, today, inputs, s => board.QuoteOf(s)?.Price), spec.Tax, state.State.Transition);
    }

    /// <summary>The decision the household would make now, not filed; with the transition path when a tax budget is set.
    /// Asked by a person, like a rebalance: the daily turnover budget of market-caused decisions does not apply.</summary>
    public HouseholdPreview Preview(HouseholdSpec spec, AccountDecisionInput[] inputs, IReadOnlyList<RebalanceProposal> proposals)
    {
        var request = Request(spec, inputs, [], proposals);
        var market = Market;
        var preview = PlanPreview.Of(request, market, DecisionEngine.Decide(request, market));
        if (state.State.Transition is not { Budget: { } budget } transition) return preview;
        var path = TransitionPlanner.ForHousehold(spec, inputs, master.Find, s => board.QuoteOf(s)?.Price, risk, decisions.Settings, transition, budget,
            request.Today, books.Tax.Gains);
        return preview with { Transition = path };
    }
}
