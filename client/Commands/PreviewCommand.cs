using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Households.Contracts;
using Households.Domain;
using Spectre.Console;

namespace Households.Client.Commands;

public sealed partial class HouseholdsApiClient
{
    /// <summary>POST /api/households/{id}/preview: what the engine would do now; nothing is filed. A missing household is bad
    /// input (exit 2).</summary>
    public async Task<HouseholdPreview> Preview(string household, CancellationToken ct)
    {
        if (Http.Timeout < TimeSpan.FromMinutes(5)) Http.Timeout = TimeSpan.FromMinutes(5);
        using var response = await Http.PostAsync($"api/households/{Uri.EscapeDataString(household)}/preview", null, ct);
        if (response.StatusCode == HttpStatusCode.NotFound) throw new BadInputException($"household {household} does not exist");
        await Check(response, ct);
        return await response.Content.ReadFromJsonAsync<HouseholdPreview>(Json, ct) ?? throw new ApiFailureException("empty preview");
    }
}

/// <summary><c>households preview HH... [--json]</c>: the plan the engine would make now for each household (trades with their
/// lots, reasons and gains, the estimated tax at the household's marginal rates, each account's tracking error before and after,
/// what was relaxed or protected, and the transition path when the household has a tax budget). Nothing is filed or executed.</summary>
public static class PreviewCommand
{
    public static Command Create(ApiConnector? connect = null)
    {
        connect ??= HouseholdsApiClient.Default;
        var households = new Argument<string[]>("households") { Description = "household ids", Arity = ArgumentArity.OneOrMore };
        var json = new Option<bool>("--json") { Description = "print the previews as one JSON array" };
        var url = HouseholdsApiClient.UrlOption();
        var token = HouseholdsApiClient.TokenOption();
        var cmd = new Command("preview", "What the engine would do now for a household, without doing it: trades, lots, tax effect, tracking error before and after")
            { households, json, url, token };
        cmd.SetAction(async (parse, ct) =>
        {
            var ids = parse.GetValue(households)!.Select(h => InputRules.Id(h, "household")).Distinct(StringComparer.Ordinal).ToArray();
            var api = connect(parse.GetValue(url)!, parse.GetValue(token));
            var previews = new List<HouseholdPreview>();
            foreach (var id in ids) previews.Add(await api.Preview(id, ct));
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json)) output.WriteLine(JsonSerializer.Serialize(previews, HouseholdsApiClient.Json));
            else foreach (var p in previews) Render(p, output);
            return ExitCodes.Success;
        });
        return cmd;
    }

    public static void Render(HouseholdPreview p, TextWriter output)
    {
        var console = PlainConsole.For(output);
        var c = CultureInfo.InvariantCulture;
        var r = p.Rates;
        // Narrow consoles lose the lots sold first (the order file and the JSON carry them), then the reasons.
        var table = new TableLayout($"{p.HouseholdId} on {p.AsOf:yyyy-MM-dd}: {p.Record.Outcome}, {p.Plan.Trades.Length} trades, estimated tax {p.EstimatedTax.ToString("N2", c)}")
            .Key("Account").Key("Side").Number("Quantity").Key("Symbol").Number("Amount").Number("ST gain").Number("LT gain")
            .Prose("Lots", drop: 2).Prose("Reasons", drop: 1);
        foreach (var t in p.Plan.Trades)
            table.Row(t.Account, t.Side == TradeSide.Buy ? "buy" : "sell", t.Quantity.ToString("0.######", c), t.Symbol, t.Amount.ToString("N2", c),
                t.ShortTermGain.ToString("N2", c), t.LongTermGain.ToString("N2", c), string.Join(' ', t.Lots.Select(l => l.Lot.Id)), t.Reasons.ToString());
        var caption = new List<string>
        {
            $"rates: gain {r.ShortTermGain.ToString("P1", c)} short, {r.LongTermGain.ToString("P1", c)} long; loss {r.ShortTermLoss.ToString("P1", c)} short, {r.LongTermLoss.ToString("P1", c)} long ({r.Basis})",
        };
        caption.AddRange(p.Accounts.Select(a => $"{a.Account} ({a.Type}, {a.Value.ToString("N0", c)}): tracking error {a.TrackingErrorBefore.ToString("P2", c)} -> {a.TrackingErrorAfter.ToString("P2", c)}, cash {a.CashBefore.ToString("N2", c)} -> {a.CashAfter.ToString("N2", c)}"));
        if (p.Record.Reason is { } why) caption.Add(why);
        caption.AddRange(p.Record.Relaxed.Select(x => "relaxed: " + x));
        caption.AddRange(p.Record.Notes);
        table.Caption(string.Join("\n", caption));
        table.WriteTo(console);
        if (p.Transition is { } plan) TransitionCommand.Render(plan, output);
    }
}
