using System.CommandLine;
using Households.Domain;

namespace Households.Client.Commands;

public sealed partial class HouseholdsApiClient
{
    /// <summary>GET /api/households/{id}/proposals/{pid}/explanation.{html|pdf}: the document as the silo wrote it. A missing
    /// household or proposal is bad input (exit 2).</summary>
    public async Task<byte[]> Explanation(string household, string proposal, string format, CancellationToken ct)
    {
        using var response = await Http.GetAsync(
            $"api/households/{Uri.EscapeDataString(household)}/proposals/{Uri.EscapeDataString(proposal)}/explanation.{format}", ct);
        await Check(response, ct);
        return await response.Content.ReadAsByteArrayAsync(ct);
    }
}

/// <summary><c>households explain --household H --proposal P [--format pdf|html] --out FILE</c>: the client explanation of a
/// proposal (docs/formats.md §19) written to a file. Bad input (an id, a format, an unknown household or proposal, a file that
/// cannot be written) is exit 2 with one line.</summary>
public static class ExplainCommand
{
    public static Command Create(ApiConnector? connect = null)
    {
        connect ??= HouseholdsApiClient.Default;
        var household = new Option<string>("--household") { Description = "the household", Required = true };
        var proposal = new Option<string>("--proposal") { Description = "the proposal", Required = true };
        var format = new Option<string>("--format") { Description = "pdf or html (default pdf)", DefaultValueFactory = _ => "pdf" };
        var output = new Option<string>("--out") { Description = "the file to write", Required = true };
        var url = HouseholdsApiClient.UrlOption();
        var token = HouseholdsApiClient.TokenOption();
        var cmd = new Command("explain", "A proposal explained for the client (trades and why, tax effect, wash-sale precautions, target before and after) as PDF or HTML")
            { household, proposal, format, output, url, token };
        cmd.SetAction(async (parse, ct) =>
        {
            var id = InputRules.Id(parse.GetValue(household), "--household");
            var pid = InputRules.Id(parse.GetValue(proposal), "--proposal");
            var fmt = parse.GetValue(format)!.ToLowerInvariant();
            if (fmt is not ("pdf" or "html")) throw new BadInputException("--format must be pdf or html");
            var path = parse.GetValue(output)!;
            var body = await connect(parse.GetValue(url)!, parse.GetValue(token)).Explanation(id, pid, fmt, ct);
            ReportCommand.Write(path, body);
            parse.InvocationConfiguration.Output.WriteLine($"wrote {body.Length} bytes to {path}");
            return ExitCodes.Success;
        });
        return cmd;
    }
}
