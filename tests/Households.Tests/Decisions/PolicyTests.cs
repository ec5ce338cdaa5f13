using Households.Contracts;
using Households.Domain;
using Households.Domain.Decisions;
using Households.Domain.Harvesting;
using Households.Domain.Models;
using Households.Domain.Risk;
using Households.Domain.Tax;
using Households.Domain.WashSales;
using Xunit;

namespace Households.Tests.Decisions;

/// <summary>The optimizer's policy on the live path, worked on a household of a taxable account and an IRA on a 60/40 model
/// of an equity fund (EQA, substitute EQB) and a bond fund (BND), every lot bought at today's price unless said otherwise.</summary>
public sealed class PolicyTests
{
    private static readonly DateOnly Today = new(2026, 6, 15);
    private static readonly Security Eqa = new("EQA", "Equity fund A", "US Equity", "Equity", null, SecurityKind.EquityFund);
    private static readonly Security Eqb = new("EQB", "Equity fund B", "US Equity", "Equity", null, SecurityKind.EquityFund);
    private static readonly Security Bnd = new("BND", "Bond fund", "US Bonds", "Fixed Income", null, SecurityKind.BondFund);
    private static readonly Security[] Securities = [Eqa, Eqb, Bnd];
    private static readonly Dictionary<string, decimal> Prices = new() { ["EQA"] = 100m, ["EQB"] = 100m, ["BND"] = 100m };

    private static ResolvedTarget Target()
    {
        var band = new DriftBand(0.05m, 0m);
        var model = new TargetModel("M6040", "60/40", [new(SleeveKind.Security, "EQA", 0.6m, band), new(SleeveKind.Security, "BND", 0.4m, band)], false);
        return ModelResolver.Resolve("M6040", 1, id => id == "M6040" ? model : null, s => Securities.FirstOrDefault(x => x.Symbol == s));
    }

    private static DecisionMarket Market(InvestmentPolicy? household = null) => new DecisionMarket(s => Securities.FirstOrDefault(x => x.Symbol == s),
        SubstantiallyIdentical.SameSecurityOnly, new Dictionary<string, string[]> { ["EQA"] = ["EQB"] }, new ReplacementSelector([], [], FundSubstitutes.Empty),
        new SecurityRiskModels(), DecisionSettings.Default).ForHousehold(new HouseholdSpec("H", "H", "adv", ["TAX", "IRA"], Policy: household));

    private static AccountDecisionInput Account(string id, AccountType type, decimal cash, params TaxLot[] lots) =>
        new(new AccountSpec(id, "H", id, type, true, "M6040", [], false, LotRelief.MinTax, type == AccountType.Taxable ? HarvestPolicy.Default : HarvestPolicy.Off),
            cash, [.. lots], Target(), 0m);

    private static TaxLot Lot(string id, string symbol, decimal quantity, decimal basisPerShare, DateOnly? purchased = null) =>
        new(id, symbol, quantity, quantity * basisPerShare, purchased ?? Today.AddDays(-400), purchased ?? Today.AddDays(-400));

    private static HouseholdTaxLedger Ledger(params AccountDecisionInput[] accounts)
    {
        var tax = new HouseholdTaxLedger();
        tax.OpenAccounts([.. accounts.Select(a => (new AccountTaxProfile(a.Spec.Id, a.Spec.Type), (IReadOnlyList<TaxLot>)a.Lots))]);
        return tax;
    }

    private static DecisionRequest Request(TaxProfile? profile, params AccountDecisionInput[] accounts) =>
        new("H", accounts, [], Ledger(accounts), s => Prices.TryGetValue(s, out var p) ? p : null, Today, Profile: profile);

    private static decimal Holding(IEnumerable<OptimizedTrade> trades, AccountDecisionInput a, string symbol) =>
        a.Lots.Where(l => l.Symbol == symbol).Sum(l => l.Quantity)
        + trades.Where(t => t.Account == a.Spec.Id && t.Symbol == symbol).Sum(t => t.Side == TradeSide.Buy ? t.Quantity : -t.Quantity);

    /// <summary>Both accounts at the model; the taxable lots were bought at $90 over a year ago (long-term gains of $10 a share):
    /// a sale at a gain cannot fill at a loss, so the IRA may buy what the taxable account sells.</summary>
    private static (AccountDecisionInput Taxable, AccountDecisionInput Ira) AtModel() => (
        Account("TAX", AccountType.Taxable, 0m, Lot("T1", "EQA", 600, 90m), Lot("T2", "BND", 400, 90m)),
        Account("IRA", AccountType.Ira, 0m, Lot("I1", "EQA", 600, 100m), Lot("I2", "BND", 400, 100m)));

    [Fact]
    public void With_asset_location_on_the_household_objective_bonds_move_to_the_IRA_and_equity_to_taxable()
    {
        var (taxable, ira) = AtModel();
        var profile = new TaxProfile(FilingStatus.MarriedJoint, TaxableIncome: 450_000m, StateRate: 0.05m);

        // Each account on its own model, no location: both sit at the model and nothing trades.
        var plain = DecisionEngine.Decide(Request(profile, taxable, ira), Market());
        Assert.Empty(plain.Trades);

        // The household as a whole, five years of after-tax drag counted: the IRA takes the bonds ($80,000 of them fill 80 % of
        // it), the taxable account the equity; the household stays at 60/40. Bonds in the taxable account cost 4 % income at
        // 40.8 % a year (1.63 %), in the IRA nothing: $40,000 moved saves $653 a year, $3,264 over five, against $952 of tax
        // on the $4,000 long-term gain (23.8 %).
        var located = DecisionEngine.Decide(Request(profile, taxable, ira), Market(new InvestmentPolicy(Objective: PolicyObjective.Household, LocationWeight: 5)));
        var trades = located.Trades;
        Assert.True(trades.Length > 0, located.Record.Reason + " / " + string.Join("; ", located.Record.Notes) + " / " + string.Join("; ", located.Record.Relaxed));
        Assert.Equal(DecisionOutcome.Planned, located.Record.Outcome);
        var described = string.Join("; ", trades.Select(t => $"{t.Account} {t.Side} {t.Quantity:0} {t.Symbol} {t.Reasons}"));
        // The taxable account sells every bond share and buys equity with all but its idle-cash allowance (0.5 %); the IRA
        // buys bonds until what is left of the household's tracking error is not worth the trading cost.
        Assert.Equal(0m, Holding(trades, taxable, "BND"));
        Assert.InRange(Holding(trades, taxable, "EQA") + Holding(trades, taxable, "EQB"), 990m, 1_000m);
        Assert.InRange(Holding(trades, ira, "BND"), 750m, 800m);
        var householdBonds = Holding(trades, ira, "BND") / 2_000m;
        Assert.InRange(householdBonds, 0.375m, 0.40m);
        Assert.Contains(trades, t => t.Account == "TAX" && t.Symbol == "BND" && t.Reasons.HasFlag(TradeReason.AssetLocation));
        Assert.Contains(trades, t => t.Account == "IRA" && t.Symbol == "BND" && t.Side == TradeSide.Buy);
        Assert.True(trades.Length <= 5, described);
        Assert.Equal(4_000m, located.Result.LongTermGain);
        Assert.Equal(0m, located.Result.ShortTermGain);
        Assert.True(located.Result.TrackingErrorAfter < 0.005, $"household tracking error {located.Result.TrackingErrorAfter:P3}");
    }

    [Fact]
    public void An_account_that_tracks_its_own_model_stays_on_it_under_the_household_objective()
    {
        var (taxable, ira) = AtModel();
        ira = ira with { Spec = ira.Spec with { Policy = new InvestmentPolicy(TracksOwnModel: true) } };
        var plan = DecisionEngine.Decide(Request(null, taxable, ira), Market(new InvestmentPolicy(Objective: PolicyObjective.Household, LocationWeight: 5)));
        Assert.True(!plan.Trades.Any(t => t.Account == "IRA"), string.Join("; ", plan.Trades.Select(t => $"{t.Account} {t.Side} {t.Quantity:0} {t.Symbol} {t.Reasons}")));
    }

    /// <summary>The same $9,000 short-term harvest (600 EQA bought at $115 in March, now $100, into EQB) is worth
    /// $3,672 to the couple with $20,000 of short-term gains this year (40.8 %) and $1,927.80 to one already $10,000 of net
    /// loss down (a carryforward, 23.8 % × 0.9).</summary>
    [Fact]
    public void The_same_loss_is_worth_the_short_term_rate_to_one_household_and_a_discounted_carryforward_to_another()
    {
        var taxable = Account("TAX", AccountType.Taxable, 0m, Lot("T1", "EQA", 600, 115m, new DateOnly(2026, 3, 2)), Lot("T2", "BND", 460, 100m));
        var couple = new TaxProfile(FilingStatus.MarriedJoint, TaxableIncome: 450_000m, StateRate: 0.05m);
        var withGains = couple with { OutsideShortTermGains = 20_000m };
        var losing = couple with { ShortTermCarryforward = 10_000m };

        var a = PlanPreview.Of(Request(withGains, taxable), Market(), DecisionEngine.Decide(Request(withGains, taxable), Market()));
        var b = PlanPreview.Of(Request(losing, taxable), Market(), DecisionEngine.Decide(Request(losing, taxable), Market()));

        foreach (var preview in new[] { a, b })
        {
            var sell = Assert.Single(preview.Plan.Trades, t => t.Symbol == "EQA");
            Assert.Equal(600m, sell.Quantity);
            Assert.Equal(-9_000m, sell.ShortTermGain);
        }
        Assert.Equal(0.408m, a.Rates.ShortTermLoss);
        Assert.Equal(-3_672m, a.EstimatedTax);
        Assert.Equal(0.2142m, b.Rates.ShortTermLoss);
        Assert.Equal(-1_927.80m, b.EstimatedTax);
    }

    [Fact]
    public void A_view_on_the_substitute_buys_it_instead_of_the_models_fund()
    {
        var account = Account("TAX", AccountType.Taxable, 60_000m, Lot("T2", "BND", 400, 100m));
        var plain = DecisionEngine.Decide(Request(null, account), Market());
        Assert.True(Holding(plain.Trades, account, "EQA") >= 590m);
        Assert.DoesNotContain(plain.Trades, t => t.Symbol == "EQB");

        var viewed = DecisionEngine.Decide(Request(null, account), Market(new InvestmentPolicy(Views: [new ReturnView("EQB", null, 0.02)])));
        Assert.True(Holding(viewed.Trades, account, "EQB") >= 590m, string.Join("; ", viewed.Trades.Select(t => $"{t.Side} {t.Quantity} {t.Symbol}")));
        Assert.DoesNotContain(viewed.Trades, t => t.Symbol == "EQA");
    }

    [Fact]
    public void A_factor_tilt_holds_the_accounts_equity_exposure_above_the_models()
    {
        var (taxable, _) = AtModel();
        var plan = DecisionEngine.Decide(Request(null, taxable), Market(new InvestmentPolicy(FactorTilts: [new FactorTilt("equity", 0.10, 0.01)])));
        // The fallback model's equity factor: 60 % in the model, 69–71 % after the tilt.
        var equity = (Holding(plan.Trades, taxable, "EQA") + Holding(plan.Trades, taxable, "EQB")) / 1_000m;
        Assert.InRange(equity, 0.685m, 0.715m);
        Assert.Empty(plan.Record.Relaxed);

        var unknown = DecisionEngine.Decide(Request(null, taxable), Market(new InvestmentPolicy(FactorTilts: [new FactorTilt("Value", 0.2)])));
        Assert.Contains(unknown.Record.Notes, n => n.Contains("no factor Value", StringComparison.Ordinal));
        Assert.Empty(unknown.Trades);
    }

    [Fact]
    public void A_sector_band_the_account_cannot_meet_is_relaxed_first_and_said_so()
    {
        // All equity, held (a client restriction), no cash: a 5 % sector band around 60 % equity cannot be met.
        var held = Account("TAX", AccountType.Taxable, 0m, Lot("T1", "EQA", 1_000, 100m));
        held = held with { Spec = held.Spec with { Restrictions = [new Restriction(RestrictionKind.Hold, "EQA", null, "client")] } };
        var plan = DecisionEngine.Decide(Request(null, held), Market(new InvestmentPolicy(SectorBand: 0.05)));
        Assert.NotEqual(DecisionOutcome.NoPlan, plan.Record.Outcome);
        Assert.Equal("policy: the sector bands, factor tilts and maximum weight", plan.Record.Relaxed[0]);
    }

    [Fact]
    public void Excluded_sectors_are_sold_and_an_account_minimum_trade_comes_from_its_policy()
    {
        var account = Account("TAX", AccountType.Taxable, 0m, Lot("T1", "EQA", 600, 100m), Lot("T2", "BND", 400, 100m));
        var plan = DecisionEngine.Decide(Request(null, account), Market(new InvestmentPolicy(ExcludedSectors: ["Equity"])));
        Assert.Equal(0m, Holding(plan.Trades, account, "EQA"));
        Assert.Equal(0m, Holding(plan.Trades, account, "EQB"));

        var settings = DecisionSettings.Default.ForHousehold(new InvestmentPolicy(MinTrade: 500m, TurnoverLimit: 0.1));
        Assert.Equal(500m, settings.MinTradeFor(account.Spec));
        Assert.Equal(0.1, settings.DailyTurnover);
        Assert.Equal(250m, settings.MinTradeFor(account.Spec with { Policy = new InvestmentPolicy(MinTrade: 250m) }));
        Assert.Equal(100m, settings.MinTradeFor(account.Spec with { MinTrade = 100m, Policy = new InvestmentPolicy(MinTrade: 250m) }));
    }

    /// <summary>All equity (1,000 EQA at $100, basis $50, long term) against 60/40, with a $1,000 budget of net gains: the drift
    /// trade sells at most $2,000 of it (half of each dollar sold is gain). A $20,000 withdrawal needs more than the budget
    /// allows: the client's cash comes first, and the record says the budget was relaxed.</summary>
    [Fact]
    public void A_live_decision_keeps_within_the_tax_budget_unless_a_withdrawal_needs_more()
    {
        var account = Account("TAX", AccountType.Taxable, 0m, Lot("T1", "EQA", 1_000, 50m));
        var budget = new TransitionPolicy(new AnnualTaxBudget(1_000m), [], []);
        DecisionRequest WithBudget(AccountDecisionInput a) => Request(null, a) with { Transition = budget };

        var unbounded = DecisionEngine.Decide(Request(null, account), Market());
        Assert.True(unbounded.Result.LongTermGain > 5_000m, $"without a budget the drift trade realizes {unbounded.Result.LongTermGain}");

        var drift = DecisionEngine.Decide(WithBudget(account), Market());
        Assert.InRange(drift.Result.LongTermGain, 1m, 1_000.01m);
        Assert.Empty(drift.Record.Relaxed);

        var withdrawal = DecisionEngine.Decide(WithBudget(account with { CashToRaise = 20_000m }), Market());
        Assert.True(withdrawal.Result.LongTermGain >= 10_000m, $"realized {withdrawal.Result.LongTermGain}");
        Assert.Equal("tax: the yearly tax budget and the sell-down schedules", withdrawal.Record.Relaxed[0]);
    }

    [Theory]
    [InlineData("{\"sectorBand\":0}")]
    [InlineData("{\"maxWeight\":1.5}")]
    [InlineData("{\"trackingErrorWeight\":-1}")]
    [InlineData("{\"views\":[{\"alpha\":0.02}]}")]
    [InlineData("{\"factorTilts\":[{\"factor\":\"Value\",\"tilt\":0.2,\"band\":0}]}")]
    public void A_policy_the_optimizer_cannot_honour_is_refused(string json)
    {
        var policy = System.Text.Json.JsonSerializer.Deserialize<InvestmentPolicy>(json, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web))!;
        Assert.Throws<BadInputException>(() => PolicyValidation.Check(policy));
    }
}
