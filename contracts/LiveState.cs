using System.Collections.Immutable;

namespace Households.Contracts;

/// <summary>One account's live figures at a price batch, for clients polling a household: what the monitor sees
/// (value, drift out of band, harvestable losses, open triggers), without holdings or lots. The market value is the
/// live estimate the monitor computes in <c>double</c> from the price board, rounded to the cent; the books of record
/// stay exact (decimal) in <see cref="AccountView"/>.</summary>
/// <param name="MarketValue">Cash plus every position at the batch's prices (a position without a price counts as zero).</param>
/// <param name="Cash">The account's cash (books of record).</param>
/// <param name="DriftLinesOutOfBand">Drift lines (security and asset class) outside their tolerance band.</param>
/// <param name="LargestDrift">The largest absolute difference between a line's weight and its target (0 without a target).</param>
/// <param name="HarvestableLots">Lots whose loss net of the estimated round-trip cost passes the account's harvest thresholds.</param>
/// <param name="HarvestableLoss">The sum of those lots' losses net of the round-trip cost, in dollars.</param>
/// <param name="OpenTriggers">Triggers the account holds open (the newest <c>AccountGrain.MaxOpenTriggers</c>).</param>
/// <param name="PriceSequence">The price batch the figures are valued at (0 before the first batch).</param>
/// <param name="AsOf">When that batch was published.</param>
[GenerateSerializer, Immutable, Alias("AccountLiveState")]
public sealed record AccountLiveState(
    [property: Id(0)] string AccountId,
    [property: Id(1)] AccountType Type,
    [property: Id(2)] string? ModelId,
    [property: Id(3)] decimal MarketValue,
    [property: Id(4)] decimal Cash,
    [property: Id(5)] int DriftLinesOutOfBand,
    [property: Id(6)] double LargestDrift,
    [property: Id(7)] int HarvestableLots,
    [property: Id(8)] double HarvestableLoss,
    [property: Id(9)] int OpenTriggers,
    [property: Id(10)] long PriceSequence,
    [property: Id(11)] DateTimeOffset AsOf);

/// <summary>A household's live state: totals over its accounts and each account's live figures, valued at one price
/// batch. Cheap to ask for repeatedly: from the second read in a batch the answer is kept until a new batch reaches the
/// silo or something the answer shows changes (a trade, a cash movement, a trigger, a proposal).</summary>
/// <param name="MarketValue">The sum of the accounts' market values (the live estimate, see <see cref="AccountLiveState"/>).</param>
/// <param name="Cash">The sum of the accounts' cash.</param>
/// <param name="PriceSequence">The price batch the figures are valued at: the oldest of its accounts' batches.</param>
/// <param name="AsOf">When that batch was published.</param>
/// <param name="PendingProposals">Proposals waiting for approval.</param>
[GenerateSerializer, Immutable, Alias("HouseholdLiveState")]
public sealed record HouseholdLiveState(
    [property: Id(0)] string HouseholdId,
    [property: Id(1)] string AdvisorId,
    [property: Id(2)] decimal MarketValue,
    [property: Id(3)] decimal Cash,
    [property: Id(4)] long PriceSequence,
    [property: Id(5)] DateTimeOffset AsOf,
    [property: Id(6)] int PendingProposals,
    ImmutableArray<AccountLiveState> Accounts)
{
    [Id(7)] public ImmutableArray<AccountLiveState> Accounts { get => field.OrEmpty(); init; } = Accounts;
}
