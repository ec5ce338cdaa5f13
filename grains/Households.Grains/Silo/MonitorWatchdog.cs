using Households.Contracts;
using Households.Grains.Household;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using System.Diagnostics;

namespace Households.Grains.Silo;

public sealed class WatchdogOptions
{
    /// <summary>Activate every account of the firm when the cluster starts and after a silo dies, so each lands in a
    /// live silo's monitor (accounts register with the monitor when they activate; nothing else wakes them).</summary>
    public bool Enabled { get; set; } = true;
    /// <summary>Accounts activated at once during a sweep.</summary>
    public int Parallelism { get; set; } = 32;
}

/// <summary>What the last sweep did, for tests and operators.</summary>
public sealed record WatchdogSweep(string Reason, DateTimeOffset StartedAt, TimeSpan Took, int Households, int Accounts, int Failures);

/// <summary>Keeps monitoring whole across silo failures. Grains of a dead silo reactivate on a survivor only when
/// called; the monitor scans only activated accounts. So the oldest live silo (one per cluster: the smallest
/// address among active members) walks the firm directory and activates every household and account when it
/// joins, and again whenever membership declares a silo dead, and asks each household to catch up the fills its
/// accounts applied that it never recorded. Every silo also re-subscribes its price board then. With the books' warm start
/// (PostgreSQL) there is no sweep: each silo watches the accounts it owns from the books (<see cref="BooksWarmStart"/>).</summary>
public sealed class MonitorWatchdog(IClusterMembershipService membership, ILocalSiloDetails local, IGrainFactory grains,
    PriceBoardSubscription prices, IOptions<WatchdogOptions> options, ILogger<MonitorWatchdog> log, BooksWarmStart? warmStart = null,
    AccountsAwaitingHousehold? awaiting = null) : BackgroundService
{
    private HashSet<SiloAddress> _knownDead = [];
    private bool _started;

    public WatchdogSweep? LastSweep { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled) return;
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(stoppingToken))
            {
                if (snapshot.GetSiloStatus(local.SiloAddress) != SiloStatus.Active) continue;
                var dead = snapshot.Members.Values.Where(m => m.Status == SiloStatus.Dead).Select(m => m.SiloAddress).ToHashSet();
                var newlyDead = dead.Where(d => !_knownDead.Contains(d)).ToList();
                _knownDead = dead;
                var reason = !_started ? "silo started" : newlyDead.Count > 0 ? $"silo {string.Join(", ", newlyDead)} declared dead" : null;
                var started = _started;
                _started = true;
                if (reason is null) continue;
                // Every survivor: the feed grain may have lived on the dead silo; find its new activation now.
                if (newlyDead.Count > 0) prices.RefreshNow();
                // Every survivor: households that lived on the dead silo lost the triggers in their inboxes; this silo's
                // accounts send what their households have not confirmed deciding, and each is decided once.
                if (started && newlyDead.Count > 0) awaiting?.ResendAll(grains, reason!);
                // The books' warm start watches every account at start without activating them, and after a death each
                // survivor watches the accounts it now owns from the books (issue #18): waking a million grains is not
                // needed, and a household whose grain died catches up before it next uses its ledger.
                if (warmStart is { Enabled: true }) continue;
                var leader = snapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress)
                    .OrderBy(a => a.ToParsableString(), StringComparer.Ordinal).FirstOrDefault();
                if (!local.SiloAddress.Equals(leader)) continue;
                // Sweep in the background: the next membership change must not wait for this one.
                _ = Task.Run(() => Sweep(reason, stoppingToken), stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }

    /// <summary>Activates every household and account in the firm directory; returns what it did.</summary>
    public async Task<WatchdogSweep> Sweep(string reason, CancellationToken ct)
    {
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        int households = 0, accounts = 0, failures = 0;
        var directory = grains.GetGrain<IFirmDirectoryGrain>(FirmDirectoryGrain.Key);
        for (var skip = 0; !ct.IsCancellationRequested; skip += FirmDirectoryGrain.MaxPage)
        {
            HouseholdPage page;
            try { page = await directory.List(skip, FirmDirectoryGrain.MaxPage); }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                log.LogWarning(ex, "Watchdog could not read the firm directory; retrying");
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
                skip -= FirmDirectoryGrain.MaxPage;
                continue;
            }
            await Parallel.ForEachAsync(page.Items, new ParallelOptions { MaxDegreeOfParallelism = options.Value.Parallelism, CancellationToken = ct },
                async (h, _) =>
                {
                    try
                    {
                        var household = grains.GetGrain<IHouseholdGrain>(h.Id);
                        var spec = await household.GetSpec();
                        Interlocked.Increment(ref households);
                        foreach (var id in spec?.AccountIds ?? [])
                        {
                            await grains.GetGrain<IAccountGrain>(id).GetSpec();
                            Interlocked.Increment(ref accounts);
                        }
                        // A household no longer catches up when it activates (only before it uses its ledger): after a
                        // failure, fills a dead silo's households never recorded are caught up here.
                        try { await household.CatchUp(); }
                        catch (Exception ex) { log.LogWarning(ex, "Watchdog: catch-up of household {Household} failed; it runs again before its next trade", h.Id); }
                    }
                    catch (Exception ex)
                    {
                        Interlocked.Increment(ref failures);
                        log.LogWarning(ex, "Watchdog could not activate household {Household}", h.Id);
                    }
                });
            if (skip + page.Items.Length >= page.Total || page.Items.Length == 0) break;
        }
        var sweep = new WatchdogSweep(reason, started, clock.Elapsed, households, accounts, failures);
        LastSweep = sweep;
        log.LogInformation("Watchdog sweep ({Reason}): {Households} households, {Accounts} accounts activated in {Ms:0} ms, {Failures} failures",
            reason, households, accounts, clock.Elapsed.TotalMilliseconds, failures);
        return sweep;
    }
}
