using System.CommandLine;
using System.Net.Http.Json;
using Households.Contracts;
using Households.Domain;
using Households.Domain.CorporateActions;
using Households.Domain.Tax;

namespace Households.Client.Commands;

public sealed partial class HouseholdsApiClient
{
    /// <summary>GET a report (<c>api/reports/{kind}</c>) with its query; the body as the silo wrote it.</summary>
    public async Task<byte[]> Report(string kind, IEnumerable<(string Name, string? Value)> query, CancellationToken ct)
    {
        Http.Timeout = TimeSpan.FromMinutes(30);
        var q = string.Join("&", query.Where(p => p.Value is not null).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}"));
        using var response = await Http.GetAsync($"api/reports/{kind}" + (q.Length > 0 ? "?" + q : ""), ct);
        await Check(response, ct);
        return await response.Content.ReadAsByteArrayAsync(ct);
    }

    /// <summary>POST /api/corporate-actions: the firm-wide report (a replay when the id was applied before).</summary>
    public async Task<CorporateActionReport> ApplyCorporateAction(CorporateAction action, CancellationToken ct)
    {
        Http.Timeout = TimeSpan.FromMinutes(30);
        using var response = await Http.PostAsJsonAsync("api/corporate-actions", action, Json, ct);
        await Check(response, ct);
        return await response.Content.ReadFromJsonAsync<CorporateActionReport>(Json, ct) ?? throw new ApiFailureException("empty corporate action report");
    }
}

/// <summary><c>households report realized|unrealized|summary</c>: the silo's tax reports (docs/formats.md §6, §7), to
/// standard output or <c>--out</c>. Bad input (a date, a format, an id) is exit 2 with one line; nothing is asked.</summary>
public static class ReportCommand
{
    public static Command Create(ApiConnector? connect = null)
    {
        connect ??= HouseholdsApiClient.Default;
        var cmd = new Command("report", "Tax reports from a running silo: realized gains (Form 8949), unrealized gains, the year-to-date summary");
        cmd.Subcommands.Add(Report(connect, "realized", "Realized gains and losses by lot as Form 8949 lines (csv, pdf or json)", ["csv", "pdf", "json"], true));
        cmd.Subcommands.Add(Report(connect, "unrealized", "Open lots with unrealized gain, term and the day each turns long term (csv or json)", ["csv", "json"], false));
        cmd.Subcommands.Add(Report(connect, "summary", "Year-to-date realized results per household with the capital loss carryover (json)", ["json"], false));
        return cmd;
    }

    private static Command Report(ApiConnector connect, string kind, string description, string[] formats, bool range)
    {
        var household = new Option<string?>("--household") { Description = "one household (default: the firm, or an advisor's own households)" };
        var account = new Option<string?>("--account") { Description = "one account" };
        var from = new Option<string?>("--from") { Description = "first sale date, YYYY-MM-DD (default: January 1 of --to's year)" };
        var to = new Option<string?>("--to") { Description = range ? "last sale date, YYYY-MM-DD (default: today)" : "as of this date, YYYY-MM-DD (default: today)" };
        var format = new Option<string>("--format") { Description = $"{string.Join(", ", formats)} (default {formats[0]})", DefaultValueFactory = _ => formats[0] };
        var output = new Option<string?>("--out") { Description = "write to this file (default: standard output; a PDF needs --out)" };
        var url = HouseholdsApiClient.UrlOption();
        var token = HouseholdsApiClient.TokenOption();
        var cmd = new Command(kind, description) { household, to, format, output, url, token };
        if (kind != "summary") cmd.Options.Add(account);
        if (range) cmd.Options.Add(from);
        cmd.SetAction(async (parse, ct) =>
        {
            // Checked here too, so bad input never reaches the silo.
            var id = InputRules.OptionalId(parse.GetValue(household), "--household");
            var accountId = InputRules.OptionalId(parse.GetValue(account), "--account");
            var first = ExportCommand.Date(parse.GetValue(from), "--from");
            var last = ExportCommand.Date(parse.GetValue(to), "--to");
            if (first is { } f && last is { } l && l < f) throw new BadInputException("--to must not be before --from");
            var fmt = parse.GetValue(format)!.ToLowerInvariant();
            if (!formats.Contains(fmt)) throw new BadInputException($"--format must be one of {string.Join(", ", formats)}");
            var path = parse.GetValue(output);
            if (fmt == "pdf" && path is null) throw new BadInputException("--out is required for a PDF");
            var body = await connect(parse.GetValue(url)!, parse.GetValue(token)).Report(kind,
                [("household", id), ("account", accountId), ("from", first.HasValue ? Form8949.Date(first.Value) : null),
                 ("to", last.HasValue ? Form8949.Date(last.Value) : null), ("format", kind == "summary" ? null : fmt)], ct);
            if (path is null)
            {
                parse.InvocationConfiguration.Output.Write(System.Text.Encoding.UTF8.GetString(body));
                return ExitCodes.Success;
            }
            Write(path, body);
            parse.InvocationConfiguration.Output.WriteLine($"wrote {body.Length} bytes to {path}");
            return ExitCodes.Success;
        });
        return cmd;
    }

    internal static void Write(string path, byte[] body)
    {
        try { File.WriteAllBytes(path, body); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new BadInputException($"cannot write --out {path}: {ex.Message}");
        }
    }
}

/// <summary><c>households corporate-actions import FILE [--dry-run]</c>: the whole file is checked first (docs/formats.md §5);
/// any problem is exit 2 and nothing is sent. Then each action is sent in date order; an action applied before is a replay
/// and changes nothing.</summary>
public static class CorporateActionsCommand
{
    public static Command Create(ApiConnector? connect = null)
    {
        connect ??= HouseholdsApiClient.Default;
        var file = new Argument<string>("file") { Description = "corporate-actions CSV" };
        var dryRun = new Option<bool>("--dry-run") { Description = "check the file and send nothing" };
        var url = HouseholdsApiClient.UrlOption();
        var token = HouseholdsApiClient.TokenOption();
        var import = new Command("import", "Apply the corporate actions of a CSV file to every account holding the securities") { file, dryRun, url, token };
        import.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            var actions = CorporateActionFile.Parse(InputFile.Read(path, CorporateActionFile.MaxFileBytes), Path.GetFileName(path));
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(dryRun))
            {
                output.WriteLine($"{actions.Count} corporate actions are valid; nothing was sent");
                return ExitCodes.Success;
            }
            var api = connect(parse.GetValue(url)!, parse.GetValue(token));
            foreach (var action in actions)
            {
                var report = await api.ApplyCorporateAction(action, ct);
                var refused = report.Households.Count(h => h.Refused is not null);
                output.WriteLine($"{action.Id}: {(report.Replayed ? "already applied" : "applied")}: {report.Households.Length - refused} households, {report.Households.Sum(h => h.Accounts.Length)} accounts"
                    + (refused > 0 ? $"; refused by {refused}: {string.Join("; ", report.Households.Where(h => h.Refused is not null).Select(h => $"{h.HouseholdId}: {h.Refused}"))}" : ""));
            }
            return ExitCodes.Success;
        });
        var cmd = new Command("corporate-actions", "Corporate actions: splits, ticker changes, mergers, spin-offs, dividends, returns of capital");
        cmd.Subcommands.Add(import);
        return cmd;
    }
}
