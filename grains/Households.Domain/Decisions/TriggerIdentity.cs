using Households.Contracts;

namespace Households.Domain.Decisions;

/// <summary>What makes a trigger the same trigger: the account, kind, subject, batch and moment it was detected. A condition
/// the monitor reports again later is detected anew, a new trigger; the same one sent again after a silo died, or put back
/// after a failed decision, is not. Households dedupe by it and the audit's "triggers decided twice" judges by it.</summary>
public readonly record struct TriggerIdentity(string Account, TriggerKind Kind, string Subject, long Batch, DateTimeOffset Detected)
{
    public static TriggerIdentity Of(Trigger t) => new(t.AccountId, t.Kind, t.Subject, t.BatchSequence, t.DetectedAt);
}
