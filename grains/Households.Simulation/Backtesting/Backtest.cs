using Households.Simulation.Market;
using Households.Simulation.Firms;
using Households.Domain;
using Households.Domain.Risk;
using System.Diagnostics;
using Households.Contracts;
using Households.Domain.Decisions;
using Households.Domain.Market;
using Households.Domain.Monitoring;
using Households.Simulation.Stress;

namespace Households.Simulation.Backtesting;

/// <summary>One strategy's figures over all accounts (per-account figures averaged; medians alongside). With
/// g(X) = (X/W₀)^(1/Y) − 1 the annualized growth of X over Y years from the starting value W₀, V_T the pre-tax
/// portfolio value at the end, S_T the tax savings reinvested, L_T the tax on liquidating everything on the last day:
/// <list type="bullet">
/// <item><see cref="TaxAlpha"/> = [g(V_T + S_T) − g(V_T)] − [the same for the never-harvest twin, which is 0]: the
/// after-tax minus pre-tax return, over the twin's (the industry's "after-tax active minus pre-tax active").</item>
/// <item><see cref="TaxAlphaLiquidated"/> = [g(V_T + S_T − L_T) − g(V_T)] − [g(V_T' − L_T') − g(V_T')] for the twin.</item>
/// <item><see cref="PreTaxExcessReturn"/> = g(V_T) − g(V_T'): what the replacements did to the pre-tax return (noise of
/// holding different stocks, same expected return).</item>
/// <item><see cref="AfterTaxExcessReturn"/> = g(V_T + S_T − L_T) − g(V_T' − L_T'): the whole after-tax difference,
/// liquidated.</item>
/// </list></summary>
public sealed record StrategyResult(
    string Strategy,
    double TaxAlpha,
    double TaxAlphaMedian,
    double TaxAlphaLiquidated,
    double TaxAlphaLiquidatedMedian,
    double TrackingError,
    double TrackingErrorMedian,
    double TrackingErrorMax,
    double PlannedTrackingError,
    double PreTaxExcessReturn,
    double AfterTaxExcessReturn,
    double AfterTaxReturn,
    double HarvestedLosses,
    double HarvestedLossPercent,
    double TaxSavings,
    int HarvestSales,
    int GainSales,
    int Buys,
    int WashSalesAvoided,
    int HarvestsHeld,
    int OrdersRefused,
    double DisallowedLosses,
    double Turnover,
    double TradingCosts,
    int Decisions,
    int DecisionsWithoutPlan,
    int DriftTriggers,
    double DecisionSeconds,
    double[] CumulativeLossesByMonth);

/// <summary>The outcome of a backtest. <see cref="DecisionsPerSecond"/> is per worker thread: decisions over the time
/// spent inside <see cref="DecisionEngine.Decide"/>.</summary>
public sealed record BacktestResult(
    int Accounts,
    int DirectIndexAccounts,
    int ModelAccounts,
    int Years,
    int Seed,
    string Market,
    string Funding,
    decimal ShortRate,
    decimal LongRate,
    decimal MinLossPercent,
    decimal MinLossDollars,
    decimal CostBps,
    decimal TrackingBand,
    bool HarvestIntoCash,
    double InitialValue,
    double BenchmarkReturn,
    int Decisions,
    double DecisionsPerSecond,
    double ElapsedSeconds,
    StrategyResult[] Strategies);

/// <summary>
/// The tax-alpha backtest: a simulated clock of <see cref="BacktestOptions.Years"/> × 252 trading days over one shared
/// price path; for each account every strategy in <see cref="BacktestOptions.Frequencies"/> starts from the same lots and
/// harvests on its own schedule (<see cref="StrategyRun"/>) through the live <see cref="DecisionEngine"/>; the
/// never-harvest twin is the yardstick. Accounts are the taxable direct-indexing (and optionally fund-model) accounts of a
/// <see cref="SyntheticFirm"/>, each treated as its own household (no other accounts in its wash-sale scope). Twins run
/// first; then every (account, strategy) pair runs in parallel.
/// </summary>
public static class Backtest
{
    public static BacktestResult Run(BacktestOptions options, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var clock = Stopwatch.StartNew();
        var (firm, openings) = Accounts(options);
        var universe = firm.Universe;

        var pool = new HashSet<int>(universe.StocksByMarketCap().Take(options.ReplacementPool));
        for (int i = 0; i < universe.Count; i++) if (universe[i].Kind != SecurityKind.Stock) pool.Add(i);
        foreach (var o in openings) foreach (var lot in o.Lots) pool.Add(universe.IndexOf(lot.Symbol));

        ReturnSeries? replay = options.ReplayFile is null ? null : LoadReplay(options.ReplayFile);
        var path = PricePath.Generate(universe, pool, options.Days, options.Seed, options.Start, options.FatTails, options.Regimes,
            replay, options.ReplayFile is null ? null : Path.GetFileName(options.ReplayFile));
        // The live settings with the backtest's rates and costs: the optimizer's transaction cost and the broker's slippage
        // are both the cost a leg.
        var settings = DecisionSettings.Default with
        {
            Rates = options.Rates,
            TransactionCost = (double)options.CostBps / 10_000,
            SlippageBps = (double)options.CostBps,
            Commission = 0m,
            HarvestIntoCash = options.HarvestIntoCash,
        };
        var decisionMarket = DecisionMarkets.OfUniverse(universe, settings, pool);
        var index = new SecurityIndex();
        // Ordinal j is tracked position j: a day's row of the path is the monitor's price vector.
        foreach (var j in path.Tracked) index.OrdinalOf(universe[j].Symbol);
        var market = new BacktestMarket(path, options, decisionMarket, StressFirm.Targets(firm.Models, universe), index, new TrackingRisk(decisionMarket.Risk));

        var frequencies = options.Frequencies.Distinct().OrderBy(f => f).ToArray();
        var never = Array.IndexOf(frequencies, HarvestFrequency.Never);
        var outcomes = new AccountOutcome[openings.Count][];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxParallelism, CancellationToken = cancel };
        Parallel.For(0, openings.Count, parallel, a =>
        {
            outcomes[a] = new AccountOutcome[frequencies.Length];
            outcomes[a][never] = new StrategyRun(market, HarvestFrequency.Never, openings[a]).Run(null);
        });
        // The harvesting runs, longest first (daily before annual) so the last pairs to finish are short ones.
        var pairs = (from f in Enumerable.Range(0, frequencies.Length) where f != never from a in Enumerable.Range(0, openings.Count) select (a, f)).ToArray();
        Parallel.ForEach(System.Collections.Concurrent.Partitioner.Create(pairs, loadBalance: true), parallel, pair =>
            outcomes[pair.a][pair.f] = new StrategyRun(market, frequencies[pair.f], openings[pair.a]).Run(outcomes[pair.a][never].Values));
        foreach (var row in outcomes) row[never].Values = null;

        double years = options.Years;
        var strategies = new StrategyResult[frequencies.Length];
        double initial = outcomes.Sum(o => o[never].InitialValue);
        for (int f = 0; f < frequencies.Length; f++)
        {
            var alpha = new double[outcomes.Length];
            var alphaLiq = new double[outcomes.Length];
            var te = new double[outcomes.Length];
            double afterTax = 0, preExcess = 0, afterExcess = 0, turnover = 0;
            for (int a = 0; a < outcomes.Length; a++)
            {
                var o = outcomes[a][f];
                var n = outcomes[a][never];
                double w0 = o.InitialValue;
                double pre = Annualized(o.FinalValue, w0, years), preTwin = Annualized(n.FinalValue, w0, years);
                double liq = Annualized(o.LiquidatedWealth, w0, years), liqTwin = Annualized(n.LiquidatedWealth, w0, years);
                alpha[a] = Annualized(o.FinalWealth, w0, years) - pre - (Annualized(n.FinalWealth, w0, years) - preTwin);
                alphaLiq[a] = liq - pre - (liqTwin - preTwin);
                preExcess += pre - preTwin;
                afterExcess += liq - liqTwin;
                afterTax += liq;
                te[a] = o.TrackingError;
                turnover += o.TradedNotional / 2 / o.AverageValue / years;
            }
            var byMonth = new double[outcomes[0][f].LossByMonth.Length];
            for (int a = 0; a < outcomes.Length; a++)
                for (int m = 0; m < byMonth.Length; m++) byMonth[m] += outcomes[a][f].LossByMonth[m];
            for (int m = 1; m < byMonth.Length; m++) byMonth[m] += byMonth[m - 1];
            double losses = outcomes.Sum(o => o[f].HarvestedLoss);
            int held = outcomes.Sum(o => o[f].HarvestsHeld), refused = outcomes.Sum(o => o[f].OrdersRefused);
            int count = outcomes.Length;
            strategies[f] = new StrategyResult(
                frequencies[f].Name(),
                alpha.Average(), Median(alpha), alphaLiq.Average(), Median(alphaLiq), te.Average(), Median(te), te.Max(),
                Planned(outcomes.Select(o => o[f])),
                preExcess / count, afterExcess / count, afterTax / count,
                losses, losses / initial, outcomes.Sum(o => o[f].TaxSavings),
                outcomes.Sum(o => o[f].HarvestSales), outcomes.Sum(o => o[f].GainSales), outcomes.Sum(o => o[f].Buys),
                held + refused, held, refused,
                outcomes.Sum(o => o[f].DisallowedLoss), turnover / count, outcomes.Sum(o => o[f].TradingCost),
                outcomes.Sum(o => o[f].Decisions), outcomes.Sum(o => o[f].DecisionsWithoutPlan), outcomes.Sum(o => o[f].DriftTriggers),
                outcomes.Sum(o => o[f].DecisionSeconds), byMonth);
        }
        var benchmark = outcomes.Average(o => Annualized(o[never].FinalWealth, o[never].InitialValue, years));
        int decisions = strategies.Sum(s => s.Decisions);
        double decisionSeconds = strategies.Sum(s => s.DecisionSeconds);
        return new BacktestResult(openings.Count, Math.Min(options.Accounts, openings.Count), Math.Max(0, openings.Count - options.Accounts),
            options.Years, options.Seed, path.Source, options.Funding.ToString().ToLowerInvariant(),
            options.Rates.ShortTerm, options.Rates.LongTerm, options.Policy.MinLossPercent, options.Policy.MinLossDollars, options.CostBps, options.TrackingBand,
            options.HarvestIntoCash, initial, benchmark, decisions, decisionSeconds > 0 ? decisions / decisionSeconds : 0,
            clock.Elapsed.TotalSeconds, strategies);
    }

    /// <summary>The backtest's accounts: the first <see cref="BacktestOptions.Accounts"/> taxable or trust
    /// direct-indexing accounts and the first <see cref="BacktestOptions.ModelAccounts"/> taxable or trust fund-model
    /// accounts of a synthetic firm built from the seed.</summary>
    public static (SyntheticFirm Firm, IReadOnlyList<AccountOpening> Openings) Accounts(BacktestOptions options)
    {
        var firm = SyntheticFirm.Build(int.MaxValue, options.Seed, new SyntheticFirmOptions
        {
            Stocks = options.Stocks,
            Funds = 50,
            DirectIndexShare = 0.2,
            DirectIndexStocks = options.DirectIndexStocks,
            AsOf = options.Start,
        });
        var direct = new List<AccountOpening>(options.Accounts);
        var model = new List<AccountOpening>(options.ModelAccounts);
        foreach (var household in firm.Households())
        {
            foreach (var a in household.Accounts)
            {
                if (a.Spec.Type is not (AccountType.Taxable or AccountType.Trust)) continue;
                if (a.Spec.ModelId == SyntheticFirm.DirectIndexModelId) { if (direct.Count < options.Accounts) direct.Add(a); }
                else if (model.Count < options.ModelAccounts) model.Add(a);
            }
            if (direct.Count >= options.Accounts && model.Count >= options.ModelAccounts) break;
        }
        return (firm, [.. direct, .. model]);
    }

    private static ReturnSeries LoadReplay(string path)
    {
        if (!File.Exists(path)) throw new BadInputException($"replay: file {path} does not exist");
        return ReturnSeriesFile.Load(path);
    }

    /// <summary>The engine's ex-ante tracking error after its trades, averaged over the decisions that found a plan.</summary>
    private static double Planned(IEnumerable<AccountOutcome> outcomes)
    {
        double sum = 0;
        int count = 0;
        foreach (var o in outcomes) { sum += o.PlannedTrackingErrorSum; count += o.Decisions - o.DecisionsWithoutPlan; }
        return count > 0 ? sum / count : 0;
    }

    private static double Annualized(double final, double initial, double years) =>
        final <= 0 || initial <= 0 ? -1 : Math.Pow(final / initial, 1 / years) - 1;

    private static double Median(double[] values)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        int n = sorted.Length;
        return n == 0 ? 0 : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
