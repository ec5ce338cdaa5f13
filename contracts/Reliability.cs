using System.Collections.Immutable;

namespace Households.Contracts;

/// <summary>A withdrawal requested and not yet paid.</summary>
[GenerateSerializer, Immutable, Alias("PendingWithdrawal")]
public sealed record PendingWithdrawal(
    [property: Id(0)] string IdempotencyKey,
    [property: Id(1)] decimal Amount);

/// <summary>An account's books of record as stored: what a journal replay is compared with.</summary>
[GenerateSerializer, Immutable, Alias("AccountLedger")]
public sealed record AccountLedger(
    [property: Id(0)] string AccountId,
    [property: Id(1)] decimal Cash,
    ImmutableArray<LotPiece> Lots,
    ImmutableArray<string> TradeKeys,
    ImmutableArray<PendingWithdrawal> PendingWithdrawals)
{
    [Id(2)] public ImmutableArray<LotPiece> Lots { get => field.OrEmpty(); init; } = Lots;
    [Id(3)] public ImmutableArray<string> TradeKeys { get => field.OrEmpty(); init; } = TradeKeys;
    [Id(4)] public ImmutableArray<PendingWithdrawal> PendingWithdrawals { get => field.OrEmpty(); init; } = PendingWithdrawals;

    /// <summary>The first trade date whose fills the account keeps by key (its idempotency window); null while it keeps every
    /// fill. <see cref="TradeKeys"/> holds the keys of the fills dated from it on.</summary>
    [Id(5)] public DateOnly? TradesKeptSince { get; init; }
}

/// <summary>Where an account is monitored: the silo hosting it, whether its snapshot is in that silo's monitor,
/// and the newest price batch that monitor has scanned since (0 before the first scan that included it).</summary>
[GenerateSerializer, Immutable, Alias("AccountMonitoring")]
public sealed record AccountMonitoring(
    [property: Id(0)] string AccountId,
    [property: Id(1)] string Silo,
    [property: Id(2)] bool Registered,
    [property: Id(3)] long ScannedThrough,
    [property: Id(4)] DateTimeOffset ActivatedAt);
