using System.Runtime.InteropServices;
using Households.Contracts;
using Households.Domain.Lots;
using Households.Domain.Optimization;
using Households.Domain.Risk;
using Households.Domain.Tax;

namespace Households.Domain.Decisions;

/// <summary>How a transition is simulated. <see cref="Years"/>: at most this many calendar years (1 to
/// <see cref="MaxYears"/>). <see cref="TrackingTolerance"/>: a household whose tracking error to its models is at or below
/// it tracks them. <see cref="TaxWeight"/>: the share of the tax cost the objective charges; the client has decided to pay
/// tax up to the budget, so the budget binds and tax only orders the lots (losses first, then the least gain per dollar
/// sold, long term before short term).</summary>
public sealed record TransitionOptions(int Years = TransitionOptions.DefaultYears, double TrackingTolerance = 0.005, double TaxWeight = 0.01)
{
    public const int DefaultYears = 5;
    public const int MaxYears = 20;
}

/// <summary>Moves a legacy portfolio (securities outside its model, concentrated low-basis stock) toward its models as fast
/// as a yearly tax budget allows, simulated year by year at constant prices: each year one optimizer solve under the budget
/// (losses realized freely: the budget is on net gains, so a harvested loss makes room for as much gain), the trades applied
/// to the books, lots aging (a short-term lot held past a year turns long term, IRC §1222), and the year's row recorded.
/// It stops once the household tracks its models, when no trade is worth its cost, or after the years asked for.</summary>
public static class TransitionPlanner
{
    /// <summary>Why a plan ends: the household tracks its models (tracking error within the tolerance).</summary>
    public const string TracksModel = "tracks its model";
    /// <summary>Why a plan ends: the next year finds no trade worth its cost (or the schedules and budgets allow none).</summary>
    public const string NothingWorthItsCost = "no further trade is worth its cost";
    /// <summary>Why a plan ends: the years asked for ran out with the household still away from its models.</summary>
    public const string StillOutside = "still away from its model after the years planned";
    /// <summary>Why a plan ends: the optimizer found no plan for a year.</summary>
    public const string NoPlan = "the optimizer found no plan";

    /// <param name="realized">The household's realized-gains ledger: gains realized so far in <paramref name="asOf"/>'s year count
    /// against year one's budget (household's and each account's).</param>
    public static TransitionPlan Plan(
        string householdId,
        IReadOnlyList<AccountDecisionInput> accounts,
        IReadOnlyDictionary<string, Security> securities,
        IReadOnlyDictionary<string, decimal> prices,
        SecurityRiskModels risk,
        DecisionSettings settings,
        TransitionPolicy policy,
        AnnualTaxBudget budget,
        DateOnly asOf,
        RealizedGains? realized = null,
        TransitionOptions? options = null)
    {
        options ??= new TransitionOptions();
        if (options.Years is < 1 or > TransitionOptions.MaxYears) throw new BadInputException($"years must be between 1 and {TransitionOptions.MaxYears}");
        TransitionRules.Check(budget, "budget");
        foreach (var b in policy.AccountBudgets) TransitionRules.Check(b.Budget, $"budget of account {b.Account}");

        var books = Books(accounts, securities, prices);
        var symbols = new SortedSet<string>(books.SelectMany(b => b.Universe), StringComparer.Ordinal);
        var secs = symbols.Select(s => securities[s]).ToArray();
        var model = risk.For(secs);
        var rates = settings.Rates;
        var ytd = realized?.YearToDate(asOf) ?? new GainsSummary(0, 0, 0, 0);

        double teBefore = TrackingError(books, model, prices);
        decimal outsideBefore = Math.Round(books.Sum(b => b.OutsideModel(prices)), 2), value = Math.Round(books.Sum(b => b.Value(prices)), 2);
        var years = new List<TransitionYear>();
        int? needed = teBefore <= options.TrackingTolerance ? 0 : null;
        var conclusion = needed is null ? StillOutside : TracksModel;
        for (int k = 1; k <= options.Years && needed is null; k++)
        {
            var date = asOf.AddYears(k - 1);
            // Year one's budget is what the year's realized gains left; a year already over it may still harvest losses.
            var spent = k == 1 ? ytd : new GainsSummary(0, 0, 0, 0);
            var result = Solve(books, secs, model, prices, settings, options.TaxWeight, policy, budget, date, k == 1, k == 1 ? realized : null, spent);
            if (result.Status != OptimizationStatus.Optimal || result.Trades.Length == 0)
            {
                // Nothing worth its cost: the household is as close as it is worth bringing it (in the years before this one).
                (needed, conclusion) = result.Status == OptimizationStatus.Optimal ? (k - 1, NothingWorthItsCost) : ((int?)null, NoPlan);
                break;
            }
            var harvested = result.Trades.Where(t => books.Single(b => b.Spec.Id == t.Account).IsTaxable)
                .SelectMany(t => t.Lots).Where(l => l.Gain < 0).Sum(l => -l.Gain);
            foreach (var b in books) b.Apply(result.Trades.Where(t => t.Account == b.Spec.Id), date, k);
            var tax = Tax(spent.ShortTerm + result.ShortTermGain, spent.LongTerm + result.LongTermGain, rates) - Tax(spent.ShortTerm, spent.LongTerm, rates);
            double te = TrackingError(books, model, prices);
            years.Add(new TransitionYear(date.Year, result.ShortTermGain, result.LongTermGain, harvested, Math.Round(tax, 2), te,
                Math.Round(books.Sum(b => b.OutsideModel(prices)), 2), result.Trades.Where(t => t.Side == TradeSide.Sell).Sum(t => t.Amount), result.Trades.Length,
                [.. result.Trades.Where(t => t.Side == TradeSide.Sell).OrderBy(t => t.Account, StringComparer.Ordinal).ThenBy(t => t.Symbol, StringComparer.Ordinal)
                    .Select(t => new TransitionSale(t.Account, t.Symbol, t.Quantity, t.Amount, t.ShortTermGain + t.LongTermGain, [.. t.Lots.Select(l => l.Lot.Id)]))]));
            if (te <= options.TrackingTolerance) (needed, conclusion) = (k, TracksModel);
        }
        return new TransitionPlan(householdId, asOf, budget, ytd.ShortTerm + ytd.LongTerm, teBefore, outsideBefore, [.. years],
            years.Count > 0 ? years[^1].TrackingError : teBefore, needed, value, conclusion);
    }

    /// <summary>Estimated federal tax on a year's net short- and long-term results: each term nets within itself, then a net
    /// loss in one offsets a net gain in the other (IRC §1222); a net loss overall is no tax (the §1211(b) ordinary offset
    /// and §1212(b) carryover are left out of the estimate).</summary>
    public static decimal Tax(decimal shortTerm, decimal longTerm, TaxRates rates) => (shortTerm, longTerm) switch
    {
        ( >= 0, >= 0) => shortTerm * rates.ShortTerm + longTerm * rates.LongTerm,
        ( < 0, >= 0) => Math.Max(0, longTerm + shortTerm) * rates.LongTerm,
        ( >= 0, < 0) => Math.Max(0, shortTerm + longTerm) * rates.ShortTerm,
        _ => 0,
    };

    private static RebalanceResult Solve(List<Book> books, Security[] secs, FactorRiskModel model, IReadOnlyDictionary<string, decimal> prices,
        DecisionSettings settings, double taxWeight, TransitionPolicy policy, AnnualTaxBudget budget, DateOnly date, bool firstYear, RealizedGains? realized, GainsSummary spent)
    {
        var rates = settings.Rates;
        var portfolio = new HouseholdPortfolio(secs, secs.ToDictionary(s => s.Symbol, s => prices[s.Symbol], StringComparer.Ordinal),
            books.Select(b => new AccountHoldings(b.Spec.Id, b.Spec.Type, b.Cash, [.. b.Lots], ImmutableCollectionsMarshal.AsArray(b.Spec.Restrictions)!, b.Universe, b.Spec.FractionalShares)).ToArray(),
            date);
        var terms = new List<ITerm>
        {
            new TaxCost((double)rates.ShortTerm, (double)rates.LongTerm, taxWeight),
            new TransactionCost(settings.TransactionCost),
        };
        foreach (var b in books)
        {
            var target = new double[model.N];
            foreach (var (symbol, weight) in b.Target) target[model.IndexOf(symbol)] = weight;
            terms.Add(new TrackingError(model, target, b.Spec.Id));
        }
        var constraints = new List<IConstraint> { new LongOnly(), new WashSaleConsistency(), new MinTradeSize(settings.MinTrade) };
        constraints.Add(Budget(budget, null, spent, rates));
        foreach (var ab in policy.AccountBudgets)
        {
            if (!books.Any(b => b.Spec.Id == ab.Account)) continue;
            var own = realized?.YearToDate(date, ab.Account) ?? new GainsSummary(0, 0, 0, 0);
            constraints.Add(Budget(ab.Budget, ab.Account, own, rates));
        }
        // Year one has the quarters left in it; later years are whole (their trades dated on the plan date's anniversary).
        var quarters = firstYear ? SellDownRules.QuartersLeft(date) : 4;
        var inputs = books.Select(b => new AccountDecisionInput(b.Spec, b.Cash, [.. b.Lots], null, 0m));
        constraints.AddRange(SellDownRules.For(policy.SellDowns, inputs, s => prices.TryGetValue(s, out var p) ? p : null, quarters).All);
        return new RebalanceOptimizer().Optimize(portfolio, new Policy(terms, constraints));
    }

    /// <summary>A household's plan as the API and the preview show it: its accounts' securities and prices looked up, its
    /// policy over the firm's settings, and tax priced at its marginal rates on gains (its tax profile and the year so far).</summary>
    public static TransitionPlan ForHousehold(HouseholdSpec spec, IReadOnlyList<AccountDecisionInput> accounts, Func<string, Security?> find,
        Func<string, decimal?> price, SecurityRiskModels risk, DecisionSettings firm, TransitionPolicy policy, AnnualTaxBudget budget, DateOnly asOf,
        RealizedGains realized, TransitionOptions? options = null)
    {
        var symbols = accounts.SelectMany(a => a.Lots.Select(l => l.Symbol).Concat(a.Target?.Weights.Where(w => w.Level == DriftLevel.Security).Select(w => w.Key) ?? []))
            .Distinct(StringComparer.Ordinal).ToArray();
        var securities = symbols.Select(find).OfType<Security>().ToDictionary(s => s.Symbol, StringComparer.Ordinal);
        var prices = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var s in symbols) if (price(s) is { } p) prices[s] = p;
        var marginal = TaxProfiles.Marginal(spec.Tax, realized.YearToDate(asOf), firm.Rates);
        var settings = firm.ForHousehold(spec.Policy) with { Rates = new TaxRates(marginal.ShortTermGain, marginal.LongTermGain) };
        return Plan(spec.Id, accounts, securities, prices, risk, settings, policy, budget, asOf, realized, options);
    }

    /// <summary>The household's transition rules as a live decision obeys them: the yearly budgets (the household's and each
    /// account's, less what this year realized so far) and the sell-down schedules for the current quarter (less what the
    /// quarter sold already). Each constraint names the account it binds (null: the household).</summary>
    public static IReadOnlyList<(string? Account, IConstraint Constraint)> LiveRules(TransitionPolicy policy, IReadOnlyList<AccountDecisionInput> accounts,
        RealizedGains realized, Func<string, decimal?> price, DateOnly today, TaxRates rates)
    {
        var rules = new List<(string? Account, IConstraint Constraint)>();
        if (policy.Budget is { } budget) rules.Add((null, Budget(budget, null, realized.YearToDate(today), rates)));
        foreach (var ab in policy.AccountBudgets) rules.Add((ab.Account, Budget(ab.Budget, ab.Account, realized.YearToDate(today, ab.Account), rates)));
        var sellDowns = SellDownRules.For(policy.SellDowns, accounts, price, 1,
            (account, symbol) => SellDownRules.SoldThisQuarter(realized.Rows(account, today.Year, today), account, symbol, today));
        rules.AddRange(sellDowns.Caps.Select(c => ((string?)c.Account, (IConstraint)c)));
        rules.AddRange(sellDowns.Floors.Select(f => ((string?)f.Account, (IConstraint)f)));
        rules.AddRange(policy.SellDowns.Where(s => s.GiftedLots.Length > 0 && accounts.Any(a => a.Spec.Id == s.Account))
            .Select(s => ((string?)s.Account, (IConstraint)new GiftedLots(s.Account, s.GiftedLots))));
        return rules;
    }

    /// <summary>A budget as a constraint: net gains (the household's through <see cref="TaxBudget"/>), or estimated tax. What
    /// was spent is capped at the budget, so a year already over it can still harvest losses (no trade stays feasible).</summary>
    private static IConstraint Budget(AnnualTaxBudget budget, string? account, GainsSummary spent, TaxRates rates)
    {
        if (budget.Unit == TaxBudgetUnit.Tax)
            return new GainBudget(budget.Amount, Math.Min(budget.Amount, Tax(spent.ShortTerm, spent.LongTerm, rates)), account, rates);
        var net = Math.Min(budget.Amount, spent.ShortTerm + spent.LongTerm);
        return account is null ? new TaxBudget(budget.Amount, net) : new GainBudget(budget.Amount, net, account);
    }

    /// <summary>Household tracking error: its weights against its accounts' targets weighted by account value.</summary>
    private static double TrackingError(List<Book> books, FactorRiskModel model, IReadOnlyDictionary<string, decimal> prices)
    {
        double total = (double)books.Sum(b => b.Value(prices));
        if (total <= 0) return 0;
        var active = new double[model.N];
        foreach (var b in books)
        {
            double share = (double)b.Value(prices) / total;
            foreach (var (symbol, weight) in b.Target) active[model.IndexOf(symbol)] -= share * weight;
            foreach (var lot in b.Lots) active[model.IndexOf(lot.Symbol)] += (double)(lot.Quantity * prices[lot.Symbol]) / total;
        }
        return Math.Sqrt(Math.Max(0, model.Variance(active)));
    }

    private static List<Book> Books(IReadOnlyList<AccountDecisionInput> accounts, IReadOnlyDictionary<string, Security> securities,
        IReadOnlyDictionary<string, decimal> prices)
    {
        var books = new List<Book>();
        foreach (var a in accounts.Where(a => a.Target is not null))
        {
            var target = a.Target!.Weights.Where(w => w.Level == DriftLevel.Security && securities.TryGetValue(w.Key, out var s) && s.Kind != SecurityKind.Cash && prices.ContainsKey(w.Key))
                .Select(w => (w.Key, (double)w.Weight)).ToList();
            var unpriced = a.Lots.FirstOrDefault(l => !securities.ContainsKey(l.Symbol) || !prices.ContainsKey(l.Symbol));
            if (unpriced is not null) throw new BadInputException($"account {a.Spec.Id}: no price or security for {unpriced.Symbol}; a transition needs every holding priced");
            var universe = target.Select(t => t.Key).Concat(a.Lots.Select(l => l.Symbol)).ToHashSet(StringComparer.Ordinal);
            books.Add(new Book(a.Spec, a.Cash, [.. a.Lots], target, universe));
        }
        if (books.Count == 0) throw new BadInputException("no account of the household has a model to move to");
        return books;
    }

    /// <summary>One account's books as the simulation moves them.</summary>
    private sealed class Book(AccountSpec spec, decimal cash, List<TaxLot> lots, List<(string Key, double Weight)> target, HashSet<string> universe)
    {
        public AccountSpec Spec { get; } = spec;
        public decimal Cash { get; private set; } = cash;
        public List<TaxLot> Lots { get; } = lots;
        public List<(string Key, double Weight)> Target { get; } = target;
        public HashSet<string> Universe { get; } = universe;
        public bool IsTaxable => Spec.Type is AccountType.Taxable or AccountType.Trust;

        public decimal Value(IReadOnlyDictionary<string, decimal> prices) => Cash + Lots.Sum(l => l.Quantity * prices[l.Symbol]);

        /// <summary>Market value of holdings that are no line of the account's model.</summary>
        public decimal OutsideModel(IReadOnlyDictionary<string, decimal> prices) =>
            Lots.Where(l => !Target.Any(t => t.Key == l.Symbol)).Sum(l => l.Quantity * prices[l.Symbol]);

        /// <summary>Applies a year's trades: sold lots shrink (the rest keeps its basis per share), buys open lots dated that day.</summary>
        public void Apply(IEnumerable<OptimizedTrade> trades, DateOnly date, int year)
        {
            int n = 0;
            foreach (var t in trades.OrderBy(t => t.Side == TradeSide.Buy))
            {
                if (t.Side == TradeSide.Sell)
                {
                    foreach (var sale in t.Lots)
                    {
                        int i = Lots.FindIndex(l => l.Id == sale.Lot.Id);
                        var lot = Lots[i];
                        if (sale.Quantity >= lot.Quantity) Lots.RemoveAt(i);
                        else Lots[i] = lot with { Quantity = lot.Quantity - sale.Quantity, Basis = lot.Basis - sale.Basis };
                    }
                    Cash += t.Amount;
                }
                else
                {
                    Lots.Add(new TaxLot($"{Spec.Id}-Y{year}-{++n}", t.Symbol, t.Quantity, t.Amount, date, date));
                    Cash -= t.Amount;
                }
            }
            Cash = Math.Max(0, Cash);
        }
    }
}
