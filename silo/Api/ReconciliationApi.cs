using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Households.Contracts;
using Households.Domain;
using Households.Domain.Reconciliation;
using Households.Grains.Silo;
using Households.Silo.Access;

namespace Households.Silo.Api;

/// <summary>The body of <c>POST /api/reconciliation</c> as JSON: the custodian file's text and the day it is as of.</summary>
public sealed record ReconcileRequest(string? Positions, string? AsOf);

/// <summary>The body of <c>POST /api/reconciliation/{accountId}/resolve</c>: <c>acceptCustodian</c> or <c>keepOurs</c> (needs a note).</summary>
public sealed record ResolveRequest(string? Action, string? Note);

/// <summary>Custodian reconciliation (issue #17): a position and lot file is checked against the books, account by account;
/// each account's latest report is kept (<see cref="IReconciliationGrain"/>) and its breaks resolved with a journal entry.
/// Writers only (advisor or admin, by the default policy); an advisor's accounts outside their households are reported
/// as unknown, exactly like accounts the firm does not have.</summary>
public static class ReconciliationApi
{
    public static IEndpointRouteBuilder MapReconciliationApi(this IEndpointRouteBuilder api)
    {
        var reconciliation = api.MapGroup("/reconciliation");
        reconciliation.MapPost("", Reconcile).WithName("Reconcile")
            .WithSummary("Reconcile a custodian position and lot file (JSON {positions, asOf} or text/csv with ?asOf=) against the books: per account matched lines, quantity and basis breaks, missing and extra lots, cash breaks");
        reconciliation.MapGet("", Get).WithName("GetReconciliation").WithSummary("The latest reconciliation of an account, with its resolution");
        reconciliation.MapPost("/{accountId}/resolve", Resolve).WithName("ResolveReconciliation").WithSummary("Resolve an account's open reconciliation breaks: acceptCustodian (the books are brought to the custodian's positions by corrections of record, never a sale) or keepOurs with a note; journaled");
        return api;
    }

    private static async Task<IResult> Get(string? account, IGrainFactory grains)
    {
        var id = InputRules.Id(account, "account");
        return await grains.GetGrain<IReconciliationGrain>(id).Get() is { } report ? Results.Ok(report)
            : NotFoundProblem.For("reconciliation", $"of account {id}");
    }

    private static async Task<IResult> Resolve(string accountId, ResolveRequest request, HttpContext http, IGrainFactory grains)
    {
        if (await grains.GetGrain<IAccountGrain>(accountId).GetSpec() is null) return NotFoundProblem.Account(accountId);
        if (request is null) throw new BadInputException("a body is required");
        var action = request.Action?.Trim().ToLowerInvariant() switch
        {
            "acceptcustodian" => ResolutionAction.AcceptCustodian,
            "keepours" => ResolutionAction.KeepOurs,
            _ => throw new BadInputException("action must be acceptCustodian or keepOurs"),
        };
        return Results.Ok(await grains.GetGrain<IReconciliationGrain>(accountId).Resolve(action, request.Note,
            http.User.FindFirst(Households.Auth.HouseholdsAuth.SubjectClaim)?.Value ?? http.User.Identity?.Name));
    }

    private static async Task<IResult> Reconcile(HttpContext http, IGrainFactory grains, HouseholdAccess access,
        [FromKeyedServices(BusinessClock.Key)] TimeProvider clock)
    {
        string? text, asOfText;
        if (http.Request.ContentType?.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase) == true)
        {
            using var reader = new StreamReader(http.Request.Body);
            text = await reader.ReadToEndAsync(http.RequestAborted);
            asOfText = http.Request.Query["asOf"];
        }
        else
        {
            ReconcileRequest? body;
            try { body = await http.Request.ReadFromJsonAsync<ReconcileRequest>(http.RequestAborted); }
            catch (JsonException ex) { throw new BadInputException($"body: not a JSON object {{ positions, asOf }} ({ex.Message})"); }
            catch (InvalidOperationException) { throw new BadInputException("send JSON { positions, asOf } or text/csv"); }
            text = body?.Positions;
            asOfText = body?.AsOf;
        }
        if (string.IsNullOrWhiteSpace(text)) throw new BadInputException("positions: the custodian file is required");
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var asOf = today;
        if (!string.IsNullOrEmpty(asOfText) && !DateOnly.TryParseExact(asOfText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out asOf))
            throw new BadInputException("asOf: not a date YYYY-MM-DD");
        if (asOf > today) throw new BadInputException($"asOf: must not be after today ({today:yyyy-MM-dd})");
        // The whole file is checked before any account is looked at: bad input changes nothing.
        var accounts = CustodianPositions.Parse(text, asOf);
        var reports = new List<AccountReconciliation>();
        foreach (var theirs in accounts)
        {
            var grain = grains.GetGrain<IAccountGrain>(theirs.Account);
            // The spec read here names the household, so the advisor check needs no second read of the account.
            if (await grain.GetSpec() is not { } spec || !await access.CanSeeHousehold(http.User, spec.HouseholdId))
            {
                reports.Add(Reconciler.Unknown(theirs, asOf));
                continue;
            }
            var books = await grain.GetDecisionInput();
            reports.Add(Reconciler.Reconcile(spec.HouseholdId, books.Lots, books.Cash, theirs, asOf));
        }
        // Persisted before the answer: each known account's latest report (replacing the previous one and its resolution).
        await Task.WhenAll(reports.Where(r => r.Status != ReconciliationStatus.UnknownAccount)
            .Select(r => grains.GetGrain<IReconciliationGrain>(r.Account).Record(r)));
        return Results.Ok(new ReconciliationReport(asOf, [.. reports]));
    }
}
