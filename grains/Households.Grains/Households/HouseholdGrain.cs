using Households.Contracts;
using Households.Domain;
using Households.Domain.Accounts;
using Households.Domain.Monitoring;
using Households.Domain.Tax;
using Households.Domain.WashSales;
using Households.Grains.Silo;
using Households.Persistence.Journal;
using Microsoft.Extensions.Logging;

namespace Households.Grains;

[GenerateSerializer]
public sealed class HouseholdState
{
    [Id(0)] public HouseholdSpec? Spec { get; set; }
    /// <summary>The household-wide wash-sale ledger (IRC §1091 across all accounts of the taxpayer and spouse).</summary>
    [Id(1)] public WashSaleLedgerState? WashSales { get; set; }
    [Id(2)] public RealizedEntry[] Realized { get; set; } = [];
    /// <summary>Results by "account/idempotency key": a retry returns the original result.</summary>
    [Id(3)] public Dictionary<string, TradeResult> Trades { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>A household: knows its accounts, aggregates them, and is the single door for their trades, so its
/// wash-sale ledger sees every purchase and loss sale of every account in trade order.</summary>
public sealed class HouseholdGrain(
    [PersistentState("household", "households")] IPersistentState<HouseholdState> state,
    SecurityMaster master,
    IJournal journal,
    TimeProvider clock,
    ILogger<HouseholdGrain> log) : Grain, IHouseholdGrain
{
    public const int MaxAccounts = 50;
    private HouseholdTaxLedger? _tax;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await master.EnsureLoaded(GrainFactory);
        if (state.State.WashSales is { } ledger) _tax = HouseholdTaxLedger.Restore(ledger, state.State.Realized, master.Identical);
    }

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
        var tax = new HouseholdTaxLedger(master.Identical);
        tax.OpenAccounts(accounts.Select(a => (new AccountTaxProfile(a.Spec.Id, a.Spec.Type, a.Spec.SeparateTaxpayer), (IReadOnlyList<TaxLot>)a.Lots)).ToList());
        await Task.WhenAll(accounts.Select(a => GrainFactory.GetGrain<IAccountGrain>(a.Spec.Id).Open(a)));
        state.State.Spec = household;
        (state.State.WashSales, state.State.Realized) = Persisted(tax);
        await state.WriteStateAsync();
        _tax = tax;
        await GrainFactory.GetGrain<IFirmDirectoryGrain>(FirmDirectoryGrain.Key)
            .Register(new HouseholdSummary(household.Id, household.Name, household.AdvisorId, household.AccountIds.Length));
    }

    public Task<HouseholdSpec?> GetSpec() => Task.FromResult(state.State.Spec);

    public async Task<HouseholdView> GetView()
    {
        var spec = RequireSpec();
        var accounts = await Task.WhenAll(spec.AccountIds.Select(id => GrainFactory.GetGrain<IAccountGrain>(id).GetView()));
        return HouseholdAggregation.View(spec, accounts, Tax.View(Today(), spec.AccountIds));
    }

    public async Task<TradeResult> RecordTrade(string accountId, TradeRequest trade)
    {
        var spec = RequireSpec();
        if (!spec.AccountIds.Contains(accountId)) throw new BadInputException($"account {accountId} is not in household {spec.Id}");
        TradeValidation.Check(trade);
        var key = $"{accountId}/{trade.IdempotencyKey}";
        if (state.State.Trades.TryGetValue(key, out var earlier))
        {
            if (earlier.Request != trade) throw new BadInputException($"idempotencyKey {trade.IdempotencyKey} was already used for a different trade");
            await journal.Append(TradeJournal.Entries(spec.Id, earlier, clock.GetUtcNow())); // lands once: keyed
            return earlier with { Replayed = true };
        }
        var tax = Tax;
        tax.EnsureInOrder(trade.TradeDate);
        var account = GrainFactory.GetGrain<IAccountGrain>(accountId);
        // The account applies and persists the fill; if this grain fails before its own write, the retry finds
        // the account's stored result (replayed) and records it in the ledger then.
        var applied = await account.ApplyTrade(trade);
        FillOutcome outcome;
        try
        {
            outcome = trade.Side == TradeSide.Buy
                ? tax.RecordPurchase(accountId, applied.CreatedLot!)
                : tax.RecordSale(accountId, trade.TradeDate, applied.Sales);
            var result = applied with
            {
                Realized = trade.Side == TradeSide.Sell ? [.. outcome.Realized] : applied.Realized,
                WashSales = [.. outcome.Adjustments],
                Replayed = false,
            };
            state.State.Trades[key] = result;
            (state.State.WashSales, state.State.Realized) = Persisted(tax);
            await state.WriteStateAsync();
            applied = result;
        }
        catch
        {
            state.State.Trades.Remove(key);
            _tax = null; // rebuilt from the last written state on next use
            throw;
        }
        await journal.Append(TradeJournal.Entries(spec.Id, applied, clock.GetUtcNow()));
        foreach (var group in outcome.Adjustments.GroupBy(a => a.Account))
        {
            var adjusted = await GrainFactory.GetGrain<IAccountGrain>(group.Key).ApplyWashSaleAdjustments([.. group]);
            if (group.Key == accountId && applied.CreatedLot is { } created && adjusted.FirstOrDefault(l => l.Id == created.Id) is { } now)
                applied = applied with { CreatedLot = now };
            foreach (var a in group)
                log.LogInformation("{Household}: loss {Loss} sold {SaleDate} in {LossAccount} washed by {Quantity} of lot {Lot} in {Account}: {Disallowed} disallowed",
                    spec.Id, a.LossId, a.SaleDate, a.LossAccount, a.Quantity, a.LotId, a.Account, a.Disallowed);
        }
        return applied;
    }

    public async Task<WashSaleCheck> CheckLossSale(string accountId, string lotId, decimal quantity, DateOnly date)
    {
        var spec = RequireSpec();
        if (!spec.AccountIds.Contains(accountId)) throw new BadInputException($"account {accountId} is not in household {spec.Id}");
        if (quantity <= 0) throw new BadInputException("quantity must be > 0");
        var piece = (await GrainFactory.GetGrain<IAccountGrain>(accountId).GetLots()).FirstOrDefault(p => p.Lot.Id == lotId)
            ?? throw new BadInputException($"lot {lotId} does not exist in account {accountId}");
        if (quantity > piece.Lot.Quantity) throw new BadInputException($"quantity {quantity} exceeds the {piece.Lot.Quantity} shares of lot {lotId}");
        return Tax.CheckLossSale(accountId, piece.Lot, piece.Root, quantity, date);
    }

    public Task<BuyBlackout[]> BuyBlackouts(string accountId, DateOnly date)
    {
        var spec = RequireSpec();
        if (!spec.AccountIds.Contains(accountId)) throw new BadInputException($"account {accountId} is not in household {spec.Id}");
        return Task.FromResult(Tax.WashSales.BuyBlackouts(accountId, date).ToArray());
    }

    private HouseholdTaxLedger Tax => _tax ??= state.State.WashSales is { } ledger
        ? HouseholdTaxLedger.Restore(ledger, state.State.Realized, master.Identical)
        : throw new BadInputException($"household {this.GetPrimaryKeyString()} does not exist");

    private static (WashSaleLedgerState, RealizedEntry[]) Persisted(HouseholdTaxLedger tax)
    {
        var (ledger, realized) = tax.Snapshot();
        return (ledger, [.. realized]);
    }

    private HouseholdSpec RequireSpec() => state.State.Spec ?? throw new BadInputException($"household {this.GetPrimaryKeyString()} does not exist");

    private DateOnly Today() => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    private void Validate(HouseholdSpec household, AccountOpening[] accounts)
    {
        if (household is null) throw new BadInputException("household is required");
        if (household.Id != this.GetPrimaryKeyString()) throw new BadInputException($"household id {household.Id} does not match {this.GetPrimaryKeyString()}");
        if (string.IsNullOrWhiteSpace(household.Name)) throw new BadInputException("name is required");
        if (string.IsNullOrWhiteSpace(household.AdvisorId)) throw new BadInputException("advisorId is required");
        if (accounts is null || accounts.Length == 0) throw new BadInputException("accounts must not be empty");
        if (accounts.Length > MaxAccounts) throw new BadInputException($"a household holds at most {MaxAccounts} accounts");
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
