using Households.Contracts;

namespace Households.Domain.Optimization;

/// <summary>One account as the optimizer sees it. <see cref="Universe"/> lists what the account may buy
/// (its model's or index's securities); null allows every security of the portfolio.</summary>
public sealed record AccountHoldings(
    string Id,
    AccountType Type,
    decimal Cash,
    IReadOnlyList<TaxLot> Lots,
    IReadOnlyList<Restriction> Restrictions,
    IReadOnlyCollection<string>? Universe = null,
    bool FractionalShares = true);

/// <summary>A household's accounts priced on one date: the optimizer's input.</summary>
public sealed record HouseholdPortfolio(
    IReadOnlyList<Security> Securities,
    IReadOnlyDictionary<string, decimal> Prices,
    IReadOnlyList<AccountHoldings> Accounts,
    DateOnly AsOf);

/// <summary>A lot in weight units: <see cref="Weight"/> is its market value over household value and
/// <see cref="GainRatio"/> its unrealized gain per unit of market value (negative for a loss).</summary>
public sealed record LotPosition(TaxLot? Lot, double Weight, double GainRatio, HoldingTerm Term);

/// <summary>An account in weight units (fractions of the household's total value).</summary>
public sealed class OptimizerAccount
{
    public required string Id { get; init; }
    public required AccountType Type { get; init; }
    public required double Share { get; init; }
    public required double Cash { get; init; }
    public required double[] Holdings { get; init; }
    public required List<LotPosition>[] Lots { get; init; }
    public required bool[] Eligible { get; init; }
    public required IReadOnlyList<Restriction> Restrictions { get; init; }
    public bool FractionalShares { get; init; } = true;
    public bool IsTaxable => Type is AccountType.Taxable or AccountType.Trust;
}

/// <summary>The household in weight space: what terms and constraints read. Money stays decimal in the inputs
/// and results; the solver works in doubles.</summary>
public sealed class OptimizerHousehold
{
    public required Security[] Securities { get; init; }
    public required double[] Prices { get; init; }
    public required OptimizerAccount[] Accounts { get; init; }
    public required double TotalValue { get; init; }
    public DateOnly AsOf { get; init; }
    private Dictionary<string, int>? index;

    public int N => Securities.Length;

    public int IndexOf(string symbol)
    {
        index ??= Securities.Select((s, i) => (s.Symbol, i)).ToDictionary(p => p.Symbol, p => p.i, StringComparer.Ordinal);
        return index.TryGetValue(symbol, out var i) ? i : -1;
    }

    public int AccountIndex(string id) =>
        Array.FindIndex(Accounts, a => a.Id == id) is var i and >= 0 ? i : throw new BadInputException($"no account {id}");

    /// <summary>Household weight of each security (sum over accounts).</summary>
    public double[] HouseholdWeights()
    {
        var h = new double[N];
        foreach (var a in Accounts)
            for (int i = 0; i < N; i++) h[i] += a.Holdings[i];
        return h;
    }

    public static OptimizerHousehold From(HouseholdPortfolio p)
    {
        var secs = p.Securities.ToArray();
        var idx = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < secs.Length; i++)
            if (!idx.TryAdd(secs[i].Symbol, i)) throw new BadInputException($"security {secs[i].Symbol} listed twice");
        var prices = new double[secs.Length];
        for (int i = 0; i < secs.Length; i++)
        {
            if (!p.Prices.TryGetValue(secs[i].Symbol, out var px) || px <= 0)
                throw new BadInputException($"no positive price for {secs[i].Symbol}");
            prices[i] = (double)px;
        }
        decimal total = 0;
        foreach (var a in p.Accounts)
        {
            if (a.Cash < 0) throw new BadInputException($"account {a.Id}: negative cash");
            total += a.Cash;
            foreach (var lot in a.Lots)
            {
                if (!idx.TryGetValue(lot.Symbol, out var i)) throw new BadInputException($"lot {lot.Id}: unknown security {lot.Symbol}");
                if (lot.Quantity <= 0) throw new BadInputException($"lot {lot.Id}: quantity must be positive");
                total += lot.Quantity * p.Prices[lot.Symbol];
            }
        }
        if (total <= 0) throw new BadInputException("household has no value to optimize");
        double v = (double)total;
        var accounts = new OptimizerAccount[p.Accounts.Count];
        for (int k = 0; k < accounts.Length; k++)
        {
            var a = p.Accounts[k];
            var holdings = new double[secs.Length];
            var lots = new List<LotPosition>[secs.Length];
            for (int i = 0; i < secs.Length; i++) lots[i] = [];
            decimal value = a.Cash;
            foreach (var lot in a.Lots)
            {
                int i = idx[lot.Symbol];
                decimal mv = lot.Quantity * p.Prices[lot.Symbol];
                value += mv;
                double w = (double)mv / v;
                holdings[i] += w;
                var term = lot.HoldingSince.AddYears(1) < p.AsOf ? HoldingTerm.Long : HoldingTerm.Short;
                lots[i].Add(new LotPosition(lot, w, (double)((mv - lot.Basis) / mv), term));
            }
            var eligible = new bool[secs.Length];
            if (a.Universe is null) Array.Fill(eligible, true);
            else
                foreach (var s in a.Universe)
                    eligible[idx.TryGetValue(s, out var i) ? i : throw new BadInputException($"account {a.Id}: universe names unknown security {s}")] = true;
            for (int i = 0; i < secs.Length; i++) eligible[i] |= holdings[i] > 0;
            accounts[k] = new OptimizerAccount
            {
                Id = a.Id, Type = a.Type, Share = (double)value / v, Cash = (double)a.Cash / v, Holdings = holdings, Lots = lots,
                Eligible = eligible, Restrictions = a.Restrictions, FractionalShares = a.FractionalShares,
            };
        }
        return new OptimizerHousehold { Securities = secs, Prices = prices, Accounts = accounts, TotalValue = v, AsOf = p.AsOf };
    }
}
