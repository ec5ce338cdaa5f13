namespace Households.Tests.Support;

/// <summary>Finds the shared folder (<c>shared/</c> beside the repository: CI clones the repo with it next to it),
/// or <c>$HOUSEHOLDS_SHARED</c>, where the real return series and the optimizer problems live.</summary>
public static class SharedData
{
    public static string Root { get; } = Find();

    public static string Data(string file) => Path.Combine(Root, "data", file);

    public static string Problem(int n) => Path.Combine(Root, "optimizer", $"di_N{n}_problem.json");

    private static string Find()
    {
        if (Environment.GetEnvironmentVariable("HOUSEHOLDS_SHARED") is { Length: > 0 } configured) return configured;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared");
            if (Directory.Exists(Path.Combine(candidate, "data")) && Directory.Exists(Path.Combine(candidate, "optimizer"))) return candidate;
        }
        throw new DirectoryNotFoundException("shared/ (data and optimizer problems) not found beside the repository; set HOUSEHOLDS_SHARED");
    }
}
