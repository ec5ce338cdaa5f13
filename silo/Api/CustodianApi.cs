using Microsoft.Extensions.DependencyInjection;
using Households.Contracts;
using Households.Domain;
using Households.Domain.Reconciliation;
using Households.Grains;
using Households.Grains.Silo;
using Households.Silo.Access;

namespace Households.Silo.Api;

/// <summary>A custodian's transaction file (issue #17, docs/formats.md §17) applied to the books: every row is checked (the
/// file, then the accounts and securities it names, then each household's books, rehearsed) before any is applied; a file
/// with any error applies nothing and answers 422 with the report. Writers only (advisor or admin, by the default policy);
/// an advisor's accounts outside their households are unknown accounts, exactly like accounts the firm does not have.</summary>
public static class CustodianApi
{
    public static IEndpointRouteBuilder MapCustodianApi(this IEndpointRouteBuilder api)
    {
        api.MapGroup("/custodian").MapPost("/transactions", ApplyTransactions).WithName("ApplyCustodianTransactions")
            .WithSummary("Apply a custodian transaction file (text/csv): buys and sells through the wash-sale and realized-gains ledger, dividends, interest, fees and cash transfers as cash movements, shares transferred as corrections of record; once per (account, transaction id); all or nothing");
        return api;
    }

    private static async Task<IResult> ApplyTransactions(HttpContext http, IGrainFactory grains, HouseholdAccess access, SecurityMaster master,
        [FromKeyedServices(BusinessClock.Key)] TimeProvider clock)
    {
        if (http.Request.ContentType?.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase) != true)
            throw new BadInputException("send the transaction file as text/csv");
        using var reader = new StreamReader(http.Request.Body);
        var text = await reader.ReadToEndAsync(http.RequestAborted);
        if (string.IsNullOrWhiteSpace(text)) throw new BadInputException("the transaction file is required");
        await master.EnsureLoaded(grains);
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var (rows, problems) = CustodianTransactionFile.Read(text, today, master.SymbolOfCusip);
        var outcomes = new List<CustodianTransactionOutcome>(problems);

        // The accounts and securities the rows name: an unknown one is that row's error.
        var households = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var account in rows.Select(r => r.Account).Distinct(StringComparer.Ordinal))
            households[account] = await grains.GetGrain<IAccountGrain>(account).GetSpec() is { } spec && await access.CanSeeHousehold(http.User, spec.HouseholdId)
                ? spec.HouseholdId : null;
        var accepted = new List<CustodianTransaction>();
        foreach (var row in rows)
        {
            string? problem = households[row.Account] is null ? $"unknown account {row.Account}"
                : row.Symbol is { } symbol && await master.FindOrRefresh(symbol, grains) is null ? $"unknown security {symbol}" : null;
            if (problem is null) accepted.Add(row);
            else outcomes.Add(new(row.Line, row.Id, row.Account, row.Type, CustodianTransactionStatus.Error, problem));
        }

        // Each household rehearses its rows on copies of its books; only a file that is clean everywhere is applied.
        var byHousehold = accepted.GroupBy(r => households[r.Account]!, StringComparer.Ordinal).ToList();
        var clean = outcomes.Count == 0;
        var rehearsed = new List<CustodianTransactionOutcome>();
        foreach (var group in byHousehold)
        {
            var answer = await grains.GetGrain<IHouseholdGrain>(group.Key).ApplyCustodianTransactions([.. group], rehearseOnly: true);
            rehearsed.AddRange(answer);
            clean &= answer.All(o => o.Status != CustodianTransactionStatus.Error);
        }
        if (!clean)
        {
            outcomes.AddRange(rehearsed);
            return Results.UnprocessableEntity(CustodianTransactions.Report(outcomes));
        }
        foreach (var group in byHousehold)
            outcomes.AddRange(await grains.GetGrain<IHouseholdGrain>(group.Key).ApplyCustodianTransactions([.. group], rehearseOnly: false));
        return Results.Ok(CustodianTransactions.Report(outcomes));
    }
}
