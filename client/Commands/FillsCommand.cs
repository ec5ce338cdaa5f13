using System.Globalization;
using System.CommandLine;
using System.Net.Http.Json;
using System.Text;
using Households.Contracts;
using Households.Domain;
using Households.Domain.Execution;

namespace Households.Client.Commands;

public sealed partial class HouseholdsApiClient
{
    /// <summary>POST /api/fills with a fills file (text/csv): one result a report, in file order.</summary>
    public async Task<ExecutionResult[]> PostFills(string file, CancellationToken ct)
    {
        using var response = await Http.PostAsync("api/fills", new StringContent(file, Encoding.UTF8, "text/csv"), ct);
        await Check(response, ct);
        return await response.Content.ReadFromJsonAsync<ExecutionResult[]>(Json, ct) ?? throw new ApiFailureException("empty fills answer");
    }
}

/// <summary><c>households fills import FILE</c>: the desk's execution reports (docs/formats.md §15) sent to <c>POST /api/fills</c>,
/// one line a report. The file is checked here first: bad input is exit 2 with one line naming line and field, and nothing is
/// sent; the server checks the whole batch against the orders before applying any.</summary>
public static class FillsCommand
{
    /// <summary>The largest fills file the CLI sends: the API's cap on an ordinary request body (4 MB).</summary>
    public const long MaxFileBytes = 4L * 1024 * 1024 - 64 * 1024;

    public static Command Create(ApiConnector? connect = null)
    {
        connect ??= HouseholdsApiClient.Default;
        var file = new Argument<string>("file") { Description = "fills CSV: execution_id, client_order_id, type, quantity, price, time, reason, commission" };
        var url = HouseholdsApiClient.UrlOption();
        var token = HouseholdsApiClient.TokenOption();
        var import = new Command("import", "Book the desk's fills, cancels and rejects against the orders sent (idempotent by execution id)") { file, url, token };
        import.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            var text = InputFile.Read(path, MaxFileBytes);
            OrderFiles.ParseFills(text, Path.GetFileName(path));
            var results = await connect(parse.GetValue(url)!, parse.GetValue(token)).PostFills(text, ct);
            var output = parse.InvocationConfiguration.Output;
            foreach (var r in results)
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{r.ExecutionId}: order {r.Order.ClientOrderId} {OrderBook.Describe(r.Order.Status)}, {r.Order.FilledQuantity} of {r.Order.Quantity} {r.Order.Symbol} at {r.Order.AveragePrice:0.00####}")
                    + (r.Replayed ? " (already applied)" : "") + (r.Refused is { } why ? $"; refused: {why}" : ""));
            return ExitCodes.Success;
        });
        var cmd = new Command("fills", "Execution reports from the trading desk or custodian for orders-mode accounts");
        cmd.Subcommands.Add(import);
        return cmd;
    }
}
