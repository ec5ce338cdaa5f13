using Households.Grains.Silo;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Households.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace Households.Tests.Reliability;

/// <summary>One real silo process: the built silo (<c>silo/bin/&lt;configuration&gt;/net10.0/Households.Silo.dll</c>)
/// run with <c>dotnet</c> on the PostgreSQL profile, its own ports, no simulator and no demo firm. Killed (the whole
/// process tree) on dispose, whatever the test did.</summary>
public sealed class RealSilo : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _log = [];
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int SiloPort { get; }
    public int GatewayPort { get; }
    public string Name { get; }
    public IReadOnlyList<string> Log { get { lock (_log) return [.. _log]; } }

    private RealSilo(string name, string connectionString, string clusterId, IReadOnlyDictionary<string, string> extra, (int Silo, int Gateway)? ports)
    {
        Name = name;
        SiloPort = ports?.Silo ?? FreePort();
        GatewayPort = ports?.Gateway ?? FreePort();
        var dll = SiloDll();
        var start = new ProcessStartInfo("dotnet", [dll])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var env = start.Environment;
        env["ConnectionStrings__Households"] = connectionString;
        env["Orleans__ClusterId"] = clusterId;
        env["Orleans__ServiceId"] = "households-reliability";
        env["Orleans__SiloPort"] = SiloPort.ToString();
        env["Orleans__GatewayPort"] = GatewayPort.ToString();
        env["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePort()}";
        env["ASPNETCORE_ENVIRONMENT"] = "Production";
        env["Market__Simulate"] = "false";
        env["Demo__Enabled"] = "false";
        // The tests decide at whatever hour the machine's clock says: no trading-hours gate.
        env["Market__EnforceTradingHours"] = "false";
        // The PostgreSQL profile requires a signing key once authentication is on; the tests do not use HTTP.
        env["Auth__SigningKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        env["Logging__LogLevel__Default"] = "Warning";
        env["Logging__LogLevel__Households.Grains.Silo.MonitorWatchdog"] = "Information";
        env["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        env[$"Logging__LogLevel__{typeof(Households.Grains.Household.HouseholdGrain).FullName}"] = "Warning";
        env["Logging__Console__FormatterName"] = "simple";
        foreach (var (k, v) in extra) env[k] = v;
        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => Record(e.Data);
        _process.ErrorDataReceived += (_, e) => Record(e.Data);
        _process.Exited += (_, _) => _started.TrySetException(new InvalidOperationException($"silo {Name} exited with code {_process.ExitCode}:\n{Tail()}"));
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        // Also when the test host goes down without disposing (a crash or an aborted run): no silo is left behind.
        AppDomain.CurrentDomain.ProcessExit += KillOnExit;
    }

    private void KillOnExit(object? sender, EventArgs e)
    {
        try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
    }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    private void Record(string? line)
    {
        if (line is null) return;
        lock (_log) { _log.Add($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {line}"); }
        if (line.Contains("Application started", StringComparison.Ordinal)) _started.TrySetResult();
    }

    public string Tail(int lines = 40)
    {
        lock (_log) return string.Join('\n', _log.TakeLast(lines));
    }

    /// <summary>Starts a silo and waits until its host reports started (Orleans silo up, schema applied). Given the
    /// ports of a killed silo, it restarts that silo as a deployment does: the new incarnation on the same endpoint
    /// declares the old one dead at once.</summary>
    public static async Task<RealSilo> Start(string name, string connectionString, string clusterId, IReadOnlyDictionary<string, string>? extra = null,
        (int Silo, int Gateway)? ports = null)
    {
        var silo = new RealSilo(name, connectionString, clusterId, extra ?? new Dictionary<string, string>(), ports);
        try
        {
            await silo._started.Task.WaitAsync(TimeSpan.FromMinutes(3));
            return silo;
        }
        catch (TimeoutException)
        {
            await silo.DisposeAsync();
            throw new TimeoutException($"silo {name} did not start within 3 minutes:\n{silo.Tail()}");
        }
        catch
        {
            await silo.DisposeAsync();
            throw;
        }
    }

    /// <summary>SIGKILL: no shutdown, no flush, no goodbye to the cluster.</summary>
    public void Kill()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    public ValueTask DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= KillOnExit;
        try { Kill(); } catch (InvalidOperationException) { }
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>The silo assembly built beside this test assembly: the solution's silo/bin/&lt;configuration&gt;/&lt;tfm&gt;.</summary>
    public static string SiloDll()
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var tfm = here.Name;
        var configuration = here.Parent?.Name ?? "Release";
        for (var dir = here; dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "Households.sln"))) continue;
            var dll = Path.Combine(dir.FullName, "silo", "bin", configuration, tfm, "Households.Silo.dll");
            if (File.Exists(dll)) return dll;
            throw new FileNotFoundException($"the silo is not built at {dll}: build the solution ({configuration}) first", dll);
        }
        throw new DirectoryNotFoundException($"no Households.sln above {here.FullName}");
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>An Orleans client of the real silos (gateway discovery through the AdoNet membership table).</summary>
public sealed class RealClient : IAsyncDisposable
{
    private readonly IHost _host;

    private RealClient(IHost host) => _host = host;

    public IClusterClient Client => _host.Services.GetRequiredService<IClusterClient>();

    public static async Task<RealClient> Connect(string connectionString, string clusterId, TimeSpan? responseTimeout = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Error);
        builder.UseOrleansClient(c =>
        {
            c.Configure<ClusterOptions>(o => { o.ClusterId = clusterId; o.ServiceId = "households-reliability"; });
            c.UseAdoNetClustering(o => { o.Invariant = "Npgsql"; o.ConnectionString = connectionString; });
            c.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(2));
            c.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = responseTimeout ?? TimeSpan.FromSeconds(20));
        });
        builder.Services.AddStorageExceptionSerialization();
        var host = builder.Build();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await host.StartAsync(timeout.Token);
        return new RealClient(host);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try { await _host.StopAsync(timeout.Token); } catch (Exception) { }
        _host.Dispose();
    }
}

/// <summary>Reads every household's journal and compares a replay with the live books (through the Orleans client).</summary>
public static class LiveReconciliation
{
    public static async Task<List<string>> Differences(IGrainFactory grains, Households.Persistence.Journal.IJournal journal, IEnumerable<string> householdIds)
    {
        var found = new List<string>();
        foreach (var h in householdIds)
        {
            var replay = Households.Domain.Reliability.JournalReplay.Replay(await journal.History(h));
            found.AddRange(replay.Problems.Select(p => $"{h}: {p}"));
            var spec = await grains.GetGrain<IHouseholdGrain>(h).GetSpec() ?? throw new InvalidOperationException($"household {h} lost");
            foreach (var a in spec.AccountIds)
            {
                var ledger = await grains.GetGrain<IAccountGrain>(a).GetLedger();
                replay.Accounts.TryGetValue(a, out var r);
                found.AddRange(Households.Domain.Reliability.Reconciliation.CompareAccount(r, a, ledger.Cash, ledger.Lots,
                    ledger.PendingWithdrawals.ToDictionary(p => p.IdempotencyKey, p => p.Amount), ledger.TradeKeys, ledger.TradesKeptSince).Select(d => d.ToString()));
            }
            replay.Households.TryGetValue(h, out var rh);
            found.AddRange(Households.Domain.Reliability.Reconciliation.CompareProposals(rh, h, await grains.GetGrain<IHouseholdGrain>(h).GetProposals())
                .Select(d => d.ToString()));
        }
        return found;
    }
}
