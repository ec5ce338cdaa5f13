using System.Collections.Concurrent;
using Households.Contracts;
using Households.Domain.Monitoring;

namespace Households.Grains.Silo;

/// <summary>What an account publishes for its live figures: the settings, cash, monitor snapshot and open-trigger count
/// they are computed from (immutable; a change publishes a new one), and the figures kept for the last price vector.
/// The household reads it on the same silo instead of calling the account: a live read of a household is then one
/// grain call, not one per account.</summary>
public sealed class AccountLiveSource(AccountSpec spec, decimal cash, AccountSnapshot? snapshot, int openTriggers)
{
    private sealed record Kept(PriceVector Prices, AccountLiveState State);

    private Kept? _kept;
    // The batch the figures were last computed at without being kept: they are kept when asked for again.
    private long _computedAt = -1;

    public AccountSpec Spec { get; } = spec;

    /// <summary>The account's live figures at <paramref name="prices"/>. Kept from the second time they are asked for at
    /// the same batch (figures asked for once a batch would only be garbage that survives collections); readers on
    /// several threads at once may compute the same figures, either result is kept.</summary>
    public AccountLiveState At(PriceVector prices)
    {
        var kept = Volatile.Read(ref _kept);
        if (kept is not null && ReferenceEquals(kept.Prices, prices)) return kept.State;
        var state = LiveFigures.Account(Spec, cash, snapshot, prices, openTriggers);
        if (Interlocked.Exchange(ref _computedAt, prices.Sequence) == prices.Sequence) Volatile.Write(ref _kept, new Kept(prices, state));
        return state;
    }
}

/// <summary>The silo's live sources by account id: an account publishes while it is active here and withdraws when it
/// deactivates. Silo-local like the monitor; a household whose account lives on another silo calls it instead.</summary>
public sealed class LiveStateBoard
{
    private readonly ConcurrentDictionary<string, AccountLiveSource> _sources = new(StringComparer.Ordinal);

    public void Publish(AccountLiveSource source) => _sources[source.Spec.Id] = source;

    /// <summary>Removes the account's source if it is still <paramref name="source"/> (a newer activation keeps its own).</summary>
    public void Withdraw(AccountLiveSource source) => _sources.TryRemove(KeyValuePair.Create(source.Spec.Id, source));

    public AccountLiveSource? Find(string accountId) => _sources.GetValueOrDefault(accountId);

    public int Count => _sources.Count;
}
