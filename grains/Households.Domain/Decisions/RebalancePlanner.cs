using System.Runtime.InteropServices;
using Households.Contracts;
using Households.Domain.Lots;
using Households.Domain.Optimization;
using Households.Domain.Risk;
using Households.Domain.Tax;

namespace Households.Domain.Decisions;

/// <summary>Firm settings for live decisions and execution. <see cref="ProtectionShare"/>: a taxable lot whose loss reaches
/// this share of its harvest threshold is close to harvestable, and nothing substantially identical is bought anywhere in
/// the household while it lasts. <see cref="DailyTurnover"/>: the share of a household's value the decisions the market
/// causes may trade in one day (the firm's stated turnover budget; a client's cash need is not held to it).
/// <see cref="BandPenalty"/>: the price, per unit of weight outside a model line's band, that brings model accounts back
/// inside their bands. <see cref="ProtectionCushion"/>: a taxable lot above that loss but within this fraction above its
/// basis is near it; buying its security costs <see cref="PurchaseRiskCost"/> per unit of weight, so a substitute is
/// preferred where one tracks as well. A direct-indexing account's plan keeps its tracking error within the account's
/// <see cref="AccountSpec.TrackingBand"/> (the monitor's tolerance) and leaves at most <see cref="IdleCash"/> of its value
/// in cash beyond what the client needs (issue #15, guarantee 9). <see cref="HoldingDays"/>: a position bought into within
/// this many days is not sold unless at a harvestable loss or a person's need forces it (<see cref="HoldingPeriodRule"/>).</summary>
public sealed record DecisionSettings(
    TaxRates Rates,
    double TransactionCost,
    decimal MinTrade,
    TimeSpan ProposalLifetime,
    double RevalidationTolerance,
    double SlippageBps,
    decimal Commission,
    bool HarvestIntoCash = false,
    decimal ProtectionShare = 0.5m,
    decimal ProtectionCushion = 0.05m,
    double PurchaseRiskCost = 0.002,
    double DailyTurnover = 0.30,
    double BandPenalty = 0.10,
    decimal IdleCash = 0.005m,
    InvestmentPolicy? Policy = null,
    int HoldingDays = 7)
{
    public static DecisionSettings Default { get; } = new(TaxRates.Default, 0.0005, 50m, TimeSpan.FromHours(24), 0.01, 5, 0m);

    /// <summary>The minimum order value for an account: its own override (setting or policy), else the household's or firm's.</summary>
    public decimal MinTradeFor(AccountSpec account) => account.MinTrade ?? account.Policy?.MinTrade ?? MinTrade;

    /// <summary>The firm's (or household's) investment policy, never null.</summary>
    public InvestmentPolicy PolicyOrNone => Policy ?? InvestmentPolicy.None;

    /// <summary>An account's policy: its own fields, then the household's and the firm's (<see cref="ForHousehold"/>).</summary>
    public InvestmentPolicy PolicyFor(AccountSpec account) => account.Policy?.Over(PolicyOrNone) ?? PolicyOrNone;

    /// <summary>The settings one household decides and executes with: its policy over the firm's, its minimum trade and daily
    /// turnover limit (when it sets them) in place of the firm's. Live, stress and backtest all ask this.</summary>
    public DecisionSettings ForHousehold(InvestmentPolicy? household) => household is null ? this : this with
    {
        Policy = household.Over(Policy),
        MinTrade = household.MinTrade ?? MinTrade,
        DailyTurnover = household.TurnoverLimit ?? DailyTurnover,
    };

    /// <summary>Slippage as a fraction of price: a sale whose gain is smaller than this may fill at a loss.</summary>
    public double LossMargin => SlippageBps / 10_000;
}

/// <summary>What one solve of a household enforces beyond the optimizer's own terms: the parts of the decision's
/// priority ladder that <see cref="DecisionEngine"/> may relax (minimum trade, holding floors, purchase blocks,
/// cash floors) and the loss margin of the wash-sale rule.</summary>
public sealed record PlanRules(
    bool MinTrade,
    IReadOnlyList<HoldingFloor> Floors,
    IReadOnlyDictionary<string, decimal> CashFloors,
    double LossMargin,
    IReadOnlyList<SellCap>? SellCaps = null,
    double? MaxTurnover = null,
    Func<string, IReadOnlyList<string>>? SubstitutesOf = null,
    IReadOnlySet<string>? PurchaseRisk = null,
    bool PolicyBands = false,
    IReadOnlyList<(string? Account, IConstraint Constraint)>? Transition = null,
    IReadOnlySet<(string Account, string Symbol)>? Held = null)
{
    /// <summary>Minimum trade on, no floors, each account's pending withdrawals as its cash floor, no loss margin.</summary>
    public static PlanRules For(IEnumerable<AccountDecisionInput> accounts) =>
        new(true, [], accounts.Where(a => a.CashToRaise > 0).ToDictionary(a => a.Spec.Id, a => a.CashToRaise, StringComparer.Ordinal), 0);
}

/// <summary>Turns a household's live state into an optimizer problem: each account tracks its own model (tracking
/// error under the factor risk model), lots are sold only where tax cost (gains) or tax benefit (losses) and
/// transaction cost justify it, restrictions and the wash-sale ledger's buy blackouts apply in every account,
/// withdrawals set a cash floor, and replacement candidates join the account's universe so a harvested
/// security can be replaced by a similar one that is not substantially identical.</summary>
public static class RebalancePlanner
{
    public static RebalanceResult Plan(
        IReadOnlyList<AccountDecisionInput> accounts,
        IReadOnlyDictionary<string, Security> securities,
        IReadOnlyDictionary<string, decimal> prices,
        IReadOnlyDictionary<string, DateOnly> buyBlackouts,
        IReadOnlyDictionary<string, IReadOnlyList<string>> replacements,
        SecurityRiskModels risk,
        DateOnly asOf,
        DecisionSettings settings,
        PlanRules? rules = null,
        MarginalTaxRates? tax = null,
        List<string>? notes = null)
    {
        rules ??= PlanRules.For(accounts);
        // A fund's substitutes count toward its line; without the firm's table, the replacements offered here are it.
        if (rules.SubstitutesOf is null) rules = rules with { SubstitutesOf = s => replacements.TryGetValue(s, out var r) ? r : [] };
        var planned = accounts.Where(a => a.Target is not null).ToList();
        if (planned.Count == 0) return Empty();

        var symbols = new SortedSet<string>(StringComparer.Ordinal);
        var universes = new Dictionary<string, HashSet<string>>();
        foreach (var a in planned)
        {
            var universe = a.Target!.Weights.Where(w => w.Level == DriftLevel.Security).Select(w => w.Key).ToHashSet(StringComparer.Ordinal);
            foreach (var held in a.Lots.Select(l => l.Symbol).ToList()) universe.Add(held);
            foreach (var s in universe.ToList())
                if (replacements.TryGetValue(s, out var alternatives)) universe.UnionWith(alternatives);
            // A cash sleeve is the account's cash variable, not a security to buy.
            universe.RemoveWhere(s => !securities.TryGetValue(s, out var sec) || !prices.ContainsKey(s)
                || (sec.Kind == SecurityKind.Cash && !a.Lots.Any(l => l.Symbol == s)));
            universes[a.Spec.Id] = universe;
            symbols.UnionWith(universe);
        }
        // Lots of a security without a price cannot be valued: plan without those accounts rather than guess.
        planned = planned.Where(a => a.Lots.All(l => symbols.Contains(l.Symbol))).ToList();
        if (planned.Count == 0) return Empty();

        var byId = planned.ToDictionary(a => a.Spec.Id, StringComparer.Ordinal);
        var secs = symbols.Select(s => securities[s]).ToArray();
        var model = risk.For(secs);
        // Shares stay as solved (to a millionth); the order rules (OrderRules) shape them for each account's custodian.
        var household = settings.PolicyOrNone;
        // ESG exclusions of the policy are restrictions like the client's own: sold, never bought.
        var portfolio = new HouseholdPortfolio(secs, symbols.ToDictionary(s => s, s => prices[s]),
            planned.Select(a => new AccountHoldings(a.Spec.Id, a.Spec.Type, a.Cash, ImmutableCollectionsMarshal.AsArray(a.Lots)!, [.. Restrictions(a.Spec, settings)],
                universes[a.Spec.Id])).ToArray(),
            asOf);
        var rates = tax ?? TaxProfiles.Marginal(null, GainsSummary.Zero, settings.Rates);

        // A loss position the account may not replace (it is held at its floor) is not a harvest: a sale of its excess earns no
        // credit, so the plan does not sell it at a loss only for the loss and shut the household out of buying it for 30 days.
        var unreplaceable = rules.Floors.Select(f => (f.Account, f.Symbol)).ToHashSet();
        var terms = new List<ITerm>
        {
            new TaxCost((double)rates.ShortTermGain, (double)rates.LongTermGain, household.TaxSensitivity ?? 1, (id, lot) => byId[id] is var a
                && (a.CashToRaise > 0 || (HarvestWorth(a.Spec.Harvest, lot) && (lot.Lot is not { } taxLot || !unreplaceable.Contains((id, taxLot.Symbol))))),
                (double)rates.ShortTermLoss, (double)rates.LongTermLoss),
            new TransactionCost(settings.TransactionCost),
        };
        if (Views(household, secs) is { Count: > 0 } alpha) terms.Add(new ExpectedReturn(alpha, household.ViewWeight ?? 1));

        if (rules.PurchaseRisk is { Count: > 0 } risky && settings.PurchaseRiskCost > 0) terms.Add(new PurchaseRisk(risky, settings.PurchaseRiskCost));
        var constraints = new List<IConstraint> { new LongOnly(), new NoBuyList(buyBlackouts), new WashSaleConsistency(lossMargin: rules.LossMargin), new PurchaseSeparation() };
        if (rules.MinTrade) constraints.Add(new MinTradeSize(settings.MinTrade));
        var ids = planned.Select(a => a.Spec.Id).ToHashSet(StringComparer.Ordinal);
        constraints.AddRange(rules.Floors.Where(f => ids.Contains(f.Account) && symbols.Contains(f.Symbol)));
        constraints.AddRange((rules.SellCaps ?? []).Where(c => ids.Contains(c.Account) && symbols.Contains(c.Symbol)));
        if (rules.MaxTurnover is { } turnover) constraints.Add(new MaxTurnover(turnover));
        if (rules.Held is { Count: > 0 } holding) constraints.Add(new MinimumHolding(holding, (id, lot) => HarvestWorth(byId[id].Spec.Harvest, lot)));
        // The household's tax budget and sell-down schedules (TransitionPlanner.LiveRules), for the accounts planned here.
        constraints.AddRange((rules.Transition ?? []).Where(r => r.Account is null || ids.Contains(r.Account)).Select(r => r.Constraint)
            .Where(c => c is not SellCap cap || symbols.Contains(cap.Symbol)).Where(c => c is not HoldingFloor floor || symbols.Contains(floor.Symbol)));
        // The household objective: the household's aggregate tracks the blend of its accounts' models, weighted by value; an
        // account that must track its own model (or a direct index) keeps its own terms below.
        var householdWide = household.Objective == PolicyObjective.Household;
        var values = planned.ToDictionary(a => a.Spec.Id, a => (double)a.ValueAt(s => prices.TryGetValue(s, out var p) ? p : null), StringComparer.Ordinal);
        var total = values.Values.Sum();
        double[] TargetOf(AccountDecisionInput a)
        {
            var target = new double[model.N];
            foreach (var w in a.Target!.Weights.Where(w => w.Level == DriftLevel.Security))
                if (model.Contains(w.Key)) target[model.IndexOf(w.Key)] = (double)w.Weight;
            return target;
        }
        bool Pooled(AccountDecisionInput a) => householdWide && !a.Target!.DirectIndexing && settings.PolicyFor(a.Spec).TracksOwnModel != true;
        var pooled = planned.Where(Pooled).ToList();
        if (pooled.Count > 0 && total > 0)
        {
            var blend = new double[model.N];
            foreach (var a in pooled)
            {
                var t = TargetOf(a);
                for (var i = 0; i < blend.Length; i++) blend[i] += values[a.Spec.Id] / total * t[i];
            }
            // First, so the plan reports the household's tracking error.
            terms.Insert(0, new TrackingError(model, blend, weight: household.TrackingErrorWeight ?? 1,
                scope: pooled.Select(a => a.Spec.Id).ToHashSet(StringComparer.Ordinal)));
            if (rules.PolicyBands) constraints.AddRange(Bands(household, model, blend, null, notes));
            // Asset location places the pooled accounts' securities where their after-tax drag is least, against the best of
            // the pooled account types (so it moves securities between accounts, never out of the market).
            if (household.LocationWeight is > 0 and var location)
            {
                var pooledIds = pooled.Select(a => a.Spec.Id).ToHashSet(StringComparer.Ordinal);
                terms.Add(AssetLocation.Default((double)rates.Ordinary, (double)rates.LongTerm, location).Over(pooledIds).RelativeTo([.. pooled.Select(a => a.Spec.Type).Distinct()]));
                // ... and what the household owns stays its blend's mix: within a point of each class, or no further off than now.
                var mix = new Dictionary<string, double>(StringComparer.Ordinal);
                for (var i = 0; i < model.N; i++)
                    if (blend[i] != 0 && securities.TryGetValue(model.Symbols[i], out var sec)) mix[sec.AssetClass] = mix.GetValueOrDefault(sec.AssetClass) + blend[i];
                constraints.Add(new ClassMix(pooledIds, mix, LocationMixTolerance * blend.Sum()));
            }
        }
        foreach (var a in planned)
        {
            var policy = settings.PolicyFor(a.Spec);
            if (rules.PolicyBands && policy.MaxWeight is { } cap) constraints.Add(new MaxWeight(cap, a.Spec.Id, s => s.Kind != SecurityKind.Cash));
            if (Pooled(a))
            {
                // Pooled accounts stay invested as they are: location moves securities between accounts, and a bond fund's drag
                // is not a reason to hold its weight in cash (its tracking cost is small next to a linear drag). Cash to invest is
                // invested, down to the idle allowance; a withdrawal's cash is raised.
                var need = rules.CashFloors.GetValueOrDefault(a.Spec.Id);
                var allowance = settings.IdleCash * (decimal)values[a.Spec.Id];
                constraints.Add(new CashTarget(a.Spec.Id, need, Math.Max(need, Math.Max(Math.Min(a.Cash, allowance), need + allowance))));
                continue;
            }
            var target = TargetOf(a);
            if (rules.PolicyBands) constraints.AddRange(Bands(policy, model, target, a.Spec.Id, notes));
            // A direct index tracks inside its band: the account's tolerance, as the monitor measures it. One out of its band now
            // is brought to the band's aim (at its edge the next day's prices would put it out again), as model accounts are.
            double? limit = null;
            if (a.Target!.DirectIndexing)
            {
                var band = (double)a.Spec.TrackingBand;
                limit = BandPenalty.Aim * band;
            }
            terms.Add(new TrackingError(model, target, a.Spec.Id, policy.TrackingErrorWeight ?? 1, limit));
            // A direct index stays invested: cash beyond the client's need costs 2 % a year, forty times the cost of buying. The
            // optimizer aims at half the ceiling; the rest is room for whole-share rounding.
            if (a.Target.DirectIndexing && settings.IdleCash > 0)
                terms.Add(new CashPenalty(a.Spec.Id, rules.CashFloors.GetValueOrDefault(a.Spec.Id) + settings.IdleCash / 2 * a.ValueAt(s => prices.TryGetValue(s, out var p) ? p : null), 0.02));
            // Model accounts are brought back inside their bands (direct indexes track by tracking error alone).
            if (!a.Target.DirectIndexing && settings.BandPenalty > 0)
                terms.Add(new BandPenalty(a.Spec.Id, BandLines(a, prices, universes[a.Spec.Id], securities, rules.SubstitutesOf), settings.BandPenalty));
            if (rules.CashFloors.TryGetValue(a.Spec.Id, out var floor) && floor > 0) constraints.Add(new CashTarget(a.Spec.Id, floor, decimal.MaxValue / 4));
        }
        return new RebalanceOptimizer().Optimize(portfolio, new Policy(terms, constraints));
    }

    /// <summary>How far asset location may move a pooled asset class's share of the pooled accounts (one point).</summary>
    public const double LocationMixTolerance = 0.01;

    /// <summary>What an account's planning excludes: its client's restrictions and its policy's exclusions.</summary>
    public static IEnumerable<Restriction> Restrictions(AccountSpec account, DecisionSettings settings) =>
        [.. account.Restrictions, .. PolicyExclusions(settings.PolicyFor(account))];

    /// <summary>Sell and never buy the sectors the policy excludes (ESG).</summary>
    private static IEnumerable<Restriction> PolicyExclusions(InvestmentPolicy policy) =>
        (policy.ExcludedSectors ?? []).Select(sector => new Restriction(RestrictionKind.Exclude, null, sector, "policy: excluded sector"));

    /// <summary>Yearly alpha by symbol from the policy's views: a symbol's own view, else its sector's.</summary>
    private static Dictionary<string, double> Views(InvestmentPolicy policy, IEnumerable<Security> securities)
    {
        var alpha = new Dictionary<string, double>(StringComparer.Ordinal);
        if (policy.Views is not { Length: > 0 } views) return alpha;
        foreach (var s in securities.Where(s => s.Kind != SecurityKind.Cash))
            if ((views.FirstOrDefault(v => v.Symbol == s.Symbol) ?? views.FirstOrDefault(v => v.Symbol is null && v.Sector == s.Sector)) is { } view)
                alpha[s.Symbol] = view.Alpha;
        return alpha;
    }

    /// <summary>The policy's sector bands and factor tilts around a target (an account's model, or the household's blend when
    /// <paramref name="account"/> is null). A tilt on a factor the risk model does not have is noted and not applied.</summary>
    private static IEnumerable<IConstraint> Bands(InvestmentPolicy policy, FactorRiskModel model, double[] target, string? account, List<string>? notes)
    {
        if (policy.SectorBand is { } band)
            yield return new SectorBand(band, model.Symbols.Select((s, i) => (s, w: target[i])).Where(x => x.w != 0).ToDictionary(x => x.s, x => x.w, StringComparer.Ordinal), account);
        foreach (var tilt in policy.FactorTilts ?? [])
        {
            if (!model.Factors.Contains(tilt.Factor))
            {
                notes?.Add($"{account ?? "household"}: the risk model has no factor {tilt.Factor}; its tilt of {tilt.Tilt:+0.###;-0.###} is not applied");
                continue;
            }
            yield return new FactorExposureBand(model, target, tilt.Factor, tilt.Tilt, tilt.Band, account);
        }
    }

    /// <summary>A model account's lines for the band penalty, as the monitor measures them: a substitute counts toward the one
    /// line <see cref="Models.SubstituteLines"/> gives it, a cash sleeve is the account's cash, and an asset class is every
    /// security of that class the account may hold (its cash for the cash class). Security lines alone let an account's
    /// equity drift out of its class band while each fund stays inside its own (seven points over in a 60/40 after a rally).
    /// An account out of band now is rebalanced to <see cref="BandPenalty.Aim"/> of its bands (to their edges it would be out
    /// again with the next day's prices); an account inside its bands keeps them whole, so no trade is made only to move a
    /// line within its band.</summary>
    private static List<(IReadOnlyList<string> Symbols, double Target, double Tolerance)> BandLines(AccountDecisionInput a,
        IReadOnlyDictionary<string, decimal> prices, IReadOnlySet<string> universe, IReadOnlyDictionary<string, Security> securities,
        Func<string, IReadOnlyList<string>>? substitutesOf)
    {
        var standsFor = Models.SubstituteLines.Of(a.Target!, substitutesOf);
        var held = a.Lots.GroupBy(l => l.Symbol).ToDictionary(g => g.Key, g => prices.TryGetValue(g.Key, out var p) ? p * g.Sum(l => l.Quantity) : 0m, StringComparer.Ordinal);
        var value = a.ValueAt(s => prices.TryGetValue(s, out var p) ? p : null);
        var lines = new List<(IReadOnlyList<string> Symbols, double Target, double Tolerance)>();
        var outOfBand = false;
        foreach (var w in a.Target!.Weights)
        {
            var tolerance = Monitoring.DriftTolerance.Of((double)w.Weight, w.Band);
            if (tolerance <= 0) continue;
            IReadOnlyList<string> symbols = w.Level switch
            {
                DriftLevel.Security when securities.GetValueOrDefault(w.Key)?.Kind == SecurityKind.Cash => [BandPenalty.AccountCash, w.Key],
                DriftLevel.Security => [w.Key, .. Models.SubstituteLines.For(standsFor, w.Key, substitutesOf)],
                DriftLevel.AssetClass => [.. w.Key == Monitoring.AccountSnapshot.CashAssetClass ? [BandPenalty.AccountCash] : Array.Empty<string>(),
                    .. universe.Concat(held.Keys).Distinct(StringComparer.Ordinal).Where(s => securities.GetValueOrDefault(s)?.AssetClass == w.Key)],
                _ => [],
            };
            if (symbols.Count == 0) continue;
            var now = symbols.Sum(x => x == BandPenalty.AccountCash ? a.Cash : held.GetValueOrDefault(x));
            outOfBand |= value > 0 && Math.Abs((double)(now / value) - (double)w.Weight) > tolerance;
            // A class of one fund (international, emerging) is that fund's line again: one row, the narrower band.
            var same = lines.FindIndex(l => l.Symbols.Count == symbols.Count && !l.Symbols.Except(symbols).Any() && Math.Abs(l.Target - (double)w.Weight) < 1e-9);
            if (same < 0) lines.Add((symbols, (double)w.Weight, tolerance));
            else if (tolerance < lines[same].Tolerance) lines[same] = (symbols, (double)w.Weight, tolerance);
        }
        return outOfBand ? [.. lines.Select(l => (l.Symbols, l.Target, BandPenalty.Aim * l.Tolerance))] : lines;
    }

    /// <summary>Whether a loss lot passes the account's harvest thresholds (both the percentage of basis and the dollars);
    /// a lot under them is sold, if at all, for drift or cash, not for its loss.</summary>
    public static bool HarvestWorth(HarvestPolicy policy, LotPosition lot)
    {
        if (!policy.Enabled || lot.Lot is not { } l || lot.GainRatio >= 0 || lot.GainRatio >= 1) return false;
        var marketValue = l.Basis / (1 - (decimal)lot.GainRatio);
        var loss = l.Basis - marketValue;
        return loss >= policy.MinLossDollars && loss >= policy.MinLossPercent * l.Basis;
    }

    private static RebalanceResult Empty() => new(OptimizationStatus.Optimal, [], 0, 0, 0, 0, 0, "none", 0, 0);
}

/// <summary>The simulated broker: fills at the board's price moved against the trade by the slippage, plus a flat
/// commission per trade. Sells go first, one order per lot the optimizer chose (specific identification), so the
/// cash they raise pays for the buys.</summary>
public static class SimulatedBroker
{
    /// <summary>The orders of a proposal, sells (lot by lot) before buys; <paramref name="price"/> gives each trade's
    /// fill price, null when the security has no price (the trade is skipped). Keys are the proposal id and a counter,
    /// so a re-execution after a failure reuses them and the accounts apply each once.</summary>
    public static IEnumerable<(OptimizedTrade Trade, TradeRequest Order)> Orders(RebalanceProposal proposal, DateOnly today,
        Func<OptimizedTrade, decimal?> price, decimal commission)
    {
        var n = 0;
        foreach (var t in proposal.Trades.OrderBy(t => t.Side == TradeSide.Buy))
        {
            if (price(t) is not { } fill) continue;
            if (t.Side == TradeSide.Sell)
                foreach (var lot in t.Lots)
                    yield return (t, new TradeRequest($"{proposal.Id}:{n++}", today, t.Symbol, TradeSide.Sell, lot.Quantity, fill, lot.Lot.Id, null, commission));
            else
                yield return (t, new TradeRequest($"{proposal.Id}:{n++}", today, t.Symbol, TradeSide.Buy, t.Quantity, fill, null, null, commission));
        }
    }

    /// <summary>Whether <paramref name="tradeKey"/> is one of the engine's orders for the household: <see cref="Orders"/>
    /// keys each <c>{proposal id}:{n}</c>, an orders-mode fill <c>{proposal id}-{order n}:{piece}</c> (the order's client order
    /// id and the fill's piece), and proposal ids are <c>{household}-P{number, at least 5 digits}</c>. Anything else (a
    /// client's or an import's fill) is not the engine's.</summary>
    public static bool IsOrderKey(string householdId, string tradeKey)
    {
        var prefix = householdId + "-P";
        if (!tradeKey.StartsWith(prefix, StringComparison.Ordinal)) return false;
        var rest = tradeKey.AsSpan(prefix.Length);
        var colon = rest.IndexOf(':');
        if (colon < 5 || colon >= rest.Length - 1 || !AllDigits(rest[(colon + 1)..])) return false;
        var proposal = rest[..colon];
        var dash = proposal.IndexOf('-');
        return dash < 0 ? AllDigits(proposal) : dash >= 5 && dash < proposal.Length - 1 && AllDigits(proposal[..dash]) && AllDigits(proposal[(dash + 1)..]);
    }

    private static bool AllDigits(ReadOnlySpan<char> text)
    {
        foreach (var c in text) if (c is < '0' or > '9') return false;
        return true;
    }

    /// <summary>A buy trimmed (to 1/10,000 share) to what the account's cash pays for at the fill price.</summary>
    public static TradeRequest Affordable(TradeRequest buy, decimal cash)
    {
        var most = Math.Max(0, Math.Floor((cash - buy.Commission) / buy.Price * 10_000m) / 10_000m);
        return buy with { Quantity = Math.Min(buy.Quantity, most) };
    }

    /// <summary>A buy trimmed to the account's cash under the order rules: whole shares unless the custodian trades
    /// fractions, and nothing (quantity 0) when what is left is below the account's minimum trade.</summary>
    public static TradeRequest Affordable(TradeRequest buy, decimal cash, AccountSpec account, DecisionSettings settings)
    {
        var trimmed = Affordable(buy, cash);
        if (trimmed.Quantity == buy.Quantity) return buy;
        var q = account.FractionalShares ? trimmed.Quantity : decimal.Floor(trimmed.Quantity);
        return buy with { Quantity = q * buy.Price < settings.MinTradeFor(account) ? 0 : q };
    }

    /// <summary>Whether a sell order would, at its fill price, realize a loss that a purchase in the household washes
    /// (IRC §1091): the decision priced the lot at a gain or its wash-sale hold did not apply, and the market moved. Such an
    /// order is not sent; the next decision sees the loss lot and holds it.</summary>
    public static bool WashesAtFill(string account, OptimizedTrade trade, TradeRequest sell, Tax.HouseholdTaxLedger ledger)
    {
        if (sell.Side != TradeSide.Sell || trade.Lots.FirstOrDefault(l => l.Lot.Id == sell.LotId) is not { } piece) return false;
        if (sell.Price * sell.Quantity - sell.Commission >= piece.Lot.BasisPerShare * sell.Quantity) return false;
        var profile = ledger.WashSales.ProfileOf(account);
        return profile is { RealizesGains: true } && ledger.CheckLossSale(account, piece.Lot, piece.Root, sell.Quantity, sell.TradeDate).IsWashSale;
    }

    /// <summary>Whether an order is worth less than the account's minimum trade at its fill price (the market moved between
    /// decision and fill) without selling a whole lot: such an order is not sent, so no fill is dust.</summary>
    public static bool DustAtFill(OptimizedTrade trade, TradeRequest order, AccountSpec account, DecisionSettings settings)
    {
        if (order.Quantity * order.Price >= settings.MinTradeFor(account)) return false;
        var wholeLot = order.Side == TradeSide.Sell && trade.Lots.FirstOrDefault(l => l.Lot.Id == order.LotId) is { } piece && piece.Lot.Quantity == order.Quantity;
        return !wholeLot;
    }

    public static decimal FillPrice(TradeSide side, decimal price, double slippageBps)
    {
        var slip = price * (decimal)(slippageBps / 10_000);
        return Math.Round(side == TradeSide.Buy ? price + slip : price - slip, 4);
    }
}

/// <summary>Proposal rules that do not depend on where the proposal lives.</summary>
public static class ProposalRules
{
    /// <summary>The share of the accounts' value the household traded on <paramref name="day"/>, one way (half of buys plus
    /// sells filled by its executed proposals): what the day's turnover budget has already spent.</summary>
    public static double TurnoverOn(IEnumerable<RebalanceProposal> proposals, DateOnly day, IEnumerable<AccountDecisionInput> accounts, Func<string, decimal?> price)
    {
        var traded = proposals.Where(p => p.Status == ProposalStatus.Executed).SelectMany(p => p.Fills)
            .Where(f => f.Request.TradeDate == day).Sum(f => f.Request.Quantity * f.Request.Price);
        if (traded == 0) return 0;
        var value = accounts.Sum(a => a.ValueAt(price));
        return value > 0 ? (double)(traded / value) / 2 : 0;
    }

    /// <summary>True when any traded security's price moved by more than the tolerance since the proposal priced it.</summary>
    public static bool PricesMoved(RebalanceProposal proposal, IReadOnlyDictionary<string, decimal> prices, double tolerance) =>
        proposal.Trades.Any(t => t.Quantity > 0 && prices.TryGetValue(t.Symbol, out var now)
            && Math.Abs((double)(now * t.Quantity / t.Amount) - 1) > tolerance);
}

/// <summary>The order file a firm sends to its trading desk: one line per order, sells first.</summary>
public static class OrderFile
{
    public const string Header = "proposal,account,symbol,side,quantity,lots,order_type,reasons";

    public static string Csv(IEnumerable<RebalanceProposal> proposals)
    {
        var csv = new CsvWriter(Header);
        foreach (var p in proposals)
            foreach (var t in p.Trades.OrderBy(t => t.Side == TradeSide.Buy).ThenBy(t => t.Account, StringComparer.Ordinal).ThenBy(t => t.Symbol, StringComparer.Ordinal))
                csv.Row(p.Id, t.Account, t.Symbol, t.Side == TradeSide.Buy ? "buy" : "sell",
                    t.Quantity.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    string.Join(' ', t.Lots.Select(l => $"{l.Lot.Id}:{l.Quantity.ToString(System.Globalization.CultureInfo.InvariantCulture)}")),
                    "market", t.Reasons.ToString().Replace(", ", "|", StringComparison.Ordinal));
        return csv.ToString();
    }
}
