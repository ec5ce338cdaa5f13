using Households.Contracts;
using Households.Domain.Optimization.Solvers;

namespace Households.Domain.Optimization;

/// <summary>The weights a policy chose: the layout they belong to, the final solve and the work done.</summary>
public sealed record WeightSolution(OptimizationContext Context, QpSolution Solution, int Solves, double SolveMilliseconds);

/// <summary>Builds a policy's model over a household, solves it (with repair passes for the non-convex rules)
/// and turns the weights into explained trades in shares, lot by lot.</summary>
public sealed class RebalanceOptimizer(IQpSolver? solver = null)
{
    private readonly IQpSolver solver = solver ?? new InteriorPointSolver();
    // Each repair only fixes variables at zero, so the rounds end; the cap is a guard.
    private const int MaxRepairRounds = 25;

    public WeightSolution SolveWeights(OptimizerHousehold state, Policy policy) => SolveWeights(state, policy, branch: true);

    /// <param name="branch">Whether to also solve the harvest branch of the wash-sale repair (once: the branch itself does not
    /// branch again, which chained a branch per level — 40 solves for the four-account sample instead of about 10).</param>
    /// <param name="solved">A solve already made; when its model is this policy's before any repair (the convex part of a
    /// policy whose repairs add nothing before their first pass, at the same weights), it is the first round.</param>
    private WeightSolution SolveWeights(OptimizerHousehold state, Policy policy, bool branch, WeightSolution? solved = null)
    {
        var ctx = Built(state, policy);
        var repairs = policy.Constraints.OfType<IRepair>().ToArray();
        var reused = solved is { } done && done.Context.Model.SameProblem(ctx.Model) ? done.Solution : null;
        QpSolution sol;
        int rounds = 0, solves = 0;
        double ms = 0;
        while (true)
        {
            if (rounds++ == 0 && reused is not null) sol = reused;
            else
            {
                sol = solver.Solve(ctx.Model);
                solves++;
                ms += sol.SolveMilliseconds;
            }
            if (sol.Status != QpStatus.Optimal || rounds > MaxRepairRounds) break;
            bool changed = false;
            foreach (var r in repairs) changed |= r.Repair(ctx, sol.X);
            if (!changed) break;
        }
        var first = new WeightSolution(ctx, sol, solves, ms);
        // The wash-sale repair is a heuristic; where it kept loss lots, also try keeping the harvest (forbidding the
        // buy-back, so a substitute may be bought) and keep whichever branch has the lower objective.
        var kept = repairs.OfType<WashSaleConsistency>().SelectMany(w => w.KeptLossLots).ToHashSet(StringComparer.Ordinal);
        if (!branch || sol.Status != QpStatus.Optimal || kept.Count == 0) return first;
        // Keys already forced stay forced, so each branch forces strictly more keys and the branching ends.
        kept.UnionWith(repairs.OfType<WashSaleConsistency>().SelectMany(w => w.HarvestKeys));
        var harvestPolicy = policy with
        {
            Constraints = [.. policy.Constraints.Select(c => c is WashSaleConsistency w ? new WashSaleConsistency(kept, w.LossMargin) : c)],
        };
        var other = SolveWeights(state, harvestPolicy, branch: false);
        var total = new { Solves = first.Solves + other.Solves, Ms = first.SolveMilliseconds + other.SolveMilliseconds };
        return other.Solution.Status == QpStatus.Optimal && other.Solution.Objective < sol.Objective
            ? other with { Solves = total.Solves, SolveMilliseconds = total.Ms }
            : first with { Solves = total.Solves, SolveMilliseconds = total.Ms };
    }

    private static OptimizationContext Built(OptimizerHousehold state, Policy policy, OptimizationContext.LimitRowList? limitRows = null)
    {
        var ctx = new OptimizationContext(state, policy.IsLongOnly) { LimitRows = limitRows };
        foreach (var t in policy.Terms) t.AddTo(ctx);
        foreach (var c in policy.Constraints) c.AddTo(ctx);
        new Excluded().AddTo(ctx);   // each account's own restrictions hold whatever the policy says
        return ctx;
    }

    /// <summary>Solves; when a <see cref="TrackingError"/> term with a <see cref="TrackingError.Limit"/> ends above it, searches
    /// the weights of such terms for the plan that gains most from the other terms while tracking inside every limit (a
    /// quadratic constraint stated through its multiplier: tracking variance falls as its weight rises). A solver that takes
    /// quadratic rows finds the weights in one solve with each limit a constraint (<see cref="Constrained"/>); otherwise, or
    /// where a limit is out of reach, a search does, by rounds. Both run on the convex part of the policy (no repair
    /// passes); the full policy is then solved at the weights found, and raised again where its repairs carried it over.</summary>
    public (WeightSolution Solution, Policy Policy) SolveWithinLimits(OptimizerHousehold state, Policy policy)
    {
        if (Limited(policy).Count == 0) return (SolveWeights(state, policy), policy);
        int solves = 0;
        double ms = 0;
        var convex = policy with { Constraints = [.. policy.Constraints.Where(c => c is not IRepair)] };
        // At the policy's own weights first: most plans are inside their limits and need nothing more.
        var first = SolveWeights(state, convex);
        solves += first.Solves;
        ms += first.SolveMilliseconds;
        var (weights, reached) = first.Solution.Status == QpStatus.Optimal && Over(convex, first).Any(o => o) && solver.SolvesQuadraticRows
            && Constrained(state, convex, ref solves, ref ms) is { } found
            ? (found, [.. found.Select(_ => true)])
            : Search(state, convex, first, ref solves, ref ms);
        policy = Reweighted(policy, weights);
        // Inside the limits at the policy's own weights, the plan's first round is the solve just made.
        var ws = SolveWeights(state, policy, branch: true, solved: first);
        solves += ws.Solves;
        ms += ws.SolveMilliseconds;
        // Only terms the search brought inside their limits: raising one it could not bring inside buys nothing.
        for (int round = 0; round < 2 && ws.Solution.Status == QpStatus.Optimal && Over(policy, ws) is var over && over.Where((o, k) => o && reached[k]).Any(); round++)
        {
            var limited = Limited(policy);
            var tracking = Tracking(limited, ws);
            weights = [.. limited.Select((t, k) => over[k] && reached[k] ? Raised(t.Weight, tracking[k], t.Limit!.Value) : t.Weight)];
            policy = Reweighted(policy, weights);
            ws = SolveWeights(state, policy);
            solves += ws.Solves;
            ms += ws.SolveMilliseconds;
        }
        return (ws with { Solves = solves, SolveMilliseconds = ms }, policy);
    }

    /// <summary>The weights of the limited terms found in one solve: each limit stated as the quadratic row "tracking
    /// variance ≤ (aim × limit)²", and each weight raised by its row's multiplier (the convex program's optimum is the
    /// weighted one's at those weights). Null when the solve does not end optimal (a limit the plan cannot reach: the
    /// search then finds how close it can come).</summary>
    private double[]? Constrained(OptimizerHousehold state, Policy convex, ref int solves, ref double ms)
    {
        var limited = Limited(convex);
        var ctx = Built(state, convex, new OptimizationContext.LimitRowList(LimitAim));
        var sol = solver.Solve(ctx.Model);
        solves++;
        ms += sol.SolveMilliseconds;
        if (sol.Status != QpStatus.Optimal || sol.QuadraticMultipliers is not { } mu || ctx.LimitRows!.Count != limited.Count) return null;
        return [.. limited.Select((t, k) => Math.Min(MaxTrackingWeight, t.Weight + mu[ctx.LimitRows[k]]))];
    }

    /// <summary>The weights of the limited terms, each raised until its term is inside its limit and then moved back by a
    /// log-log secant between the last weight over the limit and the last inside, aiming just inside the limit (room for
    /// repairs and whole-share rounding). A term whose tracking no longer falls as its weight rises (held lots, blocked
    /// purchases) stays where it is. The last weights with every term inside are returned, and which terms were inside.</summary>
    private (double[] Weights, bool[] Reached) Search(OptimizerHousehold state, Policy convex, WeightSolution first, ref int solves, ref double ms)
    {
        var limited = Limited(convex);
        int n = limited.Count;
        var w = limited.Select(t => t.Weight).ToArray();
        var over = new (double Weight, double Tracking)?[n];
        var previous = new (double Weight, double Tracking)?[n];
        var inside = new (double Weight, double Tracking)?[n];
        var stuck = new bool[n];
        double[]? best = null;
        for (int round = 0; round <= MaxLimitRounds; round++)
        {
            var policy = Reweighted(convex, w);
            var ws = round == 0 ? first : SolveWeights(state, policy);
            if (round > 0)
            {
                solves += ws.Solves;
                ms += ws.SolveMilliseconds;
            }
            if (ws.Solution.Status != QpStatus.Optimal) break;
            var tracking = Tracking(Limited(policy), ws);
            bool within = true, close = true;
            for (int k = 0; k < n; k++)
            {
                double limit = limited[k].Limit!.Value;
                if (tracking[k] > limit)
                {
                    within = false;
                    if (over[k] is { } before && w[k] >= 10 * before.Weight && tracking[k] > FloorRatio * before.Tracking) stuck[k] = true;
                    if (over[k] is not { } o || o.Weight < w[k]) (previous[k], over[k]) = (over[k], (w[k], tracking[k]));
                }
                else
                {
                    if (inside[k] is not { } i || i.Weight > w[k]) inside[k] = (w[k], tracking[k]);
                    close &= tracking[k] >= LimitClose * limit || over[k] is null;
                }
            }
            if (within) best = (double[])w.Clone();
            if (within && close) break;
            var next = (double[])w.Clone();
            for (int k = 0; k < n; k++)
            {
                if (over[k] is not { } o || stuck[k]) continue;
                double aim = LimitAim * limited[k].Limit!.Value;
                if (inside[k] is not { } i)
                {
                    // Two weights over the limit: extrapolate in log-log (tracking falls more slowly than 1/weight).
                    next[k] = previous[k] is { } p && Slope(p, o) is var b && b < -0.05
                        ? Math.Min(MaxTrackingWeight, Math.Clamp(Math.Exp(Math.Log(o.Weight) + (Math.Log(aim) - Math.Log(o.Tracking)) / b), 2 * o.Weight, 100 * o.Weight))
                        : Raised(o.Weight, o.Tracking, limited[k].Limit!.Value);
                    continue;
                }
                // Bracket too narrow to matter, or not ordered: stay.
                if (i.Weight <= o.Weight * 1.05) continue;
                double slope = Slope(o, i);
                double guess = slope < 0 ? Math.Exp(Math.Log(o.Weight) + (Math.Log(aim) - Math.Log(o.Tracking)) / slope) : Math.Sqrt(o.Weight * i.Weight);
                next[k] = Math.Clamp(guess, o.Weight * 1.02, i.Weight / 1.02);
            }
            if (next.SequenceEqual(w)) break;
            w = next;
        }
        return (best ?? w, [.. inside.Select(i => i is not null)]);
    }

    /// <summary>A weight over its limit raised: tracking error falls about as 1/weight once the limit binds, so the ratio
    /// squared gets inside in few rounds.</summary>
    private static double Raised(double weight, double tracking, double limit)
    {
        double ratio = tracking / (LimitAim * limit);
        return Math.Min(MaxTrackingWeight, weight * Math.Max(2, ratio * ratio));
    }

    private static double Slope((double Weight, double Tracking) a, (double Weight, double Tracking) b) =>
        (Math.Log(b.Tracking) - Math.Log(a.Tracking)) / (Math.Log(b.Weight) - Math.Log(a.Weight));

    private static List<TrackingError> Limited(Policy policy) => [.. policy.Terms.OfType<TrackingError>().Where(t => t.Limit is not null)];

    private static double[] Tracking(List<TrackingError> limited, WeightSolution ws) =>
        [.. limited.Select(t => Math.Sqrt(Math.Max(0, t.TrackingVariance(ws.Context, ws.Solution.X))))];

    private static bool[] Over(Policy policy, WeightSolution ws)
    {
        var limited = Limited(policy);
        var tracking = Tracking(limited, ws);
        return [.. limited.Select((t, k) => tracking[k] > t.Limit!.Value && t.Weight < MaxTrackingWeight)];
    }

    /// <summary>The policy with its limited tracking terms weighted by <paramref name="weights"/>, in order.</summary>
    private static Policy Reweighted(Policy policy, double[] weights)
    {
        int k = 0;
        return policy with { Terms = [.. policy.Terms.Select(t => t is TrackingError { Limit: not null } te ? te.Weighted(weights[k++]) : t)] };
    }

    private const int MaxLimitRounds = 6;
    private const double LimitAim = 0.95;
    private const double LimitClose = 0.85;
    // A weight raised tenfold that lowers tracking by less than 3 % has reached what the plan can do (held lots, blocked
    // purchases); at low weights tracking falls slowly, so smaller steps do not judge.
    private const double FloorRatio = 0.97;
    private const double MaxTrackingWeight = 1e6;

    public RebalanceResult Optimize(HouseholdPortfolio portfolio, Policy policy)
    {
        var state = OptimizerHousehold.From(portfolio);
        (var ws, policy) = SolveWithinLimits(state, policy);
        var te = policy.Terms.OfType<TrackingError>().FirstOrDefault();
        double teBefore = te is null ? 0 : Math.Sqrt(Math.Max(0, te.TrackingVariance(ws.Context, null)));
        var status = ws.Solution.Status switch
        {
            QpStatus.Optimal => OptimizationStatus.Optimal,
            QpStatus.Infeasible => OptimizationStatus.Infeasible,
            _ => OptimizationStatus.NotConverged,
        };
        if (status != OptimizationStatus.Optimal)
            return new RebalanceResult(status, [], teBefore, teBefore, 0, 0, double.NaN, ws.Solution.Solver, ws.Solves, ws.SolveMilliseconds);
        double teAfter = te is null ? 0 : Math.Sqrt(Math.Max(0, te.TrackingVariance(ws.Context, ws.Solution.X)));
        var trades = Explain.Trades(portfolio, ws, te);
        return new RebalanceResult(status, [.. trades], teBefore, teAfter,
            trades.Sum(t => t.ShortTermGain), trades.Sum(t => t.LongTermGain),
            ws.Solution.Objective, ws.Solution.Solver, ws.Solves, ws.SolveMilliseconds);
    }
}

/// <summary>Turns solved weights into trades in shares with lots, reasons and tax effect.</summary>
internal static class Explain
{
    private const double Tiny = 1e-9;

    public static List<OptimizedTrade> Trades(HouseholdPortfolio p, WeightSolution ws, TrackingError? te)
    {
        var ctx = ws.Context;
        var st = ctx.State;
        var x = ws.Solution.X;
        decimal total = (decimal)st.TotalValue;
        var h0 = st.HouseholdWeights();
        var h1 = new double[st.N];
        for (int a = 0; a < st.Accounts.Length; a++)
            for (int i = 0; i < st.N; i++) h1[i] += ctx.Holding(a, i, x);
        var bench = new double[st.N];
        if (te is not null)
            for (int i = 0; i < st.N; i++)
                bench[i] = te.Benchmark[te.Risk.IndexOf(st.Securities[i].Symbol)] * (te.Account is null ? 1 : st.Accounts[st.AccountIndex(te.Account)].Share);

        var trades = new List<OptimizedTrade>();
        for (int a = 0; a < st.Accounts.Length; a++)
        {
            var acct = st.Accounts[a];
            var input = p.Accounts[a];
            var mine = new List<OptimizedTrade>();
            double cash1 = x[ctx.Cash(a)];
            for (int i = 0; i < st.N; i++)
            {
                if (ctx.X(a, i) < 0) continue;
                double w0 = acct.Holdings[i], w1 = x[ctx.X(a, i)];
                double buyW = x[ctx.Buy(a, i)], sellW = ctx.SoldWeight(a, i, x);
                var sec = st.Securities[i];
                decimal price = p.Prices[sec.Symbol];
                var reasons = Reasons(ctx, a, i, w0, w1, h0[i], h1[i], bench[i], acct.Cash, cash1);
                if (sellW > Tiny && sellW * st.TotalValue >= 0.005)
                {
                    var lots = new List<LotSale>();
                    decimal qty = 0, st1 = 0, lt1 = 0;
                    foreach (var s in ctx.Sells(a, i))
                    {
                        double sw = x[s.Var];
                        if (sw <= Tiny) continue;
                        if (s.Lot?.Lot is not { } lot)
                        {
                            qty += Shares((decimal)sw * total / price, acct.FractionalShares);
                            continue;
                        }
                        // Selling (nearly) the whole lot sells exactly its shares; otherwise round as the account trades.
                        decimal q = sw >= s.Lot.Weight * (1 - 1e-7) ? lot.Quantity : Math.Min(lot.Quantity, Shares((decimal)sw * total / price, acct.FractionalShares));
                        if (q <= 0) continue;
                        decimal proceeds = Math.Round(q * price, 2), basis = Math.Round(lot.BasisPerShare * q, 2), gain = proceeds - basis;
                        lots.Add(new LotSale(lot, lot.Id, q, proceeds, basis, s.Lot.Term));
                        qty += q;
                        if (acct.IsTaxable)
                        {
                            if (s.Lot.Term == HoldingTerm.Short) st1 += gain; else lt1 += gain;
                        }
                    }
                    if (qty > 0)
                    {
                        var r = reasons | (lots.Any(l => l.Gain < 0) && acct.IsTaxable ? TradeReason.Harvest : TradeReason.None);
                        mine.Add(new OptimizedTrade(acct.Id, sec.Symbol, TradeSide.Sell, qty, Math.Round(qty * price, 2), w0, w1, r, st1, lt1, [.. lots]));
                    }
                }
                if (buyW > Tiny && buyW * st.TotalValue >= 0.005)
                {
                    decimal q = Shares((decimal)buyW * total / price, acct.FractionalShares);
                    if (q > 0) mine.Add(new OptimizedTrade(acct.Id, sec.Symbol, TradeSide.Buy, q, Math.Round(q * price, 2), w0, w1, reasons, 0, 0, []));
                }
            }
            // Whole-share rounding can leave the account short of cash: trim the largest buys a share at a time.
            decimal cashAfter = input.Cash + mine.Where(t => t.Side == TradeSide.Sell).Sum(t => t.Amount) - mine.Where(t => t.Side == TradeSide.Buy).Sum(t => t.Amount);
            while (cashAfter < 0)
            {
                var largest = mine.Where(t => t.Side == TradeSide.Buy).MaxBy(t => t.Amount);
                if (largest is null) break;
                decimal step = acct.FractionalShares ? Math.Min(largest.Quantity, Math.Ceiling(-cashAfter / (largest.Amount / largest.Quantity) * 1e6m) / 1e6m) : 1;
                decimal px = largest.Amount / largest.Quantity;
                var trimmed = largest with { Quantity = largest.Quantity - step, Amount = (largest.Quantity - step) * px };
                mine.Remove(largest);
                if (trimmed.Quantity > 0) mine.Add(trimmed);
                cashAfter += step * px;
            }
            trades.AddRange(mine);
        }
        return trades;
    }

    private static decimal Shares(decimal q, bool fractional) =>
        fractional ? Math.Round(q, 6, MidpointRounding.ToZero) : Math.Floor(q);

    private static TradeReason Reasons(OptimizationContext ctx, int a, int i, double w0, double w1, double h0, double h1, double b, double cash0, double cash1)
    {
        var r = TradeReason.None;
        var m = ctx.Model;
        int xv = ctx.X(a, i);
        // Forced out: the holding may not stay (exclusion).
        if (m.UpperBound(xv) == 0 && w0 > 0) r |= TradeReason.Restriction;
        double dAccount = w1 - w0, dHousehold = h1 - h0;
        if (Math.Abs(dAccount - dHousehold) > Tiny && Math.Abs(dHousehold) < 0.5 * Math.Abs(dAccount)) r |= TradeReason.AssetLocation;
        if ((b == 0 && h0 > 0 && dAccount < 0) || (b > 0 && h0 == 0 && dAccount > 0)) r |= TradeReason.ModelChange;
        if ((dAccount > 0 && cash1 < cash0 - Tiny && cash0 > Tiny) || (dAccount < 0 && cash1 > cash0 + Tiny && cash0 < Tiny)) r |= TradeReason.Cash;
        if (Math.Abs(h1 - b) < Math.Abs(h0 - b) - Tiny) r |= TradeReason.Drift;
        if (r == TradeReason.None) r = TradeReason.Drift;
        return r;
    }
}
