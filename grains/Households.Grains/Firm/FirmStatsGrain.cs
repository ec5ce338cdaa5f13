using Households.Grains.Silo;
using Microsoft.Extensions.DependencyInjection;
using Households.Contracts;
using Households.Domain.Firm;

namespace Households.Grains.Firm;

/// <summary>The firm's running figures (see <see cref="FirmFigures"/> for where each comes from). Held in memory:
/// silos re-report within seconds and households report on activation, so a new activation refills itself; the
/// journal stays the durable record. If one grain ever became a hot spot, households would shard by key hash and the
/// summary would add the shards.</summary>
public sealed class FirmStatsGrain([FromKeyedServices(BusinessClock.Key)] TimeProvider clock) : Grain, IFirmStatsGrain
{
    public const string Key = "firm";
    private readonly Dictionary<string, SiloFigures> _silos = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HouseholdFigures> _households = new(StringComparer.Ordinal);

    public Task ReportSilo(SiloFigures figures)
    {
        _silos[figures.Silo] = figures;
        return Task.CompletedTask;
    }

    public Task ReportHousehold(HouseholdFigures figures)
    {
        if (figures.HarvestedLossesYearToDate == 0 && figures.PendingProposals == 0) _households.Remove(figures.HouseholdId);
        else _households[figures.HouseholdId] = figures;
        return Task.CompletedTask;
    }

    public Task<FirmSummary> GetSummary()
    {
        var now = clock.GetUtcNow();
        foreach (var gone in _silos.Values.Where(s => now - s.At > FirmFigures.StaleAfter * 4).Select(s => s.Silo).ToList()) _silos.Remove(gone);
        return Task.FromResult(FirmFigures.Combine(_silos.Values, _households.Values, now, FirmFigures.StaleAfter));
    }
}
