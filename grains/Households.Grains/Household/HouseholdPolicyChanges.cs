using Households.Contracts;
using Households.Domain;
using Households.Domain.Decisions;
using Households.Domain.Monitoring;
using Households.Persistence.Journal;

namespace Households.Grains.Household;

/// <summary>Changes of how a household is managed (tax profile, investment policy, tax budget and transition): checked,
/// persisted with their journal entry (the outbox) and journaled; each answers the event trigger that asks for a decision
/// under the change (a person made it, so it skips the cooldowns).</summary>
public sealed class HouseholdPolicyChanges(IPersistentState<HouseholdState> state, IJournal journal, PriceBoard board, TimeProvider clock)
{
    public async Task<(HouseholdSpec Spec, Trigger Decide)> SetTaxProfile(HouseholdSpec spec, TaxProfile? profile)
    {
        if (profile is not null) Households.Domain.Tax.TaxProfiles.Check(profile);
        var changed = spec with { Tax = profile };
        return (changed, await Recorded(spec, "tax profile", profile, () => state.State.Spec = changed, () => state.State.Spec = spec));
    }

    public async Task<(HouseholdSpec Spec, Trigger Decide)> SetPolicy(HouseholdSpec spec, InvestmentPolicy? policy)
    {
        if (policy is not null) PolicyValidation.Check(policy);
        var changed = spec with { Policy = policy };
        return (changed, await Recorded(spec, "investment policy", policy, () => state.State.Spec = changed, () => state.State.Spec = spec));
    }

    public async Task<Trigger> SetTransition(HouseholdSpec spec, TransitionPolicy policy)
    {
        TransitionRules.Check(policy, spec.AccountIds);
        var before = state.State.Transition;
        return await Recorded(spec, "tax budget", policy, () => state.State.Transition = policy, () => state.State.Transition = before);
    }

    /// <summary>Persists the change with its journal entry (through the outbox; a failed write undoes it), appends the entry,
    /// and answers the policy trigger for the household's first account.</summary>
    private async Task<Trigger> Recorded(HouseholdSpec spec, string what, object? payload, Action apply, Action undo)
    {
        var now = clock.GetUtcNow();
        var entry = new JournalEntry(0, spec.Id, null, JournalKind.PolicyChange, now, $"policy:{spec.Id}:{what}:{now.UtcTicks}",
            payload is null ? $"{what} cleared" : $"{what} set", Households.Domain.Tax.JournalFormat.Payload(payload ?? new { }));
        apply();
        state.State.Outbox = [entry];
        try { await state.WriteStateAsync(); }
        catch { undo(); throw; }
        await journal.Append([entry]);
        return new Trigger(TriggerKind.Policy, spec.AccountIds[0], what, 0, 0, 0, board.Current.Sequence, now, now);
    }
}
