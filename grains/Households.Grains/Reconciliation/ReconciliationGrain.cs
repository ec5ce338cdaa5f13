using Microsoft.Extensions.DependencyInjection;
using Households.Contracts;
using Households.Domain;
using Households.Domain.Reconciliation;
using Households.Grains.Silo;
using Households.Persistence.Journal;
using Microsoft.Extensions.Logging;

namespace Households.Grains.Reconciliation;

[GenerateSerializer]
public sealed class ReconciliationState
{
    [Id(0)] public AccountReconciliation? Latest { get; set; }
    /// <summary>The resolution's journal entry, stored with it and appended after the write (again on activation).</summary>
    [Id(1)] public JournalEntry[] Outbox { get; set; } = [];
    /// <summary>How many reports the account has had: the latest's number names its reconciliation id.</summary>
    [Id(2)] public int Reports { get; set; }
}

/// <summary>One account's latest reconciliation against its custodian and its resolution. A grain of its own, so the
/// account's books and their writes are untouched by reconciliation.</summary>
public sealed class ReconciliationGrain(
    [PersistentState("reconciliation", "households")] IPersistentState<ReconciliationState> state,
    IJournal journal,
    [FromKeyedServices(BusinessClock.Key)] TimeProvider clock,
    ILogger<ReconciliationGrain> log) : Grain, IReconciliationGrain
{
    public const int MaxNote = 500;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Outbox.Length > 0) await Flush();
    }

    public Task Record(AccountReconciliation report)
    {
        if (report.Account != this.GetPrimaryKeyString()) throw new BadInputException($"account {report.Account} does not match {this.GetPrimaryKeyString()}");
        return state.WriteWithRetryAsync(async () =>
        {
            state.State.Latest = report;
            state.State.Reports++;
            await state.WriteStateAsync();
        }, log, this.GetPrimaryKeyString());
    }

    public Task<AccountReconciliation?> Get() => Task.FromResult(state.State.Latest);

    // Retried whole on the state read again: the corrections are applied once per key, so a second run finds them applied.
    public Task<AccountReconciliation> Resolve(ResolutionAction action, string? note, string? resolvedBy) =>
        state.WriteWithRetryAsync(() => ResolveOnce(action, note, resolvedBy), log, this.GetPrimaryKeyString());

    private async Task<AccountReconciliation> ResolveOnce(ResolutionAction action, string? note, string? resolvedBy)
    {
        var account = this.GetPrimaryKeyString();
        if (state.State.Latest is not { } latest) throw new BadInputException($"account {account} has no reconciliation to resolve");
        if (!latest.OpenBreak) throw new BadInputException($"account {account} has no open break (as of {latest.AsOf:yyyy-MM-dd})");
        note = string.IsNullOrWhiteSpace(note) ? null : note.Trim();
        if (action == ResolutionAction.KeepOurs && note is null) throw new BadInputException("note is required to keep our books");
        if (note is { Length: > MaxNote }) throw new BadInputException($"note: at most {MaxNote} characters");
        if (note is not null && note.Any(char.IsControl)) throw new BadInputException("note: control characters are not allowed");
        var id = ReconciliationId(account, latest.AsOf, state.State.Reports);
        var corrections = action == ResolutionAction.AcceptCustodian ? Reconciler.Corrections(latest, id) : [];
        // The books first (each correction persisted and journaled by the account, once per key): a failure here records
        // nothing, and the retry finds the corrections applied.
        if (corrections.Length > 0)
            await GrainFactory.GetGrain<IHouseholdGrain>(latest.HouseholdId!).CorrectBooks(account, corrections);
        var now = clock.GetUtcNow();
        var resolution = new ReconciliationResolution(account, latest.AsOf, action, note, resolvedBy, now, BooksChanged: corrections.Length > 0, latest.Breaks,
            id, corrections.Length);
        var summary = $"reconciliation {id}: {latest.Breaks} break(s) resolved, "
            + (action == ResolutionAction.AcceptCustodian ? $"custodian accepted ({corrections.Length} correction(s) of record, no sale)" : "our books kept")
            + (note is null ? "" : $": {note}");
        state.State.Latest = latest with { Resolution = resolution };
        state.State.Outbox = [new JournalEntry(0, latest.HouseholdId ?? "", account, JournalKind.Reconciliation, now,
            $"reconciliation:{account}:{latest.AsOf:yyyy-MM-dd}:{now.UtcTicks}", summary, Households.Domain.Tax.JournalFormat.Payload(resolution))];
        await state.WriteStateAsync();
        await Flush();
        return state.State.Latest;
    }

    /// <summary>Names one report of an account: its corrections' keys and journal entries carry it.</summary>
    public static string ReconciliationId(string account, DateOnly asOf, int report) => $"rc-{account}-{asOf:yyyyMMdd}-{report}";

    private async Task Flush()
    {
        await journal.Append(state.State.Outbox);
        state.State.Outbox = [];
        await state.WriteStateAsync();
    }
}

/// <summary>The accounts a decision may trade when the firm blocks on reconciliation breaks (<c>Decisions:BlockOnBreaks</c>).</summary>
public static class ReconciliationBlock
{
    public static async Task<AccountDecisionInput[]> Tradable(IGrainFactory grains, AccountDecisionInput[] inputs)
    {
        var latest = await Task.WhenAll(inputs.Select(i => grains.GetGrain<IReconciliationGrain>(i.Spec.Id).Get()));
        return [.. inputs.Where((_, i) => Households.Domain.Reconciliation.ReconciliationGate.MayTrade(true, latest[i]))];
    }
}
