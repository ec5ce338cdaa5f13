using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Households.Contracts;
using Households.Domain;
using Households.Domain.Decisions;
using Spectre.Console;

namespace Households.Client.Commands;

public sealed partial class HouseholdsApiClient
{
    /// <summary>GET /api/households/{id}/transition; the stored budget when <paramref name="budget"/> is null. A missing
    /// household is bad input (exit 2).</summary>
    public async Task<TransitionPlan> Transition(string household, decimal? budget, TaxBudgetUnit? unit, int? years, CancellationToken ct)
    {
        // A plan of twenty years runs twenty solves on the silo (set before the first request: one client asks for several households).
        if (Http.Timeout < TimeSpan.FromMinutes(5)) Http.Timeout = TimeSpan.FromMinutes(5);
        var query = new List<string>();
        if (budget is { } b) query.Add("budget=" + b.ToString(CultureInfo.InvariantCulture));
        if (unit is { } u) query.Add("unit=" + u.ToString().ToLowerInvariant());
        if (years is { } y) query.Add("years=" + y.ToString(CultureInfo.InvariantCulture));
        using var response = await Http.GetAsync($"api/households/{Uri.EscapeDataString(household)}/transition" + (query.Count > 0 ? "?" + string.Join("&", query) : ""), ct);
        if (response.StatusCode == HttpStatusCode.NotFound) throw new BadInputException($"household {household} does not exist");
        await Check(response, ct);
        return await response.Content.ReadFromJsonAsync<TransitionPlan>(Json, ct) ?? throw new ApiFailureException("empty transition plan");
    }
}

/// <summary><c>households transition HH... [--budget 20000] [--unit gains|tax] [--years N] [--json]</c>: each household's
/// multi-year transition toward its models under a yearly tax budget (the given one, else the household's stored one), one
/// table per household. Bad input is exit 2 with one line; nothing is asked.</summary>
public static class TransitionCommand
{
    public static Command Create(ApiConnector? connect = null)
    {
        connect ??= HouseholdsApiClient.Default;
        var households = new Argument<string[]>("households") { Description = "household ids", Arity = ArgumentArity.OneOrMore };
        var budget = new Option<string?>("--budget") { Description = "yearly budget in dollars (default: the household's stored budget)" };
        var unit = new Option<string?>("--unit") { Description = "what --budget counts: gains (net realized gains, the default) or tax (estimated tax)" };
        unit.AcceptOnlyFromAmong("gains", "tax");
        var years = new Option<string?>("--years") { Description = $"years to plan, 1 to {TransitionOptions.MaxYears} (default {TransitionOptions.DefaultYears})" };
        var json = new Option<bool>("--json") { Description = "print the plans as one JSON array" };
        var url = HouseholdsApiClient.UrlOption();
        var token = HouseholdsApiClient.TokenOption();
        var cmd = new Command("transition", "Plan a move toward the models under a yearly tax budget: per year gains realized, estimated tax, tracking error and value still outside the model")
            { households, budget, unit, years, json, url, token };
        cmd.SetAction(async (parse, ct) =>
        {
            // Checked here too, so bad input never reaches the silo.
            var ids = parse.GetValue(households)!.Select(h => InputRules.Id(h, "household")).Distinct(StringComparer.Ordinal).ToArray();
            var amount = Amount(parse.GetValue(budget));
            var span = Years(parse.GetValue(years));
            TaxBudgetUnit? counts = parse.GetValue(unit) is { } u ? (u == "tax" ? TaxBudgetUnit.Tax : TaxBudgetUnit.Gains) : null;
            if (counts is not null && amount is null) throw new BadInputException("--unit needs --budget");
            var api = connect(parse.GetValue(url)!, parse.GetValue(token));
            var plans = new List<TransitionPlan>();
            foreach (var id in ids) plans.Add(await api.Transition(id, amount, counts, span, ct));
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json)) output.WriteLine(JsonSerializer.Serialize(plans, HouseholdsApiClient.Json));
            else foreach (var plan in plans) Render(plan, output);
            return ExitCodes.Success;
        });
        return cmd;
    }

    private static decimal? Amount(string? text)
    {
        if (text is null) return null;
        if (!decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var amount) || amount < 0 || amount > TransitionRules.MaxBudget)
            throw new BadInputException($"--budget must be a dollar amount from 0 to {TransitionRules.MaxBudget.ToString("N0", CultureInfo.InvariantCulture)}");
        return amount;
    }

    private static int? Years(string? text)
    {
        if (text is null) return null;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n is < 1 or > TransitionOptions.MaxYears)
            throw new BadInputException($"--years must be a whole number from 1 to {TransitionOptions.MaxYears}");
        return n;
    }

    public static void Render(TransitionPlan plan, TextWriter output)
    {
        var console = PlainConsole.For(output);
        var c = CultureInfo.InvariantCulture;
        var budget = plan.Budget.Unit == TaxBudgetUnit.Tax ? $"${plan.Budget.Amount.ToString("N0", c)} of tax" : $"${plan.Budget.Amount.ToString("N0", c)} of net gains";
        // Narrow consoles lose the net gain first (short plus long), then the dollars sold.
        var table = new TableLayout($"{plan.HouseholdId}: {budget} a year, value ${plan.Value.ToString("N0", c)}; now tracking error {plan.TrackingErrorBefore.ToString("P2", c)}, ${plan.OutsideModelBefore.ToString("N0", c)} outside the model")
            .Key("Year").Number("ST gain").Number("LT gain").Number("Net gain", drop: 2).Number("Losses harvested").Number("Est. tax")
            .Number("Sold", drop: 1).Number("TE at year end").Number("Outside model");
        foreach (var y in plan.Years)
            table.Row(y.Year.ToString(c), y.ShortTermGain.ToString("N2", c), y.LongTermGain.ToString("N2", c), y.NetGain.ToString("N2", c),
                y.HarvestedLosses.ToString("N2", c), y.EstimatedTax.ToString("N2", c), y.Sold.ToString("N2", c), y.TrackingError.ToString("P2", c), y.OutsideModel.ToString("N2", c));
        table.Caption((plan.YearsNeeded is { } n ? $"{n} year{(n == 1 ? "" : "s")}: " : "") +
            $"{plan.Conclusion}; final tracking error {plan.FinalTrackingError.ToString("P2", c)}" +
            (plan.RealizedYearToDate != 0 ? $"; {plan.RealizedYearToDate.ToString("N2", c)} realized earlier this year counts against {plan.AsOf.Year}" : ""));
        table.WriteTo(console);
    }
}
