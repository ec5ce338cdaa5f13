using Households.Contracts;
using Households.Domain.Monitoring;
using Households.Grains.Silo;

namespace Households.Silo.Api;

/// <summary>Live reads answered from this silo's <see cref="LiveStateBoard"/> without calling a grain (issue #18, goals 6 and
/// 9): the household's stored header and its accounts' sources, which the warm start put there and every write on this
/// silo keeps current. A household asleep costs no activation and no storage read, so a read at 5,000 a second wakes
/// nothing, and answers while the database is away.
/// <para>Only while this silo is the cluster's only active member: then every grain, and so every write of the books,
/// is here. With several silos an account parked here may have woken and traded on another, and the household grain
/// answers (it uses the sources of accounts active on its silo and asks the others).</para></summary>
public sealed class LocalLiveReads(LiveStateBoard live, PriceBoard prices, IClusterMembershipService membership)
{
    /// <summary>True while this silo is the only active member of its cluster.</summary>
    public bool Alone
    {
        get
        {
            var active = 0;
            foreach (var member in membership.CurrentSnapshot.Members.Values)
                if (member.Status == SiloStatus.Active && ++active > 1) return false;
            return active == 1;
        }
    }

    /// <summary>The household's live state from this silo, or null (not alone, or not all of it is here).</summary>
    public HouseholdLiveState? Household(string householdId) => Alone ? live.Household(householdId, prices.Current) : null;

    /// <summary>The household's advisor as stored, or null (not alone, or its header is not here).</summary>
    public string? AdvisorOf(string householdId) => Alone ? live.Header(householdId)?.AdvisorId : null;
}
