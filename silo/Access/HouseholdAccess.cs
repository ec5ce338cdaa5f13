using Households.Auth;
using Households.Contracts;
using Households.Grains.Household;
using Households.Grains;
using System.Security.Claims;

namespace Households.Silo.Access;

/// <summary>The one place that decides which households a caller may see. Admins and readers see the whole firm;
/// an advisor sees the households whose <see cref="HouseholdSpec.AdvisorId"/> equals the token's <c>advisor</c> claim.
/// A household the caller may not see is indistinguishable from a missing one.</summary>
public sealed class HouseholdAccess(IGrainFactory grains, Households.Silo.Api.LocalLiveReads? local = null)
{
    /// <summary>The advisor id a caller is confined to, or null when the caller sees the whole firm.
    /// An advisor token without an advisor claim is confined to nothing (empty string).</summary>
    public static string? AdvisorScope(ClaimsPrincipal user)
    {
        if (user.IsInRole(HouseholdsAuth.Admin) || user.IsInRole(HouseholdsAuth.Reader)) return null;
        return user.FindFirst(HouseholdsAuth.AdvisorClaim)?.Value ?? "";
    }

    public async Task<bool> CanSeeHousehold(ClaimsPrincipal user, string householdId)
    {
        if (AdvisorScope(user) is not { } advisor) return true;
        // The stored header when this silo holds it: an advisor's live read then wakes no household either.
        var owner = local?.AdvisorOf(householdId) ?? (await grains.GetGrain<IHouseholdGrain>(householdId).GetSpec())?.AdvisorId;
        return owner is not null && advisor.Length > 0 && string.Equals(owner, advisor, StringComparison.Ordinal);
    }

    public async Task<bool> CanSeeAccount(ClaimsPrincipal user, string accountId)
    {
        if (AdvisorScope(user) is null) return true;
        var spec = await grains.GetGrain<IAccountGrain>(accountId).GetSpec();
        return spec is not null && await CanSeeHousehold(user, spec.HouseholdId);
    }

    /// <summary>Every household id this caller may see, read page by page from the directory.</summary>
    public async Task<List<string>> VisibleHouseholds(ClaimsPrincipal user)
    {
        var ids = new List<string>();
        for (var skip = 0; ; skip += FirmDirectoryGrain.MaxPage)
        {
            var page = await ListHouseholds(user, skip, FirmDirectoryGrain.MaxPage);
            ids.AddRange(page.Items.Select(h => h.Id));
            if (page.Items.Length < FirmDirectoryGrain.MaxPage || ids.Count >= page.Total) return ids;
        }
    }

    /// <summary>A page of the household directory as this caller may see it.</summary>
    public Task<HouseholdPage> ListHouseholds(ClaimsPrincipal user, int skip, int take)
    {
        var directory = grains.GetGrain<IFirmDirectoryGrain>(FirmDirectoryGrain.Key);
        return AdvisorScope(user) is { } advisor ? directory.ListByAdvisor(advisor, skip, take) : directory.List(skip, take);
    }
}
