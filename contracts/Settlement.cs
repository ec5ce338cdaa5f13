namespace Households.Contracts;

/// <summary>Sale proceeds not yet settled (T+1): the part a purchase has not yet committed. They count in the account's
/// cash and may pay for a purchase once; a withdrawal waits until <see cref="SettlesOn"/>.</summary>
[GenerateSerializer, Immutable, Alias("UnsettledCash")]
public sealed record UnsettledCash(
    [property: Id(0)] string TradeKey,
    [property: Id(1)] decimal Amount,
    [property: Id(2)] DateOnly TradeDate,
    [property: Id(3)] DateOnly SettlesOn);

/// <summary>What paying an account's pending withdrawals did: the amount paid, and what still waits only because its cash
/// has not settled (paid on or after <see cref="SettlesOn"/>, the last settlement it waits for).</summary>
[GenerateSerializer, Immutable, Alias("WithdrawalPayment")]
public sealed record WithdrawalPayment(
    [property: Id(0)] decimal Paid,
    [property: Id(1)] decimal AwaitingSettlement,
    [property: Id(2)] DateOnly? SettlesOn);
