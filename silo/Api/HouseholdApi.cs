using Households.Contracts;
using Households.Domain;
using Households.Grains.Household;
using Households.Grains;
using Households.Silo.Access;

namespace Households.Silo.Api;

/// <summary><c>/api/households</c>: the firm's households (paged, as the caller may see them), one household's view, live
/// state and realized gains, creating one (admins), and its tax profile and investment policy. Proposals and decisions are
/// in <see cref="ProposalApi"/>, the tax budget and transition in <see cref="TransitionApi"/>.</summary>
public static class HouseholdApi
{
    public static IEndpointRouteBuilder MapHouseholdApi(this IEndpointRouteBuilder api)
    {
        var households = api.MapGroup("/households");
        households.MapGet("", List).WithName("ListHouseholds");
        households.MapGet("/{id}", Get).WithName("GetHousehold");
        households.MapGet("/{id}/live", Live).WithName("GetHouseholdLiveState")
            .WithSummary("The household's live state for polling: value, cash, pending proposals and per account drift lines out of band, harvestable lots and open triggers, at one price batch (kept until the next)");
        households.MapPost("", Create).WithName("CreateHousehold").RequireAdmin();
        households.MapGet("/{id}/tax", Tax).WithName("GetHouseholdTax")
            .WithSummary("Realized gains year to date (short, long, disallowed, permanently disallowed) and wash-sale windows");
        households.MapPut("/{id}/tax-profile", SetTaxProfile).WithName("SetTaxProfile")
            .WithSummary("Set the household's tax profile (filing status and income or marginal rates, state rate, surtax, carryforwards, gains realized elsewhere this year); an empty body clears it");
        households.MapPut("/{id}/policy", SetPolicy).WithName("SetHouseholdPolicy")
            .WithSummary("Set the household's investment policy (tracking-error weight, tax sensitivity, turnover, minimum trade, views, sector band, factor tilts, maximum weight, ESG exclusions, asset location, objective); unset fields fall through to the firm's");
        return api;
    }

    /// <summary>The household grain when the household exists (one interleaving read of its spec), else null.</summary>
    public static async Task<IHouseholdGrain?> Existing(IGrainFactory grains, string id)
    {
        var household = grains.GetGrain<IHouseholdGrain>(id);
        return await household.GetSpec() is null ? null : household;
    }

    private static async Task<IResult> List(HouseholdAccess access, HttpContext http, int? page, int? pageSize)
    {
        var size = pageSize ?? 50;
        var number = page ?? 1;
        if (number < 1) throw new BadInputException("page must be >= 1");
        if (size is < 1 or > FirmDirectoryGrain.MaxPage) throw new BadInputException($"pageSize must be between 1 and {FirmDirectoryGrain.MaxPage}");
        var skip = (long)(number - 1) * size;
        if (skip > int.MaxValue) throw new BadInputException("page is too large");
        var result = await access.ListHouseholds(http.User, (int)skip, size);
        return Results.Ok(new { page = number, pageSize = size, total = result.Total, items = result.Items });
    }

    private static async Task<IResult> Get(string id, IGrainFactory grains) =>
        await Existing(grains, id) is { } household ? Results.Ok(await household.GetView()) : NotFoundProblem.Household(id);

    // From this silo's live board when it holds the household (no grain woken, no storage read); else the household grain.
    private static async Task<IResult> Live(string id, IGrainFactory grains, LocalLiveReads local) =>
        (local.Household(id) ?? await grains.GetGrain<IHouseholdGrain>(id).GetLiveState()) is { } live ? Results.Ok(live) : NotFoundProblem.Household(id);

    private static async Task<IResult> Create(CreateHouseholdRequest request, IGrainFactory grains)
    {
        var (spec, openings) = HouseholdsApi.ToDomain(request);
        var household = grains.GetGrain<IHouseholdGrain>(spec.Id);
        await household.Create(spec, openings);
        return Results.Created($"/api/households/{spec.Id}", await household.GetView());
    }

    private static async Task<IResult> Tax(string id, IGrainFactory grains) =>
        await Existing(grains, id) is { } household ? Results.Ok((await household.GetView()).Tax) : NotFoundProblem.Household(id);

    private static async Task<IResult> SetTaxProfile(string id, TaxProfile? profile, IGrainFactory grains) =>
        await Existing(grains, id) is { } household ? Results.Ok(await household.SetTaxProfile(profile)) : NotFoundProblem.Household(id);

    private static async Task<IResult> SetPolicy(string id, InvestmentPolicy? policy, IGrainFactory grains) =>
        await Existing(grains, id) is { } household ? Results.Ok(await household.SetPolicy(policy)) : NotFoundProblem.Household(id);
}
