using Households.Contracts;
using Households.Domain.Harvesting;
using Households.Domain.Risk;
using Households.Grains.Risk;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Households.Grains.Silo;

/// <summary>Configuration section <c>RiskModel</c> (docs/optimizer.md, "Risk model").</summary>
public sealed class RiskModelOptions
{
    /// <summary>Estimate the model from the price stream this silo sees (an imported model is never replaced). Unset: on,
    /// except under the demo profile, whose simulated market has its own factor model (the host decides).</summary>
    public bool? Estimate { get; set; }
    /// <summary>Business time between estimates.</summary>
    public TimeSpan Refresh { get; set; } = TimeSpan.FromDays(1);
    /// <summary>Daily returns in the estimation window (the closes held are one more).</summary>
    public int Window { get; set; } = 252;
    /// <summary>No estimate before this many daily returns.</summary>
    public int MinPeriods { get; set; } = 60;
    /// <summary>Principal components kept; 0 chooses by <see cref="ExplainedVariance"/>.</summary>
    public int Factors { get; set; }
    public double ExplainedVariance { get; set; } = 0.8;
    public int MaxFactors { get; set; } = 20;
    /// <summary>Real time between reads of the firm's model version.</summary>
    public TimeSpan Poll { get; set; } = TimeSpan.FromSeconds(15);
}

/// <summary>Each silo's side of the firm's risk model: installs a newer version from <see cref="IRiskModelGrain"/> into
/// <see cref="SecurityRiskModels"/> (every consumer on the silo then sees it), keeps the daily closes of the price
/// stream, and when an estimate is due estimates off any grain turn and offers it to the grain (which accepts one).</summary>
public sealed class RiskModelService(IGrainFactory grains, SecurityRiskModels risk, DailyCloses closes, SecurityMaster master,
    Domain.Monitoring.PriceBoard board, IOptions<RiskModelOptions> options, [FromKeyedServices(BusinessClock.Key)] TimeProvider clock,
    ILogger<RiskModelService> log) : BackgroundService
{
    /// <summary>Installs a model read from the grain (or just imported through this silo's API).</summary>
    public bool Install(RiskModelData data) => risk.Install(LiveRiskModel.From(data));

    /// <summary>Reads the firm's version and installs it when newer than this silo's.</summary>
    public async Task<int> Sync()
    {
        var grain = grains.GetGrain<IRiskModelGrain>(RiskModelGrain.Key);
        var version = await grain.GetVersion();
        if (version > risk.Version && await grain.Get() is { } data) Install(data);
        return version;
    }

    /// <summary>Estimates and publishes when due; the version the firm is at is <paramref name="version"/>.</summary>
    public async Task<bool> EstimateIfDue(int version, CancellationToken ct)
    {
        var o = options.Value;
        if (o.Estimate != true) return false;
        var current = risk.Current?.Info;
        if (current is not null && current.Version == version &&
            (current.Source == RiskModelGrain.Imported || current.EstimatedAt + o.Refresh > clock.GetUtcNow())) return false;
        if (current is null && version > 0) return false; // not installed yet: the next poll installs it first
        var returns = closes.Returns(i => i < board.Index.Count ? board.Index.SymbolOf(i) : null,
            s => master.Find(s) is { Kind: not SecurityKind.Cash }, o.MinPeriods);
        if (returns is null) return false;
        var estimation = new RiskEstimation(o.Factors, o.ExplainedVariance, o.MaxFactors);
        var estimate = await Task.Run(() => RiskModelEstimator.Estimate(returns, estimation), ct);
        var data = LiveRiskModel.ToData(estimate.Model, 0, RiskModelGrain.Estimated, estimate.Method,
            new RiskModelWindow(returns.DateAt(0), returns.DateAt(returns.Periods - 1), returns.Periods), clock.GetUtcNow(), estimate.Shrinkage);
        var published = await grains.GetGrain<IRiskModelGrain>(RiskModelGrain.Key).PublishEstimate(data, version);
        if (published is { } v)
        {
            Install(data with { Version = v });
            log.LogInformation("Risk model {Version} estimated: {Securities} securities, {Factors} factors, {Explained:P1} explained",
                v, estimate.Model.N, estimate.Model.K, data.ExplainedVariance);
        }
        return published is not null;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try { await EstimateIfDue(await Sync(), stoppingToken); }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested) { log.LogWarning(ex, "Risk model refresh failed; retrying"); }
            try { await Task.Delay(options.Value.Poll, stoppingToken); }
            catch (OperationCanceledException) { break; }
        }
    }
}

/// <summary>The stock replacement selector for the risk model in force: the configured one (the simulator's universe, or
/// none) until the firm has an estimated or imported model, then one over the master's stocks that model covers, rebuilt
/// when the model's or the master's version changes.</summary>
public sealed class LiveReplacements(SecurityRiskModels risk, SecurityMaster master, ReplacementSelector configured)
{
    private sealed record Built(int Risk, int Master, ReplacementSelector Selector);
    private Built? _cache;
    private readonly Lock _lock = new();

    public ReplacementSelector Current
    {
        get
        {
            var live = risk.Current;
            if (live is null) return configured;
            var seen = Volatile.Read(ref _cache);
            var masterVersion = master.Version;
            if (seen is { } s && s.Risk == live.Version && s.Master == masterVersion) return s.Selector;
            lock (_lock)
            {
                if (_cache is { } again && again.Risk == live.Version && again.Master == masterVersion) return again.Selector;
                var identical = master.Identical;
                var selector = ReplacementSelector.FromModel(live.Model, master.All, configured.Substitutes, identical.KeyOf);
                Volatile.Write(ref _cache, new Built(live.Version, masterVersion, selector));
                return selector;
            }
        }
    }
}
