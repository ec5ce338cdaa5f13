using Households.Contracts;
using Households.Domain.Firm;
using Households.Domain.Market;
using Households.Domain.Tax;
using Households.Domain.WashSales;
using Households.Grains.Accounts;
using Households.Grains.Household;
using Households.Grains.Silo;
using Households.Grains;
using Households.Simulation.Firms;
using Orleans.Serialization;
using Orleans.Storage;
using System.Collections.Concurrent;

namespace Households.LoadTest;

/// <summary>The load test's grain storage: the synthetic firm's books come from its seed when an account or household
/// grain first reads its state (as a firm's books would come from PostgreSQL), so activating a million accounts needs
/// no million writes first and no second copy of every book in memory. Writes (rare here: cash, trades, proposals)
/// and every other grain's state are kept serialized, as the memory storage keeps them.</summary>
public sealed class SyntheticFirmStorage(SyntheticFirm firm, Serializer serializer, SecurityMaster master) : IGrainStorage
{
    private readonly ConcurrentDictionary<(string, GrainId), byte[]> _written = new();
    // Accounts of one household activate close together: generate the household once and hand out its accounts.
    private readonly ConcurrentDictionary<int, Lazy<Pending>> _households = new();

    private sealed class Pending(FirmHousehold household)
    {
        public FirmHousehold Household { get; } = household;
        public int Remaining = household.Accounts.Count;
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (_written.TryGetValue((stateName, grainId), out var bytes))
        {
            grainState.State = serializer.Deserialize<T>(bytes);
            grainState.RecordExists = true;
            grainState.ETag = "1";
            return Task.CompletedTask;
        }
        var key = grainId.Key.ToString()!;
        object? state = stateName switch
        {
            "account" => Account(key),
            "household" => Household(key),
            _ => null,
        };
        if (state is T typed)
        {
            grainState.State = typed;
            grainState.RecordExists = true;
            grainState.ETag = "0";
        }
        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        _written[(stateName, grainId)] = serializer.SerializeToArray(grainState.State);
        grainState.RecordExists = true;
        grainState.ETag = "1";
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        _written.TryRemove((stateName, grainId), out _);
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }

    private AccountState? Account(string accountId)
    {
        var index = SyntheticFirm.IndexOf(accountId);
        if (index < 0 || index >= firm.HouseholdCount) return null;
        var pending = _households.GetOrAdd(index, i => new Lazy<Pending>(() => new Pending(firm.HouseholdAt(i)))).Value;
        if (Interlocked.Decrement(ref pending.Remaining) <= 0) _households.TryRemove(index, out _);
        var opening = pending.Household.Accounts.FirstOrDefault(a => a.Spec.Id == accountId);
        return opening is null ? null : BooksLoader.OpeningAccount(opening);
    }

    private HouseholdState? Household(string householdId)
    {
        var index = SyntheticFirm.IndexOf(householdId);
        if (index < 0 || index >= firm.HouseholdCount) return null;
        var household = firm.HouseholdAt(index);
        if (household.Household.Id != householdId) return null;
        return BooksLoader.OpeningHousehold(household, master.Identical);
    }
}
