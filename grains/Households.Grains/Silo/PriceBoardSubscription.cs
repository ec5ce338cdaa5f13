using Households.Contracts;
using Households.Domain.Monitoring;
using Households.Grains.Prices;
using Households.Grains.Securities;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Households.Grains.Silo;

public sealed class MarketOptions
{
    /// <summary>Run the seeded market simulator (embedded default and demos); off when a real feed publishes.</summary>
    public bool Simulate { get; set; } = true;
    public int Seed { get; set; } = 42;
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>Fraction of a trading day each simulated batch represents.</summary>
    public double StepDays { get; set; } = 0.05;
    /// <summary>The business clock runs at the simulated market's pace: each batch moves it by <see cref="StepDays"/>
    /// trading days (365.25/252 calendar days each), so trade dates, wash-sale windows, cooldowns and reminders move
    /// with the market and a simulated quarter takes a quarter. For demos and long-run checks on one silo; never with a
    /// real feed. Latency figures are then in business time.</summary>
    public bool FastClock { get; set; }
    /// <summary>Decisions trade only in the exchange's sessions: outside them triggers wait for the open. Unset, it is on
    /// with a real feed (production) and with the demo's fast clock (which only ever shows session time), and off for a
    /// simulated market on the system clock, which would otherwise sit idle every night and weekend. The tests set it.</summary>
    public bool? EnforceTradingHours { get; set; }

    public bool TradingHoursEnforced => EnforceTradingHours ?? (!Simulate || FastClock);
    /// <summary>A firm's trading-calendar file (docs/formats.md §16) instead of the embedded NYSE calendar.</summary>
    public string? Calendar { get; set; }

    /// <summary>Business seconds per real second when <see cref="FastClock"/> is on (1 otherwise).</summary>
    public double ClockScale => Simulate && FastClock && Interval > TimeSpan.Zero
        ? StepDays * (365.25 / 252) * TimeSpan.FromDays(1).TotalSeconds / Interval.TotalSeconds
        : 1.0;

    /// <summary>The fast clock's pace through sessions (<see cref="Households.Domain.Calendar.SessionClock"/>): each batch moves it by
    /// <see cref="StepDays"/> of a regular 6.5-hour session.</summary>
    public double SessionClockScale => ClockScale > 1
        ? StepDays * (Households.Domain.Calendar.TradingCalendar.RegularClose - Households.Domain.Calendar.TradingCalendar.RegularOpen).TotalSeconds / Interval.TotalSeconds
        : 1.0;
}

/// <summary>Connects this silo's price board to the firm's price feed: subscribes an observer (refreshed
/// periodically, so a restarted feed finds every silo again) and hands each batch to the board and monitor.</summary>
public sealed class PriceBoardSubscription(IGrainFactory grains, PriceBoard board, AccountMonitor monitor, SecurityMaster master,
    IOptions<MarketOptions> options, ILogger<PriceBoardSubscription> log, Households.Domain.Risk.DailyCloses? closes = null) : BackgroundService, IPriceBatchObserver
{
    public static readonly TimeSpan Refresh = TimeSpan.FromSeconds(15);
    public static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(1);
    private readonly SemaphoreSlim _refreshNow = new(0, 1);
    private readonly string _name = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}";
    private IPriceBatchObserver? _reference;

    public Task OnPriceBatch(PriceBatch batch)
    {
        var before = board.Current;
        var vector = board.Apply(batch);
        // Only a batch that advanced the board is scanned: the periodic re-read of the feed's last batch (the
        // subscription refresh) would otherwise rescan unchanged prices, a full scan every 15 s at a million accounts.
        if (!ReferenceEquals(vector, before) && vector.Sequence == batch.Sequence)
        {
            monitor.OnPrices(vector);
            // The risk model's history: the day's last prices (a reference, the vector is immutable).
            closes?.Observe(DateOnly.FromDateTime(batch.AsOf.UtcDateTime), vector.Values);
        }
        return Task.CompletedTask;
    }

    /// <summary>Subscribes again now rather than at the next refresh (a silo died: the feed grain may have moved).</summary>
    public void RefreshNow()
    {
        try { _refreshNow.Release(); } catch (SemaphoreFullException) { }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _reference = grains.CreateObjectReference<IPriceBatchObserver>(this);
        var feed = grains.GetGrain<IPriceFeedGrain>(PriceFeedGrain.Key);
        var o = options.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            var failed = false;
            try
            {
                master.Load(await grains.GetGrain<IUniverseGrain>(UniverseGrain.Key).GetAll());
                await feed.Subscribe(_name, _reference);
                if (await feed.GetLast() is { } last) await OnPriceBatch(last);
                await feed.EnsureSimulating(new SimulationSettings(o.Simulate, o.Seed, o.Interval, o.StepDays));
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                log.LogWarning(ex, "Price feed subscription failed; retrying");
                failed = true;
            }
            try { await _refreshNow.WaitAsync(failed ? RetryAfterFailure : Refresh, stoppingToken); }
            catch (OperationCanceledException) { break; }
        }
    }
}
