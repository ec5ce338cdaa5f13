namespace Households.Contracts;

[GenerateSerializer]
public enum TriggerKind
{
    Drift = 0,
    Harvest = 1,
    Cash = 2,
    Restriction = 3,
    ModelChange = 4,
    /// <summary>The household's tax profile or investment policy, or an account's policy, changed (an event: a person caused it).</summary>
    Policy = 5,
    /// <summary>An account's open orders resolved with quantity left undone (canceled, rejected, expired) or after a decision
    /// was deferred for them: the household decides again (an event).</summary>
    OrderResolved = 6,
}

/// <summary>A condition the monitor saw cross a threshold. <see cref="Subject"/> is the security or asset
/// class; <see cref="Observed"/> and <see cref="Threshold"/> are weights (drift) or dollars (harvest).</summary>
[GenerateSerializer, Immutable, Alias("Trigger")]
public sealed record Trigger(
    [property: Id(0)] TriggerKind Kind,
    [property: Id(1)] string AccountId,
    [property: Id(2)] string Subject,
    [property: Id(3)] double Observed,
    [property: Id(4)] double Target,
    [property: Id(5)] double Threshold,
    [property: Id(6)] long BatchSequence,
    [property: Id(7)] DateTimeOffset BatchPublishedAt,
    [property: Id(8)] DateTimeOffset DetectedAt);
