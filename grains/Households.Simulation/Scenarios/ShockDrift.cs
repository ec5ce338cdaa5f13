using Households.Simulation.Firms;
using Households.Contracts;
using Households.Domain.Market;
using Households.Domain.Models;
using Households.Domain.Monitoring;

namespace Households.Simulation.Scenarios;

/// <summary>One account's drift before and after a shock: the largest |weight − target| over its drift lines
/// (securities and asset classes, as the monitor measures them) and whether any line is out of its band.</summary>
public sealed record DriftSample(string Account, string ModelId, double MaxDriftBefore, double MaxDriftAfter,
    int OutOfBandBefore, int OutOfBandAfter);

/// <summary>Applies a scenario to a firm's accounts and measures their drift with the live monitor's kernel
/// (<see cref="AccountSnapshot"/> + <see cref="TriggerKernel.DriftLines"/>) at the universe's initial prices and at the
/// prices at the end of the scenario.</summary>
public static class ShockDrift
{
    public static IReadOnlyList<DriftSample> Measure(DemoFirmData firm, Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(firm);
        ArgumentNullException.ThrowIfNull(scenario);
        var universe = firm.Universe;
        var index = new SecurityIndex();
        for (int i = 0; i < universe.Count; i++) index.OrdinalOf(universe[i].Symbol);
        var before = universe.InitialPrices.ToArray();
        var after = ScenarioApplier.Shocked(scenario, universe, before);
        var models = firm.Models.ToDictionary(m => m.Id);
        var securities = universe.Securities.ToDictionary(s => s.Symbol);
        var targets = new Dictionary<string, ResolvedTarget>();
        var result = new List<DriftSample>();
        foreach (var account in firm.Accounts)
        {
            var modelId = account.Spec.ModelId;
            if (modelId is null) continue;
            if (!targets.TryGetValue(modelId, out var target))
                targets[modelId] = target = ModelResolver.Resolve(modelId, 1, id => models.GetValueOrDefault(id), s => securities.GetValueOrDefault(s));
            var snapshot = AccountSnapshot.Build(account.Spec.Id, account.Cash, account.Lots, target, account.Spec.Harvest,
                s => securities.GetValueOrDefault(s), index);
            var linesBefore = TriggerKernel.DriftLines(snapshot, before);
            var linesAfter = TriggerKernel.DriftLines(snapshot, after);
            if (linesBefore.Length == 0 || linesAfter.Length == 0) continue;
            result.Add(new DriftSample(account.Spec.Id, modelId,
                linesBefore.Max(l => Math.Abs(l.Drift)), linesAfter.Max(l => Math.Abs(l.Drift)),
                linesBefore.Count(l => l.OutOfBand), linesAfter.Count(l => l.OutOfBand)));
        }
        return result;
    }
}
