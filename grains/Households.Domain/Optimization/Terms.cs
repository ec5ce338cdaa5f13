using Households.Contracts;
using Households.Domain.Risk;

namespace Households.Domain.Optimization;

/// <summary>Tracking variance (w − b)ᵀ Σ (w − b) under a factor model Σ = B F Bᵀ + D, times
/// <see cref="Weight"/>. Factor exposures y = Bᵀ(w − b) are variables (one solver block carrying F), and the
/// specific part stays inside each security's block, so the Hessian is block diagonal and the global rows are
/// only the k exposure definitions. <see cref="Account"/> null tracks household weights; otherwise the
/// account's own weights (holding over account value) against its target. <see cref="Limit"/>: the tracking error the
/// solution must stay within; <see cref="RebalanceOptimizer"/> raises <see cref="Weight"/> until it does (a quadratic
/// constraint stated through its multiplier). <paramref name="scope"/> (with no account): the household weights of those
/// accounts only, against a benchmark in household weights of their share — a household objective that leaves out accounts
/// tracking their own model.</summary>
public sealed class TrackingError(FactorRiskModel risk, double[] benchmark, string? account = null, double weight = 1.0, double? limit = null,
    IReadOnlySet<string>? scope = null) : ITerm
{
    public double? Limit { get; } = limit;

    /// <summary>The same term with another weight.</summary>
    public TrackingError Weighted(double newWeight) => new(Risk, Benchmark, Account, newWeight, Limit, scope);

    private IEnumerable<int> AccountsIn(OptimizationContext ctx) =>
        scope is null || Account is not null ? ctx.AccountsIn(Account) : ctx.AccountsIn(null).Where(a => scope.Contains(ctx.State.Accounts[a].Id));

    public FactorRiskModel Risk { get; } = risk;
    public double[] Benchmark { get; } = benchmark.Length == risk.N ? benchmark
        : throw new BadInputException($"tracking error: benchmark has {benchmark.Length} weights, risk model {risk.N} securities");
    public string? Account { get; } = account;
    public double Weight { get; } = weight;

    /// <summary>Adds Weight × tracking variance to the objective; where the context states limits as rows
    /// (<see cref="OptimizationContext.LimitRows"/>) and this term has one, also the row "tracking variance ≤ (aim × limit)²"
    /// from the same entries, so the row's multiplier is what the weight must rise by to keep the limit.</summary>
    public void AddTo(OptimizationContext ctx)
    {
        var m = ctx.Model;
        var st = ctx.State;
        int k = Risk.K;
        var accounts = AccountsIn(ctx).ToArray();
        int limitRow = ctx.LimitRows is { } rows && Limit is { } limit ? m.AddQuadraticRow(Math.Pow(rows.Aim * limit, 2)) : -1;
        if (limitRow >= 0) ctx.LimitRows!.Add(limitRow);
        // The objective's coefficients are computed as they always were (the same bits); the row's without the weight.
        void Quadratic(int i, int j, double objective, double row)
        {
            m.AddQuadratic(i, j, objective);
            if (limitRow >= 0) m.AddQuadraticRowTerm(limitRow, i, j, row);
        }
        double scale = Account is null ? 1 : 1 / st.Accounts[accounts[0]].Share;
        var map = new int[st.N];
        for (int i = 0; i < st.N; i++) map[i] = Risk.IndexOf(st.Securities[i].Symbol);

        // Exposure variables y_f = Σ_i B_if (s·x_i − b_i): free, one block with the factor covariance.
        var active0 = ActiveWeights(ctx, null);
        int yBlock = m.NewBlock();
        var y = new int[k];
        for (int f = 0; f < k; f++)
        {
            double hint = 0;
            for (int r = 0; r < Risk.N; r++) hint += Risk.B[r, f] * active0[r];
            y[f] = m.AddVariable(double.NegativeInfinity, double.PositiveInfinity, 0, yBlock, hint);
        }
        for (int f = 0; f < k; f++)
        {
            Quadratic(y[f], y[f], Weight * Risk.F[f, f], Risk.F[f, f]);
            for (int g = f + 1; g < k; g++) Quadratic(y[f], y[g], 2 * Weight * Risk.F[f, g], 2 * Risk.F[f, g]);
        }
        for (int f = 0; f < k; f++)
        {
            double rhs = 0;
            for (int r = 0; r < Risk.N; r++) rhs += Risk.B[r, f] * Benchmark[r];
            int row = m.AddRow(rhs, rhs);
            m.AddRowTerm(row, y[f], -1);
            for (int i = 0; i < st.N; i++)
            {
                double bif = Risk.B[map[i], f] * scale;
                if (bif == 0) continue;
                foreach (int a in accounts)
                    if (ctx.X(a, i) >= 0) m.AddRowTerm(row, ctx.X(a, i), bif);
            }
        }
        // Specific risk D_i (s·Σ_a x_a,i − b_i)², expanded; the b² part is a constant.
        double constant = 0;
        for (int r = 0; r < Risk.N; r++) constant += Risk.D[r] * Benchmark[r] * Benchmark[r];
        m.ObjectiveConstant += Weight * constant;
        if (limitRow >= 0) m.AddQuadraticRowConstant(limitRow, constant);
        var vars = new List<int>(accounts.Length);
        for (int i = 0; i < st.N; i++)
        {
            double d = Risk.D[map[i]] * Weight, dRow = Risk.D[map[i]];
            if (dRow == 0 || (d == 0 && limitRow < 0)) continue;
            vars.Clear();
            foreach (int a in accounts)
                if (ctx.X(a, i) >= 0) vars.Add(ctx.X(a, i));
            double b = Benchmark[map[i]];
            for (int p = 0; p < vars.Count; p++)
            {
                Quadratic(vars[p], vars[p], d * scale * scale, dRow * scale * scale);
                for (int q = p + 1; q < vars.Count; q++) Quadratic(vars[p], vars[q], 2 * d * scale * scale, 2 * dRow * scale * scale);
                m.AddCost(vars[p], -2 * d * scale * b);
                if (limitRow >= 0) m.AddQuadraticRowCost(limitRow, vars[p], -2 * dRow * scale * b);
            }
        }
    }

    /// <summary>Active weights (s·w − b) over the risk model's securities, at a solution or (null) before trading.</summary>
    public double[] ActiveWeights(OptimizationContext ctx, double[]? solution)
    {
        var st = ctx.State;
        var a = (double[])Benchmark.Clone();
        for (int r = 0; r < a.Length; r++) a[r] = -a[r];
        foreach (int acc in AccountsIn(ctx))
        {
            double scale = Account is null ? 1 : 1 / st.Accounts[acc].Share;
            for (int i = 0; i < st.N; i++)
            {
                double w = solution is null ? st.Accounts[acc].Holdings[i] : ctx.Holding(acc, i, solution);
                if (w != 0) a[Risk.IndexOf(st.Securities[i].Symbol)] += scale * w;
            }
        }
        return a;
    }

    public double TrackingVariance(OptimizationContext ctx, double[]? solution) => Risk.Variance(ActiveWeights(ctx, solution));
}

/// <summary>Expected return (alpha): a benefit of α_i per unit of weight held, times <see cref="Weight"/>.</summary>
public sealed class ExpectedReturn(IReadOnlyDictionary<string, double> alpha, double weight = 1.0) : ITerm
{
    public void AddTo(OptimizationContext ctx)
    {
        var st = ctx.State;
        for (int i = 0; i < st.N; i++)
        {
            if (!alpha.TryGetValue(st.Securities[i].Symbol, out var a) || !double.IsFinite(a)) continue;
            for (int k = 0; k < st.Accounts.Length; k++)
                if (ctx.X(k, i) >= 0) ctx.Model.AddCost(ctx.X(k, i), -weight * a);
        }
    }
}

/// <summary>Tax on realized gains, lot by lot, in taxable accounts: selling weight s from a lot costs
/// s × gain ratio × rate (short- or long-term by the lot's holding period). A loss has a negative gain ratio,
/// so harvesting it is a benefit at the rate of the term it offsets. Units: fractions of household value.
/// <paramref name="lossCounts"/> (account, lot) says whether a loss is worth harvesting (the account's harvest
/// thresholds); a loss that is not is sold tax-neutral, so the optimizer does not churn small losses. A loss is valued at
/// <paramref name="shortTermLossRate"/> / <paramref name="longTermLossRate"/> when given: what a dollar more of loss saves
/// given the household's year (<see cref="Tax.TaxProfiles"/>) differs from what a dollar more of gain costs.</summary>
public sealed class TaxCost(double shortTermRate, double longTermRate, double weight = 1.0, Func<string, LotPosition, bool>? lossCounts = null,
    double? shortTermLossRate = null, double? longTermLossRate = null) : ITerm
{
    public double ShortTermRate { get; } = shortTermRate;
    public double LongTermRate { get; } = longTermRate;
    public double ShortTermLossRate { get; } = shortTermLossRate ?? shortTermRate;
    public double LongTermLossRate { get; } = longTermLossRate ?? longTermRate;

    /// <summary>The cost per unit of weight sold of a lot: its gain ratio at its term's rate (a loss at the loss rate).</summary>
    public double RateOf(LotPosition lot) => lot.GainRatio >= 0
        ? lot.Term == HoldingTerm.Short ? ShortTermRate : LongTermRate
        : lot.Term == HoldingTerm.Short ? ShortTermLossRate : LongTermLossRate;

    public void AddTo(OptimizationContext ctx)
    {
        var st = ctx.State;
        for (int a = 0; a < st.Accounts.Length; a++)
        {
            if (!st.Accounts[a].IsTaxable) continue;
            for (int i = 0; i < st.N; i++)
                foreach (var s in ctx.Sells(a, i))
                    if (s.Lot is { Lot: not null } lot && (lot.GainRatio >= 0 || lossCounts is null || lossCounts(st.Accounts[a].Id, lot)))
                        ctx.Model.AddCost(s.Var, weight * lot.GainRatio * RateOf(lot));
        }
    }
}

/// <summary>Trading cost: <see cref="Linear"/> per unit of weight bought or sold (spread and commission,
/// as a fraction of value traded) plus an optional quadratic market-impact coefficient.</summary>
/// <summary>A cost per unit of weight bought of <paramref name="symbols"/> in any account: securities a taxable lot of the
/// household holds near its basis, where a purchase today would wash that lot's loss if it fell within 30 days. It steers
/// a top-up to a substitute when one tracks as well, and leaves the purchase when none does.</summary>
public sealed class PurchaseRisk(IReadOnlySet<string> symbols, double cost) : ITerm
{
    public void AddTo(OptimizationContext ctx)
    {
        var st = ctx.State;
        for (int i = 0; i < st.N; i++)
        {
            if (!symbols.Contains(st.Securities[i].Symbol)) continue;
            for (int a = 0; a < st.Accounts.Length; a++)
                if (ctx.Buy(a, i) >= 0) ctx.Model.AddCost(ctx.Buy(a, i), cost);
        }
    }
}

public sealed class TransactionCost(double linear, double impact = 0, IReadOnlyDictionary<string, double>? perSecurity = null) : ITerm
{
    public double Linear { get; } = linear;

    public void AddTo(OptimizationContext ctx)
    {
        var st = ctx.State;
        var m = ctx.Model;
        for (int i = 0; i < st.N; i++)
        {
            double c = perSecurity is not null && perSecurity.TryGetValue(st.Securities[i].Symbol, out var own) ? own : Linear;
            for (int a = 0; a < st.Accounts.Length; a++)
            {
                if (ctx.Buy(a, i) < 0) continue;
                m.AddCost(ctx.Buy(a, i), c);
                var sells = ctx.Sells(a, i);
                foreach (var s in sells) m.AddCost(s.Var, c);
                if (impact <= 0) continue;
                m.AddQuadratic(ctx.Buy(a, i), ctx.Buy(a, i), impact);
                for (int p = 0; p < sells.Length; p++)
                {
                    m.AddQuadratic(sells[p].Var, sells[p].Var, impact);
                    for (int q = p + 1; q < sells.Length; q++) m.AddQuadratic(sells[p].Var, sells[q].Var, 2 * impact);
                }
            }
        }
    }
}

/// <summary>Asset location: a yearly after-tax drag per unit of weight of a security held in an account of a
/// given type, times <see cref="Weight"/> (the horizon in years). The default table: in taxable accounts income
/// is taxed yearly and half of the price growth is taxed at the long-term rate (deferral); in a traditional IRA
/// growth is later taxed as ordinary income instead of at the capital-gains rate; Roth and 529 growth is tax-free.
/// So bond funds (all income) prefer the IRA, tax-efficient equity prefers taxable over IRA, and the highest
/// growth gains most from the Roth.</summary>
public sealed class AssetLocation(Func<Security, AccountType, double> drag, double weight = 1.0, IReadOnlySet<string>? scope = null) : ITerm
{
    public static AssetLocation Default(double ordinaryRate = 0.37, double longTermRate = 0.20, double weight = 1.0) =>
        new((sec, type) =>
        {
            var (total, income) = sec.Kind switch
            {
                SecurityKind.BondFund => (0.04, 0.04),
                SecurityKind.Cash => (0.03, 0.03),
                _ => (0.07, 0.015),
            };
            double incomeRate = sec.Kind is SecurityKind.BondFund or SecurityKind.Cash ? ordinaryRate : longTermRate;
            return type switch
            {
                AccountType.Taxable or AccountType.Trust => income * incomeRate + (total - income) * longTermRate * 0.5,
                AccountType.Ira => (total - income) * (ordinaryRate - longTermRate),
                _ => 0.0,
            };
        }, weight);

    public double Drag(Security s, AccountType t) => drag(s, t);

    /// <summary>The drag beyond the best of <paramref name="types"/> (a household's account types) for each security: holding
    /// it where it belongs costs nothing, so the term moves securities between accounts rather than rewarding selling them.
    /// An absolute drag is a cost on holding anything at all, and against a quadratic tracking error it sold whole positions
    /// into cash.</summary>
    public AssetLocation RelativeTo(IReadOnlyCollection<AccountType> types) =>
        new((s, t) => drag(s, t) - types.Min(other => drag(s, other)), weight, scope);

    /// <summary>The same term over some accounts only (by id): the ones whose securities may move between them.</summary>
    public AssetLocation Over(IReadOnlySet<string> accounts) => new(drag, weight, accounts);

    public void AddTo(OptimizationContext ctx)
    {
        var st = ctx.State;
        for (int a = 0; a < st.Accounts.Length; a++)
        {
            if (scope is not null && !scope.Contains(st.Accounts[a].Id)) continue;
            for (int i = 0; i < st.N; i++)
                if (ctx.X(a, i) >= 0) ctx.Model.AddCost(ctx.X(a, i), weight * drag(st.Securities[i], st.Accounts[a].Type));
        }
    }
}

/// <summary>Cash an account leaves uninvested beyond <paramref name="maximum"/> dollars costs <paramref name="penalty"/> per
/// unit of household weight: a direct index stays invested (issue #15: cash under 0.5 % unless the client needs it) even
/// where the tracking error a little cash adds is worth less than the cost of buying. Soft, so a plan whose purchases are
/// all blocked by the tax rules still exists.</summary>
public sealed class CashPenalty(string account, decimal maximum, double penalty) : ITerm
{
    public void AddTo(OptimizationContext ctx)
    {
        int a = ctx.State.AccountIndex(account);
        // excess ≥ cash − maximum, excess ≥ 0, priced.
        int excess = ctx.Model.AddVariable(0, double.PositiveInfinity, penalty);
        int row = ctx.Model.AddRow(double.NegativeInfinity, (double)maximum / ctx.State.TotalValue);
        ctx.Model.AddRowTerm(row, ctx.Cash(a), 1);
        ctx.Model.AddRowTerm(row, excess, -1);
    }
}

/// <summary>Drift bands as a soft objective: each model line's post-trade weight in its account (the security plus the
/// substitutes held in its place) beyond target ± tolerance costs <paramref name="penalty"/> per unit of household weight
/// outside the band. The tracking-error term alone may leave a line outside the band the monitor watches when a similar
/// security stands in; a hard constraint would fight the tax rules (a held lot, a blocked purchase), a price does not.</summary>
public sealed class BandPenalty(string account, IReadOnlyList<(IReadOnlyList<string> Symbols, double Target, double Tolerance)> lines, double penalty) : ITerm
{
    /// <summary>The symbol that stands for the account's cash in a line (a model's cash sleeve is the account's cash).</summary>
    public const string AccountCash = "$cash";

    /// <summary>The share of a band the penalty lets a line use: a line brought back only to the band's edge is out again
    /// with the next day's prices, so plans aim inside it.</summary>
    public const double Aim = 0.75;

    public void AddTo(OptimizationContext ctx)
    {
        var st = ctx.State;
        int a = st.AccountIndex(account);
        double share = st.Accounts[a].Share;
        foreach (var (symbols, target, tolerance) in lines)
        {
            var vars = new List<int>();
            foreach (var s in symbols)
                if (s == AccountCash) vars.Add(ctx.Cash(a));
                else if (st.IndexOf(s) is var i and >= 0 && ctx.X(a, i) >= 0) vars.Add(ctx.X(a, i));
            if (vars.Count == 0) continue;
            // over ≥ Σx − share·(t + tol), under ≥ share·(t − tol) − Σx, both ≥ 0 and priced.
            int over = ctx.Model.AddVariable(0, double.PositiveInfinity, penalty), under = ctx.Model.AddVariable(0, double.PositiveInfinity, penalty);
            int high = ctx.Model.AddRow(double.NegativeInfinity, share * (target + tolerance));
            int low = ctx.Model.AddRow(share * (target - tolerance), double.PositiveInfinity);
            foreach (var v in vars) { ctx.Model.AddRowTerm(high, v, 1); ctx.Model.AddRowTerm(low, v, 1); }
            ctx.Model.AddRowTerm(high, over, -1);
            ctx.Model.AddRowTerm(low, under, 1);
        }
    }
}
