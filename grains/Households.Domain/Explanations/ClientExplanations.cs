using Households.Contracts;
using Households.Domain.Accounts;
using Households.Domain.Decisions;
using Households.Domain.Lots;
using Households.Domain.Monitoring;
using Households.Domain.Tax;
using Households.Domain.WashSales;
using static Households.Domain.Explanations.ExplanationText;

namespace Households.Domain.Explanations;

/// <summary>What an explanation needs besides the proposal or plan: the household (names, account types, tax profile), its
/// accounts' books and targets, the security master, today's prices, the year's realized results and the firm's flat rates
/// (for the marginal rates, as the engine prices them), the wash-sale windows already open, and today.</summary>
public sealed record ExplanationContext(
    HouseholdSpec Household,
    IReadOnlyList<AccountDecisionInput> Accounts,
    Func<string, Security?> Find,
    Func<string, decimal?> Price,
    GainsSummary YearToDate,
    TaxRates FirmRates,
    IReadOnlyList<(string Account, BuyBlackout Blackout)> OpenBlackouts,
    DateOnly Today)
{
    /// <summary>The household's marginal rates as the engine prices a decision, or null without a tax profile.</summary>
    public MarginalTaxRates? Rates => Household.Tax is { } profile ? TaxProfiles.Marginal(profile, YearToDate, FirmRates) : null;

    public AccountSpec? Account(string id) => Accounts.FirstOrDefault(a => a.Spec.Id == id)?.Spec;

    public string AccountName(string id) => Account(id)?.Name ?? id;
}

/// <summary>Builds <see cref="ClientExplanation"/>s. Figures are copied from the proposal or plan; the estimated tax is
/// <see cref="PlanPreview.EstimatedTax"/> at <see cref="TaxProfiles.Marginal"/>, the asset-class weights are the live
/// monitor's drift lines (<see cref="AccountSnapshot"/>, <see cref="TriggerKernel.DriftLines"/>) aggregated as the household
/// page does (<see cref="HouseholdAggregation.AssetClassDrift"/>), the wash-sale window is the ledger's
/// (<see cref="WashSaleLedger.WindowDays"/>). Nothing here computes a figure a second way.</summary>
public static class ClientExplanations
{
    public static ClientExplanation ForProposal(RebalanceProposal proposal, ExplanationContext context)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        ArgumentNullException.ThrowIfNull(context);
        var trades = proposal.Trades;
        // A pending proposal's sales happen when it is approved: the window is counted from today, the earliest day.
        var saleDate = proposal.Status == ProposalStatus.Executed && proposal.DecidedAt is { } decided ? DateOnly.FromDateTime(decided.UtcDateTime) : context.Today;
        var losses = trades.Where(t => t.Side == TradeSide.Sell && t.ShortTermGain + t.LongTermGain < 0 && IsTaxable(context, t.Account))
            .Select(t => new Sale(t.Account, t.Symbol, t.ShortTermGain + t.LongTermGain)).ToList();
        var substitutes = Substitutes(losses, trades.Where(t => t.Side == TradeSide.Buy).Select(t => (t.Account, t.Symbol, t.Amount)).ToList(), context);
        var groups = Groups(trades.Select(t => (t.Account, new ExplainedTrade(t.Side, t.Symbol, t.Quantity, t.Amount, t.ShortTermGain + t.LongTermGain, t.Reasons,
            Sentence(t.Account, t.Side, t.Symbol, t.Quantity, t.Amount, t.ShortTermGain + t.LongTermGain, t.Reasons, substitutes, context)))), context);

        var rates = context.Rates;
        decimal? tax = rates is null ? null : PlanPreview.EstimatedTax(trades, context.Accounts.Select(a => a.Spec), rates);
        var (before, after) = (Weights(context, []), Weights(context, trades));
        var allocation = before.Select(b => new AllocationLine(b.Key, b.Weight, after.FirstOrDefault(a => a.Key == b.Key)?.Weight ?? 0, b.Target))
            .Concat(after.Where(a => before.All(b => b.Key != a.Key)).Select(a => new AllocationLine(a.Key, 0, a.Weight, a.Target)))
            .Where(Shown).OrderBy(l => l.AssetClass, StringComparer.Ordinal).ToArray();

        var sold = trades.Where(t => t.Side == TradeSide.Sell).Sum(t => t.Amount);
        var bought = trades.Where(t => t.Side == TradeSide.Buy).Sum(t => t.Amount);
        var status = proposal.Status switch
        {
            ProposalStatus.Pending => $"waiting for your approval until {Date(DateOnly.FromDateTime(proposal.ExpiresAt.UtcDateTime))}",
            ProposalStatus.Executed => "carried out",
            _ => proposal.Status.ToString().ToLowerInvariant(),
        };
        var summary = trades.Length == 0 ? "This proposal trades nothing."
            : $"We propose {Count(trades.Length, "trade")} in {Count(groups.Length, "account")} ({status}): "
              + string.Join(" and ", new[] { sold > 0 ? $"selling {Money(sold)}" : null, bought > 0 ? $"buying {Money(bought)}" : null }.OfType<string>())
              + $"{Because(proposal.Causes)}. The portfolio's tracking error to its target goes from {Percent(proposal.TrackingErrorBefore)} to {Percent(proposal.TrackingErrorAfter)}.";
        var sources = new List<string>
        {
            $"Trades, shares, amounts, realized gains and tracking error are proposal {proposal.Id}'s own, as the engine made it on {Date(DateOnly.FromDateTime(proposal.CreatedAt.UtcDateTime))}.",
            rates is null ? "No tax profile is on file, so the tax is not estimated."
                : $"The estimated tax prices each taxable account's gains and losses at your marginal rates today, as the engine does when it decides ({rates.Basis}).",
            "Asset-class weights are at today's prices, measured as the portfolio's drift is monitored; targets are your accounts' models, weighted by account value.",
        };
        return new ClientExplanation("Your proposed trades, explained", context.Household.Id, context.Household.Name, context.Today,
            $"Proposal {proposal.Id}", summary, groups, TaxEffect(proposal.ShortTermGain, proposal.LongTermGain, rates, tax),
            Precautions(losses, substitutes, saleDate, context), allocation, proposal.TrackingErrorBefore, proposal.TrackingErrorAfter, [], [.. sources]);
    }

    public static ClientExplanation ForTransition(TransitionPlan plan, ExplanationContext context)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(context);
        var first = plan.Years.FirstOrDefault();
        var sales = first?.Sales ?? [];
        var losses = sales.Where(s => s.Gain < 0 && IsTaxable(context, s.Account)).Select(s => new Sale(s.Account, s.Symbol, s.Gain)).ToList();
        var groups = Groups(sales.Select(s => (s.Account, new ExplainedTrade(TradeSide.Sell, s.Symbol, s.Shares, s.Proceeds, s.Gain, TradeReason.ModelChange,
            Sentence(s.Account, TradeSide.Sell, s.Symbol, s.Shares, s.Proceeds, s.Gain, TradeReason.None, new Dictionary<string, string>(), context)))), context);
        var before = Weights(context, []);
        var allocation = before.Select(b => new AllocationLine(b.Key, b.Weight, null, b.Target)).Where(Shown).ToArray();
        var unit = plan.Budget.Unit == TaxBudgetUnit.Tax ? "of tax" : "of net realized gains";
        var needed = plan.YearsNeeded is { } n ? $"The portfolio reaches its target in {Count(n, "year")}." : $"Within the {Count(plan.Years.Length, "year")} planned the portfolio does not fully reach its target.";
        var summary = $"We move your portfolio toward its target as fast as a budget of {Money(plan.Budget.Amount)} {unit} a year allows: losses harvested first, "
            + $"gains realized up to the budget, at today's prices. {needed} Its tracking error goes from {Percent(plan.TrackingErrorBefore)} to "
            + $"{Percent(plan.FinalTrackingError)}; {Money(plan.OutsideModelBefore)} of {Money(plan.Value)} is outside the model today. ({plan.Conclusion}.)";
        var tax = first is null ? new TaxEffect(0, 0, null, null, "The plan sells nothing this year.")
            : TaxEffect(first.ShortTermGain, first.LongTermGain, null, first.EstimatedTax);
        var sources = new List<string>
        {
            $"Every year's gains, estimated tax, tracking error and value outside the model are the transition plan's own, simulated on {Date(plan.AsOf)} at constant prices.",
            plan.RealizedYearToDate != 0 ? $"{Money(plan.RealizedYearToDate)} realized earlier this year counts against this year's budget." : "Nothing realized earlier this year counts against the budget.",
            "Asset-class weights are at today's prices, measured as the portfolio's drift is monitored; targets are your accounts' models, weighted by account value.",
        };
        return new ClientExplanation("Your transition plan, explained", context.Household.Id, context.Household.Name, context.Today,
            $"A {Count(plan.Years.Length, "year")} transition", summary, groups, tax, Precautions(losses, new Dictionary<string, string>(), plan.AsOf, context),
            allocation, plan.TrackingErrorBefore, plan.FinalTrackingError, [.. plan.Years], [.. sources]);
    }

    private sealed record Sale(string Account, string Symbol, decimal Gain);

    private static bool Shown(AllocationLine l) => l.Before > 0.0005 || l.After > 0.0005 || l.Target > 0;

    private static bool IsTaxable(ExplanationContext context, string account) => context.Account(account) is { } spec && TaxTreatment.IsTaxable(spec.Type);

    private static TaxEffect TaxEffect(decimal shortTerm, decimal longTerm, MarginalTaxRates? rates, decimal? tax)
    {
        var realized = shortTerm == 0 && longTerm == 0 ? "This year the trades realize no gain or loss."
            : $"This year the trades realize {GainOrLoss(shortTerm, "short-term")} and {GainOrLoss(longTerm, "long-term")}.";
        var priced = tax switch
        {
            null when rates is null => " Gains and losses in IRAs, Roth IRAs and 529 plans are not taxed.",
            null => "",
            < 0 => $" At your marginal rates we estimate they save {Money(-tax.Value)} of tax this year.",
            0 => " At your marginal rates we estimate no tax.",
            _ => $" At your marginal rates we estimate {Money(tax.Value)} of tax this year.",
        };
        var rateText = rates is null ? "" : $" (Short-term gains are taxed at {Percent(rates.ShortTermGain, 1)}, long-term at {Percent(rates.LongTermGain, 1)}; a loss saves {Percent(rates.ShortTermLoss, 1)} short-term, {Percent(rates.LongTermLoss, 1)} long-term.)";
        return new TaxEffect(shortTerm, longTerm, rates, tax, realized + priced + rateText);
    }

    private static string GainOrLoss(decimal amount, string term) =>
        amount < 0 ? $"a {term} loss of {Money(-amount)}" : amount > 0 ? $"a {term} gain of {Money(amount)}" : $"no {term} gain";

    /// <summary>Trades by account (in the household's account order), sells before buys.</summary>
    private static TradeGroup[] Groups(IEnumerable<(string Account, ExplainedTrade Trade)> trades, ExplanationContext context)
    {
        var order = context.Household.AccountIds.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i, StringComparer.Ordinal);
        return [.. trades.GroupBy(t => t.Account, StringComparer.Ordinal)
            .OrderBy(g => order.GetValueOrDefault(g.Key, int.MaxValue)).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new TradeGroup(g.Key, context.AccountName(g.Key), context.Account(g.Key)?.Type ?? AccountType.Taxable,
                [.. g.Select(t => t.Trade).OrderByDescending(t => t.Side == TradeSide.Sell).ThenByDescending(t => t.Amount)]))];
    }

    /// <summary>For each security sold at a loss, the plan's largest purchase of another security of the same asset class
    /// (preferring the same account): what keeps the money invested while the sold one may not be bought back.</summary>
    private static Dictionary<string, string> Substitutes(IReadOnlyList<Sale> losses, IReadOnlyList<(string Account, string Symbol, decimal Amount)> buys, ExplanationContext context)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var loss in losses)
        {
            if (result.ContainsKey(loss.Symbol) || context.Find(loss.Symbol) is not { } sold) continue;
            var pick = buys.Where(b => context.Find(b.Symbol) is { } s && s.AssetClass == sold.AssetClass && s.WashSaleKey != sold.WashSaleKey)
                .OrderByDescending(b => b.Account == loss.Account).ThenByDescending(b => b.Amount).Select(b => b.Symbol).FirstOrDefault();
            if (pick is not null) result[loss.Symbol] = pick;
        }
        return result;
    }

    private static string Sentence(string account, TradeSide side, string symbol, decimal quantity, decimal amount, decimal gain, TradeReason reasons,
        IReadOnlyDictionary<string, string> substitutes, ExplanationContext context)
    {
        var where = side == TradeSide.Sell ? "from" : "in";
        var text = $"{(side == TradeSide.Sell ? "Sell" : "Buy")} {Shares(quantity)} of {symbol} {where} {context.AccountName(account)} for {Money(amount)}";
        if (side == TradeSide.Sell && IsTaxable(context, account))
            text += gain < 0 ? $" to realize a {Money(-gain)} loss" : gain > 0 ? $", realizing a {Money(gain)} gain" : "";
        else if (side == TradeSide.Sell && gain != 0) text += " (no tax: the account is tax-deferred)";
        var why = new List<string>();
        if (side == TradeSide.Buy && substitutes.FirstOrDefault(s => s.Value == symbol) is { Key: { } replaced })
            why.Add($"in place of {replaced}, sold at a loss, so the money stays invested");
        if (reasons.HasFlag(TradeReason.Harvest) && side == TradeSide.Sell && gain < 0) why.Add("to offset gains this year and later");
        if (reasons.HasFlag(TradeReason.Drift)) why.Add("to bring the portfolio back toward its target");
        if (reasons.HasFlag(TradeReason.ModelChange)) why.Add("because your model changed");
        if (reasons.HasFlag(TradeReason.Restriction)) why.Add("because of a restriction on this security");
        if (reasons.HasFlag(TradeReason.Cash)) why.Add(side == TradeSide.Sell ? "to raise cash you asked for" : "to invest cash");
        if (reasons.HasFlag(TradeReason.AssetLocation)) why.Add("to hold it in the account where it is taxed least");
        return text + (why.Count > 0 ? ", " + string.Join("; ", why) : "") + ".";
    }

    /// <summary>This plan's loss sales (one line per wash-sale key) and the windows earlier sales left open.</summary>
    private static WashSalePrecaution[] Precautions(IReadOnlyList<Sale> losses, IReadOnlyDictionary<string, string> substitutes, DateOnly saleDate, ExplanationContext context)
    {
        var through = saleDate.AddDays(WashSaleLedger.WindowDays);
        var covered = context.Accounts.Where(a => !a.Spec.SeparateTaxpayer).Select(a => a.Spec).ToList();
        var names = covered.Select(a => a.Name).ToArray();
        var retirement = covered.Where(a => a.Type is AccountType.Ira or AccountType.Roth).Select(a => a.Name).ToList();
        var result = new List<WashSalePrecaution>();
        foreach (var key in losses.GroupBy(l => context.Find(l.Symbol)?.WashSaleKey ?? l.Symbol, StringComparer.Ordinal))
        {
            var symbols = string.Join(", ", key.Select(l => l.Symbol).Distinct(StringComparer.Ordinal));
            var loss = -key.Sum(l => l.Gain);
            var substitute = key.Select(l => substitutes.GetValueOrDefault(l.Symbol)).FirstOrDefault(s => s is not null);
            var text = $"{symbols} is sold at a {Money(loss)} loss. To keep that loss deductible we will not buy {symbols} or a substantially identical security "
                + $"in any of your accounts ({string.Join(", ", names)}) through {Date(through)}, {WashSaleLedger.WindowDays} days after the sale (IRC §1091).";
            if (retirement.Count > 0) text += $" A purchase in {string.Join(" or ", retirement)} would lose the deduction for good.";
            if (substitute is not null) text += $" {substitute} is bought in its place.";
            result.Add(new WashSalePrecaution(symbols, names, through, loss, substitute, true, text));
        }
        foreach (var open in context.OpenBlackouts.GroupBy(b => b.Blackout.WashSaleKey, StringComparer.Ordinal))
        {
            var accounts = open.Select(b => context.AccountName(b.Account)).Distinct(StringComparer.Ordinal).ToArray();
            var until = open.Max(b => b.Blackout.WashesThrough);
            // A group key ("group:SP500") names the firm's set of substantially identical securities.
            var what = open.Key.StartsWith("group:", StringComparison.Ordinal) ? $"the {open.Key["group:".Length..]} group (substantially identical securities)" : open.Key;
            result.Add(new WashSalePrecaution(open.Key, accounts, until, 0, null, false,
                $"Because of an earlier loss sale, {what} is not bought in {string.Join(", ", accounts)} through {Date(until)} (IRC §1091)."));
        }
        return [.. result];
    }

    /// <summary>The household's asset-class lines after the trades (none: as it stands) at today's prices, each account measured
    /// by the live monitor's kernel and weighted by its value.</summary>
    private static DriftLine[] Weights(ExplanationContext context, IReadOnlyList<OptimizedTrade> trades)
    {
        var index = new SecurityIndex();
        var snapshots = context.Accounts.Select(a =>
        {
            var (shares, cash) = PlanPreview.After(a, trades);
            var lots = shares.Where(s => s.Value > 0).Select(s => new TaxLot(s.Key, s.Key, s.Value, 0m, context.Today, context.Today)).ToList();
            var value = cash + lots.Sum(l => l.Quantity * (context.Price(l.Symbol) ?? 0m));
            return (Value: value, Snapshot: AccountSnapshot.Build(a.Spec.Id, cash, lots, a.Target, HarvestPolicy.Off, context.Find, index));
        }).ToList();
        // Prices by the index's ordinals, once every snapshot has registered its securities.
        var prices = new double[index.Count];
        for (var i = 0; i < prices.Length; i++) prices[i] = (double)(context.Price(index.SymbolOf(i)) ?? 0m);
        var measured = snapshots.Select(s => (s.Value, (IReadOnlyList<DriftLine>)TriggerKernel.DriftLines(s.Snapshot, prices)));
        return HouseholdAggregation.AssetClassDrift(measured);
    }
}
