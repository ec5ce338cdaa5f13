using Households.Contracts;
using Households.Domain;
using Households.Domain.Risk;
using Households.Grains.Silo;
using Microsoft.Extensions.Logging;

namespace Households.Grains.Risk;

[GenerateSerializer]
public sealed class RiskModelState
{
    [Id(0)] public RiskModelData? Model { get; set; }
}

/// <summary>The firm's versioned risk model (key "firm"): validates, numbers and persists; silos poll the version and
/// install a newer model. No estimation here: a silo's <see cref="Silo.RiskModelService"/> estimates and publishes.</summary>
public sealed class RiskModelGrain([PersistentState("riskmodel", "households")] IPersistentState<RiskModelState> state, ILogger<RiskModelGrain> log)
    : Grain, IRiskModelGrain
{
    public const string Key = "firm";
    public const string Imported = "imported";
    public const string Estimated = "estimated";

    public Task<int> GetVersion() => Task.FromResult(state.State.Model?.Version ?? 0);

    public Task<RiskModelData?> Get() => Task.FromResult(state.State.Model);

    public Task<RiskModelInfo?> GetInfo() =>
        Task.FromResult(state.State.Model is { } m ? LiveRiskModel.InfoOf(m) : null);

    public Task<int> Import(RiskModelData model) => state.WriteWithRetryAsync(async () =>
    {
        var version = (state.State.Model?.Version ?? 0) + 1;
        await Store(Checked(model) with { Version = version, Source = Imported });
        return version;
    }, log, this.GetPrimaryKeyString());

    // Retried on the state read again: an estimate based on a version another writer replaced is not published.
    public Task<int?> PublishEstimate(RiskModelData model, int basedOnVersion) => state.WriteWithRetryAsync<RiskModelState, int?>(async () =>
    {
        var current = state.State.Model;
        if ((current?.Version ?? 0) != basedOnVersion || current?.Source == Imported) return null;
        var version = basedOnVersion + 1;
        await Store(Checked(model) with { Version = version, Source = Estimated });
        return version;
    }, log, this.GetPrimaryKeyString());

    private static RiskModelData Checked(RiskModelData model)
    {
        if (model is null) throw new BadInputException("risk model is required");
        LiveRiskModel.ToModel(model); // shapes, finiteness, symmetry, D ≥ 0, F positive semidefinite
        return model;
    }

    private async Task Store(RiskModelData model)
    {
        var before = state.State.Model;
        state.State.Model = model;
        try { await state.WriteStateAsync(); }
        catch
        {
            state.State.Model = before; // nothing changes when the write fails
            throw;
        }
    }
}
