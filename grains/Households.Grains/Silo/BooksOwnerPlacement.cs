using Households.Domain;
using Orleans.Placement;
using Orleans.Runtime.Placement;

namespace Households.Grains.Silo;

/// <summary>An account activates on the silo that owns it (<see cref="StableShare.Owner"/> over the active silos): the one
/// whose warm start watches its books, so the grain takes over its own parked entry and no other silo keeps a stale copy;
/// when a silo dies, the survivors that now own its accounts watch them from the books (<see cref="BooksWarmStart"/>) and
/// the grains that wake later wake there. Households are placed by the same rule over their id: only on active silos (the
/// default placement picks among the cluster manifest's silos, which keep a dead one for a while, and a household woken
/// there by a survivor's resend or catch-up request would not wake).</summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking]
public sealed class BooksOwnerPlacement : PlacementStrategy
{
    public static readonly BooksOwnerPlacement Instance = new();
}

/// <summary>Places a grain with <see cref="BooksOwnerPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class BooksOwnerPlacementAttribute() : PlacementAttribute(BooksOwnerPlacement.Instance);

/// <summary>The owner among the active silos that can host the grain, by the grain's key. Active by membership: the list of
/// compatible silos (the cluster manifest's) keeps a dead silo for a while, and an account it owned there would be placed
/// on it and never wake.</summary>
public sealed class BooksOwnerPlacementDirector(IClusterMembershipService membership) : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var compatible = context.GetCompatibleSilos(target);
        var snapshot = membership.CurrentSnapshot;
        var active = compatible.Where(s => snapshot.GetSiloStatus(s) == SiloStatus.Active).ToArray();
        var silos = active.Length > 0 ? active : compatible;
        if (silos.Length == 1) return Task.FromResult(silos[0]);
        return Task.FromResult(silos[StableShare.Owner(target.GrainIdentity.Key.ToString()!, BooksOwnership.Names(silos))]);
    }
}

/// <summary>Which accounts a silo owns among the active silos: the one rule the warm start and the placement share.</summary>
public static class BooksOwnership
{
    /// <summary>The silos' names as ownership scores them (address, port and generation: a restarted silo is a new member).</summary>
    public static string[] Names(IReadOnlyList<SiloAddress> silos)
    {
        var names = new string[silos.Count];
        for (var i = 0; i < names.Length; i++) names[i] = silos[i].ToParsableString();
        return names;
    }

    /// <summary>Whether <paramref name="local"/> owns <paramref name="accountId"/> among <paramref name="names"/> (the active
    /// silos' <see cref="Names"/>, <paramref name="local"/> its index there).</summary>
    public static bool Owns(string accountId, IReadOnlyList<string> names, int local) =>
        names.Count <= 1 || StableShare.Owner(accountId, names) == local;
}
