using Households.Contracts;
using Households.Domain.Advisors;
using Households.Grains.Silo;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Households.Grains.Advisors;

/// <summary>The firm's notices as stored; each notice (<see cref="NoticeStored"/>), lease and delivery attempt is appended to
/// the last snapshot (issue #18 goal 2): what they changed, not the ten thousand delivery ids and the outbox the state holds.</summary>
[GenerateSerializer]
public sealed class AdvisorNotificationsState : IAppendableState
{
    /// <summary>Webhook deliveries not yet delivered nor given up.</summary>
    [Id(0)] public List<WebhookDelivery> Outbox { get; set; } = [];
    /// <summary>The delivery ids of the latest notices (bounded): a notice seen again is not sent again.</summary>
    [Id(1)] public List<string> Seen { get; set; } = [];

    // Not stored: what the next write may be.
    [NonSerialized] private NextWrite? _next;

    /// <inheritdoc/>
    public NextWrite Next() => _next ??= new();

    void IAppendableState.Fold(object change) => StoredChanges<AdvisorNotificationsState>.Fold(this, change);

    /// <summary>Keeps a delivery id once, dropping the oldest beyond <see cref="AdvisorNotificationsGrain.SeenKept"/> (a scan of
    /// the list: notices are few next to the writes they cause).</summary>
    internal void Remember(string deliveryId)
    {
        if (Seen.Contains(deliveryId)) return;
        Seen.Add(deliveryId);
        if (Seen.Count > AdvisorNotificationsGrain.SeenKept) Seen.RemoveRange(0, Seen.Count - AdvisorNotificationsGrain.SeenKept);
    }

    /// <summary>Sets the delivery of the same id and endpoint to <paramref name="delivery"/>, where it is still held.</summary>
    internal void Replace(WebhookDelivery delivery)
    {
        var i = Outbox.FindIndex(Same(delivery.DeliveryId, delivery.Endpoint));
        if (i >= 0) Outbox[i] = delivery;
    }

    internal static Predicate<WebhookDelivery> Same(string deliveryId, string endpoint) => d => d.DeliveryId == deliveryId && d.Endpoint == endpoint;
}

/// <summary>A notice: its delivery id remembered once, and its deliveries added once per endpoint.</summary>
[GenerateSerializer, Immutable, Alias("NoticeStored")]
public sealed record NoticeStored([property: Id(0)] string DeliveryId, [property: Id(1)] WebhookDelivery[] Deliveries) : IStateChange<AdvisorNotificationsState>
{
    /// <inheritdoc/>
    public void ApplyTo(AdvisorNotificationsState state)
    {
        state.Remember(DeliveryId);
        state.Outbox.AddRange(Deliveries.Where(d => state.Outbox.FindIndex(AdvisorNotificationsState.Same(d.DeliveryId, d.Endpoint)) < 0));
    }
}

/// <summary>Deliveries set as they now are (leased, or attempted and due again later), where they are still held.</summary>
[GenerateSerializer, Immutable, Alias("DeliveriesSet")]
public sealed record DeliveriesSet([property: Id(0)] WebhookDelivery[] Deliveries) : IStateChange<AdvisorNotificationsState>
{
    /// <inheritdoc/>
    public void ApplyTo(AdvisorNotificationsState state)
    {
        foreach (var d in Deliveries) state.Replace(d);
    }
}

/// <summary>A delivery delivered or given up: it leaves the outbox.</summary>
[GenerateSerializer, Immutable, Alias("DeliveryDone")]
public sealed record DeliveryDone([property: Id(0)] string DeliveryId, [property: Id(1)] string Endpoint) : IStateChange<AdvisorNotificationsState>
{
    /// <inheritdoc/>
    public void ApplyTo(AdvisorNotificationsState state) => state.Outbox.RemoveAll(AdvisorNotificationsState.Same(DeliveryId, Endpoint));
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
        Writes.Change(new NoticeStored(notice.DeliveryId, [.. deliveries]));
        if (oldest is not null) Seen.Remove(oldest);
        await Writes.Write();
    }

    public Task<AdvisorNotices> Since(long after, string? advisorId) => Task.FromResult(new AdvisorNotices(_epoch, _sequence,
        [.. _recent.Where(n => n.Sequence > after && (advisorId is null || string.Equals(n.AdvisorId, advisorId, StringComparison.Ordinal)))]));

    public Task<WebhookDelivery[]> TakeDue(DateTimeOffset now, DateTimeOffset leaseUntil)
    {
        var due = Stored.Outbox.Where(d => WebhookOutbox.IsDue(d, now)).Select(d => d with { LeasedUntil = leaseUntil }).ToArray();
        // Leases are not written now (they ride on the next write): after a restart every delivery is due again, which only
        // repeats a delivery id.
        if (due.Length > 0) Writes.Change(new DeliveriesSet(due));
        return Task.FromResult(due);
    }

    public async Task Attempted(string deliveryId, string endpoint, bool delivered, DateTimeOffset at)
    {
        var i = Stored.Outbox.FindIndex(AdvisorNotificationsState.Same(deliveryId, endpoint));
        if (i < 0) return;
        if (WebhookOutbox.Attempted(Stored.Outbox[i], delivered, at, options.Value.Backoff) is { } next) Writes.Change(new DeliveriesSet([next]));
        else Writes.Change(new DeliveryDone(deliveryId, endpoint));
        await Writes.Write();
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        state.State.Next().Compact(state.WriteStateAsync, log, "advisor notifications");

    public Task<WebhookDelivery[]> Outbox() => Task.FromResult(Stored.Outbox.ToArray());
}
