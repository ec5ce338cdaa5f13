using Households.Contracts;
using Households.Domain.Monitoring;
using Households.Domain.Tax;
using Households.Domain;
using Households.Grains.Household;
using Households.Grains.Silo;
using Households.Grains;
using Households.Silo.Access;
using Microsoft.AspNetCore.Mvc;

namespace Households.Silo.Api;

/// <summary>The tax reports (<c>GET /api/reports/…</c>): realized gains by lot as Form 8949 (JSON, CSV or PDF), unrealized
/// gains by lot, and the year-to-date summary with the loss carryover. A report covers one account (<c>account</c>), one household (<c>household</c>) or the firm (neither):
/// the ownership middleware confines advisors to their own household or account, and the firm of an advisor is their own
/// households.</summary>
public static class ReportsApi
{
    public static IEndpointRouteBuilder MapReportsApi(this IEndpointRouteBuilder api)
    {
        var reports = api.MapGroup("/reports");
        reports.MapGet("/realized", Realized).WithName("RealizedReport")
            .WithSummary("Realized gains and losses by lot in [from, to] as Form 8949 lines (format=json, csv or pdf)");
        reports.MapGet("/unrealized", Unrealized).WithName("UnrealizedReport")
            .WithSummary("Open lots with unrealized gain, term and the day each turns long term, as of to (format=json or csv)");
        reports.MapGet("/summary", Summary).WithName("TaxSummaryReport")
            .WithSummary("Year-to-date realized results per household with the capital loss carryover, as of to");
        return api;
    }

    private static async Task<IResult> Realized(string? household, string? account, DateOnly? from, DateOnly? to, string? format,
        [AsParameters] ReportServices services)
    {
        var (start, end) = services.Window(from, to);
        var kind = Format(format, "json", "csv", "pdf");
        if (await services.Households(household, account) is not { } snapshots) return Missing(household, account);
        var lines = new List<Form8949Line>();
        foreach (var snapshot in snapshots)
            lines.AddRange(Form8949.Lines(RealizedGains.Restore(snapshot.Realized).LinesBetween(snapshot.Spec.Id, start, end, account),
                symbol => services.Master.Find(symbol)?.Kind));
        var ordered = lines.OrderBy(l => l.Box).ThenBy(l => l.DateSold)
            .ThenBy(l => l.HouseholdId, StringComparer.Ordinal).ThenBy(l => l.Account, StringComparer.Ordinal).ThenBy(l => l.LotId, StringComparer.Ordinal).ToList();
        var title = $"Form 8949 detail - {Scope(household, account)} - {Form8949.Date(start)} to {Form8949.Date(end)}";
        return kind switch
        {
            "csv" => Results.Text(Form8949.Csv(ordered), "text/csv"),
            "pdf" => Results.File(Form8949.Pdf(ordered, title), "application/pdf", $"form8949-{Form8949.Date(start)}-{Form8949.Date(end)}.pdf"),
            _ => Results.Ok(new { from = start, to = end, scope = Scope(household, account), lines = ordered }),
        };
    }

    private static async Task<IResult> Unrealized(string? household, string? account, DateOnly? to, string? format, [AsParameters] ReportServices services)
    {
        var (_, asOf) = services.Window(null, to);
        var kind = Format(format, "json", "csv");
        if (await services.Households(household, account) is not { } snapshots) return Missing(household, account);
        var lots = new List<UnrealizedLot>();
        foreach (var snapshot in snapshots)
            lots.AddRange(TaxReports.Unrealized(snapshot.Spec.Id,
                snapshot.Accounts.Where(a => account is null || a.Spec.Id == account).Select(a => (a.Spec.Id, a.Lots.Select(p => p.Lot))), asOf,
                symbol => services.Board.QuoteOf(symbol)?.Price));
        return kind == "csv" ? Results.Text(TaxReports.UnrealizedCsv(lots), "text/csv") : Results.Ok(new { asOf, scope = Scope(household, account), lots });
    }

    private static async Task<IResult> Summary(string? household, DateOnly? to, [AsParameters] ReportServices services)
    {
        var (_, asOf) = services.Window(null, to);
        if (await services.Households(household, null) is not { } snapshots) return Missing(household, null);
        var households = snapshots
            .Select(s => new { household = s.Spec.Id, years = TaxReports.Years(RealizedGains.Restore(s.Realized), asOf) })
            .Select(h => new { h.household, yearToDate = h.years[^1], h.years }).ToList();
        return Results.Ok(new { asOf, lossLimit = TaxReports.LossLimit, households });
    }

    private static IResult Missing(string? household, string? account) =>
        account is not null ? NotFoundProblem.Account(account) : NotFoundProblem.Household(household!);

    private static string Scope(string? household, string? account) =>
        account is not null ? $"account {account}" : household is not null ? $"household {household}" : "firm";

    private static string Format(string? format, params string[] allowed)
    {
        var f = (format ?? allowed[0]).ToLowerInvariant();
        return allowed.Contains(f) ? f : throw new BadInputException($"format must be {string.Join(", ", allowed.SkipLast(1))} or {allowed[^1]}");
    }
}

/// <summary>What a report handler reads: the households in scope (each as one read-only snapshot of books and ledgers), the
/// security master (fund or stock, for basis reporting) and the price board.</summary>
public sealed record ReportServices(IGrainFactory Grains, HouseholdAccess Access, HttpContext Http, SecurityMaster Master, PriceBoard Board,
    [FromKeyedServices(BusinessClock.Key)] TimeProvider Clock)
{
    /// <summary>[from, to], both inclusive: <c>to</c> defaults to today, <c>from</c> to January 1 of <c>to</c>'s year.</summary>
    public (DateOnly From, DateOnly To) Window(DateOnly? from, DateOnly? to)
    {
        var end = InputRules.Date(to ?? DateOnly.FromDateTime(Clock.GetUtcNow().UtcDateTime), "to");
        var start = InputRules.Date(from ?? new DateOnly(end.Year, 1, 1), "from");
        if (end < start) throw new BadInputException("to must not be before from");
        return (start, end);
    }

    /// <summary>The households in scope, each as a read-only snapshot; null when the named account or household does not exist.</summary>
    public async Task<IReadOnlyList<HouseholdStressSnapshot>?> Households(string? household, string? account)
    {
        InputRules.OptionalId(household, "household");
        InputRules.OptionalId(account, "account");
        if (account is not null)
        {
            if (await Grains.GetGrain<IAccountGrain>(account).GetSpec() is not { } spec) return null;
            if (household is not null && spec.HouseholdId != household) throw new BadInputException($"account {account} is not in household {household}");
            household = spec.HouseholdId;
        }
        if (household is not null)
        {
            var grain = Grains.GetGrain<IHouseholdGrain>(household);
            if (await grain.GetSpec() is null) return null;
            return [await grain.GetStressSnapshot()];
        }
        var ids = new List<string>();
        for (var skip = 0; ; skip += FirmDirectoryGrain.MaxPage)
        {
            var page = await Access.ListHouseholds(Http.User, skip, FirmDirectoryGrain.MaxPage);
            ids.AddRange(page.Items.Select(h => h.Id));
            if (page.Items.Length < FirmDirectoryGrain.MaxPage) break;
        }
        return await Task.WhenAll(ids.Select(id => Grains.GetGrain<IHouseholdGrain>(id).GetStressSnapshot()));
    }
}
