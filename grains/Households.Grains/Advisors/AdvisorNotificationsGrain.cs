using Households.Contracts;
using Households.Domain.Advisors;
using Households.Grains.Silo;
using Microsoft.Extensions.Options;

namespace Households.Grains.Advisors;

[GenerateSerializer]
public sealed class AdvisorNotificationsState
{
    /// <summary>Webhook deliveries not yet delivered nor given up.</summary>
    [Id(0)] public List<WebhookDelivery> Outbox { get; set; } = [];
    /// <summary>The delivery ids of the latest notices (bounded): a notice seen again is not sent again.</summary>
    [Id(1)] public List<string> Seen { get; set; } = [];
}

/// <summary>The firm's advisor notices: a bounded in-memory list the advisor event streams read after a cursor, and the
/// webhook outbox, persisted with each notice before <see cref="Notify"/> returns, drained by each silo's
/// <see cref="WebhookDispatcher"/> (which signs and sends outside any grain's turn) under short leases.</summary>
public sealed class AdvisorNotificationsGrain(
    [PersistentState("notifications", "households")] IPersistentState<AdvisorNotificationsState> state,
    IOptions<NotificationOptions> options,
    Orleans.Serialization.DeepCopier<AdvisorNotificationsState> copier) : Grain, IAdvisorNotificationsGrain
{
    public const string Key = "firm";
    public const int Kept = 500;
    public const int SeenKept = 10_000;
    private readonly Queue<AdvisorNotice> _recent = new();
    private readonly string _epoch = Guid.NewGuid().ToString("N")[..12];
    private HashSet<string>? _seen;
    private long _sequence;

    // Notices interleave with the write in flight and share it (see BatchedState).
    private BatchedState<AdvisorNotificationsState>? _stored;
    private BatchedState<AdvisorNotificationsState> Writes => _stored ??= new(state, copier);
    private AdvisorNotificationsState Stored => Writes.Live;
    private HashSet<string> Seen => _seen ??= new(Stored.Seen, StringComparer.Ordinal);

    public async Task Notify(AdvisorNotice notice)
    {
        if (!Seen.Add(notice.DeliveryId)) return;
        var numbered = notice with { Sequence = ++_sequence };
        _recent.Enqueue(numbered);
        while (_recent.Count > Kept) _recent.Dequeue();
        Stored.Seen.Add(notice.DeliveryId);
        if (Stored.Seen.Count > SeenKept)
        {
            Seen.Remove(Stored.Seen[0]);
            Stored.Seen.RemoveAt(0);
        }
        Stored.Outbox.AddRange(WebhookOutbox.For(numbered, WebhookOutbox.Body(numbered), options.Value.Webhooks.Select(w => w.Url), notice.At));
        await Writes.Write();
    }

    public Task<AdvisorNotices> Since(long after, string? advisorId) => Task.FromResult(new AdvisorNotices(_epoch, _sequence,
        [.. _recent.Where(n => n.Sequence > after && (advisorId is null || string.Equals(n.AdvisorId, advisorId, StringComparison.Ordinal)))]));

    public Task<WebhookDelivery[]> TakeDue(DateTimeOffset now, DateTimeOffset leaseUntil)
    {
        var due = new List<WebhookDelivery>();
        for (var i = 0; i < Stored.Outbox.Count; i++)
        {
            if (!WebhookOutbox.IsDue(Stored.Outbox[i], now)) continue;
            // Leases live in memory: after a restart every delivery is due again, which only repeats a delivery id.
            Stored.Outbox[i] = Stored.Outbox[i] with { LeasedUntil = leaseUntil };
            due.Add(Stored.Outbox[i]);
        }
        return Task.FromResult(due.ToArray());
    }

    public async Task Attempted(string deliveryId, string endpoint, bool delivered, DateTimeOffset at)
    {
        var i = Stored.Outbox.FindIndex(d => d.DeliveryId == deliveryId && d.Endpoint == endpoint);
        if (i < 0) return;
        if (WebhookOutbox.Attempted(Stored.Outbox[i], delivered, at, options.Value.Backoff) is { } next) Stored.Outbox[i] = next;
        else Stored.Outbox.RemoveAt(i);
        await Writes.Write();
    }

    public Task<WebhookDelivery[]> Outbox() => Task.FromResult(Stored.Outbox.ToArray());
}
