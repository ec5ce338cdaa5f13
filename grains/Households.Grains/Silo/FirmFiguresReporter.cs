using Households.Contracts;
using Households.Domain.Firm;
using Households.Grains.Firm;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Households.Grains.Silo;

/// <summary>Sends this silo's monitor tally to the firm-stats grain every <see cref="Interval"/>: one one-way message
/// per silo, whatever the number of accounts or the price rate.</summary>
public sealed class FirmFiguresReporter(IGrainFactory grains, AccountMonitor monitor, [FromKeyedServices(BusinessClock.Key)] TimeProvider clock, ILogger<FirmFiguresReporter> log)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private readonly string _name = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}";
    private readonly TriggerRate _rate = new(TimeSpan.FromMinutes(1));

    public SiloFigures Current()
    {
        var s = monitor.Status;
        var now = clock.GetUtcNow();
        lock (_rate)
        {
            _rate.Add(now, s.TotalTriggers);
            return new SiloFigures(_name, now, s.BatchSequence, s.Accounts, decimal.Round((decimal)s.MarketValue, 2),
                s.AccountsOutOfTolerance, s.AccountsHarvestable, Math.Round(_rate.PerMinute, 1), s.Households);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var stats = grains.GetGrain<IFirmStatsGrain>(FirmStatsGrain.Key);
        while (!stoppingToken.IsCancellationRequested)
        {
            try { await stats.ReportSilo(Current()); }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested) { log.LogDebug(ex, "Firm figures not reported; next try in {Interval}", Interval); }
            try { await Task.Delay(Interval, clock, stoppingToken); }
            catch (OperationCanceledException) { break; }
        }
    }
}

/// <summary>A silo-local signal raised after each monitor scan (one per price batch the board applied, later batches
/// coalesced while a scan runs). Live streams wait on it instead of each polling the grains on its own clock.</summary>
public sealed class ScanSignal
{
    private TaskCompletionSource<long> _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ScanSignal(AccountMonitor monitor) => monitor.Scanned += status =>
        Interlocked.Exchange(ref _next, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(status.BatchSequence);

    /// <summary>Completes with the batch sequence of the next scan.</summary>
    public Task<long> Next() => Volatile.Read(ref _next).Task;
}
