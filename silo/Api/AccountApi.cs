using Households.Contracts;
using Households.Domain;
using Households.Grains.Silo;

namespace Households.Silo.Api;

/// <summary><c>/api/accounts/{id}</c>: an account's view, lots and triggers; a fill, a cash movement, its restrictions and
/// policy; and the wash-sale questions its household answers (a loss sale now, the purchases it must wait for). A fill goes
/// through the account's household, the wash-sale seam.</summary>
public static class AccountApi
{
    public static IEndpointRouteBuilder MapAccountApi(this IEndpointRouteBuilder api)
    {
        var account = api.MapGroup("/accounts/{id}");
        account.MapGet("", Get).WithName("GetAccount");
        account.MapGet("/lots", Lots).WithName("GetLots").WithSummary("The account's open tax lots (adjusted basis, purchase date, holding period start)");
        account.MapGet("/triggers", Triggers).WithName("GetTriggers")
            .WithSummary("The account's open triggers (drift, harvest, cash, restriction, model change), oldest first");
        account.MapPost("/trades", RecordTrade).WithName("RecordTrade");
        account.MapGet("/wash-sale-check", CheckLossSale).WithName("CheckLossSale")
            .WithSummary("Would selling this lot now at a loss be a wash sale, and which purchases in which accounts cause it?");
        account.MapGet("/buy-blackouts", BuyBlackouts).WithName("BuyBlackouts")
            .WithSummary("Securities this account may not buy until the given dates without washing a recent loss");
        account.MapPut("/policy", SetPolicy).WithName("SetAccountPolicy")
            .WithSummary("Set the account's own investment policy (unset fields fall through to the household's), e.g. tracksOwnModel for a 529 on its glide path");
        account.MapPost("/cash", RecordCash).WithName("RecordCash").WithSummary("Deposit, dividend or withdrawal request; raises a cash trigger");
        account.MapPut("/restrictions", UpdateRestrictions).WithName("UpdateRestrictions")
            .WithSummary("Replace the account's restrictions (ESG exclusions, client restrictions); raises a restriction trigger");
        return api;
    }

    /// <summary>The account grain when the account was opened (one interleaving read of its spec), else null.</summary>
    private static async Task<IAccountGrain?> Existing(IGrainFactory grains, string id)
    {
        var account = grains.GetGrain<IAccountGrain>(id);
        return await account.GetSpec() is null ? null : account;
    }

    private static async Task<IResult> Get(string id, IGrainFactory grains) =>
        await Existing(grains, id) is { } account ? Results.Ok(await account.GetView()) : NotFoundProblem.Account(id);

    private static async Task<IResult> Lots(string id, IGrainFactory grains) =>
        await Existing(grains, id) is { } account ? Results.Ok((await account.GetLots()).Select(p => p.Lot).ToArray()) : NotFoundProblem.Account(id);

    private static async Task<IResult> Triggers(string id, IGrainFactory grains) =>
        await Existing(grains, id) is { } account ? Results.Ok(await account.GetTriggers()) : NotFoundProblem.Account(id);

    private static async Task<IResult> RecordTrade(string id, RecordTradeRequest request, HttpRequest http, IGrainFactory grains,
        [FromKeyedServices(BusinessClock.Key)] TimeProvider clock)
    {
        if (await grains.GetGrain<IAccountGrain>(id).GetSpec() is not { } spec) return NotFoundProblem.Account(id);
        var trade = HouseholdsApi.ToDomain(request, http.Headers["Idempotency-Key"].FirstOrDefault(), clock);
        var result = await grains.GetGrain<IHouseholdGrain>(spec.HouseholdId).RecordTrade(id, trade);
        return result.Replayed ? Results.Ok(result) : Results.Created($"/api/accounts/{id}", result);
    }

    private static async Task<IResult> CheckLossSale(string id, string lot, decimal quantity, DateOnly? date, IGrainFactory grains,
        [FromKeyedServices(BusinessClock.Key)] TimeProvider clock)
    {
        if (await grains.GetGrain<IAccountGrain>(id).GetSpec() is not { } spec) return NotFoundProblem.Account(id);
        InputRules.Id(lot, "lot");
        return Results.Ok(await grains.GetGrain<IHouseholdGrain>(spec.HouseholdId).CheckLossSale(id, lot, quantity, Day(date, clock)));
    }

    private static async Task<IResult> BuyBlackouts(string id, DateOnly? date, IGrainFactory grains, [FromKeyedServices(BusinessClock.Key)] TimeProvider clock)
    {
        if (await grains.GetGrain<IAccountGrain>(id).GetSpec() is not { } spec) return NotFoundProblem.Account(id);
        return Results.Ok(await grains.GetGrain<IHouseholdGrain>(spec.HouseholdId).BuyBlackouts(id, Day(date, clock)));
    }

    private static async Task<IResult> SetPolicy(string id, InvestmentPolicy? policy, IGrainFactory grains)
    {
        if (await Existing(grains, id) is not { } account) return NotFoundProblem.Account(id);
        await account.SetPolicy(policy);
        return Results.Ok(await account.GetSpec());
    }

    private static async Task<IResult> RecordCash(string id, CashRequest request, HttpRequest http, IGrainFactory grains,
        [FromKeyedServices(BusinessClock.Key)] TimeProvider clock)
    {
        if (await Existing(grains, id) is not { } account) return NotFoundProblem.Account(id);
        var movement = new CashMovement(http.Headers["Idempotency-Key"].FirstOrDefault() ?? HouseholdsApi.Required(request.IdempotencyKey, "idempotencyKey (or the Idempotency-Key header)"),
            request.Kind ?? throw new BadInputException("kind is required (deposit, withdrawal or dividend)"),
            request.Amount ?? throw new BadInputException("amount is required"),
            request.Date ?? DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime), request.Symbol);
        return Results.Ok(new { cash = await account.RecordCash(movement) });
    }

    private static async Task<IResult> UpdateRestrictions(string id, Restriction[] restrictions, IGrainFactory grains)
    {
        if (await Existing(grains, id) is not { } account) return NotFoundProblem.Account(id);
        await account.UpdateRestrictions(restrictions);
        return Results.Ok(await account.GetSpec());
    }

    /// <summary>The day asked for, else today's business date; inside the API's date range.</summary>
    private static DateOnly Day(DateOnly? date, TimeProvider clock) =>
        InputRules.Date(date ?? DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime), "date");
}
