namespace Households.Tests.Optimization;

/// <summary>Finds ../shared (next to the repository) where the real return series and problems live.</summary>
public static class SharedData
{
    public static string Root { get; } = Find();

    public static string Data(string file) => Path.Combine(Root, "data", file);
    public static string Problem(int n) => Path.Combine(Root, "optimizer", $"di_N{n}_problem.json");

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "..", "shared");
            if (File.Exists(Path.Combine(dir.FullName, "Households.sln")) && Directory.Exists(candidate)) return Path.GetFullPath(candidate);
        }
        return "/work/shared";
    }
}
