using Households.Simulation.Firms;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Households.Client.Reports;
using Households.Contracts;
using Households.Domain;
using Households.Simulation.Backtesting;
using Households.Domain.Lots;
using Households.Domain.Market;
using Households.Simulation.Scenarios;
using Spectre.Console;

namespace Households.Client.Commands;

/// <summary><c>households backtest</c>: the tax-alpha backtest of harvest frequencies (daily … never) on one shared
/// price path, with optional charts, a PDF report and the shock scenarios' drift (see docs/tax-alpha.md).</summary>
public static class BacktestCommand
{
    /// <summary>Where <c>--replay</c> without a file looks for SPISECTOR.RET.csv.</summary>
    private static readonly string[] ReplaySearch =
        ["shared/data/SPISECTOR.RET.csv", "../shared/data/SPISECTOR.RET.csv", "../../shared/data/SPISECTOR.RET.csv", "/work/shared/data/SPISECTOR.RET.csv"];

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static Command Create()
    {
        var accounts = new Option<int>("--accounts") { Description = "direct-indexing accounts (all share one price path, so a few give the firm's figures; each decision runs the optimizer)", DefaultValueFactory = _ => 6 };
        var modelAccounts = new Option<int>("--model-accounts") { Description = "fund-model accounts (harvested through the fund substitute table)", DefaultValueFactory = _ => 0 };
        var years = new Option<int>("--years") { Description = "years of 252 trading days", DefaultValueFactory = _ => 10 };
        var seed = new Option<int>("--seed") { Description = "seed of the firm and the price path", DefaultValueFactory = _ => 7 };
        var replay = new Option<string?>("--replay") { Description = "replay a real return series (default SPISECTOR.RET.csv from shared/data) instead of simulating", Arity = ArgumentArity.ZeroOrOne };
        var shortRate = new Option<decimal>("--short-rate") { Description = "tax rate on short-term gains and losses", DefaultValueFactory = _ => TaxRates.Default.ShortTerm };
        var longRate = new Option<decimal>("--long-rate") { Description = "tax rate on long-term gains and losses", DefaultValueFactory = _ => TaxRates.Default.LongTerm };
        var minPercent = new Option<decimal>("--min-loss-percent") { Description = "harvest threshold: loss as a fraction of basis", DefaultValueFactory = _ => HarvestPolicy.Default.MinLossPercent };
        var minDollars = new Option<decimal>("--min-loss-dollars") { Description = "harvest threshold: loss in dollars", DefaultValueFactory = _ => HarvestPolicy.Default.MinLossDollars };
        var costBps = new Option<decimal>("--cost-bps") { Description = "trading cost per leg in basis points", DefaultValueFactory = _ => 5m };
        var trackingBand = new Option<decimal>("--tracking-band") { Description = "a direct-index account's tracking-error band (annualised): the monitor's drift trigger, the engine plans within 75 % of it", DefaultValueFactory = _ => AccountSpec.DefaultTrackingErrorBand };
        var funding = new Option<string>("--funding") { Description = "cash: buy the model on day 0; legacy: keep the generated lots", DefaultValueFactory = _ => "cash" };
        var stocks = new Option<int>("--stocks") { Description = "stocks in the generated universe", DefaultValueFactory = _ => 1_000 };
        var diStocks = new Option<int>("--di-stocks") { Description = "stocks in the direct index", DefaultValueFactory = _ => 300 };
        var strategies = new Option<string>("--strategies") { Description = "comma-separated: daily,weekly,monthly,quarterly,annual,never", DefaultValueFactory = _ => "daily,weekly,monthly,quarterly,annual,never" };
        var calm = new Option<bool>("--calm") { Description = "simulate Gaussian returns without volatility regimes (default: fat tails and calm/stressed regimes)" };
        var harvestIntoCash = new Option<bool>("--harvest-into-cash") { Description = "harvest a security without an allowed replacement into cash for 31 days (default: such a loss is not harvested)" };
        var parallelism = new Option<int>("--parallelism") { Description = "worker threads", DefaultValueFactory = _ => Environment.ProcessorCount };
        var json = new Option<bool>("--json") { Description = "print the result as JSON" };
        var output = new Option<string?>("--out") { Description = "write the JSON result to this file" };
        var charts = new Option<string?>("--charts") { Description = "write PNG charts to this directory" };
        var report = new Option<string?>("--report") { Description = "write a PDF report to this file" };
        var scenarios = new Option<string?>("--scenarios") { Description = "scenario file (default: the built-in docs/samples/scenarios.json)" };
        var scenario = new Option<string>("--scenario") { Description = "scenario for the drift chart", DefaultValueFactory = _ => "equities-20-1d" };

        var command = new Command("backtest", "Tax-alpha backtest: harvest frequencies compared on one price path")
        {
            accounts, modelAccounts, years, seed, replay, shortRate, longRate, minPercent, minDollars, costBps, trackingBand, funding, stocks, diStocks,
            strategies, calm, harvestIntoCash, parallelism, json, output, charts, report, scenarios, scenario,
        };
        command.SetAction(parse =>
        {
            var replayFile = parse.GetResult(replay) is null ? null : parse.GetValue(replay) ?? FindReplay();
            var options = new BacktestOptions
            {
                Accounts = parse.GetValue(accounts),
                ModelAccounts = parse.GetValue(modelAccounts),
                Years = parse.GetValue(years),
                Seed = parse.GetValue(seed),
                ReplayFile = replayFile,
                Rates = new TaxRates(parse.GetValue(shortRate), parse.GetValue(longRate)),
                Policy = new HarvestPolicy(true, parse.GetValue(minPercent), parse.GetValue(minDollars)),
                CostBps = parse.GetValue(costBps),
                TrackingBand = parse.GetValue(trackingBand),
                Funding = parse.GetValue(funding) switch
                {
                    "cash" => BacktestFunding.Cash,
                    "legacy" => BacktestFunding.Legacy,
                    var other => throw new BadInputException($"--funding: '{other}' is not cash or legacy"),
                },
                Stocks = parse.GetValue(stocks),
                DirectIndexStocks = parse.GetValue(diStocks),
                Frequencies = ParseStrategies(parse.GetValue(strategies)!),
                MaxParallelism = parse.GetValue(parallelism),
                FatTails = !parse.GetValue(calm),
                Regimes = !parse.GetValue(calm),
                HarvestIntoCash = parse.GetValue(harvestIntoCash),
            };
            options.Validate();
            // Scenario input is checked before the long run, so a bad file fails fast.
            var scenarioSet = parse.GetValue(scenarios) is { } file ? ScenarioSet.LoadFile(file) : ScenarioSet.Default;
            var chartsDir = parse.GetValue(charts);
            var reportPath = parse.GetValue(report);
            Scenario? shock = chartsDir is not null || reportPath is not null ? scenarioSet[parse.GetValue(scenario)!] : null;

            // An output path that cannot be written fails now, not after the run (the default takes minutes).
            foreach (var (name, path) in new[] { ("--out", parse.GetValue(output)), ("--report", reportPath) })
                if (path is not null && Directory.Exists(path)) throw new BadInputException($"{name}: '{path}' is a directory; give a file path");
            var result = Backtest.Run(options);
            var text = JsonSerializer.Serialize(result, Json);
            if (parse.GetValue(output) is { } outPath)
            {
                if (Path.GetDirectoryName(Path.GetFullPath(outPath)) is { } outDir) Directory.CreateDirectory(outDir);
                File.WriteAllText(outPath, text);
            }
            if (shock is not null)
            {
                var drift = ShockDrift.Measure(DemoFirm.Build(), shock);
                var written = BacktestReport.Charts(result, drift, shock, chartsDir ?? Path.Combine(Path.GetTempPath(), $"households-charts-{Environment.ProcessId}"));
                if (reportPath is not null) BacktestReport.Pdf(result, drift, shock, written, reportPath, scenarioSet);
            }
            var stdout = parse.InvocationConfiguration.Output;
            stdout.Write(parse.GetValue(json) ? text + "\n" : Table(result, PlainConsole.Width(stdout)));
            return ExitCodes.Success;
        });
        return command;
    }

    private static string FindReplay() =>
        ReplaySearch.FirstOrDefault(File.Exists)
        ?? throw new BadInputException("--replay: SPISECTOR.RET.csv not found in shared/data; pass the file: --replay FILE");

    public static IReadOnlyList<HarvestFrequency> ParseStrategies(string text)
    {
        var result = new List<HarvestFrequency>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var match = HarvestFrequencies.All.Where(f => f.Name() == part).ToArray();
            if (match.Length == 0) throw new BadInputException($"--strategies: unknown strategy '{part}' (daily, weekly, monthly, quarterly, annual, never)");
            if (!result.Contains(match[0])) result.Add(match[0]);
        }
        if (!result.Contains(HarvestFrequency.Never)) result.Add(HarvestFrequency.Never);
        return result;
    }

    /// <summary>The readable summary: one row per strategy, tracking error to the never-harvest twin beside the tax alpha,
    /// laid out for a console <paramref name="width"/> characters wide (null: <c>COLUMNS</c> or 120).</summary>
    public static string Table(BacktestResult r, int? width = null)
    {
        var c = CultureInfo.InvariantCulture;
        var output = new StringWriter();
        var console = PlainConsole.For(output, width);
        console.WriteLine(string.Create(c, $"Backtest: {r.Accounts} accounts ({r.DirectIndexAccounts} direct-indexing, {r.ModelAccounts} fund-model), {r.Years} years, {r.Market}, {r.Funding} funding"));
        console.WriteLine(string.Create(c, $"Rates {Percent(r.ShortRate, "P0")} short / {Percent(r.LongRate, "P0")} long; threshold {Percent(r.MinLossPercent, "P1")} and ${r.MinLossDollars:N0}; cost {r.CostBps} bps a leg; tracking-error band {Percent(r.TrackingBand, "P1")}; {(r.HarvestIntoCash ? "harvests into cash allowed" : "no harvest into cash")}; initial value ${r.InitialValue:N0}; never-harvest return {Percent(r.BenchmarkReturn, "P2")}/yr"));
        console.WriteLine(string.Create(c, $"Decided by the live DecisionEngine: {r.Decisions:N0} decisions, {r.DecisionsPerSecond:0.0} a second per thread; {r.ElapsedSeconds:0.0} s"));
        console.WriteLine();
        // What an advisor weighs stays longest: the tax alpha, the tracking error it cost and the losses harvested. Narrow
        // consoles lose the engine's bookkeeping first (decisions, drift triggers, planned and largest tracking error,
        // turnover, wash-sale holds), then the unintended-wash-sale check, the sales, the share of the start value and the
        // liquidated alpha.
        var table = new TableLayout()
            .Key("strategy").Number("tax alpha").Number("liquidated", drop: 1).Number("TE vs twin").Number("TE max", drop: 7)
            .Number("planned", drop: 8).Number("harvested $").Number("% of start", drop: 2).Number("sales", drop: 3)
            .Number("held", drop: 5).Number("disallowed", drop: 4).Number("turnover", drop: 6).Number("decisions", drop: 10)
            .Number("drift", drop: 9);
        foreach (var s in r.Strategies)
            table.Row(s.Strategy, s.TaxAlpha.ToString("P2", c), s.TaxAlphaLiquidated.ToString("P2", c), s.TrackingError.ToString("P2", c),
                s.TrackingErrorMax.ToString("P2", c), s.PlannedTrackingError.ToString("P2", c), s.HarvestedLosses.ToString("N0", c),
                s.HarvestedLossPercent.ToString("P1", c), s.HarvestSales.ToString("N0", c), s.WashSalesAvoided.ToString("N0", c),
                s.DisallowedLosses.ToString("N0", c), s.Turnover.ToString("P1", c), s.Decisions.ToString("N0", c), s.DriftTriggers.ToString("N0", c));
        table.WriteTo(console);
        console.WriteLine();
        console.WriteLine("tax alpha: annualized after-tax minus pre-tax return over the never-harvest twin's, tax savings reinvested; liquidated: also after tax on all unrealized gains at the end.");
        console.WriteLine("TE vs twin: annualized tracking error of each account to its never-harvest twin (mean over accounts, and the largest).");
        console.WriteLine(string.Create(c, $"pre-tax excess return vs the twin (replacement noise): {string.Join(", ", r.Strategies.Select(s => $"{s.Strategy} {Percent(s.PreTaxExcessReturn, "P2")}"))}"));
        console.WriteLine("drift: the monitor's drift triggers (a direct index's tracking error to its index over its band).");
        console.WriteLine("held: loss lots the engine held as wash sales + orders refused at the fill price because they would have washed.");
        return output.ToString();
    }

    /// <summary>A percentage for the prose lines, its sign against the number ("1.10%"): prose wraps between words, and
    /// the invariant "1.10 %" could leave the sign alone on the next line.</summary>
    private static string Percent(IFormattable value, string format) =>
        value.ToString(format, CultureInfo.InvariantCulture).Replace(" %", "%", StringComparison.Ordinal);
}
