using System.Diagnostics.Metrics;
using System.Globalization;
using Households.Grains;
using Households.Silo.Access;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Households.Silo.Hosting;

public sealed class ConsoleOptions
{
    /// <summary>How often (wall time) the console gets a line of what happened; zero turns the line off.</summary>
    public TimeSpan SummaryInterval { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>What the start-up banner says: where the silo listens, its profile, how to get a token, the demo firm.</summary>
public sealed record BannerFacts(IReadOnlyList<string> Urls, bool Postgres, string ClusterId, bool Kubernetes, bool DevLogin,
    bool DevKeyFile, string? IdentityProvider, int? DemoHouseholds, int? DemoAccounts, TimeSpan SummaryInterval);

/// <summary>The console's words: the start-up banner and the periodic activity line (pure; ConsoleTests).</summary>
public static class ConsoleText
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>At most seven lines, one block.</summary>
    public static string Banner(BannerFacts f)
    {
        var url = f.Urls.FirstOrDefault();
        var lines = new List<string>
        {
            f.Urls.Count > 0 ? $"Households silo listening on {string.Join(", ", f.Urls)}" : "Households silo started (no HTTP address)",
            f.Postgres
                ? $"Profile: PostgreSQL, cluster {f.ClusterId}{(f.Kubernetes ? " (Kubernetes)" : "")}"
                : $"Profile: embedded (memory storage, localhost clustering), cluster {f.ClusterId}",
            // The client reads the dev key file itself; any other key must be handed to it.
            "Token: dotnet run --project client -- token --role admin" + (f.DevKeyFile ? "" : " --key-file <the silo's signing key>")
                + (f.DevLogin ? $"; or sign in at {(url is null ? "" : url.TrimEnd('/'))}/login" : ""),
        };
        if (f.IdentityProvider is not null) lines.Add($"Identity provider: {f.IdentityProvider}");
        if (f.DemoHouseholds is { } households)
            lines.Add($"Demo firm: {households.ToString("N0", Invariant)} households, {(f.DemoAccounts ?? 0).ToString("N0", Invariant)} accounts, simulated market");
        lines.Add(f.SummaryInterval > TimeSpan.Zero
            ? $"Console: a summary every {f.SummaryInterval:c}; per-trade lines with Logging__LogLevel__Households=Debug"
            : "Console: summary off; per-trade lines with Logging__LogLevel__Households=Debug");
        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>e.g. <c>12:01 batches 60 · triggers 1,204 · decisions 37 (executed 30, pending 7) · fills 212 · harvested $48,210</c>:
    /// decisions are optimizer runs; executed and pending are the proposals they executed or filed for approval (one decision
    /// can do both, for a household with discretionary and advised accounts), and failed, rejected and expired proposals appear
    /// when there were any. A minute with only price batches still gets its line: it says prices flow. <paramref name="at"/> is the interval's end (UTC).</summary>
    public static string Summary(DateTimeOffset at, ActivityCounts c)
    {
        var outcomes = new List<string> { $"executed {N(c.Executed)}", $"pending {N(c.Pending)}" };
        if (c.Failed > 0) outcomes.Add($"failed {N(c.Failed)}");
        if (c.Rejected > 0) outcomes.Add($"rejected {N(c.Rejected)}");
        if (c.Expired > 0) outcomes.Add($"expired {N(c.Expired)}");
        return $"{at.UtcDateTime.ToString("HH:mm", Invariant)} batches {N(c.Batches)} · triggers {N(c.Triggers)} · "
            + $"decisions {N(c.Decisions)} ({string.Join(", ", outcomes)}) · fills {N(c.Fills)} · "
            + $"harvested ${Math.Round(c.Harvested, MidpointRounding.AwayFromZero).ToString("N0", Invariant)}";
    }

    private static string N(long n) => n.ToString("N0", Invariant);
}

/// <summary>What happened in one interval, as the product's meter counted it.</summary>
public readonly record struct ActivityCounts(long Batches, long Triggers, long Decisions, long Executed, long Pending, long Failed,
    long Rejected, long Expired, long Fills, decimal Harvested)
{
    /// <summary>Nothing at all (not even a price batch): the interval gets no line.</summary>
    public bool Idle => this == default;
}

/// <summary>Counts the product's meter (<see cref="HouseholdsMetrics"/>) in this process since the last <see cref="Take"/>.
/// A process hosting several silos (the tests) counts them all.</summary>
public sealed class ConsoleActivity : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _batches, _triggers, _decisions, _executed, _pending, _failed, _rejected, _expired, _fills;
    private long _harvestedCents;

    public ConsoleActivity()
    {
        _listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == HouseholdsMetrics.MeterName) l.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            switch (instrument.Name)
            {
                case "households.price_batches": Interlocked.Add(ref _batches, value); break;
                case "households.triggers": Interlocked.Add(ref _triggers, value); break;
                case "households.fills": Interlocked.Add(ref _fills, value); break;
                case "households.proposals": Outcome(tags, value); break;
            }
        });
        _listener.SetMeasurementEventCallback<double>((instrument, value, _, _) =>
        {
            switch (instrument.Name)
            {
                case "households.optimizer.solve_time": Interlocked.Increment(ref _decisions); break;
                case "households.harvested_losses": Interlocked.Add(ref _harvestedCents, (long)Math.Round(value * 100)); break;
            }
        });
        _listener.Start();
    }

    private void Outcome(ReadOnlySpan<KeyValuePair<string, object?>> tags, long value)
    {
        foreach (var tag in tags)
        {
            if (tag.Key != "outcome") continue;
            switch (tag.Value as string)
            {
                case "executed": Interlocked.Add(ref _executed, value); break;
                case "pending": Interlocked.Add(ref _pending, value); break;
                case "failed": Interlocked.Add(ref _failed, value); break;
                case "rejected": Interlocked.Add(ref _rejected, value); break;
                case "expired": Interlocked.Add(ref _expired, value); break;
            }
        }
    }

    /// <summary>The counts since the last call, and starts again from zero.</summary>
    public ActivityCounts Take() => new(Interlocked.Exchange(ref _batches, 0), Interlocked.Exchange(ref _triggers, 0),
        Interlocked.Exchange(ref _decisions, 0), Interlocked.Exchange(ref _executed, 0), Interlocked.Exchange(ref _pending, 0),
        Interlocked.Exchange(ref _failed, 0), Interlocked.Exchange(ref _rejected, 0), Interlocked.Exchange(ref _expired, 0),
        Interlocked.Exchange(ref _fills, 0), Interlocked.Exchange(ref _harvestedCents, 0) / 100m);

    public void Dispose() => _listener.Dispose();
}

/// <summary>The silo's console at the default level: the banner once the server listens, then a line per interval of what
/// happened (category <c>Households.Console</c>). Per-trade detail is at Debug and in the journal.</summary>
public sealed class SiloConsole(IHostApplicationLifetime lifetime, IServer server, IConfiguration config, SigningKeyInfo key,
    IOptions<AuthOptions> auth, IOptions<IdentityProviderOptions> idp, IOptions<DemoOptions> demo, IOptions<ConsoleOptions> options,
    TimeProvider clock, ILoggerFactory loggers) : BackgroundService
{
    private readonly ILogger _log = loggers.CreateLogger("Households.Console");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.SummaryInterval;
        // Listening from the start, so the first interval counts everything since the silo started.
        using var activity = interval > TimeSpan.Zero ? new ConsoleActivity() : null;
        var started = new TaskCompletionSource();
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            try { await started.Task; }
            catch (OperationCanceledException) { return; }
        }
        _log.LogInformation("{Banner}", ConsoleText.Banner(Facts(interval)));
        if (activity is null) return;
        using var timer = new PeriodicTimer(interval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var counts = activity.Take();
                if (!counts.Idle) _log.LogInformation("{Summary}", ConsoleText.Summary(clock.GetUtcNow(), counts));
            }
        }
        catch (OperationCanceledException) { }
    }

    private BannerFacts Facts(TimeSpan interval)
    {
        var profile = HostingProfile.From(config);
        var urls = server.Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
        var size = demo.Value.Enabled ? DemoFirmSeeder.Size(demo.Value) : ((int, int)?)null;
        return new BannerFacts(urls, profile.UsesPostgres, profile.ClusterId, profile.Kubernetes, Login.DevLoginAllowed(auth.Value, key),
            string.IsNullOrWhiteSpace(config["Auth:SigningKey"]), idp.Value.Configured ? idp.Value.EffectiveIssuer : null,
            size?.Item1, size?.Item2, interval);
    }
}
