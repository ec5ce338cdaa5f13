using Households.Simulation.Firms;
using System.CommandLine;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Households.Client.Reports;
using Households.Contracts;
using Households.Domain;
using Households.Domain.Decisions;
using Households.Domain.Lots;
using Households.Domain.Market;
using Households.Simulation.Scenarios;
using Households.Simulation.Stress;
using Spectre.Console;

namespace Households.Client.Commands;

/// <summary>The body of <c>POST /api/stress</c>.</summary>
public sealed record StressRequest(string? Scenario, string[]? Households);

/// <summary><c>households stress --scenario NAME</c>: a firm-wide stress test through the live trigger, optimizer and
/// wash-sale path. With <c>--url</c> it asks a running silo (which copies its live state); without, it stresses the
/// demo firm (or <c>--synthetic N</c> accounts) in this process through the same domain engine.</summary>
public static class StressCommand
{
    public const string ChartFile = "stress-drift-before-after.png";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static Command Create()
    {
        var scenario = new Option<string>("--scenario") { Description = "scenario name (see --scenarios)", Required = true };
        var scenarios = new Option<string?>("--scenarios") { Description = "scenario file (default: the built-in docs/samples/scenarios.json); embedded runs only" };
        var url = new Option<string?>("--url") { Description = "stress a running silo's live state through its API (default: embedded demo firm)" };
        var token = new Option<string?>("--token") { Description = "bearer token for --url (default: env HOUSEHOLDS_TOKEN)" };
        var households = new Option<string?>("--households") { Description = "comma-separated household ids (default: all)" };
        var synthetic = new Option<int>("--synthetic") { Description = "embedded: stress a synthetic firm of N accounts (the load test's generator) instead of the demo firm" };
        var seed = new Option<int>("--seed") { Description = "embedded: seed of the generated firm", DefaultValueFactory = _ => 2026 };
        var stepDays = new Option<int>("--step-days") { Description = "embedded: trading days between checkpoints (0: daily up to 30 days, else every 21)" };
        var parallelism = new Option<int>("--parallelism") { Description = "embedded: worker threads", DefaultValueFactory = _ => Environment.ProcessorCount };
        var shortRate = new Option<decimal>("--short-rate") { Description = "embedded: tax rate on short-term gains", DefaultValueFactory = _ => TaxRates.Default.ShortTerm };
        var longRate = new Option<decimal>("--long-rate") { Description = "embedded: tax rate on long-term gains", DefaultValueFactory = _ => TaxRates.Default.LongTerm };
        var maxDecisions = new Option<int>("--max-decisions") { Description = "embedded: firm-wide optimizer decisions per checkpoint (0: no limit); triggered households beyond are counted as deferred" };
        var worst = new Option<int>("--worst") { Description = "households listed in the table", DefaultValueFactory = _ => 10 };
        var json = new Option<bool>("--json") { Description = "print the report as one JSON document" };
        var output = new Option<string?>("--out") { Description = "directory for the report JSON and the drift chart (PNG)" };

        var command = new Command("stress", "Stress test: a named shock scenario applied to a copy of the firm, through the live trigger, optimizer and wash-sale path")
        {
            scenario, scenarios, url, token, households, synthetic, seed, stepDays, parallelism, shortRate, longRate, maxDecisions, worst, json, output,
        };
        command.SetAction(async (parse, ct) =>
        {
            var name = parse.GetValue(scenario)!;
            var ids = parse.GetValue(households) is { } list
                ? list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) : null;
            var outDir = parse.GetValue(output);
            StressReport report;
            double[]? before = null, after = null;
            if (parse.GetValue(url) is { } address)
            {
                if (parse.GetValue(scenarios) is not null) throw new BadInputException("--scenarios: a silo uses its own scenario file; drop --scenarios or --url");
                if (parse.GetValue(synthetic) > 0) throw new BadInputException("--synthetic: embedded runs only; drop --synthetic or --url");
                report = await Remote(address, parse.GetValue(token) ?? Environment.GetEnvironmentVariable("HOUSEHOLDS_TOKEN"), name, ids, ct);
            }
            else
            {
                var set = parse.GetValue(scenarios) is { } file ? ScenarioSet.LoadFile(file) : ScenarioSet.Default;
                var chosen = set[name];
                var settings = DecisionSettings.Default with { Rates = new TaxRates(parse.GetValue(shortRate), parse.GetValue(longRate)) };
                if (settings.Rates.ShortTerm is < 0 or > 1 || settings.Rates.LongTerm is < 0 or > 1) throw new BadInputException("--short-rate and --long-rate must be between 0 and 1");
                var options = new StressOptions
                {
                    MaxParallelism = parse.GetValue(parallelism), StepDays = parse.GetValue(stepDays), WorstHouseholds = Math.Max(parse.GetValue(worst), 1),
                    KeepDrift = outDir is not null, MaxDecisionsPerCheckpoint = parse.GetValue(maxDecisions),
                };
                var count = parse.GetValue(synthetic);
                if (count < 0) throw new BadInputException("--synthetic must be >= 0");
                var (market, firm) = count > 0
                    ? StressFirm.Synthetic(SyntheticFirm.Build(count, parse.GetValue(seed)), settings)
                    : StressFirm.Demo(DemoFirm.Build(DemoFirmOptions.Default with { Seed = parse.GetValue(seed) }), settings);
                if (ids is not null)
                {
                    var wanted = ids.ToHashSet(StringComparer.Ordinal);
                    var picked = firm.Where(h => wanted.Contains(h.Spec.Id)).ToList();
                    var missing = wanted.Except(picked.Select(h => h.Spec.Id)).ToArray();
                    if (missing.Length > 0) throw new BadInputException($"--households: unknown household {missing[0]}");
                    firm = picked;
                }
                var result = StressEngine.Run(firm, chosen, market, options);
                (report, before, after) = (result.Report, result.DriftBefore, result.DriftAfter);
            }

            var text = JsonSerializer.Serialize(report, Json);
            if (outDir is not null)
            {
                Directory.CreateDirectory(outDir);
                File.WriteAllText(Path.Combine(outDir, "stress-report.json"), text);
                var f = report.Firm;
                var title = $"Account drift, {report.Scenario}: out of band {f.AccountsOutOfBandBefore:N0} → {f.AccountsOutOfBandAfter:N0} of {f.Accounts:N0}";
                var (b, a) = before is null || after is null ? FromHistogram(report.Drift) : (before, after);
                BacktestReport.DriftHistogramChart(b, a, title, $"after {report.Scenario}", Path.Combine(outDir, ChartFile));
            }
            var stdout = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json)) stdout.WriteLine(text);
            else Tables(report, stdout, parse.GetValue(worst));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Task<StressReport> Remote(string address, string? token, string scenario, string[]? households, CancellationToken ct) =>
        HouseholdsApiClient.For(address, token).Stress<StressReport>(new StressRequest(scenario, households), Json, ct);

    /// <summary>Remote runs carry the histogram only: one value per account at its bin's middle.</summary>
    private static (double[], double[]) FromHistogram(DriftHistogram h)
    {
        static double[] Expand(long[] bins, double width) =>
            [.. bins.SelectMany((n, b) => Enumerable.Repeat((b + 0.5) * width, (int)Math.Min(n, int.MaxValue)))];
        return (Expand(h.Before, h.BinWidth), Expand(h.After, h.BinWidth));
    }

    private static void Tables(StressReport r, TextWriter output, int worst)
    {
        var console = PlainConsole.For(output);
        var c = CultureInfo.InvariantCulture;
        var f = r.Firm;
        console.WriteLine($"Stress {r.Scenario}: {r.Description}");
        console.WriteLine(string.Create(c, $"{r.Days} trading day(s), checkpoints at day {string.Join(", ", r.Checkpoints)}; as of {r.AsOf:yyyy-MM-dd}; tax {r.ShortTermRate:P0} short / {r.LongTermRate:P0} long; {r.Parallelism} threads; {r.ElapsedSeconds:0.00} s"));
        var firm = new TableLayout("Firm").Prose("figure").Number("before").Prose("after");
        firm.Row("households / accounts / lots", string.Create(c, $"{f.Households:N0} / {f.Accounts:N0} / {f.Lots:N0}"), "");
        firm.Row("market value", Money(f.MarketValueBefore), Money(f.MarketValueAfter));
        firm.Row("accounts out of band", f.AccountsOutOfBandBefore.ToString("N0", c), string.Create(c, $"{f.AccountsOutOfBandAfter:N0} ({f.AccountsOutOfBandAfterTrades:N0} after trades)"));
        firm.Row("harvestable losses", Money(f.HarvestableLossesBefore), Money(f.HarvestableLossesAfter));
        firm.Row("triggers (drift / harvest)", "", string.Create(c, $"{f.DriftTriggers:N0} / {f.HarvestTriggers:N0}"));
        firm.Row("households decided / decisions", "", string.Create(c, $"{f.HouseholdsDecided:N0} / {f.Decisions:N0} ({f.OptimizerFailures:N0} not optimal, {f.DecisionsDeferred:N0} deferred)"));
        firm.Row("optimizer time", "", string.Create(c, $"{f.OptimizerMilliseconds / 1000:N1} s (all threads)"));
        firm.Row("proposed trades (awaiting approval)", "", string.Create(c, $"{f.ProposedTrades:N0} ({f.TradesAwaitingApproval:N0})"));
        firm.Row("fills / orders refused", "", string.Create(c, $"{f.Fills:N0} / {f.OrdersRefused:N0}"));
        firm.Row("traded value / turnover", "", string.Create(c, $"{Money(f.TradedValue)} / {f.Turnover:P2}"));
        firm.Row("cash needed / shortfall", Money(f.CashNeeded), Money(f.CashShortfall));
        firm.Row("realized short / long term", "", $"{Money(f.RealizedShortTerm)} / {Money(f.RealizedLongTerm)}");
        firm.Row("harvested losses / tax", "", $"{Money(f.HarvestedLosses)} / {Money(f.Tax)}");
        firm.Row("wash-sale conflicts avoided", "", f.WashSaleConflictsAvoided.ToString("N0", c));
        firm.WriteTo(console);
        var rows = r.Households.OrderByDescending(h => h.MaxDriftAfter).ThenBy(h => h.Household, StringComparer.Ordinal).Take(worst).ToArray();
        if (rows.Length == 0) return;
        // Narrow consoles lose the decision time first, then the wash-sale holds, the accounts, the turnover and the drift before.
        var table = new TableLayout($"Worst households (largest account drift after the shock){(r.AllHouseholds ? "" : ", of those kept")}")
            .Key("household").Number("accounts", drop: 3).Number("drift before", drop: 1).Number("drift after").Number("out of band")
            .Number("harvestable").Number("trades").Number("turnover", drop: 2).Number("tax").Number("wash-sale holds", drop: 4).Number("ms", drop: 5);
        foreach (var h in rows)
        {
            var x = h.Figures;
            table.Row(h.Household, x.Accounts.ToString(c), h.MaxDriftBefore.ToString("P1", c), h.MaxDriftAfter.ToString("P1", c),
                $"{x.AccountsOutOfBandBefore} → {x.AccountsOutOfBandAfter} → {x.AccountsOutOfBandAfterTrades}", Money(x.HarvestableLossesAfter),
                x.ProposedTrades.ToString(c), x.Turnover.ToString("P1", c), Money(x.Tax), x.WashSaleConflictsAvoided.ToString(c),
                x.ElapsedMilliseconds.ToString("0.0", c));
        }
        table.WriteTo(console);
    }

    private static string Money(decimal value) => value.ToString("#,##0", CultureInfo.InvariantCulture);
}
