using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Households.Contracts;
using Households.Domain;
using Households.Domain.Audit;
using Spectre.Console;

namespace Households.Client.Commands;

public sealed partial class HouseholdsApiClient
{
    /// <summary>GET /api/audit: the report and the JSON document exactly as the silo wrote it. A firm-wide audit reads the
    /// whole journal, so it may take minutes.</summary>
    public async Task<(AuditReport Report, string Json)> Audit(string? household, string? from, string? to, CancellationToken ct)
    {
        Http.Timeout = TimeSpan.FromMinutes(30);
        var query = string.Join("&", new[] { ("household", household), ("from", from), ("to", to) }
            .Where(p => p.Item2 is not null).Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2!)}"));
        using var response = await Http.GetAsync("api/audit" + (query.Length > 0 ? "?" + query : ""), ct);
        await Check(response, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        return (JsonSerializer.Deserialize<AuditReport>(text, Json) ?? throw new ApiFailureException("empty audit report"), text);
    }
}

/// <summary><c>households audit [--household HH] [--from ISO] [--to ISO] [--json]</c>: the compliance audit of a running
/// silo's journal. Exit 0 when clean, 1 when any defect was found, 2 on bad input.</summary>
public static class AuditCommand
{
    /// <summary>Findings listed per category in the table (the JSON carries the silo's full list).</summary>
    public const int FindingsShown = 5;

    public static Command Create(ApiConnector? connect = null)
    {
        connect ??= HouseholdsApiClient.Default;
        var household = new Option<string?>("--household") { Description = "audit one household (default: the whole firm, or an advisor's own households)" };
        var from = new Option<string?>("--from") { Description = "audit entries from this ISO 8601 date or time (earlier entries are read as context)" };
        var to = new Option<string?>("--to") { Description = "audit the journal as it stood before this ISO 8601 date or time" };
        var json = new Option<bool>("--json") { Description = "print the report as the API's JSON document" };
        var url = HouseholdsApiClient.UrlOption();
        var token = HouseholdsApiClient.TokenOption();
        var cmd = new Command("audit", "Compliance audit of the journal: self-washed sales, self-blocked harvests, dust and fractional orders, frozen decisions, unpaid withdrawals")
        {
            household, from, to, json, url, token,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            // Checked here too, so bad input never reaches the silo.
            var id = InputRules.OptionalId(parse.GetValue(household), "--household");
            var (since, until) = (parse.GetValue(from), parse.GetValue(to));
            var window = new AuditSettings { From = AuditSettings.ParseInstant(since, "--from"), To = AuditSettings.ParseInstant(until, "--to") };
            if (window.From is { } f && window.To is { } t && t < f) throw new BadInputException("--to must not be before --from");
            var (report, text) = await connect(parse.GetValue(url)!, parse.GetValue(token)).Audit(id, since, until, ct);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json)) output.WriteLine(text);
            else Render(report, output);
            return report.Clean ? ExitCodes.Success : ExitCodes.Failure;
        });
        return cmd;
    }

    public static void Render(AuditReport report, TextWriter output)
    {
        var console = PlainConsole.For(output);
        var window = (report.From, report.To) switch
        {
            (null, null) => "",
            var (f, t) => $" from {f?.ToString("u", CultureInfo.InvariantCulture) ?? "the start"} to {t?.ToString("u", CultureInfo.InvariantCulture) ?? "now"}",
        };
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Audit of {report.HouseholdId ?? "the firm"}{window}: {report.EntriesScanned:N0} entries, {report.Households:N0} households, {report.EngineFills:N0} engine fills, {report.Decisions:N0} decisions; minimum trade {report.MinTrade:N2}"));
        var table = new TableLayout().Prose("Check").Number("Count");
        foreach (var (name, category) in report.Defects()) table.Row(name, category.Count.ToString("N0", CultureInfo.InvariantCulture));
        table.Row("of the self-washed: permanent (info)", report.PermanentSelfWashedSales.ToString("N0", CultureInfo.InvariantCulture));
        table.Row("client events recorded: cash, restrictions, policies (info)", report.ClientEvents.ToString("N0", CultureInfo.InvariantCulture));
        table.Row("decisions that relaxed a rule (info)", report.RelaxedDecisions.ToString("N0", CultureInfo.InvariantCulture));
        table.Row("harvests deferred by an earlier purchase, the lot then above its protection (info)", report.HarvestsDeferredByEarlierPurchases.ToString("N0", CultureInfo.InvariantCulture));
        if (report.AccountsLoadedInBulk > 0)
            table.Row("accounts loaded in bulk: books not replayed, withdrawals not judged (info)", report.AccountsLoadedInBulk.ToString("N0", CultureInfo.InvariantCulture));
        if (report is { AccountsMonitored: { } monitored, AccountsOutOfTolerance: { } outOfTolerance })
            table.Row("accounts out of tolerance now (info)", string.Create(CultureInfo.InvariantCulture,
                $"{outOfTolerance:N0} of {monitored:N0} ({(monitored > 0 ? (double)outOfTolerance / monitored : 0):P1})"));
        else if (report.AccountsMonitored is not null)
            table.Row("accounts out of tolerance now (info)", "not measured: no price batch scanned yet");
        table.WriteTo(console);
        foreach (var (name, category) in report.Defects().Where(d => d.Category.Count > 0))
        {
            // Narrow consoles lose the household (the account names it) before the finding has to wrap.
            var findings = new TableLayout($"{name}: first {Math.Min(FindingsShown, category.Findings.Length)} of {category.Count}")
                .Key("Household", drop: 1).Key("Account").Key("Entry").Prose("Finding");
            foreach (var f in category.Findings.Take(FindingsShown))
                findings.Row(f.HouseholdId, f.AccountId ?? "-", f.EntryKey ?? $"#{f.EntryId}", f.Explanation);
            findings.WriteTo(console);
        }
        console.WriteLine(report.Clean ? "Clean." : $"{report.Defects().Sum(d => d.Category.Count):N0} defects.");
    }
}
