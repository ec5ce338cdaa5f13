using System.CommandLine;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Households.Contracts;
using Households.Domain;
using Spectre.Console;

namespace Households.Client.Commands;

/// <summary>The typed HTTP client of the silo's API, shared by the CLI commands that talk to a running silo.</summary>
public sealed partial class HouseholdsApiClient(HttpClient http)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static Option<string> UrlOption() => new("--url")
    {
        Description = "Base address of a running silo's API",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("HOUSEHOLDS_URL") ?? "http://localhost:5000",
    };

    public static HouseholdsApiClient For(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
            throw new BadInputException($"--url {url} is not an http(s) address");
        return new HouseholdsApiClient(new HttpClient { BaseAddress = uri, Timeout = TimeSpan.FromSeconds(30) });
    }

    public async Task<HouseholdView?> GetHousehold(string id, CancellationToken ct)
    {
        using var response = await http.GetAsync($"api/households/{Uri.EscapeDataString(id)}", ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        await Check(response, ct);
        return await response.Content.ReadFromJsonAsync<HouseholdView>(Json, ct);
    }
}

/// <summary><c>households show HOUSEHOLD</c>: a household's live state from a running silo, as tables.</summary>
public static class ShowCommand
{
    public static Command Create()
    {
        var id = new Argument<string>("household") { Description = "household id, e.g. HH0001" };
        var url = HouseholdsApiClient.UrlOption();
        var token = HouseholdsApiClient.TokenOption();
        var json = new Option<bool>("--json") { Description = "print the API's JSON document" };
        var cmd = new Command("show", "Show a household's live state (accounts, holdings, drift) from a running silo") { id, url, token, json };
        cmd.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var household = await HouseholdsApiClient.For(parse.GetValue(url)!, parse.GetValue(token)).GetHousehold(parse.GetValue(id)!, ct)
                ?? throw new BadInputException($"household {parse.GetValue(id)} does not exist");
            if (parse.GetValue(json))
            {
                output.WriteLine(JsonSerializer.Serialize(household, HouseholdsApiClient.Json));
                return ExitCodes.Success;
            }
            Render(household, output);
            return ExitCodes.Success;
        });
        return cmd;
    }

    /// <param name="width">the console width to lay the tables out for; null: the terminal's, <c>COLUMNS</c> or 120</param>
    public static void Render(HouseholdView household, TextWriter output, int? width = null)
    {
        var console = PlainConsole.For(output, width);
        console.WriteLine($"{household.Name} ({household.Id}), advisor {household.AdvisorId}: {household.MarketValue:N2}");
        foreach (var account in household.Accounts)
        {
            // Narrow consoles lose Target first (weight minus drift), then the asset class, then the price (value over quantity).
            var table = new TableLayout($"{account.Spec.Id} {account.Spec.Type} model {account.Spec.ModelId ?? "-"}: {account.MarketValue:N2}, cash {account.Cash:N2}")
                .Key("Symbol").Key("Class", drop: 2).Number("Quantity").Number("Price", drop: 1).Number("Value")
                .Number("Weight").Number("Target", drop: 3).Number("Drift").Key("Band");
            foreach (var h in account.Holdings)
            {
                var d = account.Drift.FirstOrDefault(l => l.Level == DriftLevel.Security && l.Key == h.Symbol);
                table.Row(h.Symbol, h.AssetClass, h.Quantity.ToString("0.####"), h.Price.ToString("N2"), h.MarketValue.ToString("N2"),
                    h.Weight.ToString("P2"), d is null ? "-" : d.Target.ToString("P2"), d is null ? "-" : d.Drift.ToString("+0.00%;-0.00%"),
                    d is null ? "-" : d.OutOfBand ? "OUT" : "in");
            }
            table.WriteTo(console);
            if (account.OpenTriggers.Length > 0)
                console.WriteLine($"  {account.OpenTriggers.Length} open triggers, latest: {account.OpenTriggers[^1].Kind} {account.OpenTriggers[^1].Subject}");
        }
    }
}
