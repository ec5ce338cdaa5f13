namespace Households.Tests.Support;

/// <summary>Locates the shared real-data folder: <c>$HOUSEHOLDS_DATA</c>, else <c>shared/data</c> beside the
/// repository (CI clones the repo with <c>shared/</c> next to it), found by walking up from the test binaries.</summary>
public static class SharedData
{
    public static string Root { get; } = Find();

    public static string PathOf(string name) => System.IO.Path.Combine(Root, name);

    private static string Find()
    {
        if (Environment.GetEnvironmentVariable("HOUSEHOLDS_DATA") is { Length: > 0 } configured) return configured;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, "shared", "data");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException("shared/data not found beside the repository; set HOUSEHOLDS_DATA");
    }

    /// <summary>The shared optimizer problems folder (<c>shared/optimizer</c>).</summary>
    public static string Optimizer(string name) => System.IO.Path.Combine(Directory.GetParent(Root)!.FullName, "optimizer", name);
}
