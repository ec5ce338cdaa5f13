using Households.Contracts;
using Households.Domain;
using Households.Domain.Accounts;
using Households.Domain.Monitoring;

namespace Households.Grains.Household;

/// <summary>The read side of a household: its view, the wash-sale checks an advisor asks before a trade, a preview of the
/// decision it would make, the stress test's snapshot. Each first catches the ledger up with the fills its accounts
/// applied (<see cref="HouseholdBooks.EnsureCaughtUp"/>); none changes anything.</summary>
public sealed class HouseholdReads(IPersistentState<HouseholdState> state, HouseholdBooks books, HouseholdDecisions decisions,
    HouseholdProposals proposals, IGrainFactory grains, TimeProvider clock)
{
    public async Task<HouseholdView> View(HouseholdSpec spec)
    {
        await books.EnsureCaughtUp();
        var accounts = await Task.WhenAll(spec.AccountIds.Select(id => grains.GetGrain<IAccountGrain>(id).GetView()));
        return HouseholdAggregation.View(spec, accounts, books.Tax.View(DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime), spec.AccountIds));
    }

    public async Task<WashSaleCheck> CheckLossSale(string accountId, string lotId, decimal quantity, DateOnly date)
    {
        await books.EnsureCaughtUp();
        return await books.CheckLossSale(accountId, lotId, quantity, date);
    }

    public async Task<BuyBlackout[]> BuyBlackouts(string accountId, DateOnly date)
    {
        await books.EnsureCaughtUp();
        return books.Tax.WashSales.BuyBlackouts(accountId, date).ToArray();
    }

    /// <summary>The decision the household would make now over all its accounts, not filed (<see cref="HouseholdDecisions.Preview"/>).</summary>
    public async Task<HouseholdPreview> Preview(HouseholdSpec spec)
    {
        await books.EnsureCaughtUp();
        var inputs = await Task.WhenAll(spec.AccountIds.Select(id => grains.GetGrain<IAccountGrain>(id).GetDecisionInput()));
        return decisions.Preview(spec, inputs, proposals.Book.All);
    }

    /// <summary>A read-only copy of the books (every account's and the ledger) with the transition policy, for the stress test.</summary>
    public async Task<HouseholdStressSnapshot> StressSnapshot(HouseholdSpec spec)
    {
        await books.EnsureCaughtUp();
        return await books.StressSnapshot(spec) with { Transition = state.State.Transition };
    }
}
