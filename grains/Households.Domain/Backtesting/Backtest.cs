using Households.Domain.Risk;
using System.Diagnostics;
using Households.Contracts;
using Households.Domain.Harvesting;
using Households.Domain.Market;

namespace Households.Domain.Backtesting;

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
    double PreTaxExcessReturn,
    double AfterTaxExcessReturn,
    double AfterTaxReturn,
    double HarvestedLosses,
    double HarvestedLossPercent,
    double TaxSavings,
    int HarvestSales,
    int ReplacementBuys,
    int WashSalesAvoided,
    int SkippedRecentPurchase,
    int SkippedBlackout,
    int ReplacementsRerouted,
    double DisallowedLosses,
    double TrackingError,
    double Turnover,
    double TradingCosts,
    double[] CumulativeLossesByMonth,
    int SwapBacks);

/// <summary>The outcome of a backtest.</summary>
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
    bool SwapBack,
    double InitialValue,
    double BenchmarkReturn,
    double ElapsedSeconds,
    StrategyResult[] Strategies);

/// <summary>
/// The tax-alpha backtest: a simulated clock of <see cref="BacktestOptions.Years"/> × 252 trading days over one shared
/// price path; for each account every strategy in <see cref="BacktestOptions.Frequencies"/> starts from the same lots and
/// harvests on its own schedule (<see cref="StrategyRun"/>); the never-harvest twin is the yardstick. Accounts are the
/// taxable direct-indexing (and optionally fund-model) accounts of a <see cref="SyntheticFirm"/>, each treated as its own
/// household (no other accounts in its wash-sale scope). Accounts are independent and run in parallel.
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
        var selector = ReplacementSelector.FromUniverse(universe, FundSubstitutes.Default, pool);

        ReturnSeries? replay = options.ReplayFile is null ? null : LoadReplay(options.ReplayFile);
        var path = PricePath.Generate(universe, pool, options.Days, options.Seed, options.Start, options.FatTails, options.Regimes,
            replay, options.ReplayFile is null ? null : Path.GetFileName(options.ReplayFile));

        var frequencies = options.Frequencies.Distinct().OrderBy(f => f).ToArray();
        var outcomes = new AccountOutcome[openings.Count][];
        Parallel.For(0, openings.Count, new ParallelOptions { MaxDegreeOfParallelism = options.MaxParallelism, CancellationToken = cancel }, a =>
        {
            var row = new AccountOutcome[frequencies.Length];
            var twin = new StrategyRun(path, selector, options, HarvestFrequency.Never, openings[a]).Run(null);
            for (int f = 0; f < frequencies.Length; f++)
                row[f] = frequencies[f] == HarvestFrequency.Never
                    ? twin
                    : new StrategyRun(path, selector, options, frequencies[f], openings[a]).Run(twin.Values);
            twin.Values = null;
            outcomes[a] = row;
        });

        var never = Array.IndexOf(frequencies, HarvestFrequency.Never);
        double years = options.Years;
        var strategies = new StrategyResult[frequencies.Length];
        double initial = outcomes.Sum(o => o[never].InitialValue);
        for (int f = 0; f < frequencies.Length; f++)
        {
            var alpha = new double[outcomes.Length];
            var alphaLiq = new double[outcomes.Length];
            double afterTax = 0, preExcess = 0, afterExcess = 0, te = 0, turnover = 0;
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
                if (o.TrackingDays > 1)
                {
                    double mean = o.TrackingErrorSum / o.TrackingDays;
                    te += Math.Sqrt(Math.Max(0, o.TrackingErrorSumSq / o.TrackingDays - mean * mean) * BacktestOptions.TradingDaysPerYear);
                }
                turnover += o.TradedNotional / 2 / o.AverageValue / years;
            }
            var byMonth = new double[outcomes[0][f].LossByMonth.Length];
            for (int a = 0; a < outcomes.Length; a++)
                for (int m = 0; m < byMonth.Length; m++) byMonth[m] += outcomes[a][f].LossByMonth[m];
            for (int m = 1; m < byMonth.Length; m++) byMonth[m] += byMonth[m - 1];
            double losses = outcomes.Sum(o => o[f].HarvestedLoss);
            int recent = outcomes.Sum(o => o[f].SkippedRecentPurchase), blackout = outcomes.Sum(o => o[f].SkippedBlackout),
                rerouted = outcomes.Sum(o => o[f].ReplacementsRerouted);
            int count = outcomes.Length;
            strategies[f] = new StrategyResult(
                frequencies[f].Name(),
                alpha.Average(), Median(alpha), alphaLiq.Average(), Median(alphaLiq), preExcess / count, afterExcess / count, afterTax / count,
                losses, losses / initial, outcomes.Sum(o => o[f].TaxSavings),
                outcomes.Sum(o => o[f].HarvestSales), outcomes.Sum(o => o[f].ReplacementBuys),
                recent + blackout + rerouted, recent, blackout, rerouted,
                outcomes.Sum(o => o[f].DisallowedLoss), te / count, turnover / count, outcomes.Sum(o => o[f].TradingCost), byMonth,
                outcomes.Sum(o => o[f].SwapBacks));
        }
        var benchmark = outcomes.Average(o => Annualized(o[never].FinalWealth, o[never].InitialValue, years));
        return new BacktestResult(openings.Count, Math.Min(options.Accounts, openings.Count), Math.Max(0, openings.Count - options.Accounts),
            options.Years, options.Seed, path.Source, options.Funding.ToString().ToLowerInvariant(),
            options.Rates.ShortTerm, options.Rates.LongTerm, options.Policy.MinLossPercent, options.Policy.MinLossDollars, options.Costs.Bps,
            options.SwapBack is not null, initial, benchmark, clock.Elapsed.TotalSeconds, strategies);
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
        return ReturnSeries.Load(path);
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
