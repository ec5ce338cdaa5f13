using Households.Contracts;
using Households.Domain.Risk;

namespace Households.Domain.Optimization;

/// <summary>No short positions: every holding x ≥ 0 (also caps sells at the lots held).</summary>
public sealed class LongOnly : IConstraint
{
    public void AddTo(OptimizationContext ctx)
    {
        for (int a = 0; a < ctx.State.Accounts.Length; a++)
            for (int i = 0; i < ctx.State.N; i++)
                if (ctx.X(a, i) >= 0) ctx.Model.Restrict(ctx.X(a, i), 0, double.PositiveInfinity);
    }
}

/// <summary>Every account fully invested: its cash after trading is zero.</summary>
public sealed class FullyInvested : IConstraint
{
    public void AddTo(OptimizationContext ctx)
    {
        for (int a = 0; a < ctx.State.Accounts.Length; a++) ctx.Model.SetBounds(ctx.Cash(a), 0, 0);
    }
}

/// <summary>An account's cash after trading, in dollars, within [<paramref name="minimum"/>, <paramref name="maximum"/>].</summary>
public sealed class CashTarget(string account, decimal minimum, decimal maximum) : IConstraint
{
    public void AddTo(OptimizationContext ctx)
    {
        if (minimum < 0 || maximum < minimum) throw new BadInputException($"cash target for {account}: need 0 ≤ minimum ≤ maximum");
        int a = ctx.State.AccountIndex(account);
        ctx.Model.SetBounds(ctx.Cash(a), (double)minimum / ctx.State.TotalValue, (double)maximum / ctx.State.TotalValue);
    }
}

/// <summary>A name cap: each security's weight (household, or within one account) at most <paramref name="maximum"/>;
/// <paramref name="appliesTo"/> limits it to some securities (for example single stocks, not funds).</summary>
public sealed class MaxWeight(double maximum, string? account = null, Func<Security, bool>? appliesTo = null) : IConstraint
{
    public void AddTo(OptimizationContext ctx)
    {
        var st = ctx.State;
        var accounts = ctx.AccountsIn(account).ToArray();
        for (int i = 0; i < st.N; i++)
        {
            if (appliesTo is not null && !appliesTo(st.Securities[i])) continue;
            var vars = accounts.Where(a => ctx.X(a, i) >= 0).Select(a => (a, v: ctx.X(a, i))).ToArray();
            if (vars.Length == 0) continue;
            double cap = account is null ? maximum : maximum * st.Accounts[accounts[0]].Share;
            if (vars.Length == 1) { ctx.Model.Restrict(vars[0].v, double.NegativeInfinity, cap); continue; }
            int row = ctx.Model.AddRow(double.NegativeInfinity, cap);
            foreach (var (_, v) in vars) ctx.Model.AddRowTerm(row, v, 1);
        }
    }
}

/// <summary>Client and firm restrictions (each account's own, plus any given here): Exclude sells and never
/// buys, NoBuy buys nothing, Hold neither buys nor sells. A restriction names a symbol or a whole sector.</summary>
public sealed class Excluded(IReadOnlyList<Restriction>? extra = null, string? account = null) : IConstraint
{
    public static Excluded Symbols(IEnumerable<string> symbols, RestrictionKind kind = RestrictionKind.Exclude) =>
        new(symbols.Select(s => new Restriction(kind, s, null, "excluded")).ToArray());

    public void AddTo(OptimizationContext ctx)
    {
        var st = ctx.State;
        for (int a = 0; a < st.Accounts.Length; a++)
        {
            var rules = st.Accounts[a].Restrictions.AsEnumerable();
            if (extra is not null && (account is null || account == st.Accounts[a].Id)) rules = rules.Concat(extra);
            foreach (var r in rules)
                for (int i = 0; i < st.N; i++)
                    if (Matches(r, st.Securities[i]) && ctx.X(a, i) >= 0) Apply(ctx, a, i, r.Kind);
        }
    }

    public static bool Matches(Restriction r, Security s) =>
        (r.Symbol is not null && r.Symbol == s.Symbol) || (r.Symbol is null && r.Sector is not null && r.Sector == s.Sector);

    private static void Apply(OptimizationContext ctx, int a, int i, RestrictionKind kind)
    {
        var m = ctx.Model;
        m.SetBounds(ctx.Buy(a, i), 0, 0);
        if (kind == RestrictionKind.Exclude) m.SetBounds(ctx.X(a, i), 0, 0);
        if (kind == RestrictionKind.Hold)
            foreach (var s in ctx.Sells(a, i)) m.SetBounds(s.Var, 0, 0);
    }
}

/// <summary>Sector weights within ± <paramref name="band"/> of the benchmark's: household weights, or with
/// <paramref name="account"/> that account's own (holding over account value).</summary>
public sealed class SectorBand(double band, IReadOnlyDictionary<string, double> benchmark, string? account = null) : IConstraint
{
    public void AddTo(OptimizationContext ctx)
    {
        var st = ctx.State;
        var accounts = ctx.AccountsIn(account).ToArray();
        double scale = account is null ? 1 : 1 / st.Accounts[accounts[0]].Share;
        var sectors = new Dictionary<string, (int Row, double Bench)>();
        foreach (var sector in st.Securities.Select(s => s.Sector).Distinct())
        {
            double b = 0;
            foreach (var s in st.Securities)
                if (s.Sector == sector && benchmark.TryGetValue(s.Symbol, out var w)) b += w;
            sectors[sector] = (ctx.Model.AddRow(b - band, b + band), b);
        }
        for (int i = 0; i < st.N; i++)
        {
            int row = sectors[st.Securities[i].Sector].Row;
            foreach (int a in accounts)
                if (ctx.X(a, i) >= 0) ctx.Model.AddRowTerm(row, ctx.X(a, i), scale);
        }
    }
}

/// <summary>A factor tilt: the active exposure Bᵀ(w − b) to <paramref name="factor"/> within <paramref name="target"/> ±
/// <paramref name="band"/>: the household's weights, or with <paramref name="account"/> that account's own.</summary>
public sealed class FactorExposureBand(FactorRiskModel risk, double[] benchmark, string factor, double target, double band, string? account = null) : IConstraint
{
    public void AddTo(OptimizationContext ctx)
    {
        int f = risk.Factors.ToList().IndexOf(factor);
        if (f < 0) throw new BadInputException($"factor band: risk model has no factor {factor}");
        double bench = 0;
        for (int r = 0; r < risk.N; r++) bench += risk.B[r, f] * benchmark[r];
        int row = ctx.Model.AddRow(bench + target - band, bench + target + band);
        var st = ctx.State;
        var accounts = ctx.AccountsIn(account).ToArray();
        double scale = account is null ? 1 : 1 / st.Accounts[accounts[0]].Share;
        for (int i = 0; i < st.N; i++)
        {
            double e = risk.B[risk.IndexOf(st.Securities[i].Symbol), f] * scale;
            foreach (int a in accounts)
                if (ctx.X(a, i) >= 0) ctx.Model.AddRowTerm(row, ctx.X(a, i), e);
        }
    }
}

/// <summary>The asset-class mix of some accounts held together (household weights): each class's weight within
/// <paramref name="tolerance"/> of <paramref name="target"/>'s, or no further from it than it is now. Asset location under the
/// household objective rearranges securities between accounts; this keeps it from changing what the household owns (a
/// linear drag outweighs a quadratic tracking error, and without it the pooled accounts drifted from 50/50 to 66/34).</summary>
public sealed class ClassMix(IReadOnlySet<string> accounts, IReadOnlyDictionary<string, double> target, double tolerance) : IConstraint
{
    public void AddTo(OptimizationContext ctx)
    {
        var st = ctx.State;
        var pooled = Enumerable.Range(0, st.Accounts.Length).Where(a => accounts.Contains(st.Accounts[a].Id)).ToArray();
        var classes = st.Securities.Select(s => s.AssetClass).Where(c => c != Monitoring.AccountSnapshot.CashAssetClass).Distinct(StringComparer.Ordinal);
        foreach (var cls in classes)
        {
            double now = 0;
            for (int i = 0; i < st.N; i++)
                if (st.Securities[i].AssetClass == cls)
                    foreach (int a in pooled) now += st.Accounts[a].Holdings[i];
            double aim = target.GetValueOrDefault(cls);
            int row = ctx.Model.AddRow(Math.Min(aim - tolerance, now), Math.Max(aim + tolerance, now));
            for (int i = 0; i < st.N; i++)
                if (st.Securities[i].AssetClass == cls)
                    foreach (int a in pooled)
                        if (ctx.X(a, i) >= 0) ctx.Model.AddRowTerm(row, ctx.X(a, i), 1);
        }
    }
}

/// <summary>A yearly cap on net realized gains in taxable accounts (for concentrated positions):
/// gains realized so far this year plus this rebalance's net gains at most <paramref name="maxNetGain"/> dollars.</summary>
public sealed class TaxBudget(decimal maxNetGain, decimal realizedYearToDate = 0) : IConstraint
{
    public void AddTo(OptimizationContext ctx)
    {
        var st = ctx.State;
        int row = ctx.Model.AddRow(double.NegativeInfinity, (double)(maxNetGain - realizedYearToDate) / st.TotalValue);
        for (int a = 0; a < st.Accounts.Length; a++)
        {
            if (!st.Accounts[a].IsTaxable) continue;
            for (int i = 0; i < st.N; i++)
                foreach (var s in ctx.Sells(a, i))
                    if (s.Lot is { Lot: not null } lot) ctx.Model.AddRowTerm(row, s.Var, lot.GainRatio);
        }
    }
}

/// <summary>Securities the household's wash-sale ledger blocks from purchase, keyed by wash-sale key
/// (<see cref="Security.WashSaleKey"/>) with the last blocked date: no account buys them on or before it.</summary>
public sealed class NoBuyList(IReadOnlyDictionary<string, DateOnly> blockedThrough) : IConstraint
{
    public void AddTo(OptimizationContext ctx)
    {
        var st = ctx.State;
        for (int i = 0; i < st.N; i++)
        {
            if (!blockedThrough.TryGetValue(st.Securities[i].WashSaleKey, out var until) || until < st.AsOf) continue;
            for (int a = 0; a < st.Accounts.Length; a++)
                if (ctx.Buy(a, i) >= 0) ctx.Model.SetBounds(ctx.Buy(a, i), 0, 0);
        }
    }
}

/// <summary>The holding period in the optimizer (the decisions' HoldingPeriodRule names the held positions): in each
/// <paramref name="held"/> position no lot is sold unless <paramref name="harvestable"/> (its loss reaches the account's
/// harvest thresholds): an engine that trims on Wednesday what it bought on Monday trades noise and clutters the client's
/// statement.</summary>
public sealed class MinimumHolding(IReadOnlySet<(string Account, string Symbol)> held, Func<string, LotPosition, bool> harvestable) : IConstraint
{
    public void AddTo(OptimizationContext ctx)
    {
        var st = ctx.State;
        for (int a = 0; a < st.Accounts.Length; a++)
            for (int i = 0; i < st.N; i++)
            {
                if (ctx.X(a, i) < 0 || !held.Contains((st.Accounts[a].Id, st.Securities[i].Symbol))) continue;
                foreach (var s in ctx.Sells(a, i))
                    if (s.Lot is { } position && !harvestable(st.Accounts[a].Id, position)) ctx.Model.SetBounds(s.Var, 0, 0);
            }
    }
}

/// <summary>Trades smaller than <paramref name="minimum"/> dollars are not worth placing. Not convex: after a solve,
/// every (account, security) trading less than the minimum is frozen at no trade and the problem is solved again
/// (a documented rounding-and-repair pass rather than a mixed-integer solve).</summary>
public sealed class MinTradeSize(decimal minimum) : IConstraint, IRepair
{
    public void AddTo(OptimizationContext ctx) { }

    public bool Repair(OptimizationContext ctx, ReadOnlySpan<double> sol)
    {
        var st = ctx.State;
        double min = (double)minimum / st.TotalValue;
        bool changed = false;
        for (int a = 0; a < st.Accounts.Length; a++)
            for (int i = 0; i < st.N; i++)
            {
                if (ctx.X(a, i) < 0) continue;
                double trade = Math.Abs(sol[ctx.X(a, i)] - st.Accounts[a].Holdings[i]);
                if (trade <= 1e-12 || trade >= min) continue;
                if (ctx.Model.UpperBound(ctx.Buy(a, i)) == 0 && ctx.Sells(a, i).ToArray().All(s => ctx.Model.UpperBound(s.Var) == 0)) continue;
                // A trade the bounds force (exclusion, name cap) is kept however small.
                double x0 = st.Accounts[a].Holdings[i];
                if (ctx.Model.LowerBound(ctx.X(a, i)) > x0 || ctx.Model.UpperBound(ctx.X(a, i)) < x0) continue;
                ctx.Model.SetBounds(ctx.Buy(a, i), 0, 0);
                foreach (var s in ctx.Sells(a, i)) ctx.Model.SetBounds(s.Var, 0, 0);
                changed = true;
            }
        return changed;
    }
}

/// <summary>Wash-sale consistency across the household: never buy (in any account) a security, or one
/// substantially identical to it, that an account is selling at a loss. Not convex; after a solve each conflict is
/// resolved the way the household's net trade points: unless the household is a clear net buyer of the key it keeps
/// the harvest and buys nothing (substitutes may be bought); a net buyer keeps its loss lots. Then the problem is solved again.
/// Keys in <paramref name="harvestKeys"/> always keep the harvest; <see cref="RebalanceOptimizer"/> uses that to
/// solve the other branch when this rule kept loss lots, and keeps the cheaper of the two.</summary>
public sealed class WashSaleConsistency(IReadOnlySet<string>? harvestKeys = null, double lossMargin = 0) : IConstraint, IRepair
{
    /// <summary>A lot whose gain ratio is below this counts as a loss sale: a sale planned at a small gain can fill at a
    /// loss after slippage, and a loss washed by the household's own purchase is the defect this rule exists for.</summary>
    public double LossMargin { get; } = lossMargin;

    private readonly HashSet<string> _keptLossLots = new(StringComparer.Ordinal);

    public IReadOnlySet<string> HarvestKeys { get; } = harvestKeys ?? new HashSet<string>();

    /// <summary>Keys where the last solve kept the loss lots (no harvest) to resolve a conflict.</summary>
    public IReadOnlySet<string> KeptLossLots => _keptLossLots;

    public void AddTo(OptimizationContext ctx)
    {
        _keptLossLots.Clear();
        if (harvestKeys is null) return;
        // The harvest branch: no account buys these keys from the first solve on, so other repairs (minimum trade
        // size) judge the trades of the branch itself, substitutes included.
        var st = ctx.State;
        for (int a = 0; a < st.Accounts.Length; a++)
            for (int i = 0; i < st.N; i++)
                if (ctx.X(a, i) >= 0 && harvestKeys.Contains(st.Securities[i].WashSaleKey)) ctx.Model.SetBounds(ctx.Buy(a, i), 0, 0);
    }

    public bool Repair(OptimizationContext ctx, ReadOnlySpan<double> sol)
    {
        var st = ctx.State;
        const double tiny = 1e-9;
        var bought = new Dictionary<string, double>();
        var lossSold = new Dictionary<string, double>();
        var net = new Dictionary<string, double>();
        for (int a = 0; a < st.Accounts.Length; a++)
            for (int i = 0; i < st.N; i++)
            {
                if (ctx.X(a, i) < 0) continue;
                string key = st.Securities[i].WashSaleKey;
                double b = sol[ctx.Buy(a, i)];
                if (b > tiny) bought[key] = bought.GetValueOrDefault(key) + b;
                net[key] = net.GetValueOrDefault(key) + sol[ctx.X(a, i)] - st.Accounts[a].Holdings[i];
                if (!st.Accounts[a].IsTaxable) continue;
                foreach (var s in ctx.Sells(a, i))
                    if (s.Lot is { Lot: not null } lot && lot.GainRatio < LossMargin && sol[s.Var] > tiny)
                        lossSold[key] = lossSold.GetValueOrDefault(key) + sol[s.Var];
            }
        bool changed = false;
        foreach (var key in lossSold.Keys.Where(bought.ContainsKey))
        {
            // A sell-here, rebuy-there pattern nets to about zero: that is a wanted harvest, so only a clear net buyer keeps its loss lots.
            bool harvest = net[key] <= 1e-9 || harvestKeys?.Contains(key) == true;
            if (!harvest) _keptLossLots.Add(key);
            for (int a = 0; a < st.Accounts.Length; a++)
                for (int i = 0; i < st.N; i++)
                {
                    if (ctx.X(a, i) < 0 || st.Securities[i].WashSaleKey != key) continue;
                    if (harvest) ctx.Model.SetBounds(ctx.Buy(a, i), 0, 0);
                    else if (st.Accounts[a].IsTaxable)
                        foreach (var s in ctx.Sells(a, i))
                            if (s.Lot is { Lot: not null } lot && lot.GainRatio < LossMargin) ctx.Model.SetBounds(s.Var, 0, 0);
                }
            changed = true;
        }
        return changed;
    }
}

/// <summary>An account keeps at least <paramref name="minimum"/> dollars of <paramref name="symbol"/> (or what it holds,
/// if less): a loss position without an allowed replacement is not harvested into cash (it would leave the sleeve
/// empty for the 31-day wash-sale window), though it may still be sold down to its target.</summary>
public sealed class HoldingFloor(string account, string symbol, decimal minimum) : IConstraint
{
    public string Account { get; } = account;
    public string Symbol { get; } = symbol;

    public void AddTo(OptimizationContext ctx)
    {
        var st = ctx.State;
        int a = st.AccountIndex(Account), i = st.IndexOf(Symbol);
        if (i < 0 || ctx.X(a, i) < 0) return;
        double floor = Math.Min(st.Accounts[a].Holdings[i], (double)minimum / st.TotalValue);
        if (floor > 0) ctx.Model.Restrict(ctx.X(a, i), floor, double.PositiveInfinity);
    }
}

/// <summary>An account sells at most <paramref name="maximum"/> dollars of <paramref name="symbol"/>: a hold released only as
/// far as a need (a withdrawal) requires.</summary>
public sealed class SellCap(string account, string symbol, decimal maximum) : IConstraint
{
    public string Account { get; } = account;
    public string Symbol { get; } = symbol;
    public decimal Maximum { get; } = maximum;

    public void AddTo(OptimizationContext ctx)
    {
        var st = ctx.State;
        int a = st.AccountIndex(Account), i = st.IndexOf(Symbol);
        if (i < 0 || ctx.X(a, i) < 0) return;
        int row = ctx.Model.AddRow(double.NegativeInfinity, (double)Maximum / st.TotalValue);
        foreach (var s in ctx.Sells(a, i)) ctx.Model.AddRowTerm(row, s.Var, 1);
        ctx.Model.SetBounds(ctx.Buy(a, i), 0, 0);
    }
}

/// <summary>One plan buys a wash-sale key in at most one account once a taxable account is among its buyers: two
/// purchases of the same security on one day, one of them in a taxable account, mean that if the taxable lot falls within
/// 30 days its harvest is washed by the other purchase (permanently when that one is in an IRA, Rev. Rul. 2008-5). Not
/// convex: after a solve the account buying the most keeps its buy, the others' buys of that key are frozen at zero (they
/// buy another substitute or hold cash in that sleeve), and the problem is solved again.</summary>
public sealed class PurchaseSeparation : IConstraint, IRepair
{
    public void AddTo(OptimizationContext ctx) { }

    public bool Repair(OptimizationContext ctx, ReadOnlySpan<double> sol)
    {
        const double tiny = 1e-7;
        var st = ctx.State;
        var buyers = new Dictionary<string, List<(int Account, int Security, double Buy)>>(StringComparer.Ordinal);
        for (int a = 0; a < st.Accounts.Length; a++)
            for (int i = 0; i < st.N; i++)
            {
                if (ctx.Buy(a, i) < 0 || sol[ctx.Buy(a, i)] <= tiny) continue;
                var key = st.Securities[i].WashSaleKey;
                (buyers.TryGetValue(key, out var list) ? list : buyers[key] = []).Add((a, i, sol[ctx.Buy(a, i)]));
            }
        bool changed = false;
        foreach (var list in buyers.Values)
        {
            if (list.Count < 2 || !list.Any(b => st.Accounts[b.Account].IsTaxable)) continue;
            var keep = list.OrderByDescending(b => b.Buy).ThenBy(b => b.Account).First().Account;
            foreach (var b in list.Where(b => b.Account != keep))
            {
                ctx.Model.SetBounds(ctx.Buy(b.Account, b.Security), 0, 0);
                changed = true;
            }
        }
        return changed;
    }
}

/// <summary>The household trades at most <paramref name="maximum"/> of its value in one decision, one way (buys and sells
/// each): a market-wide move is answered within a turnover budget rather than by turning the household over.</summary>
public sealed class MaxTurnover(double maximum) : IConstraint
{
    public void AddTo(OptimizationContext ctx)
    {
        var st = ctx.State;
        int buys = ctx.Model.AddRow(double.NegativeInfinity, maximum), sells = ctx.Model.AddRow(double.NegativeInfinity, maximum);
        for (int a = 0; a < st.Accounts.Length; a++)
            for (int i = 0; i < st.N; i++)
            {
                if (ctx.X(a, i) < 0) continue;
                ctx.Model.AddRowTerm(buys, ctx.Buy(a, i), 1);
                foreach (var s in ctx.Sells(a, i)) ctx.Model.AddRowTerm(sells, s.Var, 1);
            }
    }
}
