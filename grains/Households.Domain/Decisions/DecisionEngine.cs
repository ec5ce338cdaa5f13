using System.Runtime.InteropServices;
using System.Collections.Immutable;
using Households.Contracts;
using Households.Domain.Accounts;
using Households.Domain.Harvesting;
using Households.Domain.Models;
using Households.Domain.Optimization;
using Households.Domain.Risk;
using Households.Domain.Tax;
using Households.Domain.WashSales;

namespace Households.Domain.Decisions;

/// <summary>What a household decision reads besides the household itself: the security master, its
/// substantially-identical groups, the firm's fund substitutes, the stock replacement ranking, the risk models and
/// the firm's decision settings. The live household grain and the stress test build one from the same sources.</summary>
public sealed record DecisionMarket(
    Func<string, Security?> Find,
    SubstantiallyIdentical Identical,
    IReadOnlyDictionary<string, string[]> Substitutes,
    ReplacementSelector Replacements,
    SecurityRiskModels Risk,
    DecisionSettings Settings)
{
    /// <summary>A fund's substitutes: the configured table and the selector's, in that order (empty for stocks).</summary>
    public IReadOnlyList<string> SubstitutesOf(string fund) =>
        Substitutes.TryGetValue(fund, out var configured) ? [.. configured.Union(Replacements.SubstitutesOf(fund))] : Replacements.SubstitutesOf(fund);

    /// <summary>The market one household decides in: the firm's settings under the household's policy
    /// (<see cref="DecisionSettings.ForHousehold"/>).</summary>
    public DecisionMarket ForHousehold(HouseholdSpec household) => household.Policy is null ? this : this with { Settings = Settings.ForHousehold(household.Policy) };
}

/// <summary>One household decision's inputs: the accounts (books, targets, cash needs), what caused it, the household's
/// tax ledger, the decision prices, the trade date and the share of its value the household already traded today.</summary>
public sealed record DecisionRequest(
    string HouseholdId,
    IReadOnlyList<AccountDecisionInput> Accounts,
    IReadOnlyList<Trigger> Causes,
    HouseholdTaxLedger Tax,
    Func<string, decimal?> Price,
    DateOnly Today,
    double TurnoverToday = 0,
    TaxProfile? Profile = null,
    TransitionPolicy? Transition = null);

/// <summary>A decision: the plan (its trades, tracking error and realized gains), the record the journal keeps (outcome,
/// what was relaxed, what was protected, why nothing was traded) and the harvests refused as wash sales.
/// <see cref="ProtectedKeys"/> are the wash-sale keys the plan was forbidden to buy because a taxable lot of them is at or
/// near a loss (empty when the tax rules were relaxed).</summary>
public sealed record HouseholdPlan(RebalanceResult Result, DecisionRecord Record, WashSaleRefusal[] Refusals, IReadOnlySet<string> ProtectedKeys,
    MarginalTaxRates? Rates = null, IReadOnlySet<(string Account, string Symbol)>? Held = null)
{
    /// <summary>The positions the holding period held in the solve that made the plan (none when the ladder relaxed it).</summary>
    public IReadOnlySet<(string Account, string Symbol)> HeldPositions => Held ?? new HashSet<(string, string)>();

    public ImmutableArray<OptimizedTrade> Trades => Result.Trades;

    /// <summary>Worth a journal line of its own: the engine relaxed, protected or refused something, or found no plan.</summary>
    public bool NeedsExplaining => Record.Outcome == DecisionOutcome.NoPlan || Record.Relaxed.Length > 0 || Record.Notes.Length > 0;
}

/// <summary>
/// The one household decision engine: the live household grain, the stress test and (through them) every simulation
/// call it, so a rule lives here once. Rules that protect the client come before optimization, and a conflict is
/// resolved by relaxing in a fixed order, never by giving up silently:
/// <list type="number">
/// <item>client restrictions and cash needs (an exclusion sells even a lot the wash-sale rule would hold; a withdrawal
/// is raised with a slippage buffer);</item>
/// <item>tax rules: a loss lot washed by a recent purchase is held (IRC §1091); nothing is bought, in any account of the
/// household, that another account holds at a loss that is or is close to being harvestable (the engine's own purchase
/// would block that harvest for 30 days); a sale that could fill at a loss after slippage is never paired with a
/// purchase of the same security; a loss position without an allowed replacement is not harvested into cash;</item>
/// <item>tracking: the optimizer's tracking error, tax and transaction cost; no order below the minimum trade, whole
/// shares unless the custodian trades fractions; no position bought into within the holding period sold except at a
/// harvestable loss (<see cref="MinimumHolding"/>).</item>
/// </list>
/// When the solve is infeasible the engine relaxes from the bottom: the turnover budget, minimum trade, holding period
/// and holding floors; then the wash-sale holds as far as withdrawals need, then all holds and harvest protections; then the cash
/// floors' buffer and finally the cash floors themselves, and records each relaxation.
/// </summary>
public static class DecisionEngine
{
    public static HouseholdPlan Decide(DecisionRequest request, DecisionMarket market)
    {
        var settings = market.Settings;
        var today = request.Today;
        var notes = new List<string>();
        var relaxed = new List<string>();

        // 1. Client restrictions first: an excluded security is sold even where the wash-sale rule would hold the lot.
        var (heldByGuard, refusals) = WashSaleGuard.HoldWashingLosses(request.Accounts, request.Tax, request.Price, today, settings.LossMargin, market.Find);
        foreach (var r in refusals.Where(r => r.OverriddenBy is not null))
            notes.Add($"{r.AccountId}: {r.OverriddenBy} sells lot {r.Lot.Id} ({r.Lot.Symbol}) although the sale is a wash sale with {r.Cause}; the disallowed loss moves to the replacement's basis");

        // 2. Tax rules: purchases blocked by open losses (the ledger) and by the household's own harvestable losses.
        var symbols = request.Accounts.SelectMany(i => i.Lots.Select(l => l.Symbol)
                .Concat(i.Target?.Weights.Where(w => w.Level == DriftLevel.Security).Select(w => w.Key) ?? []))
            .ToHashSet(StringComparer.Ordinal);
        var ledgerKeys = WashSaleGuard.OpenLossKeys(request.Accounts.Select(i => i.Spec.Id), request.Tax.WashSales, today);
        // A lot that could never be harvested (a fund with no substitute for its line, harvesting into cash off) gains nothing
        // from protection in the taxable accounts: their sleeve is topped up as usual.
        var lines = Lines(request.Accounts, market);
        var nearHarvest = HarvestProtection.Protected(request.Accounts, request.Price, settings);
        var protectedLots = Protectable(nearHarvest, request.Accounts, lines, market);
        bool Replaceable(string account, string symbol) => IsReplaceable(request.Accounts.First(a => a.Spec.Id == account), lines[account], symbol, market);
        // Tax-advantaged accounts fill such a sleeve too: the lot is not about to be harvested (a loss sale forced later — a
        // withdrawal, an exclusion — meets the wash-sale guard, which holds the lot or says what it relaxed).
        // A loss lot with no replacement is not a harvest candidate (it keeps its weight, see Floors): the wash-sale hold
        // still keeps it from a washed sale, but no harvest was refused.
        if (!settings.HarvestIntoCash)
            refusals = [.. refusals.Where(r => r.OverriddenBy is not null || Replaceable(r.AccountId, r.Lot.Symbol))];
        var (householdLots, ownOnly) = ByTaxpayer(protectedLots, request.Accounts);
        var protectedKeys = householdLots.Select(p => market.Identical.KeyOf(p.Lot.Symbol)).ToHashSet(StringComparer.Ordinal);
        notes.AddRange(DecisionNotes.Protected(protectedKeys.Select(key => householdLots.First(p => market.Identical.KeyOf(p.Lot.Symbol) == key))));
        bool Blocked(string s) => WashSaleGuard.IsBlocked(ledgerKeys, market.Identical, s) || protectedKeys.Contains(market.Identical.KeyOf(s));
        var nearBasis = HarvestProtection.NearBasisKeys(request.Accounts, request.Price, settings, market.Identical.KeyOf);
        // A fund bought in the household within 30 days costs the same as one near its basis: a loss on the new lot would be
        // washed by that purchase until its window closes, so substitutes are preferred. A cost, not a ban: when every
        // member of a sleeve's family is protected or recent, banning them all left the sleeve under its band for weeks.
        var recent = request.Tax.WashSales.RecentPurchaseKeys(request.Accounts.Select(a => a.Spec.Id), today);

        // Replacements: the firm's substitutes for funds; for stocks with a loss (harvested or protected) the closest
        // unblocked same-sector stock.
        var replacements = symbols.Select(s => (s, r: market.SubstitutesOf(s))).Where(x => x.r.Count > 0)
            .ToDictionary(x => x.s, x => x.r, StringComparer.Ordinal);
        var lossSymbols = request.Causes.Where(c => c.Kind == TriggerKind.Harvest).Select(c => c.Subject)
            .Concat(protectedLots.Select(p => p.Lot.Symbol)).Concat(refusals.Select(r => r.Lot.Symbol))
            .Concat(LossSymbols(request.Accounts, request.Price)).Distinct(StringComparer.Ordinal).ToList();
        // Largest positions choose first, and each stock gets a name no other loss stock took (when its sector has one), so a
        // harvested name is replaced by one of its own and the direct index keeps its breadth (issue #15, guarantee 9). One
        // each: offering two to four did not lower the tracking error of the worked case (DirectIndexBreadthTests).
        var taken = new HashSet<string>(StringComparer.Ordinal);
        var positionValue = request.Accounts.SelectMany(a => a.Lots).GroupBy(l => l.Symbol, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => request.Price(g.Key) is { } p ? g.Sum(l => l.Quantity) * p : 0m, StringComparer.Ordinal);
        foreach (var subject in lossSymbols.OrderByDescending(s => positionValue.GetValueOrDefault(s)).ThenBy(s => s, StringComparer.Ordinal))
        {
            if (replacements.ContainsKey(subject)) continue;
            var chosen = market.Replacements.ChooseSeveral(subject, 1, Blocked, taken);
            if (chosen.Count == 0) continue;
            replacements[subject] = chosen;
            taken.UnionWith(chosen);
        }
        symbols.UnionWith(replacements.Values.SelectMany(r => r));
        var securities = symbols.Select(market.Find).OfType<Security>().ToDictionary(s => s.Symbol, StringComparer.Ordinal);
        var prices = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var s in symbols) if (request.Price(s) is { } p && p > 0) prices[s] = p;

        // Tax-advantaged accounts buy a fund's substitute, not a fund a taxable account of the household holds or targets.
        var standIns = StandIns(request.Accounts, lines, market, prices, Blocked, notes);
        foreach (var own in ownOnly.GroupBy(p => p.Account))
        {
            var keys = own.Select(p => market.Identical.KeyOf(p.Lot.Symbol)).ToHashSet(StringComparer.Ordinal);
            var list = standIns.TryGetValue(own.Key, out var l) ? l : standIns[own.Key] = [];
            list.AddRange(symbols.Where(x => keys.Contains(market.Identical.KeyOf(x))).Select(x => new Restriction(RestrictionKind.NoBuy, x, null,
                $"{own.Key} holds {x} or a substantially identical security at or close to a harvestable loss")));
            notes.Add($"no purchase of {string.Join(", ", own.Select(p => p.Lot.Symbol).Distinct())} in {own.Key} (a separate taxpayer): it holds lots of them at or close to a harvestable loss");
        }
        var held = WithRestrictions(heldByGuard, standIns);
        var unheld = WithRestrictions(request.Accounts, standIns);

        // A loss position with no replacement that may be bought keeps its target weight (no harvest into cash).
        var floors = settings.HarvestIntoCash ? [] : Floors(held, replacements, prices, Blocked, notes);

        var withProtection = Merge(ledgerKeys, protectedKeys, today);
        var cashFloors = request.Accounts.Where(a => a.CashToRaise > 0)
            .ToDictionary(a => a.Spec.Id, a => WithBuffer(a, prices, settings), StringComparer.Ordinal);
        var released = held.Where(a => cashFloors.ContainsKey(a.Spec.Id))
            .SelectMany(a => a.Spec.Restrictions.Where(r => r.Kind == RestrictionKind.Hold && r.Reason.StartsWith(WashSaleGuard.HoldReason, StringComparison.Ordinal))
                .Select(r => new SellCap(a.Spec.Id, r.Symbol!, cashFloors[a.Spec.Id]))).ToList();
        // A decision the market caused trades within the daily turnover budget; one a person caused (cash, restrictions,
        // a model change) does not: the client's need comes first.
        double? turnover = request.Causes.Count > 0 && request.Causes.All(c => TriggerCooldowns.IsMarketTrigger(c.Kind))
            ? Math.Max(0, settings.DailyTurnover - request.TurnoverToday) : null;
        var full = new PlanRules(true, floors, cashFloors, settings.LossMargin, MaxTurnover: turnover, SubstitutesOf: market.SubstitutesOf,
            PurchaseRisk: symbols.Where(x => market.Identical.KeyOf(x) is var key && (nearBasis.Contains(key) || recent.ContainsKey(key)))
                .ToHashSet(StringComparer.Ordinal), PolicyBands: true, Held: HoldingPeriodRule.Held(request.Accounts, today, settings, market.Find));
        var ladder = new List<(string? Relaxed, PlanRules Rules, IReadOnlyList<AccountDecisionInput> Inputs, Dictionary<string, DateOnly> Blocks)>
        {
            (null, full, held, withProtection),
            ("tracking: the turnover budget, the minimum trade size, the holding period and the no-harvest-into-cash floors", new PlanRules(false, [], cashFloors, settings.LossMargin), held, withProtection),
            ("tax: wash-sale holds released as far as withdrawals need (that part of the loss is washed)", new PlanRules(false, [], cashFloors, settings.LossMargin, released), ReleaseHolds(held, unheld, cashFloors), withProtection),
            ("tax: the wash-sale holds and the harvest protections (a sale may be washed, its loss deferred)", new PlanRules(false, [], cashFloors, settings.LossMargin), unheld, ledgerKeys),
            ("cash: the slippage buffer on withdrawals", new PlanRules(false, [], request.Accounts.Where(a => a.CashToRaise > 0).ToDictionary(a => a.Spec.Id, a => a.CashToRaise, StringComparer.Ordinal), settings.LossMargin), unheld, ledgerKeys),
            ("cash: the withdrawal cash floors (a withdrawal is paid only as far as cash allows)", new PlanRules(false, [], new Dictionary<string, decimal>(), settings.LossMargin), unheld, ledgerKeys),
        };
        // The household's tax profile and its year so far price each sale's gain and each loss (TaxProfiles).
        var tax = TaxProfiles.Marginal(request.Profile, request.Tax.Gains.YearToDate(today), settings.Rates);
        // The policy's bands come off first (a client's sector band or tilt never freezes the household), then the tax budget
        // and sell-down schedules (a client's cash need comes before the year's budget; the record says so).
        var transition = request.Transition is { } tp
            ? TransitionPlanner.LiveRules(tp, request.Accounts, request.Tax.Gains, request.Price, today, new Lots.TaxRates(tax.ShortTermGain, tax.LongTermGain))
            : [];
        if (transition.Count > 0)
        {
            ladder[0] = ladder[0] with { Rules = full with { Transition = transition } };
            ladder.Insert(1, ("tax: the yearly tax budget and the sell-down schedules", full with { PolicyBands = false }, held, withProtection));
        }
        if (HasBands(settings, request.Accounts))
            ladder.Insert(1, ("policy: the sector bands, factor tilts and maximum weight", ladder[0].Rules with { PolicyBands = false }, held, withProtection));
        var policyNotes = new List<string>();
        RebalanceResult? result = null;
        IReadOnlySet<string> enforced = protectedKeys;
        IReadOnlySet<(string Account, string Symbol)>? heldPositions = null;
        foreach (var (step, rules, inputs, blocks) in ladder)
        {
            heldPositions = rules.Held;
            if (step is not null) relaxed.Add(step);
            var blocked = WashSaleGuard.BlockedPurchases(blocks, securities.Values, market.Identical);
            result = RebalancePlanner.Plan(inputs, securities, prices, blocked, replacements, market.Risk, today, settings, rules, tax, step is null ? policyNotes : null);
            enforced = ReferenceEquals(blocks, withProtection) ? protectedKeys : new HashSet<string>();
            if (result.Status == OptimizationStatus.Optimal) break;
        }
        if (result!.Status != OptimizationStatus.Optimal)
            return new HouseholdPlan(result, Record(request, DecisionOutcome.NoPlan, relaxed, notes,
                $"the optimizer found no plan ({result.Status.ToString().ToLowerInvariant()}) even after relaxing every rule the priority order allows", 0), refusals, enforced, tax);
        if (relaxed.Count > 0) notes.Add($"relaxed to find a plan: {string.Join("; ", relaxed)}");
        notes.AddRange(policyNotes.Distinct());

        var trades = OrderRules.Clean(result.Trades, request.Accounts, settings, notes);
        trades = SelfWash.Remove(trades, request.Accounts, prices, market.Identical, settings, notes);
        notes.AddRange(HeldByHoldingPeriod(request, heldPositions, trades, market, settings));
        var final = result with
        {
            Trades = ImmutableCollectionsMarshal.AsImmutableArray(trades),
            ShortTermGain = trades.Sum(t => t.ShortTermGain),
            LongTermGain = trades.Sum(t => t.LongTermGain),
        };
        return new HouseholdPlan(final, Record(request, trades.Length == 0 ? DecisionOutcome.NothingToTrade : DecisionOutcome.Planned, relaxed, notes,
            trades.Length == 0 ? "no trade is worth its tax and transaction cost" : null, trades.Length), refusals, enforced, tax, heldPositions);
    }

    /// <summary>What a drift trigger asked to trim and the holding period kept (<see cref="HoldingPeriodRule"/>): each held
    /// position named by a drift cause (its symbol or asset class) and not sold, with the day it may be trimmed.</summary>
    private static IEnumerable<string> HeldByHoldingPeriod(DecisionRequest request, IReadOnlySet<(string Account, string Symbol)>? held,
        IReadOnlyList<OptimizedTrade> trades, DecisionMarket market, DecisionSettings settings)
    {
        foreach (var (account, symbol) in (held ?? new HashSet<(string, string)>()).Order())
        {
            if (trades.Any(t => t.Account == account && t.Symbol == symbol && t.Side == TradeSide.Sell)) continue;
            var assetClass = market.Find(symbol)?.AssetClass;
            if (!request.Causes.Any(c => c.Kind == TriggerKind.Drift && c.AccountId == account && (c.Subject == symbol || c.Subject == assetClass))) continue;
            var last = request.Accounts.First(a => a.Spec.Id == account).Lots.Where(l => l.Symbol == symbol).Max(l => l.Purchased);
            yield return string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{account}: {symbol} was bought on {last:yyyy-MM-dd}, within the {settings.HoldingDays}-day holding period: it is not trimmed before {last.AddDays(settings.HoldingDays):yyyy-MM-dd} unless at a harvestable loss");
        }
    }

    /// <summary>Whether the household's or an account's policy sets hard bands the relaxation ladder may have to take off.</summary>
    private static bool HasBands(DecisionSettings settings, IEnumerable<AccountDecisionInput> accounts) =>
        accounts.Select(a => settings.PolicyFor(a.Spec)).Append(settings.PolicyOrNone)
            .Any(p => p.SectorBand is not null || p.FactorTilts is { Length: > 0 } || p.MaxWeight is not null);

    /// <summary>Whether an account may not buy a security at these prices: a taxable lot of it (or of a substantially
    /// identical one) is at or close to a harvestable loss and could be harvested (it has a replacement, or harvesting into
    /// cash is allowed) — in any account of the taxpayer, or in the account itself when that is a separate taxpayer. The
    /// rule the decision buys by, asked again by the broker at the fill price (<see cref="PlanExecution"/>): a market that
    /// fell between decision and fill must not make a purchase block a harvest either.</summary>
    public static Func<string, string, bool> ProtectedPurchases(IReadOnlyList<AccountDecisionInput> accounts, Func<string, decimal?> price, DecisionMarket market)
    {
        var (householdLots, ownOnly) = ByTaxpayer(Protectable(HarvestProtection.Protected(accounts, price, market.Settings), accounts, Lines(accounts, market), market), accounts);
        var household = householdLots.Select(p => market.Identical.KeyOf(p.Lot.Symbol)).ToHashSet(StringComparer.Ordinal);
        var own = ownOnly.Select(p => (p.Account, market.Identical.KeyOf(p.Lot.Symbol))).ToHashSet();
        return (account, symbol) => market.Identical.KeyOf(symbol) is var key && (household.Contains(key) || own.Contains((account, key)));
    }

    /// <summary>Protected lots by whose purchases they are protected from: the household's (every account of the taxpayer)
    /// or, for a separate taxpayer (a trust), that account's own only — no other account's purchase washes its sales.</summary>
    private static (List<HarvestProtection.ProtectedLot> Household, List<HarvestProtection.ProtectedLot> OwnOnly) ByTaxpayer(
        IEnumerable<HarvestProtection.ProtectedLot> lots, IReadOnlyList<AccountDecisionInput> accounts)
    {
        var split = lots.ToLookup(p => accounts.First(a => a.Spec.Id == p.Account).Spec.SeparateTaxpayer);
        return ([.. split[false]], [.. split[true]]);
    }

    private static Dictionary<string, IReadOnlyDictionary<string, string>?> Lines(IReadOnlyList<AccountDecisionInput> accounts, DecisionMarket market) =>
        accounts.ToDictionary(a => a.Spec.Id, a => a.Target is null ? null : SubstituteLines.Of(a.Target, market.SubstitutesOf), StringComparer.Ordinal);

    /// <summary>A lot that could never be harvested (a fund with no substitute for its line, harvesting into cash off) gains
    /// nothing from protection in the taxable accounts.</summary>
    private static List<HarvestProtection.ProtectedLot> Protectable(IEnumerable<HarvestProtection.ProtectedLot> nearHarvest, IReadOnlyList<AccountDecisionInput> accounts,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>?> lines, DecisionMarket market) =>
        [.. nearHarvest.Where(p => market.Settings.HarvestIntoCash || IsReplaceable(accounts.First(a => a.Spec.Id == p.Account), lines[p.Account], p.Lot.Symbol, market))];

    private static bool IsReplaceable(AccountDecisionInput account, IReadOnlyDictionary<string, string>? lines, string symbol, DecisionMarket market) =>
        market.Find(symbol)?.Kind == SecurityKind.Stock || SubstitutesFor(account, lines, symbol, market).Any();

    /// <summary>NoBuy restrictions for tax-advantaged accounts (IRA, Roth IRA, 529) on the funds a taxable account of the
    /// same taxpayer holds or targets, where the firm has a substitute they may buy instead: a purchase in a tax-advantaged
    /// account within 30 days of a taxable loss sale disallows that loss for good (IRC §1091, Rev. Rul. 2008-5), and the
    /// household's own top-ups there would block the taxable account's harvests. Each account's monitor counts the
    /// substitute toward the fund's line.</summary>
    private static Dictionary<string, List<Restriction>> StandIns(IReadOnlyList<AccountDecisionInput> accounts,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>?> lines, DecisionMarket market,
        IReadOnlyDictionary<string, decimal> prices, Func<string, bool> blocked, List<string> notes)
    {
        var result = new Dictionary<string, List<Restriction>>(StringComparer.Ordinal);
        var taxableKeys = accounts.Where(a => TaxTreatment.IsTaxable(a.Spec.Type) && !a.Spec.SeparateTaxpayer)
            .SelectMany(a => a.Lots.Select(l => l.Symbol).Concat(a.Target?.Weights.Where(w => w.Level == DriftLevel.Security).Select(w => w.Key) ?? []))
            .Select(market.Identical.KeyOf).ToHashSet(StringComparer.Ordinal);
        if (taxableKeys.Count == 0) return result;
        foreach (var a in accounts.Where(a => !TaxTreatment.IsTaxable(a.Spec.Type) && !a.Spec.SeparateTaxpayer))
        {
            var universe = a.Lots.Select(l => l.Symbol).Concat(a.Target?.Weights.Where(w => w.Level == DriftLevel.Security).Select(w => w.Key) ?? []).Distinct();
            // A targeted fund's stand-in is one that counts toward its line (not another targeted fund: that would put two
            // lines out of band); without one the account buys the fund itself, where the purchase rules allow.
            foreach (var s in universe)
            {
                if (!taxableKeys.Contains(market.Identical.KeyOf(s))) continue;
                var instead = SubstitutesFor(a, lines[a.Spec.Id], s, market).FirstOrDefault(r => prices.ContainsKey(r) && !blocked(r) && !taxableKeys.Contains(market.Identical.KeyOf(r)));
                if (instead is null) continue;
                (result.TryGetValue(a.Spec.Id, out var list) ? list : result[a.Spec.Id] = []).Add(new Restriction(RestrictionKind.NoBuy, s, null,
                    $"a taxable account holds {s}: {a.Spec.Id} buys {instead} instead"));
            }
            if (result.TryGetValue(a.Spec.Id, out var made))
                notes.Add($"{a.Spec.Id} buys substitutes, not {string.Join(", ", made.Select(r => r.Symbol))}: a taxable account of the household holds them, and a purchase here would wash its losses for good (Rev. Rul. 2008-5)");
        }
        return result;
    }

    /// <summary>The funds <paramref name="account"/> may hold in <paramref name="symbol"/>'s place: for a fund its model
    /// targets, the substitutes that count toward its line (<paramref name="lines"/>, <see cref="SubstituteLines"/>); for
    /// any other, the firm's table. (A stock's replacement is the selector's closest same-sector stock.)</summary>
    private static IEnumerable<string> SubstitutesFor(AccountDecisionInput account, IReadOnlyDictionary<string, string>? lines, string symbol,
        DecisionMarket market) =>
        lines is not null && account.Target!.Weights.Any(w => w.Level == DriftLevel.Security && w.Key == symbol)
            ? SubstituteLines.For(lines, symbol, market.SubstitutesOf)
            : market.SubstitutesOf(symbol);

    private static AccountDecisionInput[] WithRestrictions(IReadOnlyList<AccountDecisionInput> accounts, Dictionary<string, List<Restriction>> extra) =>
        [.. accounts.Select(a => extra.TryGetValue(a.Spec.Id, out var r) ? a with { Spec = a.Spec with { Restrictions = [.. a.Spec.Restrictions, .. r] } } : a)];

    /// <summary>The accounts with the wash-sale holds of accounts that raise cash taken off (their sales are capped by
    /// <see cref="SellCap"/> instead); other accounts keep theirs.</summary>
    private static IReadOnlyList<AccountDecisionInput> ReleaseHolds(IReadOnlyList<AccountDecisionInput> held, IReadOnlyList<AccountDecisionInput> original,
        IReadOnlyDictionary<string, decimal> cashFloors) =>
        [.. held.Select((a, i) => cashFloors.ContainsKey(a.Spec.Id) ? original[i] : a)];

    private static DecisionRecord Record(DecisionRequest r, DecisionOutcome outcome, List<string> relaxed, List<string> notes, string? reason, int trades) =>
        new(r.HouseholdId, outcome, [.. relaxed], [.. notes], reason, trades);

    private static Dictionary<string, DateOnly> Merge(Dictionary<string, DateOnly> ledger, IEnumerable<string> protectedKeys, DateOnly today)
    {
        var all = new Dictionary<string, DateOnly>(ledger, StringComparer.Ordinal);
        foreach (var k in protectedKeys) if (!all.ContainsKey(k)) all[k] = today;
        return all;
    }

    /// <summary>Symbols held at a loss in a taxable account: the ones that may need a replacement.</summary>
    private static IEnumerable<string> LossSymbols(IEnumerable<AccountDecisionInput> accounts, Func<string, decimal?> price) =>
        accounts.Where(a => TaxTreatment.IsTaxable(a.Spec.Type))
            .SelectMany(a => a.Lots).Where(l => price(l.Symbol) is { } p && p * l.Quantity < l.Basis).Select(l => l.Symbol);

    /// <summary>The cash a withdrawal needs raised: the request plus a buffer for slippage and commissions, at most what
    /// the account is worth.</summary>
    private static decimal WithBuffer(AccountDecisionInput a, IReadOnlyDictionary<string, decimal> prices, DecisionSettings settings)
    {
        var value = a.ValueAt(s => prices.TryGetValue(s, out var p) ? p : null);
        var buffer = a.CashToRaise * (decimal)(2 * settings.SlippageBps / 10_000) + settings.Commission * a.Lots.Length;
        return Math.Min(a.CashToRaise + buffer, value * 0.999m);
    }

    private static List<HoldingFloor> Floors(IReadOnlyList<AccountDecisionInput> accounts, Dictionary<string, IReadOnlyList<string>> replacements,
        IReadOnlyDictionary<string, decimal> prices, Func<string, bool> blocked, List<string> notes)
    {
        var floors = new List<HoldingFloor>();
        foreach (var a in accounts.Where(a => TaxTreatment.IsTaxable(a.Spec.Type) && a.Target is not null))
        {
            // What stays invested after the withdrawals: raising cash is not a harvest into cash.
            var value = a.ValueAt(s => prices.TryGetValue(s, out var p) ? p : null) - a.CashToRaise;
            var floored = new List<string>();
            foreach (var symbol in a.Lots.Where(l => prices.TryGetValue(l.Symbol, out var p) && p * l.Quantity < l.Basis).Select(l => l.Symbol).Distinct())
            {
                var allowed = replacements.TryGetValue(symbol, out var r) && r.Any(x => prices.ContainsKey(x) && !blocked(x)
                    && !a.Spec.Restrictions.Any(z => z.Symbol == x && z.Kind is RestrictionKind.NoBuy or RestrictionKind.Exclude or RestrictionKind.Hold));
                if (allowed) continue;
                var target = a.Target!.Weights.Where(w => w.Level == DriftLevel.Security && w.Key == symbol).Sum(w => w.Weight);
                if (target <= 0) continue;
                floors.Add(new HoldingFloor(a.Spec.Id, symbol, target * value));
                floored.Add(symbol);
            }
            notes.AddRange(DecisionNotes.NoReplacement(a.Spec.Id, floored));
        }
        return floors;
    }
}
