using System.Collections.Immutable;
using Households.Contracts;

namespace Households.Domain.Decisions;

/// <summary>A household's proposals and their life: pending → executed | rejected | expired | superseded | failed.
/// Pure state; the household grain persists <see cref="All"/> and <see cref="NextNumber"/>.</summary>
public sealed class ProposalBook
{
    public const int Kept = 200;
    private readonly string householdId;
    private readonly Dictionary<string, RebalanceProposal> _byId = [];
    // The triggers the kept proposals name, each with how many name it (a decision's pending and executing halves both do):
    // a decision asks it of every trigger it takes, so it is kept as the book changes rather than gathered each time.
    private readonly Dictionary<TriggerIdentity, int> _named = [];

    public ProposalBook(string householdId, IEnumerable<RebalanceProposal>? proposals = null, int nextNumber = 1)
    {
        this.householdId = householdId;
        NextNumber = nextNumber;
        foreach (var p in proposals ?? []) Store(p);
    }

    public int NextNumber { get; private set; }

    /// <summary>Both the book's proposals and the triggers they name.</summary>
    private void Store(RebalanceProposal p)
    {
        if (_byId.TryGetValue(p.Id, out var old))
        {
            if (old.Causes == p.Causes) { _byId[p.Id] = p; return; } // a status change: the same causes
            Forget(old);
        }
        _byId[p.Id] = p;
        foreach (var c in p.Causes)
        {
            var identity = TriggerIdentity.Of(c);
            _named[identity] = _named.GetValueOrDefault(identity) + 1;
        }
    }

    private void Forget(RebalanceProposal p)
    {
        _byId.Remove(p.Id);
        foreach (var c in p.Causes)
        {
            var identity = TriggerIdentity.Of(c);
            if (_named.TryGetValue(identity, out var n) && n > 1) _named[identity] = n - 1;
            else _named.Remove(identity);
        }
    }

    /// <summary>Newest first.</summary>
    public RebalanceProposal[] All => Ordered(_byId.Values);

    /// <summary>Proposals in the order the book keeps them: newest first.</summary>
    public static RebalanceProposal[] Ordered(IEnumerable<RebalanceProposal> proposals) =>
        [.. proposals.OrderByDescending(p => p.CreatedAt).ThenByDescending(p => p.Id, StringComparer.Ordinal)];

    public bool HasPending => _byId.Values.Any(p => p.Status == ProposalStatus.Pending);

    public RebalanceProposal Get(string id) =>
        _byId.GetValueOrDefault(id) ?? throw new BadInputException($"proposal {id} does not exist in household {householdId}");

    /// <summary>The triggers no proposal of the book names among its causes: the ones an account sent again after a silo died
    /// or a failed decision gives back, that this household has not decided yet (<see cref="AwaitingDecision"/>).</summary>
    public Trigger[] Undecided(IEnumerable<Trigger> triggers) => [.. triggers.Where(t => !Names(t))];

    /// <summary>Whether a proposal of the book names the trigger among its causes: it was decided.</summary>
    public bool Names(Trigger trigger) => _named.ContainsKey(TriggerIdentity.Of(trigger));

    /// <summary>A new proposal from an optimizer result, for the given trades.</summary>
    public RebalanceProposal Create(RebalanceResult result, ImmutableArray<OptimizedTrade> trades, ImmutableArray<Trigger> causes, long priceSequence, DateTimeOffset now, TimeSpan lifetime)
    {
        var p = new RebalanceProposal($"{householdId}-P{NextNumber++:D5}", householdId, ProposalStatus.Pending, now, now + lifetime, causes, trades,
            result.TrackingErrorBefore, result.TrackingErrorAfter, trades.Sum(t => t.ShortTermGain), trades.Sum(t => t.LongTermGain),
            priceSequence, null, null, [], null);
        Put(p);
        return p;
    }

    /// <summary>Files a decision's trades: discretionary accounts' as a proposal to execute now, the others' as one pending
    /// proposal that supersedes older pending ones (<see cref="SupersedePending"/>). Changed: the replaced, then the new
    /// proposals, in journal order.</summary>
    public (RebalanceProposal[] Changed, RebalanceProposal? Pending, RebalanceProposal[] Replaced, RebalanceProposal? Execute) File(
        RebalanceResult result, IReadOnlySet<string> discretionary, ImmutableArray<Trigger> causes, long priceSequence, DateTimeOffset now, TimeSpan lifetime)
    {
        var auto = result.Trades.Where(t => discretionary.Contains(t.Account)).ToImmutableArray();
        var waiting = result.Trades.Where(t => !discretionary.Contains(t.Account)).ToImmutableArray();
        var pending = waiting.Length > 0 ? Create(result, waiting, causes, priceSequence, now, lifetime) : null;
        var replaced = pending is null ? [] : SupersedePending(pending, now);
        var execute = auto.Length > 0 ? Create(result, auto, causes, priceSequence, now, lifetime) : null;
        return ([.. replaced, .. new[] { pending, execute }.OfType<RebalanceProposal>()], pending, replaced, execute);
    }

    /// <summary>An approved proposal that failed re-validation, re-optimized: it is superseded by a fresh proposal of the
    /// new result (both filed); returns the fresh one.</summary>
    public RebalanceProposal Reoptimized(RebalanceProposal p, RebalanceResult result, bool pricesMoved, long priceSequence, DateTimeOffset now, TimeSpan lifetime)
    {
        var fresh = Create(result, result.Trades, p.Causes, priceSequence, now, lifetime);
        Put(p with
        {
            Status = ProposalStatus.Superseded, DecidedAt = now, SupersededBy = fresh.Id,
            Note = pricesMoved ? "approved; prices moved beyond tolerance, re-optimized" : "approved; the wash-sale ledger changed, re-optimized",
        });
        return fresh;
    }

    /// <summary>Records an execution's outcome: executed when anything filled or went out as orders (or there was nothing to
    /// trade), else failed; the problems (orders not sent or refused, withdrawals paid) join the note.</summary>
    public RebalanceProposal Executed(RebalanceProposal p, IReadOnlyCollection<TradeResult> fills, IEnumerable<string> problems, DateTimeOffset now,
        bool ordersSent = false)
    {
        var note = string.Join("; ", new[] { p.Note }.Concat(problems).OfType<string>());
        var done = p with
        {
            Status = fills.Count > 0 || ordersSent || p.Trades.Length == 0 ? ProposalStatus.Executed : ProposalStatus.Failed,
            DecidedAt = now, Fills = [.. fills], Note = note.Length == 0 ? null : note,
        };
        Put(done);
        return done;
    }

    public void Put(RebalanceProposal p)
    {
        Store(p);
        // Keep the newest; old decided proposals live on in the journal.
        foreach (var old in _byId.Values.Where(x => x.Status != ProposalStatus.Pending).OrderByDescending(x => x.CreatedAt).Skip(Kept).ToList())
            Forget(old);
    }

    /// <summary>A fresher pending proposal replaces older pending ones that trade any of the same accounts, so a
    /// client approves one current proposal, not a pile of stale ones. Returns the replaced proposals.</summary>
    public RebalanceProposal[] SupersedePending(RebalanceProposal fresh, DateTimeOffset now)
    {
        var accounts = fresh.Trades.Select(t => t.Account).ToHashSet(StringComparer.Ordinal);
        var replaced = _byId.Values
            .Where(p => p.Id != fresh.Id && p.Status == ProposalStatus.Pending && p.Trades.Any(t => accounts.Contains(t.Account)))
            .Select(p => p with { Status = ProposalStatus.Superseded, SupersededBy = fresh.Id, DecidedAt = now, Note = $"replaced by {fresh.Id}" })
            .ToArray();
        foreach (var p in replaced) Store(p);
        return replaced;
    }

    /// <summary>Marks pending proposals past their expiry as expired (at their expiry) and returns them.</summary>
    public RebalanceProposal[] Expire(DateTimeOffset now)
    {
        var expired = _byId.Values.Where(p => IsDue(p, now)).Select(p => Expired(p, p.ExpiresAt)).ToArray();
        foreach (var p in expired) Store(p);
        return expired;
    }

    /// <summary><see cref="All"/> as it stands at <paramref name="now"/> without changing the book: a pending proposal past
    /// its expiry reads as expired (the household records the expiry at its next turn).</summary>
    public RebalanceProposal[] AllAt(DateTimeOffset now) => [.. All.Select(p => IsDue(p, now) ? Expired(p, p.ExpiresAt) : p)];

    private static bool IsDue(RebalanceProposal p, DateTimeOffset now) => p.Status == ProposalStatus.Pending && now >= p.ExpiresAt;

    private static RebalanceProposal Expired(RebalanceProposal p, DateTimeOffset at) =>
        p with { Status = ProposalStatus.Expired, DecidedAt = at, Note = "expired before approval" };

    /// <summary>The proposal an approval acts on; bad input unless it is pending and not expired.</summary>
    public RebalanceProposal ForDecision(string id, DateTimeOffset now)
    {
        var p = Get(id);
        if (p.Status == ProposalStatus.Pending && now >= p.ExpiresAt) throw new BadInputException($"proposal {id} expired at {p.ExpiresAt:u}");
        if (p.Status != ProposalStatus.Pending) throw new BadInputException($"proposal {id} is {p.Status.ToString().ToLowerInvariant()}, not pending");
        return p;
    }
}
