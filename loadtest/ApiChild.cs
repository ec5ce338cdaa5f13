using System.Diagnostics;

namespace Households.LoadTest;

/// <summary>The API load as a child process of the pipeline (<c>--mode api</c>): a client of its own, as a real one is,
/// so the silo's GC pauses and thread pool do not also stall the clock that measures the silo. The child warms up,
/// says so, and then runs the measured seconds; the pipeline starts its batches at that moment.</summary>
internal sealed class ApiChild : IDisposable
{
    private readonly Process _process;
    private readonly string _out;
    private readonly TaskCompletionSource _measuring = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ApiChild(Process process, string output)
    {
        _process = process;
        _out = output;
    }

    /// <summary>Starts the child and returns once its warm-up is over (its measured seconds start now).</summary>
    public static async Task<ApiChild> Start(LoadTestOptions o, string apiUrl, int households, int seconds, string phase = "run")
    {
        var output = Path.Combine(Path.GetTempPath(), $"households-api-{Environment.ProcessId}-{phase}.json");
        var host = Environment.ProcessPath ?? "dotnet";
        var start = new ProcessStartInfo(host) { UseShellExecute = false, RedirectStandardOutput = true };
        // Run through the dotnet host (dotnet X.dll) or the app host, whichever started this process.
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") start.ArgumentList.Add(typeof(ApiChild).Assembly.Location);
        foreach (var arg in new[]
        {
            "--mode", "api", "--api-url", apiUrl, "--api-rps", $"{o.ApiRps}", "--api-seconds", $"{seconds}", "--api-path", o.ApiPath,
            "--api-warmup-seconds", $"{o.ApiWarmupSeconds}", "--households", $"{households}", "--seed", $"{o.Seed}", "--out", output,
        }) start.ArgumentList.Add(arg);
        // The token through the environment (not the command line, which other users can list); a client needs no server GC.
        start.Environment["HOUSEHOLDS_TOKEN"] = o.Token ?? "";
        start.Environment["DOTNET_gcServer"] = "0";
        var process = Process.Start(start) ?? throw new InvalidOperationException("the API load process did not start");
        var child = new ApiChild(process, output);
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is null) return;
            Console.WriteLine($"  api> {line.Data}");
            if (line.Data == ApiLoad.MeasuringLine) child._measuring.TrySetResult();
        };
        process.BeginOutputReadLine();
        var ready = await Task.WhenAny(child._measuring.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(o.ApiWarmupSeconds + 120)));
        if (ready != child._measuring.Task)
        {
            child.Dispose();
            throw new InvalidOperationException("the API load process did not finish its warm-up");
        }
        return child;
    }

    /// <summary>The child's result once its measured seconds are over.</summary>
    public async Task<ApiResult> Result()
    {
        await _process.WaitForExitAsync();
        if (_process.ExitCode != 0) throw new InvalidOperationException($"the API load process exited with {_process.ExitCode}");
        return Report.Read<ApiResult>(_out);
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
        File.Delete(_out);
    }
}
