using Households.Contracts;

namespace Households.Domain.Firm;

/// <summary>A household as it opens: its spec and the openings of its accounts.</summary>
public sealed record FirmHousehold(HouseholdSpec Household, IReadOnlyList<AccountOpening> Accounts);

/// <summary>A whole firm's opening books, household by household (a generated firm streams them from a seed, so a
/// million accounts never sit in memory at once): what the bulk loader writes (<c>households db load</c>).</summary>
public interface IFirmBooks
{
    IReadOnlyList<Security> Securities { get; }

    IReadOnlyList<TargetModel> Models { get; }

    int HouseholdCount { get; }

    FirmHousehold HouseholdAt(int index);
}
