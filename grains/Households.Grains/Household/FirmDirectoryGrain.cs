using Households.Contracts;
using Households.Domain;
using Households.Grains.Silo;
using Microsoft.Extensions.Logging;

namespace Households.Grains.Household;

/// <summary>The firm's directory as stored; households registered are appended to the last snapshot (<see cref="HouseholdsRegistered"/>).</summary>
[GenerateSerializer]
public sealed class DirectoryState : IAppendableState
{
    [Id(0)] public SortedDictionary<string, HouseholdSummary> Households { get; set; } = new(StringComparer.Ordinal);

    // Not stored: what the next write may be.
    [NonSerialized] private NextWrite? _next;

    /// <inheritdoc/>
    public NextWrite Next() => _next ??= new();

    void IAppendableState.Fold(object change) => StoredChanges<DirectoryState>.Fold(this, change);
}

/// <summary>Households registered (or their summaries changed), as stored (issue #18 goal 2): an upsert by
/// household id, so applying it again on a re-read state changes nothing more.</summary>
[GenerateSerializer, Immutable, Alias("HouseholdsRegistered")]
public sealed record HouseholdsRegistered([property: Id(0)] HouseholdSummary[] Households) : IStateChange<DirectoryState>
{
    /// <inheritdoc/>
    public void ApplyTo(DirectoryState state)
    {
        foreach (var h in Households) state.Households[h.Id] = h;
    }
}

/// <summary>The firm's list of households for paging.</summary>
public sealed class FirmDirectoryGrain([PersistentState("directory", "households")] IPersistentState<DirectoryState> state,
    Orleans.Serialization.DeepCopier<DirectoryState> copier, ILogger<FirmDirectoryGrain> log)
    : Grain, IFirmDirectoryGrain
{
    public const string Key = "firm";
    public const int MaxPage = 500;
    // Registrations interleave with the write in flight: each write stores a copy (see BatchedState).
    private BatchedState<DirectoryState>? _stored;
    private BatchedState<DirectoryState> Writes => _stored ??= new(state, copier, log, "firm directory");
    private SortedDictionary<string, HouseholdSummary> Summaries => Writes.Live.Households;

    public async Task Register(HouseholdSummary household)
    {
        if (Summaries.TryGetValue(household.Id, out var existing) && existing == household) return;
        Writes.Change(new HouseholdsRegistered([household]));
        await Writes.Write();
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        state.State.Next().Compact(state.WriteStateAsync, log, "firm directory");

    public Task<HouseholdPage> List(int skip, int take)
    {
        if (skip < 0) throw new BadInputException("skip must be >= 0");
        if (take is < 1 or > MaxPage) throw new BadInputException($"take must be between 1 and {MaxPage}");
        return Task.FromResult(new HouseholdPage(Summaries.Count, [.. Summaries.Values.Skip(skip).Take(take)]));
    }

    public Task<HouseholdPage> ListByAdvisor(string advisorId, int skip, int take)
    {
        if (skip < 0) throw new BadInputException("skip must be >= 0");
        if (take is < 1 or > MaxPage) throw new BadInputException($"take must be between 1 and {MaxPage}");
        // A scan of the directory: an advisor's book is small next to the firm, and this grain already holds every summary.
        var own = Summaries.Values.Where(h => string.Equals(h.AdvisorId, advisorId, StringComparison.Ordinal)).ToList();
        return Task.FromResult(new HouseholdPage(own.Count, [.. own.Skip(skip).Take(take)]));
    }
}
