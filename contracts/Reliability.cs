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
    [property: Id(2)] LotPiece[] Lots,
    [property: Id(3)] string[] TradeKeys,
    [property: Id(4)] PendingWithdrawal[] PendingWithdrawals);

/// <summary>Where an account is monitored: the silo hosting it, whether its snapshot is in that silo's monitor,
/// and the newest price batch that monitor has scanned since (0 before the first scan that included it).</summary>
[GenerateSerializer, Immutable, Alias("AccountMonitoring")]
public sealed record AccountMonitoring(
    [property: Id(0)] string AccountId,
    [property: Id(1)] string Silo,
    [property: Id(2)] bool Registered,
    [property: Id(3)] long ScannedThrough,
    [property: Id(4)] DateTimeOffset ActivatedAt);
