using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Households.Contracts;
using Households.Domain;
using Spectre.Console;

namespace Households.Client.Commands;

/// <summary><c>households proposals list|approve|reject</c> over the proposals API.</summary>
public static class ProposalsCommand
{
    private static readonly Dictionary<string, ProposalStatus> Statuses = Enum.GetValues<ProposalStatus>()
        .ToDictionary(s => s.ToString().ToLowerInvariant(), s => s);

    public static Command Create(ApiConnector? connect = null)
    {
        connect ??= HouseholdsApiClient.Default;
        var cmd = new Command("proposals", "List, approve or reject a household's rebalance proposals");
        cmd.Subcommands.Add(List(connect));
        cmd.Subcommands.Add(Decide(connect, approve: true));
        cmd.Subcommands.Add(Decide(connect, approve: false));
        return cmd;
    }

    private static Command List(ApiConnector connect)
    {
        var household = new Argument<string>("household") { Description = "household id" };
        var status = new Option<string?>("--status") { Description = "only proposals in this status: " + string.Join(", ", Statuses.Keys) };
        status.AcceptOnlyFromAmong([.. Statuses.Keys]);
        var json = new Option<bool>("--json") { Description = "print the proposals as one JSON array" };
        var url = HouseholdsApiClient.UrlOption();
        var token = HouseholdsApiClient.TokenOption();
        var cmd = new Command("list", "List a household's proposals, newest first") { household, status, json, url, token };
        cmd.SetAction(async (parse, ct) =>
        {
            var id = parse.GetValue(household)!;
            var proposals = await connect(parse.GetValue(url)!, parse.GetValue(token)).GetProposals(id, ct)
                ?? throw new BadInputException($"household {id} does not exist");
            if (parse.GetValue(status) is { } s) proposals = [.. proposals.Where(p => p.Status == Statuses[s])];
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                output.WriteLine(JsonSerializer.Serialize(proposals, HouseholdsApiClient.Json));
                return ExitCodes.Success;
            }
            Render(id, proposals, output);
            return ExitCodes.Success;
        });
        return cmd;
    }

    private static Command Decide(ApiConnector connect, bool approve)
    {
        var household = new Argument<string>("household") { Description = "household id" };
        var proposal = new Argument<string>("proposal") { Description = "proposal id (see proposals list)" };
        var note = new Option<string?>("--note") { Description = "why (kept with the proposal and in the journal)" };
        var json = new Option<bool>("--json") { Description = "print the decided proposal as JSON" };
        var url = HouseholdsApiClient.UrlOption();
        var token = HouseholdsApiClient.TokenOption();
        var cmd = approve
            ? new Command("approve", "Approve a pending proposal: re-validated against live prices and the wash-sale ledger, then executed") { household, proposal, json, url, token }
            : new Command("reject", "Reject a pending proposal") { household, proposal, note, json, url, token };
        cmd.SetAction(async (parse, ct) =>
        {
            var text = parse.GetValue(note);
            if (text is { Length: > 500 }) throw new BadInputException("--note must be at most 500 characters");
            var decided = await connect(parse.GetValue(url)!, parse.GetValue(token))
                .Decide(parse.GetValue(household)!, parse.GetValue(proposal)!, approve, text, ct);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json)) output.WriteLine(JsonSerializer.Serialize(decided, HouseholdsApiClient.Json));
            else output.WriteLine($"{decided.Id}: {decided.Status.ToString().ToLowerInvariant()}" +
                (decided.SupersededBy is { } next ? $" (superseded by {next})" : "") +
                (decided.Fills.Length > 0 ? $", {decided.Fills.Length} fills" : ""));
            return ExitCodes.Success;
        });
        return cmd;
    }

    /// <param name="width">the console width to lay the table out for; null: the terminal's, <c>COLUMNS</c> or 120</param>
    public static void Render(string household, IReadOnlyList<RebalanceProposal> proposals, TextWriter output, int? width = null)
    {
        var console = PlainConsole.For(output, width);
        if (proposals.Count == 0)
        {
            console.WriteLine($"{household}: no proposals");
            return;
        }
        // Narrow consoles lose the creation time first, then the expiry, then the tracking error before (the after stays).
        var table = new TableLayout($"{household}: {proposals.Count} proposals")
            .Key("Id").Key("Status").Key("Created", drop: 3).Key("Expires", drop: 2).Prose("Trades")
            .Number("TE before", drop: 1).Number("TE after").Number("ST gain").Number("LT gain");
        foreach (var p in proposals)
        {
            var trades = string.Join("; ", p.Trades.Take(4).Select(t =>
                string.Create(CultureInfo.InvariantCulture, $"{(t.Side == TradeSide.Buy ? "buy" : "sell")} {t.Quantity:0.####} {t.Symbol} in {t.Account}")));
            if (p.Trades.Length > 4) trades += $"; +{p.Trades.Length - 4} more";
            table.Row(p.Id, p.Status.ToString().ToLowerInvariant(), p.CreatedAt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                p.ExpiresAt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), trades,
                p.TrackingErrorBefore.ToString("P2", CultureInfo.InvariantCulture), p.TrackingErrorAfter.ToString("P2", CultureInfo.InvariantCulture),
                p.ShortTermGain.ToString("N2", CultureInfo.InvariantCulture), p.LongTermGain.ToString("N2", CultureInfo.InvariantCulture));
        }
        table.WriteTo(console);
    }
}
