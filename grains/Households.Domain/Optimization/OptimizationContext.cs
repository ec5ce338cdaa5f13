using Households.Domain.Optimization.Solvers;

namespace Households.Domain.Optimization;

/// <summary>A sell decision variable: the weight sold from one lot (or from an untracked position).</summary>
public readonly record struct SellVariable(int Var, LotPosition? Lot);

/// <summary>The decision variables of one household rebalance and the model they live in. For every
/// (account, security) the account may hold: the holding after the trade x, a buy b ≥ 0 and one sell per lot
/// s_l ∈ [0, lot], linked by x = x0 + b − Σ s_l. All of a security's variables (across accounts) form one
/// solver block, so household-level specific risk and lot choice stay local to it. Each account's cash is a
/// variable and its budget row Σ x + cash = account share keeps money inside the account.</summary>
public sealed class OptimizationContext
{
    private readonly int[,] x, buy;
    private readonly SellVariable[,][] sells;
    private readonly int[] cash;
    private readonly int[] budgetRow;

    public QpModel Model { get; }

    /// <summary>When set, terms with a limit state it as a quadratic row (at <see cref="LimitRowList.Aim"/> of the limit)
    /// and list the rows here in the order they were added.</summary>
    public LimitRowList? LimitRows { get; init; }

    /// <summary>The quadratic rows limited terms added, in order, and the fraction of each limit they aim at.</summary>
    public sealed class LimitRowList(double aim) : List<int>
    {
        public double Aim { get; } = aim;
    }
    public OptimizerHousehold State { get; }
    public bool LongOnly { get; }

    /// <summary>Gross exposure cap for long-short problems (keeps buy and short variables bounded).</summary>
    public const double LeverageCap = 10.0;

    public OptimizationContext(OptimizerHousehold state, bool longOnly)
    {
        State = state;
        LongOnly = longOnly;
        Model = new QpModel();
        int na = state.Accounts.Length, n = state.N;
        x = new int[na, n];
        buy = new int[na, n];
        sells = new SellVariable[na, n][];
        cash = new int[na];
        budgetRow = new int[na];
        for (int i = 0; i < n; i++)
        {
            int block = -1;
            for (int a = 0; a < na; a++)
            {
                var acct = state.Accounts[a];
                x[a, i] = buy[a, i] = -1;
                sells[a, i] = [];
                if (!acct.Eligible[i]) continue;
                if (block < 0) block = Model.NewBlock();
                double x0 = acct.Holdings[i], cap = acct.Share * (longOnly ? 1 : LeverageCap);
                x[a, i] = Model.AddVariable(longOnly ? 0 : double.NegativeInfinity, double.PositiveInfinity, 0, block, x0);
                buy[a, i] = Model.AddVariable(0, cap, 0, block);
                var list = new List<SellVariable>();
                foreach (var lot in acct.Lots[i])
                    list.Add(new SellVariable(Model.AddVariable(0, lot.Weight, 0, block), lot));
                if (acct.Lots[i].Count == 0 && x0 > 0)
                    list.Add(new SellVariable(Model.AddVariable(0, x0, 0, block), new LotPosition(null, x0, 0, Contracts.HoldingTerm.Long)));
                if (!longOnly)
                    list.Add(new SellVariable(Model.AddVariable(0, cap, 0, block), null));
                sells[a, i] = [.. list];
                int row = Model.AddRow(x0, x0);
                Model.AddRowTerm(row, x[a, i], 1);
                Model.AddRowTerm(row, buy[a, i], -1);
                foreach (var s in list) Model.AddRowTerm(row, s.Var, 1);
            }
        }
        for (int a = 0; a < na; a++)
        {
            var acct = state.Accounts[a];
            cash[a] = Model.AddVariable(0, double.PositiveInfinity, 0, -1, acct.Cash);
            budgetRow[a] = Model.AddRow(acct.Share, acct.Share);
            for (int i = 0; i < n; i++)
                if (x[a, i] >= 0) Model.AddRowTerm(budgetRow[a], x[a, i], 1);
            Model.AddRowTerm(budgetRow[a], cash[a], 1);
        }
    }

    /// <summary>The holding variable of (account, security), or −1 when the account cannot hold it.</summary>
    public int X(int account, int security) => x[account, security];
    public int Buy(int account, int security) => buy[account, security];
    public ReadOnlySpan<SellVariable> Sells(int account, int security) => sells[account, security];
    public int Cash(int account) => cash[account];

    /// <summary>Accounts in scope: all of them, or the one named.</summary>
    public IEnumerable<int> AccountsIn(string? account) =>
        account is null ? Enumerable.Range(0, State.Accounts.Length) : [State.AccountIndex(account)];

    /// <summary>Total weight sold from (account, security): every lot sale plus any short sale.</summary>
    public double SoldWeight(int account, int security, ReadOnlySpan<double> sol)
    {
        double s = 0;
        foreach (var v in sells[account, security]) s += sol[v.Var];
        return s;
    }

    public double Holding(int account, int security, ReadOnlySpan<double> sol) =>
        x[account, security] >= 0 ? sol[x[account, security]] : 0;
}
