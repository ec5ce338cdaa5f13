using Microsoft.Extensions.DependencyInjection;
using Households.Contracts;
using Households.Domain.Advisors;
using Households.Grains.Silo;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Households.Grains.Advisors;

[GenerateSerializer]
public sealed class AdvisorQueueState
{
    /// <summary>Each household's pending proposals as it last reported them.</summary>
    [Id(0)] public Dictionary<string, HouseholdPending> Households { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>The firm's pending-proposal index (docs/architecture.md, "The advisor's queue"): households report their
/// pending proposals whenever that set changes and on activation; the index is persisted, so after a restart it answers
/// from its own state without waking a household. It announces a proposal that needs approval when it first sees it, and
/// one about to expire once (<see cref="NotificationOptions.ExpiringWithin"/>), checked on every report and on a timer
/// that keeps the grain alive only while something is pending.</summary>
public sealed class AdvisorQueueGrain(
    [PersistentState("advisorqueue", "households")] IPersistentState<AdvisorQueueState> state,
    IOptions<NotificationOptions> options,
    [FromKeyedServices(BusinessClock.Key)] TimeProvider clock,
    ILogger<AdvisorQueueGrain> log,
    Orleans.Serialization.DeepCopier<AdvisorQueueState> copier) : Grain, IAdvisorQueueGrain
{
    public const string Key = "firm";
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

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (Households.Count > 0) Watch();
        return Task.CompletedTask;
    }

    public async Task Report(HouseholdPending pending)
    {
        var held = Households.GetValueOrDefault(pending.HouseholdId);
        if (held is not null && held.At > pending.At) return; // a late notice: the held one is newer
        var known = held?.Proposals.Select(p => p.Id).ToHashSet(StringComparer.Ordinal) ?? [];
        Writes.Change(s => Held(s, pending));
        await Writes.Write();
        var now = clock.GetUtcNow();
        foreach (var p in AdvisorAnnouncements.NewlyPending(pending, known, now))
            await Notify("proposal-pending", pending, p, $"{pending.HouseholdName}: proposal {p.Id} needs approval ({p.Trades.Length} trades, expires {p.ExpiresAt:u})");
        await AnnounceExpiring(now);
        if (Households.Count > 0) Watch();
    }

    /// <summary>The household's report, unless the one held is newer; a household with nothing pending leaves the index.</summary>
    private static void Held(AdvisorQueueState s, HouseholdPending pending)
    {
        if (s.Households.GetValueOrDefault(pending.HouseholdId) is { } held && held.At > pending.At) return;
        if (pending.Proposals.Length == 0) s.Households.Remove(pending.HouseholdId);
        else s.Households[pending.HouseholdId] = pending;
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
            static bool Gone(HouseholdPending h, DateTimeOffset now) => h.Proposals.All(p => now >= p.ExpiresAt);
            var gone = Households.Values.Where(h => Gone(h, now)).Select(h => h.HouseholdId).ToList();
            if (gone.Count > 0)
            {
                // Asked again of the state it is applied to: a newer report stored meanwhile stays.
                Writes.Change(s =>
                {
                    foreach (var id in gone)
                        if (s.Households.TryGetValue(id, out var h) && Gone(h, now)) s.Households.Remove(id);
                });
                await Writes.Write();
            }
            await AnnounceExpiring(now);
            if (Households.Count > 0) return;
            _timer?.Dispose();
            _timer = null;
        }, new GrainTimerCreationOptions(ExpiryCheck, ExpiryCheck) { KeepAlive = true });
    }
}
