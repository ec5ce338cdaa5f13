using Households.Contracts;
using Households.Domain.Market;
using Households.Grains.Household;
using Households.Grains.Prices;
using Households.Grains.Securities;
using Households.Grains.Silo;
using Households.Grains;
using Households.Simulation.Firms;
using Households.Simulation.Market;
using Microsoft.Extensions.Options;

namespace Households.Silo.Hosting;

public sealed class DemoOptions
{
    /// <summary>Seed the demo firm when the firm is empty (embedded default).</summary>
    public bool Enabled { get; set; } = true;
    public int Seed { get; set; } = DemoFirmOptions.Default.Seed;
    public int Households { get; set; } = DemoFirmOptions.Default.Households;

    /// <summary>How long (business time) the demo's simulated clients take to approve a pending proposal
    /// (<see cref="DemoClients"/>); zero, the default, leaves proposals to people.</summary>
    public TimeSpan ClientApproval { get; set; }

    /// <summary>How often (wall time) the simulated clients look for proposals to approve.</summary>
    public TimeSpan ClientCheck { get; set; } = TimeSpan.FromSeconds(2);

    public DemoFirmOptions ToFirmOptions() => DemoFirmOptions.Default with { Seed = Seed, Households = Households };
}

/// <summary>Drives the demo firm's universe with the seeded factor-model simulator.</summary>
public sealed class SimulatedMarketFactory(IOptions<DemoOptions> demo) : IPriceSimulatorFactory
{
    public IPriceSimulator Create(SimulationSettings settings)
    {
        var universe = DemoFirm.Build(demo.Value.ToFirmOptions()).Universe;
        return new Simulated(new MarketSimulator(universe, settings.Seed,
            MarketSimulatorOptions.Default with { StepDays = settings.StepDays, FatTails = true, Regimes = true }));
    }

    private sealed class Simulated(MarketSimulator simulator) : IPriceSimulator
    {
        private bool _started;

        public PriceQuote[] Next()
        {
            if (_started) simulator.Step();
            _started = true;
            return simulator.Quotes();
        }
    }
}

/// <summary>Creates the demo firm (securities, models, households) once, when the firm has no households yet.</summary>
public sealed class DemoFirmSeeder(IGrainFactory grains, IOptions<DemoOptions> options, ILogger<DemoFirmSeeder> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled) return;
        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                await Seed(resume: attempt > 1, stoppingToken);
                return;
            }
            catch (Exception ex) when (attempt < 30 && !stoppingToken.IsCancellationRequested)
            {
                log.LogInformation("Demo firm not seeded yet ({Reason}); retrying", ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    /// <summary>A retry resumes (creating a household is idempotent): a partly seeded firm from a failed attempt would
    /// otherwise count as "already seeded" and stay partial.</summary>
    private async Task Seed(bool resume, CancellationToken ct)
    {
        var directory = grains.GetGrain<IFirmDirectoryGrain>(FirmDirectoryGrain.Key);
        if (!resume && (await directory.List(0, 1)).Total > 0) return;
        var firm = DemoFirm.Build(options.Value.ToFirmOptions());
        await grains.GetGrain<IUniverseGrain>(UniverseGrain.Key).Upsert([.. firm.Universe.Securities]);
        foreach (var model in InDependencyOrder(firm.Models)) await grains.GetGrain<IModelGrain>(model.Id).Define(model);
        await Parallel.ForEachAsync(firm.Households, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct },
            async (h, _) => await grains.GetGrain<IHouseholdGrain>(h.Household.Id).Create(h.Household, [.. h.Accounts]));
        log.LogInformation("Demo firm seeded: {Households} households, {Accounts} accounts, {Models} models, {Securities} securities",
            firm.Households.Count, firm.Accounts.Count(), firm.Models.Count, firm.Universe.Count);
    }

    /// <summary>The demo firm these options seed (for the console's banner).</summary>
    public static (int Households, int Accounts) Size(DemoOptions options)
    {
        var firm = DemoFirm.Build(options.ToFirmOptions());
        return (firm.Households.Count, firm.Accounts.Count());
    }

    /// <summary>Sub-models before the models built of them, so each definition finds its parts.</summary>
    public static IEnumerable<TargetModel> InDependencyOrder(IReadOnlyList<TargetModel> models)
    {
        var done = new HashSet<string>(StringComparer.Ordinal);
        var pending = models.ToList();
        while (pending.Count > 0)
        {
            var ready = pending.Where(m => m.Sleeves.Where(s => s.Kind == SleeveKind.Model).All(s => done.Contains(s.Key))).ToList();
            if (ready.Count == 0) throw new InvalidOperationException("models refer to each other in a cycle");
            foreach (var m in ready) { done.Add(m.Id); pending.Remove(m); yield return m; }
        }
    }
}
