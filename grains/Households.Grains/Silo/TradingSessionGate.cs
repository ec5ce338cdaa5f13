using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Households.Contracts;
using Households.Domain.Calendar;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Households.Grains.Silo;

/// <summary>The exchange session as this silo's households see it (<see cref="MarketOptions.TradingHoursEnforced"/>): whether a
/// decision may trade now, and the households waiting for a session to open (held triggers, withdrawals waiting for
/// settlement). Once a second (real time) it looks at the business clock and nudges, one-way, each household whose open
/// has come: no grain turn waits on a timer, and the monitor keeps scanning and recording triggers all night.</summary>
public sealed class TradingSessionGate(TradingCalendar calendar, IOptions<MarketOptions> options, [FromKeyedServices(BusinessClock.Key)] TimeProvider clock,
    IGrainFactory grains, ILogger<TradingSessionGate> log) : BackgroundService
{
    public static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _waiting = new(StringComparer.Ordinal);

    public TradingCalendar Calendar => calendar;

    /// <summary>Null when a decision may trade at <paramref name="now"/> (in a session, or the gate is off); otherwise the next open.</summary>
    public DateTimeOffset? ClosedUntil(DateTimeOffset now) =>
        !options.Value.TradingHoursEnforced || calendar.IsOpen(now) ? null : calendar.NextOpen(now);

    /// <summary>The open of the session on <paramref name="date"/>'s, or the next, trading day: when cash settling that day can be paid out.</summary>
    public DateTimeOffset OpenOn(DateOnly date) => calendar.Session(date)?.Open ?? calendar.Session(calendar.AddTradingDays(date, 1))!.Open;

    /// <summary>Nudges the household (<see cref="IHouseholdGrain.OnSessionOpen"/>) once the business clock reaches <paramref name="due"/>;
    /// the earliest of several waits counts.</summary>
    public void WakeAt(string householdId, DateTimeOffset due) => _waiting.AddOrUpdate(householdId, due, (_, earlier) => earlier < due ? earlier : due);

    public int Waiting => _waiting.Count;

    /// <summary>Nudges every household whose time has come; returns how many.</summary>
    public int NudgeDue()
    {
        var now = clock.GetUtcNow();
        var nudged = 0;
        foreach (var (id, due) in _waiting)
        {
            if (due > now || !_waiting.TryRemove(new KeyValuePair<string, DateTimeOffset>(id, due))) continue;
            grains.GetGrain<IHouseholdGrain>(id).OnSessionOpen().Ignore();
            nudged++;
        }
        if (nudged > 0) log.LogInformation("Session open at {Now}: {Count} households nudged", now, nudged);
        return nudged;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try { NudgeDue(); }
            catch (Exception ex) { log.LogWarning(ex, "Session gate: nudging households failed; next look in {Poll}", Poll); }
            try { await Task.Delay(Poll, stoppingToken); }
            catch (OperationCanceledException) { break; }
        }
    }
}
