using System.Text;
using System.Text.RegularExpressions;
using Households.Contracts;
using Households.Domain.Decisions;
using Households.Domain.Explanations;
using Households.Domain.Lots;
using Households.Domain.Tax;
using Xunit;

namespace Households.Tests.Explanations;

/// <summary>The client explanation of a worked harvest proposal. The household: Joint brokerage (taxable, 60/40 VTI/BND) holds
/// $1,000 cash, 120 VTI at $200 ($24,000, bought 2026-06-01 for $28,310) and 200 BND at $75 ($15,000, at cost); Rollover IRA
/// (100 % BND) holds 100 BND ($7,500). Household value $47,500. The proposal sells the 120 VTI at a $4,310 short-term loss and
/// buys 120 ITOT at $200 in its place. The tax profile gives 35 % ordinary and 15 % long-term federal rates plus 5 % state, no
/// surtax: a short-term dollar of loss saves 40 cents, so the estimated tax is −4,310 × 0.40 = −$1,724.00.</summary>
public sealed partial class ClientExplanationTests
{
    private static readonly DateOnly Today = new(2026, 12, 5);
    private static readonly DriftBand Band = new(0.05m, 0.25m);

    private static readonly Security[] Securities =
    [
        new("VTI", "Total market", "US Equity", "Diversified", null, SecurityKind.EquityFund),
        new("ITOT", "Core total market", "US Equity", "Diversified", null, SecurityKind.EquityFund),
        new("BND", "Total bond", "US Bonds", "Diversified", null, SecurityKind.BondFund),
    ];

    private static readonly Dictionary<string, decimal> Prices = new() { ["VTI"] = 200m, ["ITOT"] = 200m, ["BND"] = 75m };

    private static ResolvedTarget Target(string model, params (string Symbol, string Class, decimal Weight)[] sleeves) => new(model, 1,
    [
        .. sleeves.Select(s => new TargetWeight(DriftLevel.Security, s.Symbol, s.Weight, Band)),
        .. sleeves.GroupBy(s => s.Class).Select(g => new TargetWeight(DriftLevel.AssetClass, g.Key, g.Sum(s => s.Weight), Band)),
    ]);

    private static AccountSpec Spec(string id, string name, AccountType type) =>
        new(id, "H", name, type, false, "M", [], false, LotRelief.Hifo, HarvestPolicy.Default);

    internal static ExplanationContext Context(TaxProfile? profile = null, (string, BuyBlackout)[]? blackouts = null)
    {
        var since = new DateOnly(2026, 6, 1);
        AccountDecisionInput[] accounts =
        [
            new(Spec("H-TAX", "Joint brokerage", AccountType.Taxable), 1_000m,
                [new TaxLot("L1", "VTI", 120m, 28_310m, since, since), new TaxLot("L2", "BND", 200m, 15_000m, since, since)],
                Target("M60", ("VTI", "US Equity", 0.6m), ("BND", "US Bonds", 0.4m)), 0m),
            new(Spec("H-IRA", "Rollover IRA", AccountType.Ira), 0m, [new TaxLot("L3", "BND", 100m, 7_000m, since, since)],
                Target("MB", ("BND", "US Bonds", 1m)), 0m),
        ];
        var household = new HouseholdSpec("H", "The Worked Family", "ADV01", ["H-TAX", "H-IRA"],
            profile ?? new TaxProfile(FilingStatus.MarriedJoint, OrdinaryRate: 0.35m, LongTermRate: 0.15m, StateRate: 0.05m, NetInvestmentIncomeTax: false));
        return new ExplanationContext(household, accounts, s => Securities.FirstOrDefault(x => x.Symbol == s), s => Prices.GetValueOrDefault(s) is var p && p > 0 ? p : null,
            GainsSummary.Zero, TaxRates.Default, blackouts ?? [], Today);
    }

    internal static RebalanceProposal Harvest()
    {
        var at = new DateTimeOffset(2026, 12, 5, 15, 0, 0, TimeSpan.Zero);
        var lot = new TaxLot("L1", "VTI", 120m, 28_310m, new DateOnly(2026, 6, 1), new DateOnly(2026, 6, 1));
        OptimizedTrade[] trades =
        [
            new("H-TAX", "ITOT", TradeSide.Buy, 120m, 24_000m, 0, 24_000.0 / 47_500, TradeReason.Harvest, 0m, 0m, []),
            new("H-TAX", "VTI", TradeSide.Sell, 120m, 24_000m, 24_000.0 / 47_500, 0, TradeReason.Harvest, -4_310m, 0m,
                [new LotSale(lot, "L1", 120m, 24_000m, 28_310m, HoldingTerm.Short)]),
        ];
        var cause = new Trigger(TriggerKind.Harvest, "H-TAX", "VTI", 4_310, 0, 250, 7, at, at);
        return new RebalanceProposal("P-7", "H", ProposalStatus.Pending, at, at.AddDays(2), [cause], [.. trades], 0.0123, 0.0131, -4_310m, 0m, 7, null, null, [], null);
    }

    [Fact]
    public void The_documents_numbers_are_the_proposals_own()
    {
        var proposal = Harvest();
        var context = Context();
        var e = ClientExplanations.ForProposal(proposal, context);

        Assert.Equal((-4_310m, 0m), (e.Tax.ShortTermGain, e.Tax.LongTermGain));
        Assert.Equal((proposal.TrackingErrorBefore, proposal.TrackingErrorAfter), (e.TrackingErrorBefore, e.TrackingErrorAfter));
        var trades = e.Trades.Single().Trades;
        Assert.Equal(proposal.Trades.OrderBy(t => t.Side).Select(t => (t.Symbol, t.Quantity, t.Amount, t.ShortTermGain + t.LongTermGain)),
            trades.OrderBy(t => t.Side).Select(t => (t.Symbol, t.Quantity, t.Amount, t.Gain)));
        // Sells first, grouped under the account.
        Assert.Equal("Joint brokerage (taxable account)", e.Trades[0].Heading);
        Assert.Equal("Sell 120 shares of VTI from Joint brokerage for $24,000 to realize a $4,310 loss, to offset gains this year and later.", trades[0].Sentence);
        Assert.Equal("Buy 120 shares of ITOT in Joint brokerage for $24,000, in place of VTI, sold at a loss, so the money stays invested.", trades[1].Sentence);
    }

    [Fact]
    public void The_estimated_tax_is_the_engines_own_at_the_households_marginal_rates()
    {
        var proposal = Harvest();
        var context = Context();
        var e = ClientExplanations.ForProposal(proposal, context);
        var rates = TaxProfiles.Marginal(context.Household.Tax, GainsSummary.Zero, TaxRates.Default);
        Assert.Equal(0.40m, rates.ShortTermLoss);
        Assert.Equal(-1_724.00m, e.Tax.EstimatedTax);
        Assert.Equal(PlanPreview.EstimatedTax(proposal.Trades, context.Accounts.Select(a => a.Spec), rates), e.Tax.EstimatedTax);
        Assert.Contains("we estimate they save $1,724 of tax this year", e.Tax.Sentence);

        // The same loss in the IRA is not taxed: no estimate changes with it.
        var inIra = proposal with { Trades = [.. proposal.Trades.Select(t => t with { Account = "H-IRA" })] };
        Assert.Equal(0m, ClientExplanations.ForProposal(inIra, context).Tax.EstimatedTax);
        Assert.Empty(ClientExplanations.ForProposal(inIra, context).Precautions);
    }

    [Fact]
    public void Without_a_tax_profile_the_tax_is_not_estimated()
    {
        var context = Context() is var c ? c with { Household = c.Household with { Tax = null } } : null!;
        var e = ClientExplanations.ForProposal(Harvest(), context);
        Assert.Null(e.Tax.EstimatedTax);
        Assert.Null(e.Tax.Rates);
        Assert.Equal(-4_310m, e.Tax.NetGain);
    }

    [Fact]
    public void The_loss_sale_keeps_VTI_out_of_every_account_for_30_days_and_names_its_substitute()
    {
        var earlier = new BuyBlackout("BND", new DateOnly(2026, 12, 20), 10m, true);
        var e = ClientExplanations.ForProposal(Harvest(), Context(blackouts: [("H-IRA", earlier)]));
        var vti = e.Precautions[0];
        Assert.Equal(("VTI", new DateOnly(2027, 1, 4), 4_310m, "ITOT", true), (vti.Security, vti.NoBuyThrough, vti.Loss, vti.Substitute, vti.FromThisPlan));
        Assert.Equal(["Joint brokerage", "Rollover IRA"], vti.Accounts.AsEnumerable());
        Assert.Contains("through January 4, 2027, 30 days after the sale (IRC §1091)", vti.Sentence);
        Assert.Contains("A purchase in Rollover IRA would lose the deduction for good.", vti.Sentence);
        var open = e.Precautions[1];
        Assert.Equal(("BND", new DateOnly(2026, 12, 20), false), (open.Security, open.NoBuyThrough, open.FromThisPlan));
        Assert.Equal("Because of an earlier loss sale, BND is not bought in Rollover IRA through December 20, 2026 (IRC §1091).", open.Sentence);
        Assert.Contains("We propose 2 trades in 1 account (waiting for your approval until December 7, 2026): selling $24,000 and buying $24,000, because some holdings", e.Summary);
    }

    [Fact]
    public void Asset_class_weights_before_after_and_target_are_the_monitors_weighted_by_account_value()
    {
        var e = ClientExplanations.ForProposal(Harvest(), Context());
        var equity = e.Allocation.Single(l => l.AssetClass == "US Equity");
        var bonds = e.Allocation.Single(l => l.AssetClass == "US Bonds");
        // Equity: $24,000 of $47,500 before (VTI) and after (ITOT, the same class); target 60 % of the brokerage's $40,000.
        Assert.Equal(24_000.0 / 47_500, equity.Before, 12);
        Assert.Equal(24_000.0 / 47_500, equity.After!.Value, 12);
        Assert.Equal(0.6 * 40_000 / 47_500, equity.Target, 12);
        // Bonds: $15,000 + $7,500 of $47,500; target 40 % of $40,000 plus all of the IRA's $7,500.
        Assert.Equal(22_500.0 / 47_500, bonds.Before, 12);
        Assert.Equal((0.4 * 40_000 + 7_500) / 47_500, bonds.Target, 12);
    }

    [Fact]
    public void A_transition_explanation_copies_the_plans_years_and_first_year_sales()
    {
        var sale = new TransitionSale("H-TAX", "VTI", 50m, 10_000m, 2_000m, ["L1"]);
        TransitionYear[] years =
        [
            new(2026, 0m, 2_000m, 0m, 300m, 0.02, 5_000m, 10_000m, 1, [sale]),
            new(2027, 0m, 1_000m, 0m, 150m, 0.0, 0m, 5_000m, 1, []),
        ];
        var plan = new TransitionPlan("H", Today, new AnnualTaxBudget(2_000m), 0m, 0.05, 15_000m, [.. years], 0.0, 2, 47_500m, "on model");
        var e = ClientExplanations.ForTransition(plan, Context());
        Assert.Equal(years, e.Years);
        Assert.Equal((0m, 2_000m, 300m), (e.Tax.ShortTermGain, e.Tax.LongTermGain, e.Tax.EstimatedTax));
        Assert.Equal((0.05, 0.0), (e.TrackingErrorBefore, e.TrackingErrorAfter));
        Assert.Equal("Sell 50 shares of VTI from Joint brokerage for $10,000, realizing a $2,000 gain.", e.Trades.Single().Trades.Single().Sentence);
        Assert.All(e.Allocation, l => Assert.Null(l.After));
        Assert.Contains("reaches its target in 2 years", e.Summary);
    }

    [Fact]
    public void The_html_page_carries_each_figure_with_its_exact_value()
    {
        var html = ExplanationHtml.Render(ClientExplanations.ForProposal(Harvest(), Context()));
        Assert.StartsWith("<!doctype html>", html);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("src=", html); // self-contained
        Assert.Contains("data-figure=\"short-term-gain\" data-value=\"-4310\">-$4,310.00<", html);
        Assert.Contains("data-figure=\"estimated-tax\" data-value=\"-1724.00\">-$1,724.00<", html);
        Assert.Contains("data-figure=\"tracking-error-before\" data-value=\"0.0123\">1.23%<", html);
        Assert.Contains("<svg", html);
        Assert.Contains("data-through=\"2027-01-04\"", html);
        // Text is escaped.
        var odd = ClientExplanations.ForProposal(Harvest(), Context() is var c ? c with { Household = c.Household with { Name = "<b>A & B</b>" } } : null!);
        Assert.Contains("&lt;b&gt;A &amp; B&lt;/b&gt;", ExplanationHtml.Render(odd));
    }

    [Fact]
    public void The_pdf_is_structurally_valid_with_its_text_on_one_or_two_pages()
    {
        var bytes = ExplanationPdf.Render(ClientExplanations.ForProposal(Harvest(), Context()));
        var text = Encoding.ASCII.GetString(bytes);
        AssertValidPdf(text, out var pages);
        Assert.InRange(pages, 1, 2);
        Assert.Contains("/BaseFont /Helvetica-Bold", text);
        Assert.Contains("/MediaBox [0 0 612 792]", text);
        Assert.Contains("(Your proposed trades, explained)", text);
        Assert.Contains("-$4,310.00", text);
        Assert.Contains("-$1,724.00", text);
        Assert.Contains(@"\2471091\)", text); // § as its WinAnsi code, the parenthesis escaped
        Assert.Contains(" re f ", text); // the chart's bars
    }

    [Fact]
    public void A_proposal_of_two_hundred_trades_still_fits_two_pages()
    {
        var many = Harvest() with
        {
            Trades = [.. Enumerable.Range(0, 200).Select(i => new OptimizedTrade("H-TAX", $"S{i:000}", TradeSide.Buy, 1m, 100m, 0, 0.001, TradeReason.Drift, 0m, 0m, []))],
        };
        var text = Encoding.ASCII.GetString(ExplanationPdf.Render(ClientExplanations.ForProposal(many, Context())));
        AssertValidPdf(text, out var pages);
        Assert.Equal(2, pages);
        Assert.Contains($"and {200 - ExplanationPdf.MaxTradeLines} more trades", text);
    }

    /// <summary>Header, trailer, xref offsets pointing at each object, stream lengths, and the page count.</summary>
    internal static void AssertValidPdf(string text, out int pages)
    {
        Assert.StartsWith("%PDF-1.4\n", text);
        Assert.EndsWith("%%EOF\n", text);
        var startxref = int.Parse(StartXref().Match(text).Groups[1].Value);
        Assert.StartsWith("xref\n0 ", text[startxref..]);
        var entries = XrefEntry().Matches(text[startxref..]).Select(m => int.Parse(m.Groups[1].Value)).ToList();
        for (var i = 0; i < entries.Count; i++) Assert.StartsWith($"{i + 1} 0 obj\n", text[entries[i]..]);
        Assert.Contains($"/Size {entries.Count + 1} ", text);
        foreach (Match m in Stream().Matches(text)) Assert.Equal(int.Parse(m.Groups[1].Value), m.Groups[2].Value.Length);
        pages = int.Parse(PageCount().Match(text).Groups[1].Value);
        Assert.Equal(pages, Regex.Matches(text, "/Type /Page /Parent").Count);
    }

    [GeneratedRegex(@"startxref\n(\d+)\n%%EOF")]
    private static partial Regex StartXref();

    [GeneratedRegex(@"(\d{10}) 00000 n \n")]
    private static partial Regex XrefEntry();

    [GeneratedRegex(@"/Length (\d+) >>\nstream\n(.*?)endstream", RegexOptions.Singleline)]
    private static partial Regex Stream();

    [GeneratedRegex(@"/Type /Pages /Kids \[[^\]]*\] /Count (\d+)")]
    private static partial Regex PageCount();
}
