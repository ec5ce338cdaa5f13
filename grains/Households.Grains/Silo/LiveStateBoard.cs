using System.Collections.Immutable;
using System.Collections.Concurrent;
using Households.Contracts;
using Households.Domain.Monitoring;

namespace Households.Grains.Silo;

/// <summary>What an account publishes for its live figures: the settings, cash, monitor snapshot and open-trigger count
/// they are computed from (immutable; a change publishes a new one), and the figures kept for the last price vector.
/// The household reads it on the same silo instead of calling the account: a live read of a household is then one
/// grain call, not one per account.</summary>
public sealed class AccountLiveSource(string accountId, AccountType type, string? modelId, decimal cash, AccountSnapshot? snapshot, int openTriggers,
    bool parked = false)
{
    private sealed record Kept(PriceVector Prices, AccountLiveState State);

    private Kept? _kept;
    // The batch the figures were last computed at without being kept: they are kept when asked for again.
    private long _computedAt = -1;

    public string AccountId { get; } = accountId;

    /// <summary>Published for an account with no active grain here (the warm start's, or kept when its grain deactivated):
    /// on a silo of several its grain may be active on another silo with newer books.</summary>
    public bool Parked { get; } = parked;

    /// <summary>This source, kept after its grain deactivated.</summary>
    public AccountLiveSource AsParked() => new(AccountId, type, modelId, cash, snapshot, openTriggers, parked: true);

    /// <summary>The account's live figures at <paramref name="prices"/>. Kept from the second time they are asked for at
    /// the same batch (figures asked for once a batch would only be garbage that survives collections); readers on
    /// several threads at once may compute the same figures, either result is kept.</summary>
    public AccountLiveState At(PriceVector prices)
    {
        var kept = Volatile.Read(ref _kept);
        if (kept is not null && ReferenceEquals(kept.Prices, prices)) return kept.State;
        var state = LiveFigures.Account(AccountId, type, modelId, cash, snapshot, prices, openTriggers);
        if (Interlocked.Exchange(ref _computedAt, prices.Sequence) == prices.Sequence) Volatile.Write(ref _kept, new Kept(prices, state));
        return state;
    }
}

/// <summary>What a household adds to its accounts' live figures: who advises it, its accounts in order, and how many of its
/// proposals await a decision. Stored beside the household's state (<see cref="PostgresGrainStorage"/> writes it with every
/// write of the state), so a silo reads every household's header at start without reading any household's state.</summary>
[GenerateSerializer, Immutable]
public sealed record HouseholdLiveHeader(
    [property: Id(0)] string HouseholdId,
    [property: Id(1)] string AdvisorId,
    [property: Id(2)] ImmutableArray<string> AccountIds,
    [property: Id(3)] int PendingProposals)
{
    /// <summary>The header of a stored household state; null before the household is created.</summary>
    public static HouseholdLiveHeader? Of(Household.HouseholdState state) => state.Spec is { } spec
        ? new(spec.Id, spec.AdvisorId, spec.AccountIds, Domain.Firm.FirmFigures.Pending(state.Proposals))
        : null;
}

/// <summary>The silo's live sources by account id and the household headers it knows. An active account publishes its
/// source and withdraws it when it deactivates, unless the silo keeps deactivated accounts watched
/// (<see cref="MonitorOptions.KeepDeactivated"/>, the PostgreSQL profile): then the last source stays, as the monitor's
/// snapshot does, and the warm start publishes one for every account it parks. Silo-local like the monitor; a household
/// whose account lives on another silo calls it instead.</summary>
public sealed class LiveStateBoard(Microsoft.Extensions.Options.IOptions<MonitorOptions>? options = null)
{
    private readonly ConcurrentDictionary<string, AccountLiveSource> _sources = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, HouseholdLiveHeader> _households = new(StringComparer.Ordinal);
    private readonly bool _keepWithdrawn = options?.Value.KeepDeactivated ?? false;

    public void Publish(AccountLiveSource source) => _sources[source.AccountId] = source;

    /// <summary>The account deactivated: its source leaves unless the silo keeps deactivated accounts, or a newer
    /// activation published its own.</summary>
    public void Withdraw(AccountLiveSource source)
    {
        if (_keepWithdrawn) _sources.TryUpdate(source.AccountId, source.AsParked(), source);
        else _sources.TryRemove(KeyValuePair.Create(source.AccountId, source));
    }

    /// <summary>A parked account's source (the warm start's): false when an activation already published one.</summary>
    public bool PublishParked(AccountLiveSource source) => _sources.TryAdd(source.AccountId, source);

    /// <summary>Another silo owns the account now: its parked source leaves (an active grain's stays).</summary>
    public void ReleaseParked(string accountId)
    {
        if (_sources.TryGetValue(accountId, out var source) && source.Parked) _sources.TryRemove(KeyValuePair.Create(accountId, source));
    }

    /// <summary>The source an active grain on this silo published, or null (none, or only a parked one).</summary>
    public AccountLiveSource? Find(string accountId) => _sources.GetValueOrDefault(accountId) is { Parked: false } live ? live : null;

    /// <summary>The account's source, live or parked.</summary>
    public AccountLiveSource? FindAny(string accountId) => _sources.GetValueOrDefault(accountId);

    public int Count => _sources.Count;

    /// <summary>The household's header as a write committed on this silo stored it.</summary>
    public void Publish(HouseholdLiveHeader header) => _households[header.HouseholdId] = header;

    /// <summary>The header as the warm start read it: a write committed here since is newer and stays.</summary>
    public void PublishRead(HouseholdLiveHeader header) => _households.TryAdd(header.HouseholdId, header);

    public HouseholdLiveHeader? Header(string householdId) => _households.GetValueOrDefault(householdId);

    public int Households => _households.Count;

    /// <summary>The household's live state from this silo alone, or null when its header or any of its accounts' sources
    /// is not here. No grain is called or woken: a million-account silo answers from what its monitor already holds. Exact
    /// only where this silo sees every write of the household's books (a cluster of one silo: see HouseholdLiveReads).</summary>
    public HouseholdLiveState? Household(string householdId, PriceVector prices)
    {
        if (Header(householdId) is not { } header) return null;
        var ids = header.AccountIds;
        var accounts = new AccountLiveState[ids.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            if (FindAny(ids[i]) is not { } source) return null;
            accounts[i] = source.At(prices);
        }
        return LiveFigures.Household(header.HouseholdId, header.AdvisorId, accounts, header.PendingProposals);
    }
}
