using Households.Contracts;
using Households.Domain.Advisors;
using Households.Grains.Silo;
using Microsoft.Extensions.Logging;
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
    Orleans.Serialization.DeepCopier<AdvisorNotificationsState> copier,
    ILogger<AdvisorNotificationsGrain> log) : Grain, IAdvisorNotificationsGrain
{
    public const string Key = "firm";
    public const int Kept = 500;
    public const int SeenKept = 10_000;
    private readonly Queue<AdvisorNotice> _recent = new();
    private readonly string _epoch = Guid.NewGuid().ToString("N")[..12];
    private HashSet<string>? _seen;
    private long _sequence;

    // Notices interleave with the write in flight and share it (see BatchedState). Each change is idempotent: a delivery id
    // is remembered once, a delivery added once per endpoint, an attempt or a lease set on the delivery it names.
    private BatchedState<AdvisorNotificationsState>? _stored;
    private BatchedState<AdvisorNotificationsState> Writes => _stored ??= new(state, copier, log, "advisor notifications", () => _seen = null);
    private AdvisorNotificationsState Stored => Writes.Live;
    private HashSet<string> Seen => _seen ??= new(Stored.Seen, StringComparer.Ordinal);

    public async Task Notify(AdvisorNotice notice)
    {
        if (!Seen.Add(notice.DeliveryId)) return;
        var numbered = notice with { Sequence = ++_sequence };
        _recent.Enqueue(numbered);
        while (_recent.Count > Kept) _recent.Dequeue();
        var oldest = Stored.Seen.Count >= SeenKept ? Stored.Seen[0] : null; // the id this one pushes out
        var deliveries = WebhookOutbox.For(numbered, WebhookOutbox.Body(numbered), options.Value.Webhooks.Select(w => w.Url), notice.At).ToList();
        Writes.Change(s =>
        {
            Remember(s.Seen, notice.DeliveryId);
            s.Outbox.AddRange(deliveries.Where(d => s.Outbox.FindIndex(Same(d.DeliveryId, d.Endpoint)) < 0).ToList());
        });
        if (oldest is not null) Seen.Remove(oldest);
        await Writes.Write();
    }

    /// <summary>Keeps a delivery id once, dropping the oldest beyond <see cref="SeenKept"/> (a scan of the list: notices are
    /// few next to the writes they cause).</summary>
    private static void Remember(List<string> seen, string deliveryId)
    {
        if (seen.Contains(deliveryId)) return;
        seen.Add(deliveryId);
        if (seen.Count > SeenKept) seen.RemoveRange(0, seen.Count - SeenKept);
    }

    private static Predicate<WebhookDelivery> Same(string deliveryId, string endpoint) => d => d.DeliveryId == deliveryId && d.Endpoint == endpoint;

    public Task<AdvisorNotices> Since(long after, string? advisorId) => Task.FromResult(new AdvisorNotices(_epoch, _sequence,
        [.. _recent.Where(n => n.Sequence > after && (advisorId is null || string.Equals(n.AdvisorId, advisorId, StringComparison.Ordinal)))]));

    public Task<WebhookDelivery[]> TakeDue(DateTimeOffset now, DateTimeOffset leaseUntil)
    {
        var due = Stored.Outbox.Where(d => WebhookOutbox.IsDue(d, now)).Select(d => d with { LeasedUntil = leaseUntil }).ToArray();
        // Leases are not written now (they ride on the next write): after a restart every delivery is due again, which only
        // repeats a delivery id.
        if (due.Length > 0) Writes.Change(s => { foreach (var d in due) Replace(s.Outbox, d); });
        return Task.FromResult(due);
    }

    public async Task Attempted(string deliveryId, string endpoint, bool delivered, DateTimeOffset at)
    {
        var i = Stored.Outbox.FindIndex(Same(deliveryId, endpoint));
        if (i < 0) return;
        if (WebhookOutbox.Attempted(Stored.Outbox[i], delivered, at, options.Value.Backoff) is { } next) Writes.Change(s => Replace(s.Outbox, next));
        else Writes.Change(s => s.Outbox.RemoveAll(Same(deliveryId, endpoint)));
        await Writes.Write();
    }

    /// <summary>Sets the delivery of the same id and endpoint to <paramref name="delivery"/>, where it is still held.</summary>
    private static void Replace(List<WebhookDelivery> outbox, WebhookDelivery delivery)
    {
        var i = outbox.FindIndex(Same(delivery.DeliveryId, delivery.Endpoint));
        if (i >= 0) outbox[i] = delivery;
    }

    public Task<WebhookDelivery[]> Outbox() => Task.FromResult(Stored.Outbox.ToArray());
}
