using System.Collections.Immutable;

namespace Households.Contracts;

/// <summary>One account as the stress test copies it: books (lots with the purchase each piece comes from), cash,
/// resolved target, restrictions and discretion (in the spec), and withdrawals not yet paid.</summary>
[GenerateSerializer, Immutable, Alias("StressAccount")]
public sealed record StressAccount(
    [property: Id(0)] AccountSpec Spec,
    [property: Id(1)] decimal Cash,
    ImmutableArray<LotPiece> Lots,
    ResolvedTarget? Target,
    decimal PendingWithdrawals)
{
    [Id(2)] public ImmutableArray<LotPiece> Lots { get => field.OrEmpty(); init; } = Lots;
    [Id(3)] public ResolvedTarget? Target { get; init; } = Target;
    [Id(4)] public decimal PendingWithdrawals { get; init; } = PendingWithdrawals;
}

/// <summary>A read-only copy of one household for a stress test: its accounts and its wash-sale and realized-gains
/// ledgers (recent purchases and open losses across every account of the taxpayer and spouse).</summary>
[GenerateSerializer, Immutable, Alias("HouseholdStressSnapshot")]
public sealed record HouseholdStressSnapshot(
    [property: Id(0)] HouseholdSpec Spec,
    ImmutableArray<StressAccount> Accounts,
    WashSaleLedgerState? WashSales,
    ImmutableArray<RealizedEntry> Realized,
    TransitionPolicy? Transition = null)
{
    [Id(1)] public ImmutableArray<StressAccount> Accounts { get => field.OrEmpty(); init; } = Accounts;
    [Id(2)] public WashSaleLedgerState? WashSales { get; init; } = WashSales;
    [Id(3)] public ImmutableArray<RealizedEntry> Realized { get => field.OrEmpty(); init; } = Realized;
    [Id(4)] public TransitionPolicy? Transition { get; init; } = Transition;
}
