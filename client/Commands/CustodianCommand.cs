using System.CommandLine;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Households.Contracts;
using Households.Domain;
using Households.Domain.Reconciliation;
using Spectre.Console;

namespace Households.Client.Commands;

public sealed partial class HouseholdsApiClient
{
    /// <summary>POST /api/custodian/transactions: the file applied, or (422) the report of why nothing was.</summary>
    public async Task<CustodianTransactionReport> ApplyCustodianTransactions(string csv, CancellationToken ct)
    {
        using var response = await Http.PostAsync("api/custodian/transactions", new StringContent(csv, Encoding.UTF8, "text/csv"), ct);
        if (response.StatusCode != HttpStatusCode.UnprocessableEntity) await Check(response, ct);
        return await response.Content.ReadFromJsonAsync<CustodianTransactionReport>(Json, ct) ?? throw new ApiFailureException("empty transaction report");
    }
}

/// <summary><c>households custodian transactions FILE [--json]</c>: a custodian's transaction file (docs/formats.md §17) applied to
/// the books, once per (account, transaction id). A file with errors applies nothing: the rows are printed and the exit code is 2.</summary>
public static class CustodianCommand
{
    public static Command Create(ApiConnector? connect = null)
    {
        connect ??= HouseholdsApiClient.Default;
        var file = new Argument<string>("file") { Description = "the custodian's transactions CSV" };
        var json = new Option<bool>("--json") { Description = "print the report as JSON" };
        var url = HouseholdsApiClient.UrlOption();
        var token = HouseholdsApiClient.TokenOption();
        var transactions = new Command("transactions", "Apply a custodian's transaction file: buys and sells through the wash-sale and realized-gains ledger, dividends, interest, fees, transfers and journals; all or nothing, each transaction once")
            { file, json, url, token };
        transactions.SetAction(async (parse, ct) =>
        {
            var text = InputFile.Read(parse.GetValue(file)!, CustodianPositions.MaxFileBytes);
            var report = await connect(parse.GetValue(url)!, parse.GetValue(token)).ApplyCustodianTransactions(text, ct);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json)) output.WriteLine(JsonSerializer.Serialize(report, HouseholdsApiClient.Json));
            else Render(report, output);
            if (report.Errors == 0) return ExitCodes.Success;
            parse.InvocationConfiguration.Error.WriteLine($"error: {report.Errors} row(s) cannot apply; nothing was applied");
            return ExitCodes.BadInput;
        });
        return new Command("custodian", "A custodian's files: transactions") { transactions };
    }

    public static void Render(CustodianTransactionReport report, TextWriter output)
    {
        var table = new TableLayout($"{report.Applied} applied, {report.AlreadyApplied} already applied, {report.Errors} error(s)")
            .Number("Line").Key("Transaction").Key("Account").Key("Type").Prose("Status").Prose("Detail");
        foreach (var r in report.Rows)
            table.Row(r.Line.ToString(System.Globalization.CultureInfo.InvariantCulture), r.Id, r.Account,
                r.Type is { } t ? CustodianTransactionFile.Name(t) : "", Status(r.Status), r.Detail);
        table.WriteTo(PlainConsole.For(output));
    }

    private static string Status(CustodianTransactionStatus status) => status switch
    {
        CustodianTransactionStatus.AlreadyApplied => "already applied",
        CustodianTransactionStatus.NotApplied => "not applied",
        CustodianTransactionStatus.Error => "error",
        _ => "applied",
    };
}
