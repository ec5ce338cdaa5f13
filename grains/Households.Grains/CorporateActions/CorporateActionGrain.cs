using System.Collections.Immutable;
using Households.Contracts;
using Households.Domain.CorporateActions;
using Households.Domain;
using Households.Grains.Household;
using Households.Grains.Silo;
using Microsoft.Extensions.Logging;

namespace Households.Grains.CorporateActions;

[GenerateSerializer]
public sealed class CorporateActionState
{
    [Id(0)] public CorporateAction? Action { get; set; }
    [Id(1)] public CorporateActionReport? Report { get; set; }
}

/// <summary>One corporate action, firm-wide: recorded first, then given to every household of the firm directory (each
/// applies it to its accounts that hold the security, once per action id), then the report is stored.</summary>
public sealed class CorporateActionGrain(
    [PersistentState("corporateAction", "households")] IPersistentState<CorporateActionState> state,
    ILogger<CorporateActionGrain> log) : Grain, ICorporateActionGrain
{
    /// <summary>Households asked at once.</summary>
    public const int Parallelism = 16;

    // Retried whole on the state read again: each household applies an action once per id, so a second run answers its first result.
    public Task<CorporateActionReport> Apply(CorporateAction action)
    {
        CorporateActionRules.Check(action);
        if (action.Id != this.GetPrimaryKeyString()) throw new BadInputException($"id {action.Id} does not match {this.GetPrimaryKeyString()}");
        return state.WriteWithRetryAsync(() => ApplyOnce(action), log, action.Id);
    }

    private async Task<CorporateActionReport> ApplyOnce(CorporateAction action)
    {
        if (state.State.Action is { } known && known != action)
            throw new BadInputException($"corporate action {action.Id} was already applied with different content");
        if (state.State.Report is { } report) return report with { Replayed = true };
        if (state.State.Action is null)
        {
            state.State.Action = action;
            await state.WriteStateAsync();
        }
        var households = new List<HouseholdCorporateAction>();
        var directory = GrainFactory.GetGrain<IFirmDirectoryGrain>(FirmDirectoryGrain.Key);
        for (var skip = 0; ; skip += FirmDirectoryGrain.MaxPage)
        {
            var page = await directory.List(skip, FirmDirectoryGrain.MaxPage);
            foreach (var chunk in page.Items.Chunk(Parallelism))
                households.AddRange(await Task.WhenAll(chunk.Select(h => GrainFactory.GetGrain<IHouseholdGrain>(h.Id).ApplyCorporateAction(action))));
            if (page.Items.Length < FirmDirectoryGrain.MaxPage) break;
        }
        var touched = households.Where(h => h.Accounts.Length > 0 || h.Refused is not null)
            .Select(h => h with { Replayed = false }).OrderBy(h => h.HouseholdId, StringComparer.Ordinal).ToImmutableArray();
        state.State.Report = new CorporateActionReport(action, touched);
        await state.WriteStateAsync();
        log.LogInformation("Corporate action {Action} ({Kind} {Symbol}) applied in {Households} households, refused by {Refused}",
            action.Id, action.Kind, action.Symbol, touched.Count(h => h.Refused is null), touched.Count(h => h.Refused is not null));
        return state.State.Report;
    }

    public Task<CorporateActionReport?> Get() => Task.FromResult(state.State.Report);
}
