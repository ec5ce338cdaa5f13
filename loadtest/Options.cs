namespace Households.LoadTest;

/// <summary>Command-line options. Every run is bounded by <see cref="Seconds"/> (and the activation it needs).</summary>
internal sealed record LoadTestOptions
{
    public string Mode { get; init; } = "pipeline";
    public int Accounts { get; init; } = 10_000;
    public int Seconds { get; init; } = 10;
    public int IntervalMs { get; init; } = 1000;
    /// <summary>Seconds of batches before the measured run, not measured (the monitor past the crossings that follow
    /// the settling batch); the API warm-up overlaps their end.</summary>
    public int MonitorWarmupSeconds { get; init; }
    public int Seed { get; init; } = 42;
    public string Out { get; init; } = "loadtest-result.json";
    public int Workers { get; init; } = Environment.ProcessorCount;
    public int Concurrency { get; init; } = 512;
    public int ApiRps { get; init; }
    public int ApiSeconds { get; init; }
    /// <summary>What the API load GETs; <c>{id}</c> becomes a random household: the live state by default, or the full
    /// view <c>/api/households/{id}</c>.</summary>
    public string ApiPath { get; init; } = "/api/households/{id}/live";
    /// <summary>Seconds of API load at the same rate just before the measured run (connections, JIT), not measured.</summary>
    public double ApiWarmupSeconds { get; init; } = 10;
    /// <summary>Wake every household (a live-state read through the grains) before the measured run, as the watchdog's
    /// sweep does when a silo starts; otherwise the API load meets each household cold once.</summary>
    public bool ApiWake { get; init; } = true;
    /// <summary>Run the API load in a child process (<c>--mode api</c>), as a real client is: its garbage and threads are
    /// not the silo's, so a silo GC pause does not also stop the clock that measures it. False: in the silo's process.</summary>
    public bool ApiProcess { get; init; } = true;
    /// <summary><c>--mode api</c>: how many households HH000001… the paths pick from.</summary>
    public int Households { get; init; }
    /// <summary>Sample the types allocated during the measured run and print the top ones (a diagnostic).</summary>
    public bool AllocSample { get; init; }
    public string? ApiUrl { get; init; }
    public string? Token { get; init; }
    public int HttpPort { get; init; } = 5500;
    public int SiloPort { get; init; } = 11500;
    public int GatewayPort { get; init; } = 30500;
    /// <summary>Gateway ports of a running cluster on loopback (drive it through an Orleans client).</summary>
    public int[] Cluster { get; init; } = [];

    /// <summary>--books-check: the journal id after which fills are compared with the books.</summary>
    public long JournalSince { get; init; }
    /// <summary>HTTP base addresses of the cluster's silos, for their monitor figures.</summary>
    public string[] SiloUrls { get; init; } = [];
    /// <summary>Extra configuration for the in-process silo (key=value), e.g. Auth:SigningKey=… or RateLimit:Enabled=false.</summary>
    public Dictionary<string, string?> Settings { get; init; } = [];
    /// <summary>Firm-wide decisions per second the household grains may start (the optimizer); the monitor is the subject here.</summary>
    public double DecisionsPerSecond { get; init; } = 1;
    /// <summary>Where the books come from: <c>synthetic</c> (served from the seed by <see cref="SyntheticFirmStorage"/>, every
    /// account grain activated: the labelled shortcut) or <c>postgres</c> (bulk-loaded with COPY into <see cref="Connection"/>,
    /// the silo on the PostgreSQL profile, every account watched from the books' warm start: the real path).</summary>
    public string Books { get; init; } = "synthetic";
    /// <summary>The PostgreSQL connection string for <c>--books postgres</c> (default: env ConnectionStrings__Households).</summary>
    public string? Connection { get; init; }
    /// <summary>Skip the bulk load and use the books already in the database (<c>--books postgres</c>).</summary>
    public bool SkipLoad { get; init; }
    /// <summary>A named scenario (docs/samples/scenarios.json) applied in one batch after the measured run; the decisions it
    /// causes are measured until the journal is quiet (<c>--books postgres</c>).</summary>
    public string? Shock { get; init; }

    /// <summary>With <see cref="Shock"/>: after the scenario's batch, publish a batch a second moving on from the shocked
    /// prices (as a market does; the monitor's held notices come back only at a scan) and measure the decisions made in
    /// this many seconds. 0: the one batch, measured until the journal is quiet for 10 s.</summary>
    public int ShockSeconds { get; init; }
    /// <summary>A named scenario run as a firm-wide stress over live state after the measured run (issue #18 goal 8):
    /// <c>POST /api/stress</c> with <see cref="StressDecideSeconds"/>, timed from the request to the report.</summary>
    public string? Stress { get; init; }
    /// <summary>With <see cref="Stress"/>: how long the stress decides triggered households, the most at stake first.</summary>
    public double StressDecideSeconds { get; init; } = 40;
    /// <summary>Trading days of simulated market per batch: 0.05 (the default) puts 20 minutes of a trading day into each
    /// batch, a fast market; 1/23,400 is one second a second, as a live feed moves.</summary>
    public double StepDays { get; init; } = 0.05;
    /// <summary>Seconds the database is away in the outage phase (issue #18 goal 9; 0: no outage phase). Needs
    /// <see cref="OutageStop"/> and <see cref="OutageStart"/>, shell commands that stop and start the PostgreSQL server.</summary>
    public int OutageSeconds { get; init; }
    public string? OutageStop { get; init; }
    public string? OutageStart { get; init; }
    /// <summary>Seconds of the outage phase (batches, the shock's decisions, API reads and writes) before the stop.</summary>
    public int OutageLeadSeconds { get; init; } = 20;

    public static LoadTestOptions Parse(string[] args)
    {
        var o = new LoadTestOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : Fail<string>($"{args[i]} needs a value");
            int Int(int min, int max)
            {
                var name = args[i];
                return int.TryParse(Next(), out var v) && v >= min && v <= max ? v : Fail<int>($"{name} must be an integer in [{min}, {max}]");
            }
            int[] Ports(string name) =>
                [.. Next().Split(',').Select(p => int.TryParse(p, out var v) && v is > 0 and < 65536 ? v : Fail<int>($"{name} takes gateway ports, e.g. 30500,30501,30502"))];
            o = args[i] switch
            {
                "--mode" => o with { Mode = Next() is var m && m is "pipeline" or "bare" or "cluster" or "api" or "quotes" ? m : Fail<string>("--mode must be pipeline, bare, cluster, api or quotes") },
                "--accounts" => o with { Accounts = Int(1, 5_000_000) },
                "--seconds" => o with { Seconds = Int(1, 3600) },
                "--monitor-warmup-seconds" => o with { MonitorWarmupSeconds = Int(0, 3600) },
                "--interval-ms" => o with { IntervalMs = Int(10, 60_000) },
                "--seed" => o with { Seed = Int(0, int.MaxValue) },
                "--out" => o with { Out = Next() },
                "--workers" => o with { Workers = Int(1, 64) },
                "--concurrency" => o with { Concurrency = Int(1, 100_000) },
                "--api-rps" => o with { ApiRps = Int(0, 1_000_000) },
                "--api-seconds" => o with { ApiSeconds = Int(0, 3600) },
                "--api-url" => o with { ApiUrl = Next().TrimEnd('/') },
                "--api-path" => o with { ApiPath = Next() is var path && path.StartsWith('/') ? path : Fail<string>("--api-path must start with /, e.g. /api/households/{id}/live") },
                "--api-warmup-seconds" => o with { ApiWarmupSeconds = Int(0, 600) },
                "--alloc-sample" => o with { AllocSample = true },
                "--api-process" => o with { ApiProcess = Next() is var inChild && inChild is "true" or "false" ? inChild == "true" : Fail<bool>("--api-process must be true or false") },
                "--households" => o with { Households = Int(1, 10_000_000) },
                "--api-wake" => o with { ApiWake = Next() is var wake && wake is "true" or "false" ? wake == "true" : Fail<bool>("--api-wake must be true or false") },
                "--token" => o with { Token = Next() },
                "--http-port" => o with { HttpPort = Int(1, 65535) },
                "--silo-port" => o with { SiloPort = Int(1, 65535) },
                "--gateway-port" => o with { GatewayPort = Int(1, 65535) },
                "--books" => o with { Books = Next() is var books && books is "synthetic" or "postgres" ? books : Fail<string>("--books must be synthetic or postgres") },
                "--connection" => o with { Connection = Next() },
                "--skip-load" => o with { SkipLoad = true },
                "--shock" => o with { Shock = Next() },
                "--shock-seconds" => o with { ShockSeconds = Int(1, 3600) },
                "--stress" => o with { Stress = Next() },
                "--stress-decide-seconds" => o with { StressDecideSeconds = Int(0, 3600) },
                "--outage-seconds" => o with { OutageSeconds = Int(1, 600) },
                "--outage-lead-seconds" => o with { OutageLeadSeconds = Int(0, 600) },
                "--outage-stop" => o with { OutageStop = Next() },
                "--outage-start" => o with { OutageStart = Next() },
                "--decisions-per-second" => o with { DecisionsPerSecond = double.TryParse(Next(), System.Globalization.CultureInfo.InvariantCulture, out var d) && d > 0 ? d : Fail<double>("--decisions-per-second must be > 0") },
                "--step-days" => o with { StepDays = double.TryParse(Next(), System.Globalization.CultureInfo.InvariantCulture, out var sd) && sd > 0 && sd <= 1 ? sd : Fail<double>("--step-days must be in (0, 1]") },
                "--cluster" => o with { Mode = "cluster", Cluster = Ports("--cluster") },
                "--books-check" => o with { Mode = "books-check", Cluster = Ports("--books-check") },
                "--journal-since" => o with { JournalSince = long.TryParse(Next(), out var js) && js >= 0 ? js : Fail<long>("--journal-since must be a journal id (0 or more)") },
                "--silo-urls" => o with { SiloUrls = [.. Next().Split(',').Select(u => u.TrimEnd('/'))] },
                "--set" => Next() is var kv && kv.IndexOf('=') is > 0 and var eq
                    ? o with { Settings = new(o.Settings) { [kv[..eq]] = kv[(eq + 1)..] } } : Fail("--set takes key=value"),
                _ => Fail($"unknown option {args[i]}"),
            };
        }
        if (o.Token is null && Environment.GetEnvironmentVariable("HOUSEHOLDS_TOKEN") is { Length: > 0 } env) o = o with { Token = env };
        if (o.ApiRps > 0 && o.ApiSeconds == 0) o = o with { ApiSeconds = o.Seconds };
        if (o.OutageSeconds > 0 && (o.OutageStop is null || o.OutageStart is null || o.Books != "postgres"))
            Fail("--outage-seconds needs --books postgres, --outage-stop and --outage-start");
        return o;
    }

    private static LoadTestOptions Fail(string message) => Fail<LoadTestOptions>(message);

    private static T Fail<T>(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        Environment.Exit(2);
        return default!;
    }
}
