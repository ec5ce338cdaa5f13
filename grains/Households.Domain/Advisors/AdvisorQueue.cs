using System.Collections.Immutable;
using Households.Contracts;
using Households.Domain.Decisions;

namespace Households.Domain.Advisors;

/// <summary>What kind of work a proposal is: the one rule the queue, its filter and the notices use.</summary>
public static class ProposalKinds
{
    /// <summary>The first that applies, in this order: a client's cash need (a cash trigger: deposit or withdrawal; not a
    /// trade's own cash reason, which the optimizer sets on every trade that moves cash), a client restriction (a restriction
    /// trigger or a trade forced out), a tax-loss harvest (a harvest trigger or a harvesting trade), a step of the household's
    /// transition plan (the household is under a tax budget and the cause is a model or policy change, or a person asked),
    /// else a rebalance.</summary>
    public static ProposalKind Of(RebalanceProposal proposal, bool inTransition)
    {
        bool Any(TriggerKind cause, TradeReason reason) =>
            proposal.Causes.Any(c => c.Kind == cause) || proposal.Trades.Any(t => t.Reasons.HasFlag(reason));
        if (proposal.Causes.Any(c => c.Kind == TriggerKind.Cash)) return ProposalKind.Cash;
        if (Any(TriggerKind.Restriction, TradeReason.Restriction)) return ProposalKind.Restriction;
        if (Any(TriggerKind.Harvest, TradeReason.Harvest)) return ProposalKind.Harvest;
        if (inTransition && (proposal.Causes.Length == 0 || proposal.Causes.Any(c => c.Kind is TriggerKind.ModelChange or TriggerKind.Policy)))
            return ProposalKind.TransitionStep;
        return ProposalKind.Rebalance;
    }

    public static ProposalKind Parse(string text) => Enum.TryParse<ProposalKind>(text.Replace("-", "", StringComparison.Ordinal), ignoreCase: true, out var kind)
        && Enum.IsDefined(kind) ? kind : throw new BadInputException($"kind must be one of harvest, rebalance, cash, restriction, transition-step (got {text})");
}

/// <summary>What a proposal is worth to the client, in dollars (docs/formats.md §18).</summary>
public sealed record ProposalValue(decimal TaxBenefit, decimal TransactionCosts, decimal TrackingValue, decimal HouseholdValue)
{
    /// <summary>Tax benefit net of transaction costs plus the tracking error it removes: <see cref="TaxBenefit"/> −
    /// <see cref="TransactionCosts"/> + <see cref="TrackingValue"/>.</summary>
    public decimal ValueToClient => TaxBenefit - TransactionCosts + TrackingValue;

    /// <summary>
    /// <list type="bullet">
    /// <item>Tax benefit: minus the tax on the taxable accounts' realized gains at the household's marginal rates (a gain
    /// at the gain rate, a loss saving at the loss rate: <see cref="PlanPreview.Taxed"/>, the preview's own function).</item>
    /// <item>Transaction costs: the firm's cost rate on every traded dollar plus its commission per trade.</item>
    /// <item>Tracking value: the annualised tracking error removed (before − after) times the household's value, i.e. one
    /// dollar per dollar-year of active risk removed. The household's value is implied by the trades (their dollars over
    /// their change in household weight), so the row needs no account read.</item>
    /// </list>
    /// Each part is rounded to cents.</summary>
    public static ProposalValue Of(RebalanceProposal proposal, MarginalTaxRates rates, IReadOnlySet<string> taxableAccounts,
        double transactionCost, decimal commission)
    {
        var tax = proposal.Trades.Where(t => taxableAccounts.Contains(t.Account))
            .Sum(t => PlanPreview.Taxed(t.ShortTermGain, rates.ShortTermGain, rates.ShortTermLoss) + PlanPreview.Taxed(t.LongTermGain, rates.LongTermGain, rates.LongTermLoss));
        var traded = proposal.Trades.Sum(t => t.Amount);
        var costs = traded * (decimal)transactionCost + commission * proposal.Trades.Length;
        var weightMoved = proposal.Trades.Sum(t => Math.Abs(t.WeightAfter - t.WeightBefore));
        var value = weightMoved > 0 ? traded / (decimal)weightMoved : 0m;
        var removed = proposal.TrackingErrorBefore - proposal.TrackingErrorAfter;
        var tracking = double.IsFinite(removed) ? value * (decimal)removed : 0m;
        return new(Math.Round(-tax, 2), Math.Round(costs, 2), Math.Round(tracking, 2), Math.Round(value, 2));
    }
}

/// <summary>How the queue is asked for: whose, which kind, which household, in which order, which page.</summary>
public sealed record QueueQuery(string? AdvisorId, ProposalKind? Kind, string? HouseholdId, QueueSort Sort, int Page, int PageSize)
{
    public const int MaxPageSize = 500;

    public static QueueSort ParseSort(string? text) => text?.ToLowerInvariant() switch
    {
        null or "" or "value" => QueueSort.Value,
        "expiry" => QueueSort.Expiry,
        _ => throw new BadInputException($"sort must be value or expiry (got {text})"),
    };

    public void Check()
    {
        if (Page < 1) throw new BadInputException("page must be >= 1");
        if (PageSize is < 1 or > MaxPageSize) throw new BadInputException($"pageSize must be between 1 and {MaxPageSize}");
        if ((long)(Page - 1) * PageSize > int.MaxValue) throw new BadInputException("page is too large");
    }
}

public enum QueueSort { Value, Expiry }

/// <summary>Builds the advisor's queue from the pending-proposal index: one row per pending proposal, filtered, sorted
/// (by value to the client, highest first; or by expiry, soonest first; ties by household and proposal id) and paged.</summary>
public static class AdvisorQueue
{
    /// <summary>The rows of the proposals pending at <paramref name="now"/>. <paramref name="pricesMoved"/> is the
    /// approval's own re-validation rule (<see cref="ProposalRules.PricesMoved"/> at live prices), asked per proposal.</summary>
    public static IEnumerable<QueueRow> Rows(IEnumerable<HouseholdPending> households, DateTimeOffset now, Func<RebalanceProposal, bool> pricesMoved,
        double transactionCost, decimal commission)
    {
        foreach (var h in households)
        {
            var taxable = h.TaxableAccounts.ToHashSet(StringComparer.Ordinal);
            foreach (var p in h.Proposals.Where(p => p.Status == ProposalStatus.Pending && now < p.ExpiresAt))
            {
                var value = ProposalValue.Of(p, h.Rates, taxable, transactionCost, commission);
                yield return new QueueRow(h.HouseholdId, h.HouseholdName, h.AdvisorId, p.Id,
                    [.. p.Trades.Select(t => t.Account).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
                    ProposalKinds.Of(p, h.InTransition), p.Trades.Length, p.ShortTermGain, p.LongTermGain, value.TaxBenefit, h.Rates.Basis,
                    value.TransactionCosts, value.TrackingValue, value.ValueToClient, p.TrackingErrorBefore, p.TrackingErrorAfter,
                    p.CreatedAt, p.ExpiresAt, pricesMoved(p));
            }
        }
    }

    public static QueuePage Page(IEnumerable<QueueRow> rows, QueueQuery query)
    {
        query.Check();
        var chosen = rows.Where(r => (query.AdvisorId is null || r.AdvisorId == query.AdvisorId)
            && (query.Kind is null || r.Kind == query.Kind)
            && (query.HouseholdId is null || r.HouseholdId == query.HouseholdId));
        var sorted = (query.Sort == QueueSort.Expiry
                ? chosen.OrderBy(r => r.ExpiresAt)
                : chosen.OrderByDescending(r => r.ValueToClient))
            .ThenBy(r => r.HouseholdId, StringComparer.Ordinal).ThenBy(r => r.ProposalId, StringComparer.Ordinal).ToList();
        var items = sorted.Skip((query.Page - 1) * query.PageSize).Take(query.PageSize).ToImmutableArray();
        return new QueuePage(query.Page, query.PageSize, sorted.Count, items);
    }
}
