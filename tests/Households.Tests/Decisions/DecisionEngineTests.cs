using Households.Contracts;
using Households.Domain.Decisions;
using Households.Domain.Harvesting;
using Households.Domain.Models;
using Households.Domain.Risk;
using Households.Domain.Tax;
using Households.Domain.WashSales;
using Xunit;

namespace Households.Tests.Decisions;

/// <summary>The one decision engine's guarantees on a household worked by hand: a joint taxable account and a spouse IRA,
/// both on a 60/40 model of an equity fund (EQA, the firm substitute EQB) and a bond fund (BND). Slippage 5 bps,
/// minimum trade $50, harvest thresholds 5 % and $250.</summary>
public sealed class DecisionEngineTests
{
    private static readonly DateOnly Today = new(2026, 6, 15);
    private static readonly Security Eqa = new("EQA", "Equity fund A", "US Equity", "Diversified", null, SecurityKind.EquityFund);
    private static readonly Security Eqb = new("EQB", "Equity fund B", "US Equity", "Diversified", null, SecurityKind.EquityFund);
    private static readonly Security Eqc = new("EQC", "Equity fund C", "US Equity", "Diversified", null, SecurityKind.EquityFund);
    private static readonly Security Bnd = new("BND", "Bond fund", "US Bonds", "Fixed Income", null, SecurityKind.BondFund);
    private static readonly Security[] Securities = [Eqa, Eqb, Eqc, Bnd];

    private static ResolvedTarget Target()
    {
        var band = new DriftBand(0.05m, 0m);
        var model = new TargetModel("M6040", "60/40", [new(SleeveKind.Security, "EQA", 0.6m, band), new(SleeveKind.Security, "BND", 0.4m, band)], false);
        return ModelResolver.Resolve("M6040", 1, id => id == "M6040" ? model : null, s => Securities.FirstOrDefault(x => x.Symbol == s));
    }

    private static DecisionMarket Market(bool substitute = true) => new(s => Securities.FirstOrDefault(x => x.Symbol == s), SubstantiallyIdentical.SameSecurityOnly,
        substitute ? new Dictionary<string, string[]> { ["EQA"] = ["EQB", "EQC"] } : [], new ReplacementSelector([], [], FundSubstitutes.Empty),
        new SecurityRiskModels(), DecisionSettings.Default);

    private static AccountSpec Spec(string id, AccountType type, params Restriction[] restrictions) =>
        new(id, "H", id, type, true, "M6040", [.. restrictions], false, LotRelief.MinTax, type == AccountType.Taxable ? HarvestPolicy.Default : HarvestPolicy.Off);

    private static TaxLot Lot(string id, string symbol, decimal quantity, decimal basisPerShare, DateOnly purchased) =>
        new(id, symbol, quantity, quantity * basisPerShare, purchased, purchased);

    private static HouseholdTaxLedger Ledger(params (AccountDecisionInput Input, AccountType Type)[] accounts)
    {
        var tax = new HouseholdTaxLedger();
        tax.OpenAccounts([.. accounts.Select(a => (new AccountTaxProfile(a.Input.Spec.Id, a.Type), (IReadOnlyList<TaxLot>)a.Input.Lots))]);
        return tax;
    }

    private static HouseholdPlan Decide(IReadOnlyList<AccountDecisionInput> accounts, HouseholdTaxLedger tax, Dictionary<string, decimal> prices,
        DecisionMarket? market = null, params Trigger[] causes) =>
        DecisionEngine.Decide(new DecisionRequest("H", accounts, causes, tax, s => prices.TryGetValue(s, out var p) ? p : null, Today), market ?? Market());

    private static Trigger Cause(TriggerKind kind, string account, string subject) =>
        new(kind, account, subject, 0, 0, 0, 1, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);

    [Fact]
    public void It_never_blocks_its_own_harvest_the_IRA_tops_up_with_the_substitute_not_the_fund_the_taxable_account_holds_at_a_loss()
    {
        // Taxable: 60 EQA bought at $100, now $97 (a $180 loss, 3 %: past half of the 5 % threshold, so close to
        // harvestable) + 40 BND. IRA: 40 BND and $6,000 cash to invest: its model wants $6,000 of equity.
        var taxable = new AccountDecisionInput(Spec("TAX", AccountType.Taxable), 0m,
            [Lot("T1", "EQA", 60, 100m, Today.AddDays(-200)), Lot("T2", "BND", 40, 100m, Today.AddDays(-200))], Target(), 0m);
        var ira = new AccountDecisionInput(Spec("IRA", AccountType.Ira), 6_000m, [Lot("I1", "BND", 40, 100m, Today.AddDays(-200))], Target(), 0m);
        var prices = new Dictionary<string, decimal> { ["EQA"] = 97m, ["EQB"] = 50m, ["EQC"] = 25m, ["BND"] = 100m };

        var plan = Decide([taxable, ira], Ledger((taxable, AccountType.Taxable), (ira, AccountType.Ira)), prices,
            causes: Cause(TriggerKind.Cash, "IRA", "deposit"));

        Assert.Equal(DecisionOutcome.Planned, plan.Record.Outcome);
        Assert.DoesNotContain(plan.Trades, t => t.Side == TradeSide.Buy && t.Symbol == "EQA");
        // The IRA fills its equity sleeve with the substitutes, and no fund is bought in both accounts in one plan.
        var buys = plan.Trades.Where(t => t.Side == TradeSide.Buy && t.Account == "IRA" && t.Symbol is "EQB" or "EQC").ToList();
        Assert.NotEmpty(buys);
        Assert.All(buys, b => Assert.Equal(decimal.Floor(b.Quantity), b.Quantity)); // whole shares: the custodian trades no fractions
        Assert.True(buys.Sum(b => b.Amount) >= 5_000m, $"the IRA's equity sleeve is filled with substitutes: {buys.Sum(b => b.Amount)}");
        Assert.DoesNotContain(plan.Trades, t => t.Side == TradeSide.Buy && t.Account == "TAX" && buys.Any(b => b.Symbol == t.Symbol));
        Assert.Contains(plan.Record.Notes, n => n.Contains("no purchase of EQA") && n.Contains("lot T1") && n.Contains("180.00"));
    }

    [Fact]
    public void Protected_and_unreplaceable_positions_are_a_sentence_each_while_an_account_has_three_and_one_note_listing_them_beyond()
    {
        HarvestProtection.ProtectedLot Held(string account, string symbol, string lot, decimal loss) =>
            new(account, Lot(lot, symbol, 10, 100m, Today.AddDays(-200)), loss);
        var notes = DecisionNotes.Protected([Held("TAX", "EQA", "T1", 180m), Held("DI", "S1", "D1", 21_229.02m), Held("TAX", "EQB", "T2", 45.5m),
            Held("DI", "S2", "D2", 1_441.76m), Held("DI", "S3", "D3", 3_805.05m), Held("DI", "S4", "D4", 0.4m)]).ToList();

        Assert.Equal([
            "no purchase of EQA (or a substantially identical security) in any account: TAX holds lot T1 at a loss of 180.00 that is or is close to being harvestable",
            "no purchase of EQB (or a substantially identical security) in any account: TAX holds lot T2 at a loss of 45.50 that is or is close to being harvestable",
            "no purchase of these 4 securities (or substantially identical ones) in any account: DI holds them at a loss that is or is close to being harvestable: "
                + "S1 lot D1 at a loss of 21229.02; S2 lot D2 at a loss of 1441.76; S3 lot D3 at a loss of 3805.05; S4 lot D4 at a loss of 0.40",
        ], notes.OrderBy(n => n.Contains("these", StringComparison.Ordinal)));
        // Loss positions kept for want of a replacement: the same rule.
        Assert.Equal(["TAX: EQA has no replacement that may be bought; its loss lots are not harvested into cash"],
            DecisionNotes.NoReplacement("TAX", ["EQA"]));
        Assert.Equal(["DI: these 4 securities have no replacement that may be bought; their loss lots are not harvested into cash: S1, S2, S3, S4"],
            DecisionNotes.NoReplacement("DI", ["S1", "S2", "S3", "S4"]));
        // 300 protected names in one account: one note a quarter the length of 300 sentences.
        var many = Enumerable.Range(0, 300).Select(i => Held("DI", $"STK{i:D4}", $"HH008470-TAX-L{i}", 1_000m + i)).ToList();
        var oneByOne = many.Sum(p => DecisionNotes.Protected([p]).Single().Length);
        Assert.True(Assert.Single(DecisionNotes.Protected(many)).Length * 3 < oneByOne, $"{oneByOne} characters a sentence each");
    }

    /// <summary>TAX holds 900 EQA at $110 (720 bought 200 days ago at $80; 180 on <paramref name="youngDaysAgo"/> at $100)
    /// and 400 BND bought at $80, now $100: 71.2 % equity against 60 % ± 5 %, so the drift trigger asks for EQA sold.</summary>
    private static HouseholdPlan Overweight(int youngDaysAgo, decimal eqaPrice = 110m, decimal withdrawal = 0m)
    {
        var taxable = new AccountDecisionInput(Spec("TAX", AccountType.Taxable), 0m,
            [Lot("T1", "EQA", 720, 80m, Today.AddDays(-200)), Lot("T2", "EQA", 180, 100m, Today.AddDays(-youngDaysAgo)), Lot("T3", "BND", 400, 80m, Today.AddDays(-200))],
            Target(), withdrawal);
        var prices = new Dictionary<string, decimal> { ["EQA"] = eqaPrice, ["EQB"] = 50m, ["EQC"] = 25m, ["BND"] = 100m };
        return Decide([taxable], Ledger((taxable, AccountType.Taxable)), prices, causes: withdrawal > 0 ? Cause(TriggerKind.Cash, "TAX", "withdrawal") : Cause(TriggerKind.Drift, "TAX", "EQA"));
    }

    [Fact]
    public void A_position_the_engine_added_to_this_week_is_not_trimmed_unless_a_loss_is_harvested_or_a_withdrawal_needs_the_cash()
    {
        // Added to 10 days ago: the drift is traded, EQA sold down toward 60 %.
        var settled = Overweight(10);
        var sold = Assert.Single(settled.Trades, t => t.Side == TradeSide.Sell && t.Symbol == "EQA");
        Assert.InRange(sold.Amount, 5_000m, 20_000m);
        Assert.Empty(settled.Record.Relaxed);

        // Added to 3 days ago (7-day holding period): not trimmed, through the new lot nor the old one; nothing relaxed.
        var young = Overweight(3);
        Assert.DoesNotContain(young.Trades, t => t.Side == TradeSide.Sell && t.Symbol == "EQA");
        Assert.Empty(young.Record.Relaxed);
        Assert.Contains("TAX: EQA was bought on 2026-06-12, within the 7-day holding period: it is not trimmed before 2026-06-19 unless at a harvestable loss", young.Record.Notes);

        // At $90 the young lot's $1,800 loss is harvestable (≥ $250 and 5 %): harvested although just bought; the old lot,
        // at a gain, stays.
        var harvest = Overweight(3, eqaPrice: 90m);
        Assert.Equal(["T2"], harvest.Trades.Where(t => t.Side == TradeSide.Sell && t.Symbol == "EQA").SelectMany(t => t.Lots).Select(l => l.Lot.Id).Distinct());

        // A withdrawal of $3,000 is the client's need: the position may be sold for it.
        var withdrawal = Overweight(3, withdrawal: 3_000m);
        Assert.True(withdrawal.Trades.Where(t => t.Side == TradeSide.Sell).Sum(t => t.Amount) >= 3_000m);
        Assert.Contains(withdrawal.Trades, t => t.Side == TradeSide.Sell && t.Symbol == "EQA");
    }

    [Fact]
    public void Far_from_harvestable_a_lot_well_above_its_basis_does_not_stop_the_IRA_from_buying_the_fund()
    {
        // $110: 10 % above basis, beyond the 5 % cushion: nothing to protect, and with no substitute the IRA buys EQA itself.
        var taxable = new AccountDecisionInput(Spec("TAX", AccountType.Taxable), 0m,
            [Lot("T1", "EQA", 60, 100m, Today.AddDays(-200)), Lot("T2", "BND", 40, 100m, Today.AddDays(-200))], Target(), 0m);
        var ira = new AccountDecisionInput(Spec("IRA", AccountType.Ira), 6_000m, [Lot("I1", "BND", 40, 100m, Today.AddDays(-200))], Target(), 0m);
        var prices = new Dictionary<string, decimal> { ["EQA"] = 110m, ["EQB"] = 50m, ["BND"] = 100m };

        var plan = Decide([taxable, ira], Ledger((taxable, AccountType.Taxable), (ira, AccountType.Ira)), prices, Market(substitute: false),
            Cause(TriggerKind.Cash, "IRA", "deposit"));

        Assert.Contains(plan.Trades, t => t.Account == "IRA" && t.Side == TradeSide.Buy && t.Symbol == "EQA");
        Assert.DoesNotContain(plan.Record.Notes, n => n.Contains("no purchase of EQA"));
    }

    [Theory]
    [InlineData(2, false)]  // 2 shares at $90: a $20 loss (10 %) that can never reach the $250 minimum: nothing to protect
    [InlineData(60, true)]  // 60 shares at $90: a $600 loss, past the threshold (max($250, 5 % of $6,000) = $300)
    public void A_lot_is_protected_from_half_its_harvest_threshold_in_dollars_as_well_as_in_percent(int shares, bool isProtected)
    {
        // A $6,000 deposit into a taxable account that holds EQA at $90 (bought at $100), EQB and EQC its substitutes.
        var taxable = new AccountDecisionInput(Spec("TAX", AccountType.Taxable), 6_000m,
            [Lot("T1", "EQA", shares, 100m, Today.AddDays(-200)), Lot("T2", "BND", 40, 100m, Today.AddDays(-200))], Target(), 0m);
        var prices = new Dictionary<string, decimal> { ["EQA"] = 90m, ["EQB"] = 50m, ["EQC"] = 25m, ["BND"] = 100m };

        var plan = Decide([taxable], Ledger((taxable, AccountType.Taxable)), prices, causes: Cause(TriggerKind.Cash, "TAX", "deposit"));

        Assert.Equal(DecisionOutcome.Planned, plan.Record.Outcome);
        Assert.Equal(isProtected, plan.ProtectedKeys.Contains("EQA"));
        Assert.Equal(isProtected, plan.Record.Notes.Any(n => n.Contains("no purchase of EQA")));
        if (isProtected) Assert.DoesNotContain(plan.Trades, t => t.Side == TradeSide.Buy && t.Symbol == "EQA");
    }

    [Fact]
    public void The_broker_asks_the_decision_s_protection_rule_again_at_the_fill_price()
    {
        // 60 EQA bought at $100: protected from half its $300 threshold, a $150 loss. At $98 (a $120 loss) the decision may
        // buy EQA; if the market falls to $97 before the fill (a $180 loss), the same rule forbids the purchase.
        var taxable = new AccountDecisionInput(Spec("TAX", AccountType.Taxable), 0m,
            [Lot("T1", "EQA", 60, 100m, Today.AddDays(-200)), Lot("T2", "BND", 40, 100m, Today.AddDays(-200))], Target(), 0m);
        var ira = new AccountDecisionInput(Spec("IRA", AccountType.Ira), 6_000m, [Lot("I1", "BND", 40, 100m, Today.AddDays(-200))], Target(), 0m);
        decimal? At(decimal eqa, string s) => s switch { "EQA" => eqa, "BND" => 100m, _ => null };

        Assert.False(DecisionEngine.ProtectedPurchases([taxable, ira], s => At(98m, s), Market())("IRA", "EQA"));
        Assert.True(DecisionEngine.ProtectedPurchases([taxable, ira], s => At(97m, s), Market())("IRA", "EQA"));
        Assert.True(DecisionEngine.ProtectedPurchases([taxable, ira], s => At(97m, s), Market())("TAX", "EQA"));
        Assert.False(DecisionEngine.ProtectedPurchases([taxable, ira], s => At(97m, s), Market())("IRA", "BND"));
        // Without a substitute the lot could never be harvested: nothing to protect in the taxable account.
        Assert.False(DecisionEngine.ProtectedPurchases([taxable, ira], s => At(97m, s), Market(substitute: false))("IRA", "EQA"));
        // A trust that is a separate taxpayer: its lot is protected from its own purchases, not from the IRA's.
        var trust = taxable with { Spec = taxable.Spec with { Id = "TRUST", Type = AccountType.Trust, SeparateTaxpayer = true } };
        Assert.True(DecisionEngine.ProtectedPurchases([trust, ira], s => At(97m, s), Market())("TRUST", "EQA"));
        Assert.False(DecisionEngine.ProtectedPurchases([trust, ira], s => At(97m, s), Market())("IRA", "EQA"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_fund_bought_in_the_household_within_30_days_is_bought_again_only_when_no_substitute_may_be_bought(bool substitutes)
    {
        // Taxable: 40 EQA bought ten days ago at $95, now $97 (a gain: nothing to protect) + 40 BND, and a $6,000 deposit
        // (its model wants 60 % equity). A new EQA lot's loss would be washed by the purchase ten days ago until its window
        // closes, so the deposit goes to EQB/EQC; without a substitute it goes to EQA rather than waiting in cash.
        var taxable = new AccountDecisionInput(Spec("TAX", AccountType.Taxable), 6_000m,
            [Lot("T1", "EQA", 40, 95m, Today.AddDays(-10)), Lot("T2", "BND", 40, 100m, Today.AddDays(-200))], Target(), 0m);
        var prices = new Dictionary<string, decimal> { ["EQA"] = 97m, ["EQB"] = 50m, ["EQC"] = 25m, ["BND"] = 100m };

        var plan = Decide([taxable], Ledger((taxable, AccountType.Taxable)), prices, Market(substitute: substitutes), Cause(TriggerKind.Cash, "TAX", "deposit"));

        var equity = plan.Trades.Where(t => t.Side == TradeSide.Buy && t.Symbol is "EQA" or "EQB" or "EQC").ToList();
        Assert.True(equity.Sum(b => b.Amount) >= 3_000m, $"the deposit is invested in the equity sleeve: {equity.Sum(b => b.Amount)}");
        if (substitutes) Assert.DoesNotContain(equity, b => b.Symbol == "EQA");
        else Assert.All(equity, b => Assert.Equal("EQA", b.Symbol));
    }

    [Fact]
    public void A_client_exclusion_sells_even_a_lot_the_wash_sale_rule_holds_and_the_decision_says_so()
    {
        // The spouse's IRA bought 30 EQA ten days ago: selling the taxable EQA lot at a loss would be washed. The client has
        // since excluded EQA (ESG). Before, the wash-sale hold and the exclusion made the household infeasible.
        var taxable = new AccountDecisionInput(Spec("TAX", AccountType.Taxable, new Restriction(RestrictionKind.Exclude, "EQA", null, "ESG screen")), 0m,
            [Lot("T1", "EQA", 60, 100m, Today.AddDays(-200)), Lot("T2", "BND", 40, 100m, Today.AddDays(-200))], Target(), 0m);
        var ira = new AccountDecisionInput(Spec("IRA", AccountType.Ira), 0m,
            [Lot("I1", "EQA", 30, 90m, Today.AddDays(-10)), Lot("I2", "BND", 20, 100m, Today.AddDays(-200))], Target(), 0m);
        var tax = Ledger((taxable, AccountType.Taxable), (ira, AccountType.Ira));
        tax.RecordPurchase("IRA", ira.Lots[0]);
        var prices = new Dictionary<string, decimal> { ["EQA"] = 90m, ["EQB"] = 45m, ["BND"] = 100m };

        var plan = Decide([taxable, ira], tax, prices, causes: Cause(TriggerKind.Restriction, "TAX", "restrictions"));

        Assert.Equal(DecisionOutcome.Planned, plan.Record.Outcome);
        var sale = Assert.Single(plan.Trades, t => t.Account == "TAX" && t.Symbol == "EQA");
        Assert.Equal((TradeSide.Sell, 60m), (sale.Side, sale.Quantity));
        var overridden = Assert.Single(plan.Refusals);
        Assert.StartsWith("the client's exclusion of EQA", overridden.OverriddenBy);
        Assert.Contains(plan.Record.Notes, n => n.Contains("sells lot T1") && n.Contains("wash sale"));
        Assert.True(plan.NeedsExplaining);
    }

    [Fact]
    public void A_withdrawal_that_only_held_lots_can_pay_relaxes_the_tax_rule_and_records_it()
    {
        // Everything the taxable account holds is EQA at a loss washed by the IRA's purchase ten days ago: the hold and a
        // $2,000 withdrawal conflict. Cash needs come before tax rules: the engine releases the hold only as far as the
        // withdrawal needs (the rest of the lot stays held) and says so.
        var taxable = new AccountDecisionInput(Spec("TAX", AccountType.Taxable), 0m, [Lot("T1", "EQA", 50, 100m, Today.AddDays(-200))], Target(), 2_000m);
        var ira = new AccountDecisionInput(Spec("IRA", AccountType.Ira), 0m, [Lot("I1", "EQA", 10, 90m, Today.AddDays(-10))], Target(), 0m);
        var tax = Ledger((taxable, AccountType.Taxable), (ira, AccountType.Ira));
        tax.RecordPurchase("IRA", ira.Lots[0]);
        var prices = new Dictionary<string, decimal> { ["EQA"] = 90m, ["EQB"] = 45m, ["BND"] = 100m };

        var plan = Decide([taxable, ira], tax, prices, causes: Cause(TriggerKind.Cash, "TAX", "withdrawal"));

        Assert.Equal(DecisionOutcome.Planned, plan.Record.Outcome);
        Assert.Contains(plan.Record.Relaxed, r => r.StartsWith("tax:"));
        var sale = Assert.Single(plan.Trades, t => t.Account == "TAX" && t.Side == TradeSide.Sell);
        // $2,000 plus 10 bps of buffer at $90 a share, rounded up to whole shares: 23 shares raise $2,070 ≥ $2,002.
        Assert.Equal(23m, sale.Quantity);
        Assert.True(sale.Quantity * SimulatedBroker.FillPrice(TradeSide.Sell, 90m, 5) >= 2_000m);
    }

    [Fact]
    public void Without_a_replacement_a_fund_at_a_loss_keeps_its_target_weight_instead_of_going_to_cash()
    {
        // EQA down 20 %: a $1,200 loss on T1. No substitute: harvesting it would leave the equity sleeve in cash.
        var taxable = new AccountDecisionInput(Spec("TAX", AccountType.Taxable), 0m,
            [Lot("T1", "EQA", 60, 100m, Today.AddDays(-200)), Lot("T2", "BND", 40, 100m, Today.AddDays(-200))], Target(), 0m);
        var prices = new Dictionary<string, decimal> { ["EQA"] = 80m, ["EQB"] = 40m, ["BND"] = 100m };
        var tax = Ledger((taxable, AccountType.Taxable));

        var alone = Decide([taxable], tax, prices, Market(substitute: false), Cause(TriggerKind.Harvest, "TAX", "EQA"));
        Assert.DoesNotContain(alone.Trades, t => t.Symbol == "EQA" && t.Side == TradeSide.Sell);
        Assert.Contains(alone.Record.Notes, n => n.Contains("EQA has no replacement"));

        // With the substitute the same loss is harvested and the sleeve refilled in the same plan.
        var paired = Decide([taxable], tax, prices, Market(), Cause(TriggerKind.Harvest, "TAX", "EQA"));
        var sale = Assert.Single(paired.Trades, t => t.Symbol == "EQA");
        Assert.Equal(TradeSide.Sell, sale.Side);
        Assert.True(sale.ShortTermGain < 0);
        var buy = Assert.Single(paired.Trades, t => t.Symbol == "EQB");
        Assert.Equal(TradeSide.Buy, buy.Side);
        Assert.True(buy.Amount > 0.9m * sale.Amount, $"replacement {buy.Amount} for {sale.Amount}");
    }

    [Fact]
    public void A_sale_planned_at_a_tiny_gain_that_can_fill_at_a_loss_is_never_paired_with_a_purchase_of_the_same_fund()
    {
        // Lot T1 cost $100.02 a share; at $100.00 it is a loss after 5 bps of slippage ($99.95). The IRA's buy of EQA in the
        // same plan would wash it, permanently (Rev. Rul. 2008-5): the buy is left out. A sale at a clear gain keeps it.
        var taxable = new AccountDecisionInput(Spec("TAX", AccountType.Taxable), 0m, [Lot("T1", "EQA", 10, 100.02m, Today.AddDays(-400))], null, 0m);
        var gain = taxable with { Lots = [Lot("T1", "EQA", 10, 80m, Today.AddDays(-400))] };
        var ira = new AccountDecisionInput(Spec("IRA", AccountType.Ira), 5_000m, [], null, 0m);
        var prices = new Dictionary<string, decimal> { ["EQA"] = 100m };
        OptimizedTrade Sell(AccountDecisionInput a) => new("TAX", "EQA", TradeSide.Sell, 10, 1_000m, 0.2, 0, TradeReason.Drift, 0, 0,
            [new LotSale(a.Lots[0], "T1", 10, 1_000m, a.Lots[0].Basis, HoldingTerm.Long)]);
        var buy = new OptimizedTrade("IRA", "EQA", TradeSide.Buy, 10, 1_000m, 0, 0.2, TradeReason.Drift, 0, 0, []);
        var notes = new List<string>();

        var kept = SelfWash.Remove([Sell(taxable), buy], [taxable, ira], prices, SubstantiallyIdentical.SameSecurityOnly, DecisionSettings.Default, notes);
        Assert.Equal(TradeSide.Sell, Assert.Single(kept).Side);
        Assert.Contains("purchases of EQA left out", Assert.Single(notes));

        Assert.Equal(2, SelfWash.Remove([Sell(gain), buy], [gain, ira], prices, SubstantiallyIdentical.SameSecurityOnly, DecisionSettings.Default).Length);
    }

    [Fact]
    public void No_dust_orders_below_the_minimum_trade_and_fractions_of_a_share_are_left_out_unless_they_close_a_lot()
    {
        var whole = new AccountDecisionInput(Spec("TAX", AccountType.Taxable), 0m, [], null, 0m);
        var fractional = new AccountDecisionInput(Spec("FRAC", AccountType.Taxable) with { Id = "FRAC", FractionalShares = true }, 0m, [], null, 0m);
        var small = new AccountDecisionInput(Spec("SMALL", AccountType.Taxable) with { Id = "SMALL", MinTrade = 10m }, 0m, [], null, 0m);
        var odd = Lot("L9", "EQA", 3.5m, 100m, Today.AddDays(-400));
        var part = Lot("L8", "EQA", 40m, 100m, Today.AddDays(-400));
        OptimizedTrade Buy(string account, decimal q) => new(account, "EQA", TradeSide.Buy, q, Math.Round(q * 250m, 2), 0, 0, TradeReason.Drift, 0, 0, []);
        OptimizedTrade Sell(TaxLot lot, decimal q) => new("TAX", "EQA", TradeSide.Sell, q, q * 250m, 0, 0, TradeReason.Drift, 0, q * 150m,
            [new LotSale(lot, lot.Id, q, q * 250m, q * 100m, HoldingTerm.Long)]);
        var notes = new List<string>();

        var cleaned = OrderRules.Clean([Buy("TAX", 0.08m), Buy("TAX", 10.6m), Sell(odd, 3.5m), Sell(part, 12.7m), Buy("FRAC", 10.6m), Buy("SMALL", 0.08m)],
            [whole, fractional, small], DecisionSettings.Default, notes);

        // 0.08 shares ($20) is dust at the firm's $50 minimum; 10.6 shares become 10 whole shares; the whole 3.5-share lot
        // is sold as it is (the only way to close it); 12.7 of lot L8 become 12; the fractional custodian keeps 10.6; the
        // account whose own minimum is $10 keeps neither 0.08 shares (not a whole share) nor any fraction.
        Assert.Equal(
            [("TAX", TradeSide.Buy, 10m), ("TAX", TradeSide.Sell, 3.5m), ("TAX", TradeSide.Sell, 12m), ("FRAC", TradeSide.Buy, 10.6m)],
            cleaned.Select(t => (t.Account, t.Side, t.Quantity)).ToArray());
        Assert.Equal(2_500m, cleaned[0].Amount);
        Assert.Equal(1_800m, cleaned[2].LongTermGain); // 12 shares × $150 gain, scaled with the shares
        Assert.Contains("2 order(s)", Assert.Single(notes));
    }

    [Fact]
    public void The_broker_trims_a_buy_to_the_cash_in_whole_shares_and_drops_what_is_left_below_the_minimum()
    {
        var spec = Spec("TAX", AccountType.Taxable);
        var buy = new TradeRequest("P:1", Today, "EQA", TradeSide.Buy, 40m, 100m, null, null, 0m);
        Assert.Equal(29m, SimulatedBroker.Affordable(buy, 2_995m, spec, DecisionSettings.Default).Quantity);
        Assert.Equal(40m, SimulatedBroker.Affordable(buy, 10_000m, spec, DecisionSettings.Default).Quantity);
        Assert.Equal(0m, SimulatedBroker.Affordable(buy, 40m, spec, DecisionSettings.Default).Quantity);
        Assert.Equal(29.95m, SimulatedBroker.Affordable(buy, 2_995m, spec with { FractionalShares = true }, DecisionSettings.Default).Quantity);
    }

    [Fact]
    public void Events_pass_the_hourly_budget_and_a_model_defined_again_with_the_same_content_is_the_same()
    {
        var cooldowns = new TriggerCooldowns();
        var policy = TriggerPolicy.Default with { PerAccountPerHour = 1 };
        var now = DateTimeOffset.UnixEpoch.AddDays(1);
        Assert.Single(cooldowns.Admit([Cause(TriggerKind.Drift, "A", "EQA")], now, policy));
        // The hour's one act is spent: a new drift subject waits, a withdrawal request and a model change do not.
        Assert.Empty(cooldowns.Admit([Cause(TriggerKind.Drift, "A", "BND")], now.AddMinutes(1), policy));
        var events = cooldowns.Admit([Cause(TriggerKind.Drift, "A", "BND"), Cause(TriggerKind.Cash, "A", "withdrawal"), Cause(TriggerKind.ModelChange, "A", "M")],
            now.AddMinutes(2), policy);
        Assert.Equal([TriggerKind.Cash, TriggerKind.ModelChange], events.Select(t => t.Kind).ToArray());

        var band = new DriftBand(0.05m, 0m);
        var a = new TargetModel("M", "60/40", [new(SleeveKind.Security, "EQA", 0.6m, band), new(SleeveKind.Security, "BND", 0.4m, band)], false);
        var b = new TargetModel("M", "60/40", [new(SleeveKind.Security, "EQA", 0.6m, band), new(SleeveKind.Security, "BND", 0.4m, band)], false);
        Assert.True(ModelResolver.SameContent(a, b));
        Assert.False(ModelResolver.SameContent(a, b with { Sleeves = [new(SleeveKind.Security, "EQA", 0.5m, band), new(SleeveKind.Security, "BND", 0.5m, band)] }));
    }

    [Fact]
    public void A_negative_minimum_trade_is_bad_input_and_opens_nothing()
    {
        var spec = Spec("TAX", AccountType.Taxable) with { HouseholdId = "H", MinTrade = -1m };
        var ex = Assert.Throws<Households.Domain.BadInputException>(() => Households.Domain.Accounts.AccountValidation.Check(new AccountOpening(spec, 0m, []), "H"));
        Assert.Contains("minTrade must be between 0", ex.Message);
    }

    [Fact]
    public void The_day_s_turnover_counts_the_fills_of_that_day_one_way_and_caps_a_market_decision()
    {
        var account = new AccountDecisionInput(Spec("TAX", AccountType.Taxable), 10_000m, [Lot("T1", "EQA", 100, 100m, Today.AddDays(-400))], Target(), 0m);
        TradeResult Fill(DateOnly day, decimal quantity) =>
            new($"P:{day}", "TAX", new TradeRequest($"P:{day}", day, "EQA", TradeSide.Sell, quantity, 100m, "T1", null, 0m), null, [], 0m, false, [], []);
        var executed = new RebalanceProposal("H-P00001", "H", ProposalStatus.Executed, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, [], [], 0, 0, 0, 0, 1, null, null,
            [Fill(Today, 40), Fill(Today.AddDays(-1), 90)], null);
        // $4,000 sold today of a $20,000 household: 20 % two-way, 10 % one way; yesterday's fill does not count.
        Assert.Equal(0.10, ProposalRules.TurnoverOn([executed], Today, [account], _ => 100m), 10);

        // A drift decision with the day's budget already spent trades nothing; the same decision on a fresh day rebalances.
        var prices = new Dictionary<string, decimal> { ["EQA"] = 100m, ["BND"] = 100m };
        var spent = DecisionEngine.Decide(new DecisionRequest("H", [account], [Cause(TriggerKind.Drift, "TAX", "BND")], Ledger((account, AccountType.Taxable)),
            s => prices.GetValueOrDefault(s), Today, TurnoverToday: 0.60), Market());
        Assert.Empty(spent.Trades);
        var fresh = DecisionEngine.Decide(new DecisionRequest("H", [account], [Cause(TriggerKind.Drift, "TAX", "BND")], Ledger((account, AccountType.Taxable)),
            s => prices.GetValueOrDefault(s), Today), Market());
        Assert.Contains(fresh.Trades, t => t.Symbol == "BND" && t.Side == TradeSide.Buy);
    }
}
