using Households.Contracts;
using Households.Domain.Decisions;
using Households.Domain.Harvesting;
using Households.Domain.Monitoring;
using Households.Domain.Risk;
using Households.Domain;
using Households.Grains.Household;
using Households.Grains.Securities;
using Households.Grains.Silo;
using Households.Grains;
using Households.Silo.Access;
using Households.Simulation.Scenarios;
using Households.Simulation.Stress;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Households.Silo.Api;

/// <summary>The body of <c>POST /api/stress</c>: a scenario name and, optionally, the households to stress (default all).
/// With <see cref="DecideWithinSeconds"/> a firm-wide run screens every account the silo's monitor watches, from the
/// monitor's own copy (no household wakes for it), and decides the triggered households, the most at stake first, for
/// that long (<see cref="StressEngine.RunLive"/>); without it every household's books are read and every triggered
/// household decides.</summary>
public sealed record StressRunRequest(string? Scenario, string[]? Households, double? DecideWithinSeconds = null);

/// <summary>Stress tests over a copy of live state (issue 7). Admin-level: a firm-wide run reads every household and
/// uses the silo's cores for its duration (the auth helper adds the admin policy to this group). Nothing here writes to
/// a grain or the journal: households hand over read-only snapshots (<see cref="IHouseholdGrain.GetStressSnapshot"/>)
/// and the domain engine works on private copies.</summary>
public static class StressApi
{
    /// <summary>Households whose snapshots are requested at once.</summary>
    public const int SnapshotConcurrency = 64;

    public static IEndpointRouteBuilder MapStressApi(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/stress").RequireAdmin();
        group.MapGet("/scenarios", (IConfiguration config) => Results.Ok(Scenarios(config).Scenarios.Select(s => new
        {
            name = s.Name, description = s.Description, days = s.Days, path = s.Path.ToString().ToLowerInvariant(),
        }))).WithName("ListStressScenarios");

        group.MapPost("", async (StressRunRequest request, IConfiguration config, IGrainFactory grains, SecurityMaster master, PriceBoard board,
            SecurityRiskModels risk, LiveReplacements live, IOptions<DecisionOptions> decisions, AccountMonitor monitor, SecurityIndex index,
            [FromKeyedServices(BusinessClock.Key)] TimeProvider clock, CancellationToken ct) =>
        {
            if (request is null || string.IsNullOrWhiteSpace(request.Scenario)) throw new BadInputException("scenario is required");
            var scenario = Scenarios(config)[request.Scenario];
            if (request.DecideWithinSeconds is { } seconds)
            {
                if (!double.IsFinite(seconds) || seconds < 0 || seconds > 3600) throw new BadInputException("decideWithinSeconds must be between 0 and 3600");
                if (request.Households is { Length: > 0 }) throw new BadInputException("decideWithinSeconds screens the whole firm: leave households out");
            }
            await master.EnsureLoaded(grains);
            var options = decisions.Value;
            var stress = new StressOptions
            {
                MaxParallelism = config.GetValue("Stress:Parallelism", Environment.ProcessorCount),
                MaxDecisionsPerCheckpoint = config.GetValue("Stress:MaxDecisionsPerCheckpoint", 0),
                KeepDrift = false,
            };
            if (request.DecideWithinSeconds is { } within)
            {
                // The monitor's households first, then the index: every ordinal their snapshots carry is below its count.
                var watched = monitor.Households().Select(h => new MonitoredHousehold(h.Household, h.Accounts)).ToList();
                // In the index's order (a symbol the master lacks stays unpriced), then the rest of the universe (replacements).
                var ordered = Enumerable.Range(0, index.Count).Select(o => index.SymbolOf(o))
                    .Select(symbol => master.Find(symbol) ?? new Security(symbol, symbol, "Unknown", "Unknown", null, SecurityKind.Stock)).ToList();
                var listed = ordered.Select(s => s.Symbol).ToHashSet(StringComparer.Ordinal);
                ordered.AddRange((await grains.GetGrain<IUniverseGrain>(UniverseGrain.Key).GetAll()).Securities.Where(s => !listed.Contains(s.Symbol)));
                var livePrices = new Dictionary<string, decimal>(StringComparer.Ordinal);
                foreach (var s in ordered) if (master.Find(s.Symbol) is not null && board.QuoteOf(s.Symbol) is { } q) livePrices[s.Symbol] = q.Price;
                var liveMarket = new StressMarket(
                    new DecisionMarket(master.Find, master.Identical, options.Substitutes, live.Current, risk, options.Settings),
                    ordered, livePrices, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime), risk.Universe, options.Triggers);
                var screened = await StressEngine.RunLive(watched, index, scenario, liveMarket, (chunk, token) => Snapshots(grains, [.. chunk], token),
                    TimeSpan.FromSeconds(within), stress, ct);
                return Results.Ok(screened.Report);
            }
            var ids = await HouseholdIds(grains, request.Households, ct);
            var securities = (await grains.GetGrain<IUniverseGrain>(UniverseGrain.Key).GetAll()).Securities;
            var prices = new Dictionary<string, decimal>(StringComparer.Ordinal);
            foreach (var s in securities) if (board.QuoteOf(s.Symbol) is { } q) prices[s.Symbol] = q.Price;
            var market = new StressMarket(
                new DecisionMarket(master.Find, master.Identical, options.Substitutes, live.Current, risk, options.Settings),
                securities, prices, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime), risk.Universe, options.Triggers);
            var snapshots = await Snapshots(grains, ids, ct);
            var result = await Task.Run(() => StressEngine.Run(snapshots, scenario, market, stress), ct);
            return Results.Ok(result.Report);
        }).WithName("RunStress");
        return api;
    }

    /// <summary>The scenario file named by <c>Stress:ScenariosFile</c>, else the built-in scenarios.</summary>
    private static ScenarioSet Scenarios(IConfiguration config) =>
        config["Stress:ScenariosFile"] is { Length: > 0 } file ? ScenarioSet.LoadFile(file) : ScenarioSet.Default;

    private static async Task<string[]> HouseholdIds(IGrainFactory grains, string[]? requested, CancellationToken ct)
    {
        if (requested is { Length: > 0 })
        {
            foreach (var id in requested.Distinct(StringComparer.Ordinal))
            {
                if (string.IsNullOrWhiteSpace(id)) throw new BadInputException("households must not contain an empty id");
                if (await grains.GetGrain<IHouseholdGrain>(id).GetSpec() is null) throw new BadInputException($"households: household {id} does not exist");
            }
            return [.. requested.Distinct(StringComparer.Ordinal)];
        }
        var directory = grains.GetGrain<IFirmDirectoryGrain>(FirmDirectoryGrain.Key);
        var ids = new List<string>();
        for (var skip = 0; ; skip += FirmDirectoryGrain.MaxPage)
        {
            ct.ThrowIfCancellationRequested();
            var page = await directory.List(skip, FirmDirectoryGrain.MaxPage);
            ids.AddRange(page.Items.Select(h => h.Id));
            if (page.Items.Length < FirmDirectoryGrain.MaxPage || ids.Count >= page.Total) break;
        }
        return [.. ids];
    }

    private static async Task<HouseholdStressSnapshot[]> Snapshots(IGrainFactory grains, string[] ids, CancellationToken ct)
    {
        var result = new HouseholdStressSnapshot[ids.Length];
        using var gate = new SemaphoreSlim(SnapshotConcurrency);
        await Task.WhenAll(ids.Select(async (id, i) =>
        {
            await gate.WaitAsync(ct);
            try { result[i] = await grains.GetGrain<IHouseholdGrain>(id).GetStressSnapshot(); }
            finally { gate.Release(); }
        }));
        return result;
    }
}
