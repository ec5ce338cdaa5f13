using Microsoft.Extensions.DependencyInjection;
using Households.Contracts;
using Households.Domain.Advisors;
using Households.Grains.Silo;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Households.Grains.Advisors;

/// <summary>A shard of the advisor's queue as stored; households' reports (<see cref="HouseholdReported"/>) and expiries are
/// appended to the last snapshot (issue #18 goal 2): what they changed, not the shard's whole index.</summary>
[GenerateSerializer]
public sealed class AdvisorQueueState : IAppendableState
{
    /// <summary>Each household's pending proposals as it last reported them.</summary>
    [Id(0)] public Dictionary<string, HouseholdPending> Households { get; set; } = new(StringComparer.Ordinal);
    /// <summary>A shard has taken its households from the index of one grain a firm kept before the shards.</summary>
    [Id(1)] public bool TookOverFirmIndex { get; set; }

    // Not stored: what the next write may be.
    [NonSerialized] private NextWrite? _next;

    /// <inheritdoc/>
    public NextWrite Next() => _next ??= new();

    void IAppendableState.Fold(object change) => StoredChanges<AdvisorQueueState>.Fold(this, change);
}

/// <summary>A household's report: held unless the one held is newer; a household with nothing pending leaves the index.</summary>
[GenerateSerializer, Immutable, Alias("HouseholdReported")]
public sealed record HouseholdReported([property: Id(0)] HouseholdPending Pending) : IStateChange<AdvisorQueueState>
{
    /// <inheritdoc/>
    public void ApplyTo(AdvisorQueueState state)
    {
        if (state.Households.GetValueOrDefault(Pending.HouseholdId) is { } held && held.At > Pending.At) return;
        if (Pending.Proposals.Length == 0) state.Households.Remove(Pending.HouseholdId);
        else state.Households[Pending.HouseholdId] = Pending;
    }
}

/// <summary>Households whose every proposal had expired at <see cref="At"/> leave the index; asked again of the state it is
/// applied to, so a newer report stays.</summary>
[GenerateSerializer, Immutable, Alias("HouseholdsExpired")]
public sealed record HouseholdsExpired([property: Id(0)] string[] HouseholdIds, [property: Id(1)] DateTimeOffset At) : IStateChange<AdvisorQueueState>
{
    /// <summary>Whether every proposal of the household's report has expired at <paramref name="now"/>.</summary>
    public static bool Gone(HouseholdPending household, DateTimeOffset now) => household.Proposals.All(p => now >= p.ExpiresAt);

    /// <inheritdoc/>
    public void ApplyTo(AdvisorQueueState state)
    {
        foreach (var id in HouseholdIds)
            if (state.Households.TryGetValue(id, out var h) && Gone(h, At)) state.Households.Remove(id);
    }
}

/// <summary>One shard of the firm's pending-proposal index (docs/architecture.md, "The advisor's queue"): households report
/// their pending proposals whenever that set changes and on activation, each to the shard its id hashes to
/// (<see cref="KeyOf"/>); the index is persisted, so after a restart it answers from its own state without waking a
/// household. It announces a proposal that needs approval when it first sees it, and one about to expire once
/// (<see cref="NotificationOptions.ExpiringWithin"/>), checked on every report and on a timer that keeps the grain alive
/// only while something is pending. One grain for the firm wrote its whole index (every pending proposal of the firm) on
/// each report: in the 1M shock its turns took 1–4 s and its writes a large share of a core. A shard holds a
/// 64th of it, and the shards spread over the cluster's silos.</summary>
public sealed class AdvisorQueueGrain(
    [PersistentState("advisorqueue", "households")] IPersistentState<AdvisorQueueState> state,
    IOptions<NotificationOptions> options,
    [FromKeyedServices(BusinessClock.Key)] TimeProvider clock,
    ILogger<AdvisorQueueGrain> log,
    Orleans.Serialization.DeepCopier<AdvisorQueueState> copier) : Grain, IAdvisorQueueGrain
{
    /// <summary>The key of the one index a firm kept before the shards; a shard takes its households from it on activation.</summary>
    public const string FirmIndexKey = "firm";
    public const int Shards = 64;

    /// <summary>The shard that indexes <paramref name="householdId"/>: a hash of the id, the same on every silo and run.</summary>
    public static string KeyOf(string householdId) => ShardKey(global::Households.Domain.StableShare.Of(householdId, Shards));

    private static string ShardKey(int shard) => $"firm/{shard:D2}";

    /// <summary>Every shard's households with pending proposals: all of them, or only <paramref name="advisorId"/>'s.</summary>
    public static async Task<HouseholdPending[]> Pending(IGrainFactory grains, string? advisorId)
    {
        var shards = await Task.WhenAll(Enumerable.Range(0, Shards).Select(s => grains.GetGrain<IAdvisorQueueGrain>(ShardKey(s)).Pending(advisorId)));
        return [.. shards.SelectMany(s => s)];
    }

    public static readonly TimeSpan ExpiryCheck = TimeSpan.FromMinutes(1);
    private readonly HashSet<string> _announcedExpiring = new(StringComparer.Ordinal);
    private IGrainTimer? _timer;
    // Reports interleave with the write in flight: a flood of them (a firm's households deciding at once) shares writes.
    private BatchedState<AdvisorQueueState>? _stored;
    // Each change is an upsert or removal by household that checks the held report first, so it is idempotent and
    // right again on a state re-read after a storage conflict (see BatchedState).
    private BatchedState<AdvisorQueueState> Writes => _stored ??= new(state, copier, log, "advisor queue");
    private Dictionary<string, HouseholdPending> Households => Writes.Live.Households;

    private IAdvisorNotificationsGrain Notices => GrainFactory.GetGrain<IAdvisorNotificationsGrain>(AdvisorNotificationsGrain.Key);

    private string Key => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (Key != FirmIndexKey && !state.State.TookOverFirmIndex)
        {
            // Once per shard: the households of the firm's former single index that hash here move to this shard, stored
            // here before the former index forgets them (a crash between leaves a copy there, never none).
            var former = GrainFactory.GetGrain<IAdvisorQueueGrain>(FirmIndexKey);
            var moved = await former.HandOver(Key);
            foreach (var pending in moved) Writes.Change(new HouseholdReported(pending));
            Writes.Change(s => s.TookOverFirmIndex = true);
            await Writes.Write();
            if (moved.Length > 0) await former.Forget(Key);
        }
        if (Households.Count > 0) Watch();
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        state.State.Next().Compact(state.WriteStateAsync, log, $"advisor queue {Key}");

    public Task<HouseholdPending[]> HandOver(string shardKey) =>
        Task.FromResult(Households.Values.Where(h => KeyOf(h.HouseholdId) == shardKey).ToArray());

    public async Task Forget(string shardKey)
    {
        // Nothing reports here any more (households report to their shard), so what the shard took is all there is.
        Writes.Change(s =>
        {
            foreach (var id in s.Households.Keys.Where(id => KeyOf(id) == shardKey).ToList()) s.Households.Remove(id);
        });
        await Writes.Write();
    }

    public async Task Report(HouseholdPending pending)
    {
        var held = Households.GetValueOrDefault(pending.HouseholdId);
        if (held is not null && held.At > pending.At) return; // a late notice: the held one is newer
        var known = held?.Proposals.Select(p => p.Id).ToHashSet(StringComparer.Ordinal) ?? [];
        Writes.Change(new HouseholdReported(pending));
        await Writes.Write();
        var now = clock.GetUtcNow();
        foreach (var p in AdvisorAnnouncements.NewlyPending(pending, known, now))
            await Notify("proposal-pending", pending, p, $"{pending.HouseholdName}: proposal {p.Id} needs approval ({p.Trades.Length} trades, expires {p.ExpiresAt:u})");
        await AnnounceExpiring(now);
        if (Households.Count > 0) Watch();
    }

    public Task<HouseholdPending[]> Pending(string? advisorId)
    {
        var now = clock.GetUtcNow();
        return Task.FromResult(Households.Values
            .Where(h => advisorId is null || string.Equals(h.AdvisorId, advisorId, StringComparison.Ordinal))
            .Select(h => h with { Proposals = [.. h.Proposals.Where(p => p.Status == ProposalStatus.Pending && now < p.ExpiresAt)] })
            .Where(h => h.Proposals.Length > 0).ToArray());
    }

    private async Task AnnounceExpiring(DateTimeOffset now)
    {
        var within = options.Value.ExpiringWithin;
        foreach (var h in Households.Values.ToList())
            foreach (var p in h.Proposals.Where(p => AdvisorAnnouncements.Expiring(p, now, within) && _announcedExpiring.Add(AdvisorAnnouncements.ExpiringKey(h, p))))
                await Notify("proposal-expiring", h, p, $"{h.HouseholdName}: proposal {p.Id} expires at {p.ExpiresAt:u} unless approved");
    }

    private async Task Notify(string kind, HouseholdPending h, RebalanceProposal p, string summary)
    {
        try
        {
            await Notices.Notify(new AdvisorNotice(0, kind, h.HouseholdId, h.AdvisorId, p.Id, summary, clock.GetUtcNow(),
                $"{kind}:{h.HouseholdId}:{p.Id}", null));
        }
        catch (Exception ex)
        {
            // The index stays right; the notice is lost only if the notifications grain cannot store it.
            log.LogWarning(ex, "{Household}: notice {Kind} for {Proposal} not stored", h.HouseholdId, kind, p.Id);
        }
    }

    private void Watch()
    {
        _timer ??= this.RegisterGrainTimer(async () =>
        {
            var now = clock.GetUtcNow();
            var gone = Households.Values.Where(h => HouseholdsExpired.Gone(h, now)).Select(h => h.HouseholdId).ToArray();
            if (gone.Length > 0)
            {
                Writes.Change(new HouseholdsExpired(gone, now));
                await Writes.Write();
            }
            await AnnounceExpiring(now);
            if (Households.Count > 0) return;
            _timer?.Dispose();
            _timer = null;
        }, new GrainTimerCreationOptions(ExpiryCheck, ExpiryCheck) { KeepAlive = true });
    }
}
