using System.Security.Claims;
using System.Text.Json;
using Households.Contracts;
using Households.Domain;
using Households.Domain.Execution;
using Households.Grains;
using Households.Silo.Access;

namespace Households.Silo.Api;

/// <summary>Orders out and fills in (issue #17, docs/formats.md §15): the orders of orders-mode accounts as JSON, CSV and
/// FIX-style lines, scoped like other household data (an advisor sees own households only; the ownership middleware checks
/// <c>household</c> and <c>account</c>); and the desk's execution reports, posted as JSON or as a fills file (text/csv),
/// firm-level (administrators), checked whole before any is applied.</summary>
public static class OrdersApi
{
    public static IEndpointRouteBuilder MapOrdersApi(this IEndpointRouteBuilder api)
    {
        api.MapGet("/orders", ListOrders).WithName("ListOrders")
            .WithSummary("Orders of orders-mode accounts (status=open, the default, or all; by household or account): state, cumulative filled quantity and average price, lots to relieve");
        api.MapGet("/orders.csv", async (string? status, string? household, string? account, HttpContext http, HouseholdAccess access, IGrainFactory grains) =>
            Results.Text(OrderFiles.Csv(await Orders(status, household, account, http.User, access, grains)), "text/csv"))
            .WithName("ExportOrdersCsv").WithSummary("The orders as a CSV file (docs/formats.md §15)");
        api.MapGet("/orders.fix", async (string? status, string? household, string? account, HttpContext http, HouseholdAccess access, IGrainFactory grains) =>
            Results.Text(OrderFiles.Fix(await Orders(status, household, account, http.User, access, grains)), "text/plain"))
            .WithName("ExportOrdersFix").WithSummary("The orders as FIX NewOrderSingle (35=D) tag=value lines, fields separated by |");
        api.MapPost("/fills", PostFills).WithName("PostFills").RequireAdmin()
            .WithSummary("Execution reports (JSON array or text/csv fills file): fills booked through the wash-sale ledger at their own prices, cancels and rejects release the rest; idempotent by executionId; any bad report rejects the batch");
        return api;
    }

    private static async Task<IResult> ListOrders(string? status, string? household, string? account, HttpContext http, HouseholdAccess access, IGrainFactory grains) =>
        Results.Ok(await Orders(status, household, account, http.User, access, grains));

    /// <summary>The orders asked for: one household's, one account's, or those of every household the caller may see.</summary>
    private static async Task<BrokerOrder[]> Orders(string? status, string? household, string? account, ClaimsPrincipal user, HouseholdAccess access, IGrainFactory grains)
    {
        var all = status?.ToLowerInvariant() switch
        {
            null or "" or "open" => false,
            "all" => true,
            _ => throw new BadInputException("status must be open or all"),
        };
        InputRules.OptionalId(household, "household");
        InputRules.OptionalId(account, "account");
        if (account is { Length: > 0 })
        {
            var spec = await grains.GetGrain<IAccountGrain>(account).GetSpec() ?? throw new BadInputException($"account {account} does not exist");
            if (household is { Length: > 0 } && household != spec.HouseholdId) return [];
            household = spec.HouseholdId;
        }
        var ids = household is { Length: > 0 } ? [household] : await access.VisibleHouseholds(user);
        var orders = new List<BrokerOrder>();
        // One call a household: GetOrders refuses a missing household itself ("household {id} does not exist", bad input).
        foreach (var id in ids)
            orders.AddRange((await grains.GetGrain<IHouseholdGrain>(id).GetOrders())
                .Where(o => (all || o.IsOpen) && (account is not { Length: > 0 } || o.AccountId == account)));
        return [.. orders];
    }

    /// <summary>Checks every household's part of the batch, then applies each: bad input anywhere changes nothing.</summary>
    private static async Task<IResult> PostFills(HttpContext http, IGrainFactory grains)
    {
        var batch = await Read(http);
        if (batch.Length == 0) throw new BadInputException("no executions given");
        var parts = batch.Select((e, i) => (Household: OrderBook.HouseholdOf(e?.ClientOrderId!)
                ?? throw new BadInputException($"executions[{i}]: {(e is null ? "is required" : $"order {e.ClientOrderId} does not exist")}"), Execution: e!))
            .GroupBy(p => p.Household, p => p.Execution, StringComparer.Ordinal).ToList();
        foreach (var part in parts)
        {
            var h = grains.GetGrain<IHouseholdGrain>(part.Key);
            if (await h.GetSpec() is null) throw new BadInputException($"order {part.First().ClientOrderId} does not exist");
            await h.CheckExecutions([.. part]);
        }
        var results = new List<ExecutionResult>();
        foreach (var part in parts) results.AddRange(await grains.GetGrain<IHouseholdGrain>(part.Key).ApplyExecutions([.. part]));
        var byId = results.GroupBy(r => r.ExecutionId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        return Results.Ok(batch.Select(e => byId[e.ExecutionId]).ToArray());
    }

    private static async Task<OrderExecution[]> Read(HttpContext http)
    {
        if (http.Request.ContentType?.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase) == true)
        {
            using var reader = new StreamReader(http.Request.Body);
            return OrderFiles.ParseFills(await reader.ReadToEndAsync(http.RequestAborted));
        }
        FillRequest[]? body;
        try { body = await http.Request.ReadFromJsonAsync<FillRequest[]>(http.RequestAborted); }
        catch (JsonException ex) { throw new BadInputException($"body: not a JSON array of executions ({ex.Message})"); }
        catch (InvalidOperationException) { throw new BadInputException("send a JSON array of executions or a text/csv fills file"); }
        return [.. (body ?? []).Select((f, i) => f is null ? throw new BadInputException($"executions[{i}] is required") : f.ToDomain(i))];
    }
}

/// <summary>One execution report of <c>POST /api/fills</c>; quantity and price may be left out of a cancel or reject.</summary>
public sealed record FillRequest(string? ExecutionId, string? ClientOrderId, ExecutionType? Type, decimal? Quantity, decimal? Price,
    DateTimeOffset? Time, string? Reason, decimal? Commission)
{
    public OrderExecution ToDomain(int i)
    {
        var fills = Type is ExecutionType.Fill or ExecutionType.Partial;
        return new OrderExecution(
            string.IsNullOrWhiteSpace(ExecutionId) ? throw new BadInputException($"executions[{i}].executionId is required") : ExecutionId,
            string.IsNullOrWhiteSpace(ClientOrderId) ? throw new BadInputException($"executions[{i}].clientOrderId is required") : ClientOrderId,
            Type ?? throw new BadInputException($"executions[{i}].type is required (fill, partial, canceled or rejected)"),
            Quantity ?? (fills ? throw new BadInputException($"executions[{i}].quantity is required") : 0m),
            Price ?? (fills ? throw new BadInputException($"executions[{i}].price is required") : 0m),
            Time ?? throw new BadInputException($"executions[{i}].time is required"), Reason, Commission ?? 0m);
    }
}
