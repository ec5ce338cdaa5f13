using Microsoft.Extensions.DependencyInjection;
using Households.Contracts;
using Households.Domain;
using Households.Grains;
using Households.Grains.Prices;
using Households.Grains.Silo;
using Households.Silo.Access;
using Microsoft.AspNetCore.Mvc;

namespace Households.Silo.Api;

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
        app.MapWebPages(); // the firm and household pages (wwwroot): LiveApi.cs

        var api = app.MapGroup("/api");
        app.MapStressApi();
        api.MapLiveApi(); // firm summary and live streams: LiveApi.cs
        app.MapAdvisorApi(); // the advisor's queue, bulk decisions, notices and page: AdvisorApi.cs

        api.MapGet("/households", async (HouseholdAccess access, HttpContext http, int? page, int? pageSize) =>
        {
            var size = pageSize ?? 50;
            var number = page ?? 1;
            if (number < 1) throw new BadInputException("page must be >= 1");
            if (size is < 1 or > FirmDirectoryGrain.MaxPage) throw new BadInputException($"pageSize must be between 1 and {FirmDirectoryGrain.MaxPage}");
            var skip = (long)(number - 1) * size;
            if (skip > int.MaxValue) throw new BadInputException("page is too large");
            var result = await access.ListHouseholds(http.User, (int)skip, size);
            return Results.Ok(new { page = number, pageSize = size, total = result.Total, items = result.Items });
        }).WithName("ListHouseholds");

        api.MapGet("/households/{id}", async (string id, IGrainFactory grains) =>
        {
            var household = grains.GetGrain<IHouseholdGrain>(id);
            if (await household.GetSpec() is null) return NotFound("household", id);
            return Results.Ok(await household.GetView());
        }).WithName("GetHousehold");

        api.MapGet("/households/{id}/live", async (string id, IGrainFactory grains) =>
            await grains.GetGrain<IHouseholdGrain>(id).GetLiveState() is { } live ? Results.Ok(live) : NotFound("household", id))
            .WithName("GetHouseholdLiveState")
            .WithSummary("The household's live state for polling: value, cash, pending proposals and per account drift lines out of band, harvestable lots and open triggers, at one price batch (kept until the next)");

        api.MapPost("/households", async (CreateHouseholdRequest request, IGrainFactory grains) =>
        {
            var (spec, openings) = ToDomain(request);
            await grains.GetGrain<IHouseholdGrain>(spec.Id).Create(spec, openings);
            return Results.Created($"/api/households/{spec.Id}", await grains.GetGrain<IHouseholdGrain>(spec.Id).GetView());
        }).WithName("CreateHousehold").RequireAdmin();

        api.MapGet("/accounts/{id}", async (string id, IGrainFactory grains) =>
        {
            var account = grains.GetGrain<IAccountGrain>(id);
            if (await account.GetSpec() is null) return NotFound("account", id);
            return Results.Ok(await account.GetView());
        }).WithName("GetAccount");

        api.MapGet("/accounts/{id}/lots", async (string id, IGrainFactory grains) =>
            grains.GetGrain<IAccountGrain>(id) is var account && await account.GetSpec() is not null
                ? Results.Ok((await account.GetLots()).Select(p => p.Lot).ToArray()) : NotFound("account", id))
            .WithName("GetLots").WithSummary("The account's open tax lots (adjusted basis, purchase date, holding period start)");

        api.MapGet("/accounts/{id}/triggers", async (string id, IGrainFactory grains) =>
            grains.GetGrain<IAccountGrain>(id) is var account && await account.GetSpec() is not null
                ? Results.Ok(await account.GetTriggers()) : NotFound("account", id))
            .WithName("GetTriggers").WithSummary("The account's open triggers (drift, harvest, cash, restriction, model change), oldest first");

        api.MapPost("/accounts/{id}/trades", async (string id, RecordTradeRequest request, HttpRequest http, IGrainFactory grains, [FromKeyedServices(BusinessClock.Key)] TimeProvider clock) =>
        {
            var account = grains.GetGrain<IAccountGrain>(id);
            if (await account.GetSpec() is not { } spec) return NotFound("account", id);
            var trade = ToDomain(request, http.Headers["Idempotency-Key"].FirstOrDefault(), clock);
            var result = await grains.GetGrain<IHouseholdGrain>(spec.HouseholdId).RecordTrade(id, trade);
            return result.Replayed ? Results.Ok(result) : Results.Created($"/api/accounts/{id}", result);
        }).WithName("RecordTrade");

        api.MapGet("/accounts/{id}/wash-sale-check", async (string id, string lot, decimal quantity, DateOnly? date, IGrainFactory grains, [FromKeyedServices(BusinessClock.Key)] TimeProvider clock) =>
        {
            if (await grains.GetGrain<IAccountGrain>(id).GetSpec() is not { } spec) return NotFound("account", id);
            InputRules.Id(lot, "lot");
            return Results.Ok(await grains.GetGrain<IHouseholdGrain>(spec.HouseholdId)
                .CheckLossSale(id, lot, quantity, InputRules.Date(date ?? DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime), "date")));
        }).WithName("CheckLossSale").WithSummary("Would selling this lot now at a loss be a wash sale, and which purchases in which accounts cause it?");

        api.MapGet("/accounts/{id}/buy-blackouts", async (string id, DateOnly? date, IGrainFactory grains, [FromKeyedServices(BusinessClock.Key)] TimeProvider clock) =>
        {
            if (await grains.GetGrain<IAccountGrain>(id).GetSpec() is not { } spec) return NotFound("account", id);
            return Results.Ok(await grains.GetGrain<IHouseholdGrain>(spec.HouseholdId)
                .BuyBlackouts(id, InputRules.Date(date ?? DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime), "date")));
        }).WithName("BuyBlackouts").WithSummary("Securities this account may not buy until the given dates without washing a recent loss");

        api.MapGet("/households/{id}/tax", async (string id, IGrainFactory grains) =>
        {
            var household = grains.GetGrain<IHouseholdGrain>(id);
            if (await household.GetSpec() is null) return NotFound("household", id);
            return Results.Ok((await household.GetView()).Tax);
        }).WithName("GetHouseholdTax").WithSummary("Realized gains year to date (short, long, disallowed, permanently disallowed) and wash-sale windows");

        api.MapGet("/households/{id}/proposals", async (string id, IGrainFactory grains) =>
            await Household(grains, id) is { } h ? Results.Ok(await h.GetProposals()) : NotFound("household", id))
            .WithName("ListProposals").WithSummary("The household's proposals, newest first, with trades, reasons, lots and tax effect");

        api.MapPost("/households/{id}/rebalance", async (string id, IGrainFactory grains) =>
            await Household(grains, id) is { } h ? Results.Ok(await h.Rebalance([])) : NotFound("household", id))
            .WithName("Rebalance").WithSummary("Decide now: discretionary trades execute, others become pending proposals");

        api.MapPost("/households/{id}/preview", async (string id, IGrainFactory grains) =>
            await Household(grains, id) is { } h ? Results.Ok(await h.Preview()) : NotFound("household", id))
            .WithName("PreviewHousehold")
            .WithSummary("The plan the engine would make now (trades, lots, tax effect at the household's marginal rates, tracking error before and after per account), without filing, journaling or executing anything");

        api.MapPut("/households/{id}/tax-profile", async (string id, TaxProfile? profile, IGrainFactory grains) =>
            await Household(grains, id) is { } h ? Results.Ok(await h.SetTaxProfile(profile)) : NotFound("household", id))
            .WithName("SetTaxProfile")
            .WithSummary("Set the household's tax profile (filing status and income or marginal rates, state rate, surtax, carryforwards, gains realized elsewhere this year); an empty body clears it");

        api.MapPut("/households/{id}/policy", async (string id, InvestmentPolicy? policy, IGrainFactory grains) =>
            await Household(grains, id) is { } h ? Results.Ok(await h.SetPolicy(policy)) : NotFound("household", id))
            .WithName("SetHouseholdPolicy")
            .WithSummary("Set the household's investment policy (tracking-error weight, tax sensitivity, turnover, minimum trade, views, sector band, factor tilts, maximum weight, ESG exclusions, asset location, objective); unset fields fall through to the firm's");

        api.MapPut("/accounts/{id}/policy", async (string id, InvestmentPolicy? policy, IGrainFactory grains) =>
        {
            var account = grains.GetGrain<IAccountGrain>(id);
            if (await account.GetSpec() is null) return NotFound("account", id);
            await account.SetPolicy(policy);
            return Results.Ok(await account.GetSpec());
        }).WithName("SetAccountPolicy").WithSummary("Set the account's own investment policy (unset fields fall through to the household's), e.g. tracksOwnModel for a 529 on its glide path");

        api.MapPost("/households/{id}/proposals/{proposalId}/approve", async (string id, string proposalId, HttpContext http, IGrainFactory grains) =>
            await Household(grains, id) is { } h ? Results.Ok(await h.Approve(proposalId, AdvisorApi.ApproverOf(http.User))) : NotFound("household", id))
            .WithName("ApproveProposal").WithSummary("Approve: re-validated against live prices and the wash-sale ledger (re-optimized if prices moved), then executed; repeating it returns the same result");

        api.MapPost("/households/{id}/proposals/{proposalId}/reject", async (string id, string proposalId, DecisionRequest? body, HttpContext http, IGrainFactory grains) =>
            await Household(grains, id) is { } h ? Results.Ok(await h.Reject(proposalId, body?.Note, AdvisorApi.ApproverOf(http.User))) : NotFound("household", id))
            .WithName("RejectProposal");

        api.MapGet("/households/{id}/orders.csv", async (string id, string? proposal, IGrainFactory grains) =>
        {
            if (await Household(grains, id) is not { } h) return NotFound("household", id);
            var proposals = (await h.GetProposals()).Where(p => proposal is null ? p.Status == ProposalStatus.Pending : p.Id == proposal).ToList();
            if (proposal is not null && proposals.Count == 0) return NotFound("proposal", proposal);
            return Results.Text(Households.Domain.Decisions.OrderFile.Csv(proposals), "text/csv");
        }).WithName("ExportOrders").WithSummary("Order file (CSV: proposal, account, symbol, side, quantity, lots, order type, reasons): pending proposals, or one proposal");

        api.MapPost("/accounts/{id}/cash", async (string id, CashRequest request, HttpRequest http, IGrainFactory grains, [FromKeyedServices(BusinessClock.Key)] TimeProvider clock) =>
        {
            var account = grains.GetGrain<IAccountGrain>(id);
            if (await account.GetSpec() is null) return NotFound("account", id);
            var movement = new CashMovement(http.Headers["Idempotency-Key"].FirstOrDefault() ?? Required(request.IdempotencyKey, "idempotencyKey (or the Idempotency-Key header)"),
                request.Kind ?? throw new BadInputException("kind is required (deposit, withdrawal or dividend)"),
                request.Amount ?? throw new BadInputException("amount is required"),
                request.Date ?? DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime), request.Symbol);
            return Results.Ok(new { cash = await account.RecordCash(movement) });
        }).WithName("RecordCash").WithSummary("Deposit, dividend or withdrawal request; raises a cash trigger");

        api.MapPut("/accounts/{id}/restrictions", async (string id, Restriction[] restrictions, IGrainFactory grains) =>
        {
            var account = grains.GetGrain<IAccountGrain>(id);
            if (await account.GetSpec() is null) return NotFound("account", id);
            await account.UpdateRestrictions(restrictions);
            return Results.Ok(await account.GetSpec());
        }).WithName("UpdateRestrictions").WithSummary("Replace the account's restrictions (ESG exclusions, client restrictions); raises a restriction trigger");

        api.MapGet("/securities/{symbol}", async (string symbol, IGrainFactory grains) =>
        {
            var security = grains.GetGrain<ISecurityGrain>(symbol);
            var definition = await security.GetDefinition();
            var quote = await security.GetQuote();
            if (definition is null && quote is null) return NotFound("security", symbol);
            return Results.Ok(new { symbol, definition, price = quote?.Price, asOf = quote?.AsOf, batchSequence = quote?.BatchSequence });
        }).WithName("GetSecurity");

        api.MapPost("/securities", async (Security[] securities, IGrainFactory grains) =>
            Results.Ok(new { version = await grains.GetGrain<IUniverseGrain>(UniverseGrain.Key).Upsert(securities) }))
            .WithName("UpsertSecurities").RequireAdmin();

        api.MapPut("/models/{id}", async (string id, TargetModel model, IGrainFactory grains) =>
        {
            if (model.Id != id) throw new BadInputException("id in the body must match the route");
            await grains.GetGrain<IModelGrain>(id).Define(model);
            return Results.Ok(await grains.GetGrain<IModelGrain>(id).Resolve());
        }).WithName("DefineModel").RequireAdmin();

        api.MapGet("/models/{id}", async (string id, IGrainFactory grains) =>
            await grains.GetGrain<IModelGrain>(id).Get() is { } model ? Results.Ok(model) : NotFound("model", id))
            .WithName("GetModel");

        api.MapPost("/prices", async (PriceInjectionRequest request, IGrainFactory grains) =>
        {
            PriceFeedGrain.Validate(request.Quotes);
            var sequence = await grains.GetGrain<IPriceFeedGrain>(PriceFeedGrain.Key).Publish(request.Quotes!);
            return Results.Accepted(value: new { sequence });
        }).WithName("InjectPrices").RequireAdmin();

        api.MapGet("/prices/stale", (Households.Domain.Monitoring.PriceBoard board, Microsoft.Extensions.Options.IOptions<PriceFeedOptions> feed,
            [FromKeyedServices(BusinessClock.Key)] TimeProvider clock) =>
        {
            var o = feed.Value;
            var now = clock.GetUtcNow();
            var stale = o.StaleAfter > TimeSpan.Zero ? board.Priced.Stale(now, o.StaleAfter) : [];
            return Results.Ok(new { asOf = now, staleAfterMinutes = o.StaleAfter.TotalMinutes, held = o.HoldsStale, count = stale.Count, symbols = stale });
        }).WithName("StalePrices").WithSummary("Securities not priced for longer than PriceFeed:StaleAfter (business time); held out of decisions while a feed is configured");

        api.MapGet("/prices/feed", (Households.Silo.Hosting.PriceFeedAdapter adapter) => Results.Ok(adapter.Status))
            .WithName("PriceFeedStatus").WithSummary("The price feed adapter: lines read, skipped (with line numbers and reasons), batches published");

        api.MapJournalApi(); // the audit journal, firm-wide for compliance, JSON or CSV: JournalApi.cs
        api.MapAuditApi(); // the compliance audit over the journal: AuditApi.cs
        api.MapReportsApi(); // corporate actions and tax reports: ReportsApi.cs
        api.MapRiskModelApi(); // the firm's risk model: RiskModelApi.cs
        api.MapTransitionApi(); // tax budgets and transition plans: TransitionApi.cs
        api.MapReconciliationApi(); // custodian positions against the books: ReconciliationApi.cs
        api.MapOrdersApi(); // orders out and fills in: OrdersApi.cs
        api.MapExplanationApi(); // client explanations of proposals and transitions: ExplanationApi.cs

        api.MapGet("/monitor", (AccountMonitor monitor) => Results.Ok(monitor.Status)).WithName("MonitorStatus").RequireAuthorization(SecuritySetup.MetricsPolicy);
        // This silo's tick-to-trigger latency (batch publication to the account's notice); the load test resets it
        // after the firm is live so the figures cover the measured run only.
        api.MapGet("/monitor/latency", (TriggerLatency latency) => Results.Ok(latency.Summary())).WithName("MonitorLatency").RequireAuthorization(SecuritySetup.MetricsPolicy);
        api.MapPost("/monitor/latency/reset", (TriggerLatency latency) => { latency.Reset(); return Results.NoContent(); }).WithName("ResetMonitorLatency").RequireAdmin();
        return app;
    }

    private static async Task<IHouseholdGrain?> Household(IGrainFactory grains, string id)
    {
        var household = grains.GetGrain<IHouseholdGrain>(id);
        return await household.GetSpec() is null ? null : household;
    }

    private static IResult NotFound(string what, string id) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: $"{what} not found", detail: $"{what} {id} does not exist");

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
                a.Restrictions ?? [], a.SeparateTaxpayer ?? false, a.DefaultRelief ?? LotRelief.Hifo,
                a.Harvest ?? (a.Type is AccountType.Taxable or AccountType.Trust ? HarvestPolicy.Default : HarvestPolicy.Off),
                a.FractionalShares ?? false, a.MinTrade, ReinvestDividends: a.ReinvestDividends ?? false, Execution: a.Execution);
            return new AccountOpening(spec, a.Cash ?? 0m, a.Lots ?? []);
        }).ToArray();
        return (new HouseholdSpec(id, Required(r.Name, "name"), Required(r.AdvisorId, "advisorId"), openings.Select(o => o.Spec.Id).ToArray()), openings);
    }

    public static TradeRequest ToDomain(RecordTradeRequest r, string? headerKey, TimeProvider clock) => new(
        headerKey ?? Required(r.IdempotencyKey, "idempotencyKey (or the Idempotency-Key header)"),
        r.Date ?? DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime),
        Required(r.Symbol, "symbol"),
        r.Side ?? throw new BadInputException("side is required"),
        r.Quantity ?? throw new BadInputException("quantity is required"),
        r.Price ?? throw new BadInputException("price is required"),
        r.LotId, r.Relief, r.Commission ?? 0m);

    private static string Required(string? value, string field) =>
        string.IsNullOrWhiteSpace(value) ? throw new BadInputException($"{field} is required") : value;
}

/// <summary>Bad input anywhere below the API (domain or grain) becomes a 400 problem naming the field;
/// nothing was changed, because validation runs before any write.</summary>
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
    }

    private static Task WriteProblem(HttpContext context, string message, int status = StatusCodes.Status400BadRequest)
    {
        if (context.Response.HasStarted) throw new InvalidOperationException(message);
        context.Response.Clear();
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new ProblemDetails
        {
            Status = status, Title = "Bad input", Detail = message, Type = "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        }, options: null, contentType: "application/problem+json");
    }
}
