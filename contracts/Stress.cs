namespace Households.Contracts;

/// <summary>One account as the stress test copies it: books (lots with the purchase each piece comes from), cash,
/// resolved target, restrictions and discretion (in the spec), and withdrawals not yet paid.</summary>
[GenerateSerializer, Immutable, Alias("StressAccount")]
public sealed record StressAccount(
    [property: Id(0)] AccountSpec Spec,
    [property: Id(1)] decimal Cash,
    [property: Id(2)] LotPiece[] Lots,
    [property: Id(3)] ResolvedTarget? Target,
    [property: Id(4)] decimal PendingWithdrawals);

/// <summary>A read-only copy of one household for a stress test: its accounts and its wash-sale and realized-gains
/// ledgers (recent purchases and open losses across every account of the taxpayer and spouse).</summary>
[GenerateSerializer, Immutable, Alias("HouseholdStressSnapshot")]
public sealed record HouseholdStressSnapshot(
    [property: Id(0)] HouseholdSpec Spec,
    [property: Id(1)] StressAccount[] Accounts,
    [property: Id(2)] WashSaleLedgerState? WashSales,
    [property: Id(3)] RealizedEntry[] Realized,
    [property: Id(4)] TransitionPolicy? Transition = null);
