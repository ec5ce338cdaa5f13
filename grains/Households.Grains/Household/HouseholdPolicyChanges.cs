using Households.Contracts;
using Households.Domain;
using Households.Domain.Decisions;
using Households.Domain.Monitoring;
using Households.Persistence.Journal;

namespace Households.Grains.Household;

/// <summary>Changes of how a household is managed (tax profile, investment policy, tax budget and transition): checked,
/// persisted with their journal entry (the outbox) under the storage-conflict policy (<see cref="HouseholdWrites"/>; a run
/// after a conflict reads the fresh spec again), journaled, and then decided on: each queues the event trigger that asks for a
/// decision under the change (<paramref name="decide"/>; a person made it, so it skips the cooldowns).</summary>
public sealed class HouseholdPolicyChanges(IPersistentState<HouseholdState> state, HouseholdWrites writes, Func<HouseholdSpec> spec,
    IJournal journal, PriceBoard board, TimeProvider clock, Action<Trigger[]> decide)
{
    public Task<HouseholdSpec> SetTaxProfile(TaxProfile? profile)
    {
        if (profile is not null) Households.Domain.Tax.TaxProfiles.Check(profile);
        return Changed(async current =>
        {
            var changed = current with { Tax = profile };
            return (changed, await Recorded(current, "tax profile", profile, () => state.State.Spec = changed, () => state.State.Spec = current));
        });
    }

    public Task<HouseholdSpec> SetPolicy(InvestmentPolicy? policy)
    {
        if (policy is not null) PolicyValidation.Check(policy);
        return Changed(async current =>
        {
            var changed = current with { Policy = policy };
            return (changed, await Recorded(current, "investment policy", policy, () => state.State.Spec = changed, () => state.State.Spec = current));
        });
    }

    public Task<TransitionPolicy> SetTransition(TransitionPolicy policy) => Changed(async current =>
    {
        TransitionRules.Check(policy, current.AccountIds);
        var before = state.State.Transition;
        return (policy, await Recorded(current, "tax budget", policy, () => state.State.Transition = policy, () => state.State.Transition = before));
    });

    /// <summary>The household's transition policy (none when never set).</summary>
    public TransitionPolicy Transition => state.State.Transition ?? TransitionPolicy.None;

    /// <summary>Runs the change on the current spec under the storage-conflict policy, then queues its decision.</summary>
    private async Task<T> Changed<T>(Func<HouseholdSpec, Task<(T Result, Trigger Decide)>> change)
    {
        var (result, trigger) = await writes.Run(_ => change(spec()));
        decide([trigger]);
        return result;
    }

    /// <summary>Persists the change with its journal entry (through the outbox) and the policy trigger for the household's first
    /// account, held until decided (<see cref="HouseholdState.ChangesUndecided"/>; a failed write undoes it), appends the
    /// entry, and answers the trigger.</summary>
    private async Task<Trigger> Recorded(HouseholdSpec spec, string what, object? payload, Action apply, Action undo)
    {
        var now = clock.GetUtcNow();
        var entry = ClientEvents.HouseholdPolicySet(spec.Id, what, payload, now);
        var decide = new Trigger(TriggerKind.Policy, spec.AccountIds[0], what, 0, 0, 0, board.Current.Sequence, now, now);
        apply();
        state.State.Outbox = [entry];
        state.State.ChangesUndecided.Add(decide);
        try { await state.WriteStateAsync(); }
        catch
        {
            undo();
            state.State.ChangesUndecided.Remove(decide);
            throw;
        }
        await journal.Append([entry]);
        return decide;
    }
}
