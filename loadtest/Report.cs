using System.Text.Json;

namespace Households.LoadTest;

internal static class Report
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static T Read<T>(string path) => JsonSerializer.Deserialize<T>(File.ReadAllText(path), Json)
        ?? throw new InvalidDataException($"{path} holds no result");

    public static string Write(string path, object result)
    {
        var json = JsonSerializer.Serialize(result, Json);
        File.WriteAllText(path, json);
        Console.WriteLine($"result written to {path}");
        return json;
    }

    /// <summary>Peak resident set of this process (VmHWM), in MB; the working-set peak where /proc is missing.</summary>
    public static double PeakResidentMb() => Status("VmHWM:") ?? System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0;

    public static double ResidentMb() => Status("VmRSS:") ?? System.Diagnostics.Process.GetCurrentProcess().WorkingSet64 / 1048576.0;

    private static double? Status(string field)
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
            return line is null ? null : long.Parse(line[field.Length..].Trim().Split(' ')[0]) / 1024.0;
        }
        catch (IOException) { return null; }
    }
}
