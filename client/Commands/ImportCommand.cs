using System.CommandLine;
using Households.Contracts;
using Households.Domain;
using Households.Domain.Import;
using Spectre.Console;

namespace Households.Client.Commands;

/// <summary><c>households import</c>: securities, models, households, accounts and lots from custodian-style CSV files
/// (docs/formats.md). Everything is validated first; nothing is sent when any file has a problem (exit 2 with the
/// report). Re-importing the same files changes nothing: securities are upserted by symbol, a model is only
/// redefined when it differs from the server's, and a household that exists is skipped and reported.</summary>
public static class ImportCommand
{
    public static Command Create(ApiConnector? connect = null, TimeProvider? clock = null)
    {
        connect ??= HouseholdsApiClient.Default;
        clock ??= TimeProvider.System;
        var dir = new Option<string?>("--dir") { Description = "directory holding any of securities.csv, models.csv, households.csv, accounts.csv, lots.csv" };
        var securities = new Option<string?>("--securities") { Description = "securities file (symbol,name,asset_class,sector,type[,identical_group,price])" };
        var models = new Option<string?>("--models") { Description = "models file (model,sleeve,weight[,kind,name,band_absolute,band_relative,direct_indexing])" };
        var households = new Option<string?>("--households") { Description = "households file (household,name,advisor)" };
        var accounts = new Option<string?>("--accounts") { Description = "accounts file (account,household,type[,name,model,discretionary,cash,relief,separate_taxpayer,harvest])" };
        var lots = new Option<string?>("--lots") { Description = "lots file (account,symbol,lot,quantity,basis,purchased[,holding_since])" };
        var dryRun = new Option<bool>("--dry-run") { Description = "validate only; send nothing" };
        var report = new Option<string?>("--report") { Description = "also write the validation report to this file (.json for JSON, otherwise CSV)" };
        var url = HouseholdsApiClient.UrlOption();
        var token = HouseholdsApiClient.TokenOption();
        var cmd = new Command("import", "Import securities, models, households, accounts and lots from CSV files (validated first; nothing is sent on any problem)")
        {
            dir, securities, models, households, accounts, lots, dryRun, report, url, token,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var files = Files(parse.GetValue(dir), parse.GetValue(securities), parse.GetValue(models), parse.GetValue(households),
                parse.GetValue(accounts), parse.GetValue(lots), out var fileIssues);
            var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
            var parsed = ImportParser.Parse(files, today);
            var dry = parse.GetValue(dryRun);
            // Outside references are looked up on the server, except in a dry run that cannot reach one.
            HouseholdsApiClient? api = null;
            var knownSymbols = new HashSet<string>(StringComparer.Ordinal);
            var knownModels = new HashSet<string>(StringComparer.Ordinal);
            if (fileIssues.Count == 0 && (parsed.ExternalSymbols.Count > 0 || parsed.ExternalModels.Count > 0 || !dry))
            {
                api = connect(parse.GetValue(url)!, parse.GetValue(token));
                // Bounded: each distinct reference is asked once (a hostile file cannot make it ask more than its rows).
                foreach (var s in parsed.ExternalSymbols.Take(ImportRules.MaxIssues))
                    if (await api.SecurityExists(s, ct)) knownSymbols.Add(s);
                foreach (var m in parsed.ExternalModels.Take(ImportRules.MaxIssues))
                    if (await api.GetModel(m, ct) is not null) knownModels.Add(m);
            }
            var result = parsed.Resolve(knownSymbols.Contains, knownModels.Contains);
            var issues = fileIssues.Concat(result.Issues).ToList();
            var problemCount = fileIssues.Count + result.ProblemCount;
            if (parse.GetValue(report) is { } reportPath) WriteReport(reportPath, issues);
            if (problemCount > 0 || result.Plan is null)
            {
                error.WriteLine($"error: import rejected, nothing was sent: {problemCount} problem{(problemCount == 1 ? "" : "s")}; first: {issues[0]}");
                foreach (var issue in issues.Skip(1)) error.WriteLine($"  {issue}");
                if (problemCount > issues.Count) error.WriteLine($"  ... and {problemCount - issues.Count} more");
                return ExitCodes.BadInput;
            }
            var plan = result.Plan;
            if (dry)
            {
                output.WriteLine($"valid: {plan.Securities.Length} securities ({plan.Prices.Length} prices), {plan.Models.Length} models, " +
                    $"{plan.Households.Length} households, {plan.Households.Sum(h => h.Accounts.Length)} accounts, " +
                    $"{plan.Households.Sum(h => h.Accounts.Sum(a => a.Lots.Length))} lots; nothing sent (--dry-run)");
                return ExitCodes.Success;
            }
            var outcome = await Send(plan, api!, output, ct);
            output.WriteLine(outcome.Summary());
            return ExitCodes.Success;
        });
        return cmd;
    }

    /// <summary>What an import did, for the summary line and for tests.</summary>
    public sealed record ImportOutcome(int Securities, int Prices, int ModelsDefined, int ModelsUnchanged, List<string> Created, List<string> Skipped)
    {
        public string Summary() =>
            $"imported: {Securities} securities upserted ({Prices} prices), {ModelsDefined} models defined, {ModelsUnchanged} unchanged; " +
            $"{Created.Count} households created, {Skipped.Count} already existed and were skipped" +
            (Skipped.Count > 0 ? $" ({string.Join(", ", Skipped.Take(10))}{(Skipped.Count > 10 ? ", ..." : "")})" : "");
    }

    private static async Task<ImportOutcome> Send(ImportPlan plan, HouseholdsApiClient api, TextWriter output, CancellationToken ct)
    {
        var outcome = new ImportOutcome(0, 0, 0, 0, [], []);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = ReferenceEquals(output, Console.Out) ? AnsiSupport.Detect : AnsiSupport.No,
            Interactive = ReferenceEquals(output, Console.Out) ? InteractionSupport.Detect : InteractionSupport.No,
        });
        await console.Progress().AutoClear(false).StartAsync(async progress =>
        {
            var securities = progress.AddTask("securities", maxValue: Math.Max(1, plan.Securities.Length));
            var models = progress.AddTask("models", maxValue: Math.Max(1, plan.Models.Length));
            var households = progress.AddTask("households", maxValue: Math.Max(1, plan.Households.Length));
            // Upserts by symbol: sending the same definitions again changes nothing.
            foreach (var chunk in plan.Securities.Chunk(500))
            {
                await api.UpsertSecurities(chunk, ct);
                securities.Increment(chunk.Length);
            }
            foreach (var chunk in plan.Prices.Chunk(1000)) await api.PublishPrices(chunk, ct);
            securities.Value = securities.MaxValue;
            outcome = outcome with { Securities = plan.Securities.Length, Prices = plan.Prices.Length };
            foreach (var model in plan.Models)
            {
                // A redefinition bumps the model's version and re-targets its accounts: only when it differs.
                if (await api.GetModel(model.Id, ct) is { } existing && SameModel(existing, model))
                    outcome = outcome with { ModelsUnchanged = outcome.ModelsUnchanged + 1 };
                else
                {
                    await api.DefineModel(model, ct);
                    outcome = outcome with { ModelsDefined = outcome.ModelsDefined + 1 };
                }
                models.Increment(1);
            }
            models.Value = models.MaxValue;
            foreach (var household in plan.Households)
            {
                if (await api.GetHousehold(household.Spec.Id, ct) is not null) outcome.Skipped.Add(household.Spec.Id);
                else
                {
                    await api.CreateHousehold(household, ct);
                    outcome.Created.Add(household.Spec.Id);
                }
                households.Increment(1);
            }
            households.Value = households.MaxValue;
        });
        return outcome;
    }

    public static bool SameModel(TargetModel a, TargetModel b) =>
        a.Id == b.Id && a.Name == b.Name && a.DirectIndexing == b.DirectIndexing && a.Sleeves.SequenceEqual(b.Sleeves);

    private static ImportFiles Files(string? dir, string? securities, string? models, string? households, string? accounts, string? lots,
        out List<ImportIssue> issues)
    {
        var found = new List<ImportIssue>();
        if (dir is not null && !Directory.Exists(dir)) throw new BadInputException($"--dir {dir} is not a directory");
        string? Pick(string? explicitPath, string name)
        {
            if (explicitPath is not null) return explicitPath;
            if (dir is null) return null;
            var path = Path.Combine(dir, name);
            return File.Exists(path) ? path : null;
        }
        ImportSource? Read(string? path, string name)
        {
            if (path is null) return null;
            var label = Path.GetFileName(path);
            try
            {
                var info = new FileInfo(path);
                if (!info.Exists) throw new BadInputException($"{path} does not exist");
                // Checked before reading: an oversize file is never loaded into memory.
                if (info.Length > ImportRules.MaxFileBytes)
                {
                    found.Add(new ImportIssue(label, 0, "(file)", "", $"the file is {info.Length} bytes, more than the limit of {ImportRules.MaxFileBytes}"));
                    return null;
                }
                var bytes = File.ReadAllBytes(path);
                try
                {
                    // Strict: invalid bytes are refused, not silently replaced by U+FFFD.
                    var text = new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
                    return new ImportSource(label, text.Length > 0 && text[0] == '\uFEFF' ? text[1..] : text);
                }
                catch (System.Text.DecoderFallbackException ex)
                {
                    var line = 1 + bytes.AsSpan(0, Math.Clamp(ex.Index, 0, bytes.Length)).Count((byte)'\n');
                    found.Add(new ImportIssue(label, line, "(file)", "", $"not valid UTF-8 text (byte {ex.Index}); save the file as UTF-8"));
                    return null;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                throw new BadInputException($"cannot read {path}: {ex.Message}");
            }
        }
        var files = new ImportFiles(
            Read(Pick(securities, ImportParser.SecuritiesFile), ImportParser.SecuritiesFile),
            Read(Pick(models, ImportParser.ModelsFile), ImportParser.ModelsFile),
            Read(Pick(households, ImportParser.HouseholdsFile), ImportParser.HouseholdsFile),
            Read(Pick(accounts, ImportParser.AccountsFile), ImportParser.AccountsFile),
            Read(Pick(lots, ImportParser.LotsFile), ImportParser.LotsFile));
        if (found.Count == 0 && files is { Securities: null, Models: null, Households: null, Accounts: null, Lots: null })
            throw new BadInputException("nothing to import: give --dir or at least one of --securities, --models, --households, --accounts, --lots");
        issues = found;
        return files;
    }

    private static void WriteReport(string path, IReadOnlyList<ImportIssue> issues)
    {
        var text = path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? ImportReport.Json(issues) : ImportReport.Csv(issues);
        try
        {
            File.WriteAllText(path, text);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new BadInputException($"cannot write --report {path}: {ex.Message}");
        }
    }
}
