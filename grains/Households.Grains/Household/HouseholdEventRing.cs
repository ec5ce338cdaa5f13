using Households.Contracts;

namespace Households.Grains.Household;

/// <summary>A household's recent events for its live stream (trades, triggers, proposal changes): in memory only and
/// bounded; the journal is the durable record. The epoch changes with every activation, so a client that sees a new
/// epoch knows it missed events and reads the state again.</summary>
public sealed class HouseholdEventRing(TimeProvider clock)
{
    public const int Kept = 200;
    private readonly Queue<HouseholdEvent> _events = new();
    private long _sequence;

    public string Epoch { get; } = Guid.NewGuid().ToString("N")[..12];

    public void Add(string kind, string? account, string? proposal, string summary)
    {
        _events.Enqueue(new HouseholdEvent(++_sequence, kind, clock.GetUtcNow(), account, proposal, summary));
        while (_events.Count > Kept) _events.Dequeue();
    }

    /// <summary>The kept events after sequence <paramref name="after"/>, oldest first.</summary>
    public HouseholdEvents Since(long after) => new(Epoch, _sequence, [.. _events.Where(e => e.Sequence > after)]);
}
