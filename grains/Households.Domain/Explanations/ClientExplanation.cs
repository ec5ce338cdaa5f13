using Households.Contracts;

namespace Households.Domain.Explanations;

/// <summary>A client-ready explanation of a proposal or a transition plan, in plain language, one to two pages: the trades
/// and why, the tax effect this year, the wash-sale precautions, the portfolio against its target before and after, and
/// (a transition) the year-by-year path. Every figure is the proposal's (or the plan's) own or comes from the function the
/// engine uses for it; the renderers (<see cref="ExplanationHtml"/>, <see cref="ExplanationPdf"/>) only format.</summary>
public sealed record ClientExplanation(
    string Title,
    string HouseholdId,
    string HouseholdName,
    DateOnly AsOf,
    string Subject,
    string Summary,
    TradeGroup[] Trades,
    TaxEffect Tax,
    WashSalePrecaution[] Precautions,
    AllocationLine[] Allocation,
    double TrackingErrorBefore,
    double TrackingErrorAfter,
    TransitionYear[] Years,
    string[] Sources);

/// <summary>One account's trades, sells first, each with its sentence.</summary>
public sealed record TradeGroup(string Account, string AccountName, AccountType Type, ExplainedTrade[] Trades)
{
    /// <summary>"Joint brokerage (taxable account)".</summary>
    public string Heading => $"{AccountName} ({ExplanationText.AccountKind(Type)})";
}

/// <summary>A trade as the proposal (or the plan) has it: side, shares, amount, realized gain (short- plus long-term; a loss
/// negative), reasons, and the sentence that says it.</summary>
public sealed record ExplainedTrade(TradeSide Side, string Symbol, decimal Quantity, decimal Amount, decimal Gain, TradeReason Reasons, string Sentence);

/// <summary>This year's tax effect: the proposal's realized gains by term (losses negative) and, when the household has a
/// tax profile, the marginal rates and the estimated tax (negative: a saving) the engine prices with.</summary>
public sealed record TaxEffect(decimal ShortTermGain, decimal LongTermGain, MarginalTaxRates? Rates, decimal? EstimatedTax, string Sentence)
{
    public decimal NetGain => ShortTermGain + LongTermGain;
}

/// <summary>What may not be bought back, where, and through which day (IRC §1091: a purchase within 30 days after a loss
/// sale disallows the loss; in an IRA or Roth IRA for good, Rev. Rul. 2008-5). <see cref="Substitute"/> is what the plan buys
/// instead; <see cref="FromThisPlan"/> is false for a window an earlier sale opened.</summary>
public sealed record WashSalePrecaution(string Security, string[] Accounts, DateOnly NoBuyThrough, decimal Loss, string? Substitute,
    bool FromThisPlan, string Sentence);

/// <summary>An asset class's share of the household before and after the trades, and its target (fractions). After is null
/// when the document has no single "after" (a transition's path is in its years).</summary>
public sealed record AllocationLine(string AssetClass, double Before, double? After, double Target);
