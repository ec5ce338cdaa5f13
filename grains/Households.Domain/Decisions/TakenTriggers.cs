using Households.Contracts;

namespace Households.Domain.Decisions;

/// <summary>The market triggers a household activation took into a decision, the newest <see cref="Max"/>: one sent again
/// while its decision runs, or after a decision that filed nothing, is not decided twice (the filed proposals name the
/// rest, <see cref="ProposalBook.Undecided"/>). A decision that failed gives its triggers back (<see cref="GiveBack"/>)
/// so they are decided when it is tried again.</summary>
public sealed class TakenTriggers
{
    /// <summary>The most remembered; the oldest are forgotten first.</summary>
    public const int Max = 4096;
    // Each take is numbered: a trigger given back and taken again is forgotten by its newest take, not an older one.
    private readonly Dictionary<TriggerIdentity, long> _taken = [];
    private readonly Queue<(TriggerIdentity Identity, long Take)> _order = new();
    private long _takes;

    public int Count => _taken.Count;

    /// <summary>Whether the trigger was taken into a decision (and not given back).</summary>
    public bool Contains(Trigger trigger) => _taken.ContainsKey(TriggerIdentity.Of(trigger));

    /// <summary>Remembers the market triggers among <paramref name="triggers"/> as taken into a decision.</summary>
    public void Take(IEnumerable<Trigger> triggers)
    {
        foreach (var t in triggers.Where(t => TriggerCooldowns.IsMarketTrigger(t.Kind)))
        {
            var identity = TriggerIdentity.Of(t);
            _taken[identity] = ++_takes;
            _order.Enqueue((identity, _takes));
        }
        while (_order.Count > Max)
        {
            var (identity, take) = _order.Dequeue();
            if (_taken.TryGetValue(identity, out var newest) && newest == take) _taken.Remove(identity);
        }
    }

    /// <summary>Whether the trigger is decided already: this activation took it into a decision (and did not give it back),
    /// or a filed proposal of <paramref name="book"/> names it. Asked of a trigger sent again after a silo died and of
    /// every market trigger a decision takes from the inbox.</summary>
    public bool Decided(Trigger trigger, ProposalBook book) => Contains(trigger) || book.Names(trigger);

    /// <summary>Takes into a decision the triggers waiting in the inbox that are not decided already (<see cref="Decided"/>,
    /// nor met earlier in <paramref name="waiting"/>), and returns them. A trigger reaches an inbox twice when it is sent
    /// again after a silo died while its first copy waited, and a duplicate activation's inbox holds one the other filed (it
    /// reads that proposal after its own write met the other's version): decided once (audit: "triggers decided twice").
    /// Events (cash, orders resolved) pass unless a filed proposal names them (a client's event is sent again after a silo
    /// died too): each is caused once, and a fixed clock may give two the same identity.</summary>
    public Trigger[] TakeUndecided(Trigger[] waiting, ProposalBook book)
    {
        var seen = new HashSet<TriggerIdentity>();
        var undecided = waiting.Where(t => TriggerCooldowns.IsMarketTrigger(t.Kind) ? seen.Add(TriggerIdentity.Of(t)) && !Decided(t, book) : !book.Names(t)).ToArray();
        Take(undecided);
        return undecided;
    }

    /// <summary>The decision over these triggers failed before filing them: they may be taken again.</summary>
    public void GiveBack(IEnumerable<Trigger> triggers)
    {
        foreach (var t in triggers) _taken.Remove(TriggerIdentity.Of(t));
    }
}
