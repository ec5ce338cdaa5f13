using Households.Contracts;
using Households.Domain;
using Households.Domain.Accounts;
using Households.Domain.Monitoring;

namespace Households.Grains;

[GenerateSerializer]
public sealed class HouseholdState
{
    [Id(0)] public HouseholdSpec? Spec { get; set; }
}

/// <summary>A household: knows its accounts, aggregates them, and is the single door for their trades.</summary>
public sealed class HouseholdGrain([PersistentState("household", "households")] IPersistentState<HouseholdState> state)
    : Grain, IHouseholdGrain
{
    public const int MaxAccounts = 50;

    public async Task Create(HouseholdSpec household, AccountOpening[] accounts)
    {
        Validate(household, accounts);
        if (state.State.Spec is { } existing)
        {
            if (existing.Name == household.Name && existing.AdvisorId == household.AdvisorId && existing.AccountIds.SequenceEqual(household.AccountIds)) return;
            throw new BadInputException($"household {household.Id} already exists");
        }
        foreach (var opening in accounts)
        {
            if (await GrainFactory.GetGrain<IAccountGrain>(opening.Spec.Id).GetSpec() is { } other && other.HouseholdId != household.Id)
                throw new BadInputException($"account {opening.Spec.Id} already belongs to household {other.HouseholdId}");
        }
        await Task.WhenAll(accounts.Select(a => GrainFactory.GetGrain<IAccountGrain>(a.Spec.Id).Open(a)));
        state.State.Spec = household;
        await state.WriteStateAsync();
        await GrainFactory.GetGrain<IFirmDirectoryGrain>(FirmDirectoryGrain.Key)
            .Register(new HouseholdSummary(household.Id, household.Name, household.AdvisorId, household.AccountIds.Length));
    }

    public Task<HouseholdSpec?> GetSpec() => Task.FromResult(state.State.Spec);

    public async Task<HouseholdView> GetView()
    {
        var spec = RequireSpec();
        var accounts = await Task.WhenAll(spec.AccountIds.Select(id => GrainFactory.GetGrain<IAccountGrain>(id).GetView()));
        return HouseholdAggregation.View(spec, accounts);
    }

    public async Task<TradeResult> RecordTrade(string accountId, TradeRequest trade)
    {
        var spec = RequireSpec();
        if (!spec.AccountIds.Contains(accountId)) throw new BadInputException($"account {accountId} is not in household {spec.Id}");
        // Seam for the household-wide wash-sale ledger (IRC §1091): it reviews the trade here, before the account applies it.
        return await GrainFactory.GetGrain<IAccountGrain>(accountId).ApplyTrade(trade);
    }

    private HouseholdSpec RequireSpec() => state.State.Spec ?? throw new BadInputException($"household {this.GetPrimaryKeyString()} does not exist");

    private void Validate(HouseholdSpec household, IReadOnlyList<AccountOpening> accounts)
    {
        if (household is null) throw new BadInputException("household is required");
        if (household.Id != this.GetPrimaryKeyString()) throw new BadInputException($"household id {household.Id} does not match {this.GetPrimaryKeyString()}");
        if (string.IsNullOrWhiteSpace(household.Name)) throw new BadInputException("name is required");
        if (string.IsNullOrWhiteSpace(household.AdvisorId)) throw new BadInputException("advisorId is required");
        if (accounts is null || accounts.Count == 0) throw new BadInputException("accounts must not be empty");
        if (accounts.Count > MaxAccounts) throw new BadInputException($"a household holds at most {MaxAccounts} accounts");
        foreach (var a in accounts) AccountValidation.Check(a, household.Id);
        var ids = accounts.Select(a => a.Spec.Id).ToList();
        if (ids.Distinct(StringComparer.Ordinal).Count() != ids.Count) throw new BadInputException("account ids must be unique");
        if (!ids.OrderBy(x => x, StringComparer.Ordinal).SequenceEqual(household.AccountIds.OrderBy(x => x, StringComparer.Ordinal)))
            throw new BadInputException("accountIds must list exactly the accounts given");
    }
}

[GenerateSerializer]
public sealed class DirectoryState
{
    [Id(0)] public SortedDictionary<string, HouseholdSummary> Households { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>The firm's list of households for paging.</summary>
public sealed class FirmDirectoryGrain([PersistentState("directory", "households")] IPersistentState<DirectoryState> state)
    : Grain, IFirmDirectoryGrain
{
    public const string Key = "firm";
    public const int MaxPage = 500;

    public async Task Register(HouseholdSummary household)
    {
        if (state.State.Households.TryGetValue(household.Id, out var existing) && existing == household) return;
        state.State.Households[household.Id] = household;
        await state.WriteStateAsync();
    }

    public Task<HouseholdPage> List(int skip, int take)
    {
        if (skip < 0) throw new BadInputException("skip must be >= 0");
        if (take is < 1 or > MaxPage) throw new BadInputException($"take must be between 1 and {MaxPage}");
        return Task.FromResult(new HouseholdPage(state.State.Households.Count, state.State.Households.Values.Skip(skip).Take(take).ToArray()));
    }
}
