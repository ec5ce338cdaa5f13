using Households.Contracts;
using Households.Domain;
using Households.Grains.Household;
using Households.Grains.Prices;
using Households.Grains.Silo;
using Households.Grains;
using Households.Silo.Access;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace Households.Silo.Api;

/// <summary>The API's single entry point: the middleware (problems for errors and bad input, security, request body limits),
/// the operations endpoints, the web pages, and one route group per resource under <c>/api</c>, each in its own file.</summary>
public static class HouseholdsApi
{
    public static WebApplication MapHouseholdsApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<BadInputMiddleware>();
        app.UseHouseholdsSecurity();
        app.UseMiddleware<RequestBodyLimit>();
        app.MapHouseholdsOperations();
        app.MapOpenApi();
        app.MapWebPages(); // the firm, household, advisor and reconciliation pages (wwwroot): LiveApi.cs

        var api = app.MapGroup("/api");
        api.MapHouseholdApi(); // /households: list, view, live state, create, tax, tax profile, policy
        api.MapProposalApi(); // /households/{id}: proposals, rebalance, preview, approve, reject, order file
        api.MapTransitionApi(); // /households/{id}: tax budget and transition plan
        api.MapExplanationApi(); // /households/{id}: client explanations of proposals and transitions
        api.MapLiveApi(); // /households/{id}/events: the household's live stream
        api.MapAccountApi(); // /accounts/{id}: view, lots, triggers, trades, cash, restrictions, policy, wash-sale questions
        api.MapSecurityApi(); // /securities
        api.MapModelApi(); // /models/{id}
        api.MapPriceApi(); // /prices: injection, stale prices, the feed adapter
        api.MapFirmApi(); // /firm: summary and its stream
        api.MapAdvisorApi(); // /advisor: the advisor's queue, bulk decisions and notices
        api.MapStressApi(); // /stress: scenarios and runs (admins)
        api.MapJournalApi(); // /journal, /journal.csv: the audit journal, firm-wide for compliance
        api.MapAuditApi(); // /audit: the compliance audit over the journal
        api.MapCorporateActionApi(); // /corporate-actions
        api.MapReportsApi(); // /reports: realized (Form 8949), unrealized, summary
        api.MapRiskModelApi(); // /risk-model
        api.MapReconciliationApi(); // /reconciliation: custodian positions against the books
        api.MapCustodianApi(); // /custodian/transactions: the custodian's transaction file
        api.MapOrdersApi(); // /orders, /orders.csv, /orders.fix, /fills: orders out and fills in
        api.MapMonitorApi(); // /monitor: this silo's monitor and trigger latency
        return app;
    }

    public static (HouseholdSpec, AccountOpening[]) ToDomain(CreateHouseholdRequest r)
    {
        var id = Required(r.Id, "id");
        var accounts = r.Accounts ?? throw new BadInputException("accounts is required");
        if (accounts.Length > HouseholdGrain.MaxAccounts) throw new BadInputException($"accounts: a household holds at most {HouseholdGrain.MaxAccounts} accounts");
        var openings = accounts.Select((a, i) =>
        {
            if (a is null) throw new BadInputException($"accounts[{i}] is required");
            var spec = new AccountSpec(Required(a.Id, $"accounts[{i}].id"), id, a.Name ?? a.Id!,
                a.Type ?? throw new BadInputException($"accounts[{i}].type is required"), a.Discretionary ?? true, a.ModelId,
                [.. a.Restrictions ?? []], a.SeparateTaxpayer ?? false, a.DefaultRelief ?? LotRelief.Hifo,
                a.Harvest ?? (a.Type is AccountType.Taxable or AccountType.Trust ? HarvestPolicy.Default : HarvestPolicy.Off),
                a.FractionalShares ?? false, a.MinTrade, ReinvestDividends: a.ReinvestDividends ?? false, Execution: a.Execution);
            return new AccountOpening(spec, a.Cash ?? 0m, [.. a.Lots ?? []]);
        }).ToArray();
        return (new HouseholdSpec(id, Required(r.Name, "name"), Required(r.AdvisorId, "advisorId"), [.. openings.Select(o => o.Spec.Id)]), openings);
    }

    public static TradeRequest ToDomain(RecordTradeRequest r, string? headerKey, TimeProvider clock) => new(
        headerKey ?? Required(r.IdempotencyKey, "idempotencyKey (or the Idempotency-Key header)"),
        r.Date ?? DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime),
        Required(r.Symbol, "symbol"),
        r.Side ?? throw new BadInputException("side is required"),
        r.Quantity ?? throw new BadInputException("quantity is required"),
        r.Price ?? throw new BadInputException("price is required"),
        r.LotId, r.Relief, r.Commission ?? 0m);

    internal static string Required(string? value, string field) =>
        string.IsNullOrWhiteSpace(value) ? throw new BadInputException($"{field} is required") : value;
}

/// <summary>Bad input anywhere below the API (domain or grain) becomes a 400 problem naming the field;
/// nothing was changed, because validation runs before any write. A database outage becomes a 503 with <c>Retry-After</c>.</summary>
public sealed class BadInputMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (BadInputException ex)
        {
            await WriteProblem(context, ex.Message);
        }
        catch (BadHttpRequestException ex)
        {
            // Malformed JSON, a wrong enum name, a number out of range: the serializer's message names the path.
            await WriteProblem(context, ex.InnerException is { } inner ? $"{ex.Message} {inner.Message}" : ex.Message, ex.StatusCode);
        }
        catch (Exception ex) when (DatabaseOutage.Is(ex) && !context.Response.HasStarted)
        {
            // Nothing was written: the client retries with the same idempotency key once the database is back.
            context.Response.Headers.RetryAfter = DatabaseOutage.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await WriteProblem(context, "the books' database cannot be reached; nothing was changed: retry with the same idempotency key",
                StatusCodes.Status503ServiceUnavailable, "Database unavailable", "https://tools.ietf.org/html/rfc9110#section-15.6.4");
        }
    }

    private static Task WriteProblem(HttpContext context, string message, int status = StatusCodes.Status400BadRequest,
        string title = "Bad input", string type = "https://tools.ietf.org/html/rfc9110#section-15.5.1")
    {
        if (context.Response.HasStarted) throw new InvalidOperationException(message);
        var retryAfter = context.Response.Headers.RetryAfter;
        context.Response.Clear();
        context.Response.StatusCode = status;
        if (retryAfter.Count > 0) context.Response.Headers.RetryAfter = retryAfter;
        return context.Response.WriteAsJsonAsync(new ProblemDetails { Status = status, Title = title, Detail = message, Type = type },
            options: null, contentType: "application/problem+json");
    }
}
