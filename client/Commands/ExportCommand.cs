using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Households.Contracts;
using Households.Domain;
using Households.Domain.Tax;

namespace Households.Client.Commands;

/// <summary><c>households export trades</c>: the journaled fills as TRADES.csv (FORMATS §1), so an export of one
/// household replays with <c>households tax replay</c>.</summary>
public static class ExportCommand
{
    public static Command Create(ApiConnector? connect = null)
    {
        connect ??= HouseholdsApiClient.Default;
        var household = new Option<string?>("--household") { Description = "one household (default: every household of the firm)" };
        var from = new Option<string?>("--from") { Description = "first trade date, YYYY-MM-DD (inclusive)" };
        var to = new Option<string?>("--to") { Description = "last trade date, YYYY-MM-DD (inclusive)" };
        var output = new Option<string?>("--out") { Description = "write to this file (default: standard output)" };
        var fillsOnly = new Option<bool>("--fills-only") { Description = "only journaled fills; leave out the buys that stand for the lots accounts were opened with" };
        var url = HouseholdsApiClient.UrlOption();
        var token = HouseholdsApiClient.TokenOption();
        var trades = new Command("trades", "Export recorded fills as TRADES.csv (the tax replay format)") { household, from, to, output, fillsOnly, url, token };
        trades.SetAction(async (parse, ct) =>
        {
            var first = Date(parse.GetValue(from), "--from");
            var last = Date(parse.GetValue(to), "--to");
            if (first is { } f && last is { } l && l < f) throw new BadInputException("--to must not be before --from");
            var api = connect(parse.GetValue(url)!, parse.GetValue(token));
            var ids = parse.GetValue(household) is { } one ? [one] : (await api.ListHouseholds(ct)).Select(h => h.Id).ToList();
            var fills = new List<JournaledFill>();
            var types = new Dictionary<string, AccountType>(StringComparer.Ordinal);
            var openLots = new List<(string, string, TaxLot)>();
            foreach (var id in ids)
            {
                var view = await api.GetHousehold(id, ct) ?? throw new BadInputException($"household {id} does not exist");
                foreach (var a in view.Accounts)
                {
                    types[a.Spec.Id] = a.Spec.Type;
                    openLots.AddRange(a.Holdings.SelectMany(h => h.Lots).Select(l => (id, a.Spec.Id, l.Lot)));
                }
                foreach (var entry in await api.Journal(id, JournalKind.Fill, ct))
                {
                    var trade = JsonSerializer.Deserialize<TradeResult>(entry.Payload, HouseholdsApiClient.Json)
                        ?? throw new ApiFailureException($"journal entry {entry.Id} has no payload");
                    fills.Add(new JournaledFill(entry.Id, id, trade));
                }
            }
            var openings = parse.GetValue(fillsOnly) ? [] : TradeExport.OpeningLots(fills, openLots);
            var csv = TradeExport.Csv(fills, a => types.TryGetValue(a, out var t) ? t : null, first, last, openings);
            if (parse.GetValue(output) is { } path)
            {
                try
                {
                    File.WriteAllText(path, csv);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
                {
                    throw new BadInputException($"cannot write --out {path}: {ex.Message}");
                }
                parse.InvocationConfiguration.Output.WriteLine($"wrote {csv.Count(c => c == '\n') - 1} trade rows to {path}");
            }
            else parse.InvocationConfiguration.Output.Write(csv);
            return ExitCodes.Success;
        });
        var cmd = new Command("export", "Export data from a running silo");
        cmd.Subcommands.Add(trades);
        return cmd;
    }

    internal static DateOnly? Date(string? value, string option) =>
        value is null ? null
        : DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d
        : throw new BadInputException($"{option} '{value}' is not a date YYYY-MM-DD");
}
