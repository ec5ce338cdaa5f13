using System.CommandLine;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Households.Contracts;
using Households.Domain;
using Households.Domain.Reconciliation;
using Spectre.Console;

namespace Households.Client.Commands;

public sealed partial class HouseholdsApiClient
{
    /// <summary>POST /api/reconciliation: the custodian file reconciled against the books, every account of the file.</summary>
    public async Task<ReconciliationReport> Reconcile(string positions, DateOnly asOf, CancellationToken ct)
    {
        using var response = await Http.PostAsJsonAsync("api/reconciliation", new { positions, asOf = asOf.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) }, ct);
        await Check(response, ct);
        return await response.Content.ReadFromJsonAsync<ReconciliationReport>(Json, ct) ?? throw new ApiFailureException("empty reconciliation report");
    }
}

/// <summary><c>households reconcile FILE [--as-of DATE] [--json]</c>: a custodian position and lot file
/// (docs/formats.md, "Custodian positions") reconciled against the books, one table per account. The file is checked here
/// first: bad input is exit 2 with one line naming line and field, and nothing is sent.</summary>
public static class ReconcileCommand
{
    public static Command Create(ApiConnector? connect = null)
    {
        connect ??= HouseholdsApiClient.Default;
        var file = new Argument<string>("file") { Description = "the custodian's positions CSV" };
        var asOf = new Option<string?>("--as-of") { Description = "the day the file is as of, YYYY-MM-DD (default today)" };
        var json = new Option<bool>("--json") { Description = "print the report as JSON" };
        var url = HouseholdsApiClient.UrlOption();
        var token = HouseholdsApiClient.TokenOption();
        var cmd = new Command("reconcile", "Reconcile a custodian's positions and lots against the books: matched, quantity and basis breaks, missing and extra lots, cash breaks")
            { file, asOf, json, url, token };
        cmd.SetAction(async (parse, ct) =>
        {
            var day = Day(parse.GetValue(asOf));
            var path = parse.GetValue(file)!;
            var text = InputFile.Read(path, CustodianPositions.MaxFileBytes);
            CustodianPositions.Parse(text, day, Path.GetFileName(path));
            var report = await connect(parse.GetValue(url)!, parse.GetValue(token)).Reconcile(text, day, ct);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json)) output.WriteLine(JsonSerializer.Serialize(report, HouseholdsApiClient.Json));
            else Render(report, output);
            return ExitCodes.Success;
        });
        return cmd;
    }

    private static DateOnly Day(string? text)
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        if (text is null) return today;
        if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            throw new BadInputException("--as-of must be a date YYYY-MM-DD");
        return day;
    }

    public static void Render(ReconciliationReport report, TextWriter output)
    {
        var console = PlainConsole.For(output);
        var c = CultureInfo.InvariantCulture;
        foreach (var account in report.Accounts)
        {
            var title = account.Status switch
            {
                ReconciliationStatus.UnknownAccount => $"{account.Account}: unknown account",
                ReconciliationStatus.Matched => $"{account.Account} as of {account.AsOf:yyyy-MM-dd}: all matched",
                _ => $"{account.Account} as of {account.AsOf:yyyy-MM-dd}: {account.Breaks} break{(account.Breaks == 1 ? "" : "s")}",
            };
            var table = new TableLayout(title).Prose("Kind").Key("Symbol").Key("Lot").Number("Ours").Number("Theirs").Number("Difference");
            foreach (var l in account.Lines)
            {
                // Basis and cash compare dollars; the other kinds compare shares.
                var dollars = l.Kind == ReconciliationKind.BasisBreak;
                var ours = dollars ? l.OurBasis : l.OurQuantity;
                var theirs = dollars ? l.TheirBasis : l.TheirQuantity;
                table.Row(Kind(l.Kind), l.Symbol, l.Lot ?? "",
                    ours?.ToString("N2", c) ?? "", theirs?.ToString("N2", c) ?? "", l.Difference.ToString("N2", c));
            }
            table.WriteTo(console);
        }
    }

    private static string Kind(ReconciliationKind kind) => kind switch
    {
        ReconciliationKind.QuantityBreak => "quantity break",
        ReconciliationKind.BasisBreak => "basis break",
        ReconciliationKind.MissingLot => "missing lot",
        ReconciliationKind.ExtraLot => "extra lot",
        ReconciliationKind.CashBreak => "cash break",
        _ => "matched",
    };
}
