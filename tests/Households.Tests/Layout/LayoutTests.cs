using System.Text.RegularExpressions;
using Households.Domain.Monitoring;
using Households.Simulation.Firms;
using Households.Tests.Deploy;
using Xunit;

namespace Households.Tests.Layout;

/// <summary>The layout docs/architecture.md draws, checked on the assemblies and the source: the domain is pure (no
/// simulation, no grains, no Orleans runtime, no threads, no file I/O but the one the solver needs), its folders depend
/// on each other without cycles, and namespaces follow folders in every library under grains/.</summary>
public sealed class LayoutTests
{
    private static readonly string Root = DeploymentManifestTests.FindRoot();
    private static readonly string Domain = Path.Combine(Root, "grains", "Households.Domain");

    [Fact]
    public void The_domain_references_neither_the_simulation_nor_the_grains_nor_the_orleans_runtime()
    {
        var references = typeof(TriggerKernel).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.Contains("Households.Contracts", references);
        Assert.DoesNotContain("Households.Simulation", references);
        Assert.DoesNotContain("Households.Grains", references);
        Assert.DoesNotContain("Orleans.Runtime", references);
        // The other way round: the simulation builds on the domain.
        Assert.Contains("Households.Domain", typeof(DemoFirm).Assembly.GetReferencedAssemblies().Select(a => a.Name!));
    }

    [Fact]
    public void The_domain_starts_no_threads_and_reads_no_files()
    {
        var forbidden = new Regex(@"new Thread\b|\bThreadPool\.|Task\.Run\(|\bFile\.|\bDirectory\.|\bFileStream\b|\bFileInfo\b|\bHttpClient\b|\bEnvironment\.GetEnvironmentVariable|\bunsafe\b");
        var found = Sources(Domain)
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: Path.GetRelativePath(Domain, f), Line: i + 1, Text: line)))
            .Where(l => !l.Text.TrimStart().StartsWith("//", StringComparison.Ordinal) && forbidden.IsMatch(l.Text))
            .Select(l => $"{l.File}:{l.Line}")
            .ToList();
        // The one exception, justified where it stands: OR-Tools' model builder imports a quadratic model only from a file.
        Assert.Equal(["Optimization/Solvers/PdlpSolver.cs:31", "Optimization/Solvers/PdlpSolver.cs:36", "Optimization/Solvers/PdlpSolver.cs:39"],
            found.Select(f => f.Replace('\\', '/')).ToList());
    }

    [Fact]
    public void The_domain_folders_depend_on_each_other_without_a_cycle()
    {
        var uses = new Regex(@"Households\.Domain\.([A-Z]\w+)");
        var graph = Directory.GetDirectories(Domain).Select(Path.GetFileName).Where(d => d is not ("bin" or "obj")).ToDictionary(
            d => d!,
            d => Sources(Path.Combine(Domain, d!)).SelectMany(f => uses.Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value))
                .Where(u => u != d).ToHashSet());
        Assert.Contains("Market", graph["Risk"]); // the risk model reads a generated universe's factor model ...
        Assert.DoesNotContain("Risk", graph["Market"]); // ... and the market no longer reads returns (the replay moved out)
        var cycles = new List<string>();
        foreach (var start in graph.Keys)
        {
            var stack = new Stack<List<string>>([[start]]);
            while (stack.TryPop(out var path))
                foreach (var next in graph[path[^1]].Where(graph.ContainsKey))
                    if (next == start) cycles.Add(string.Join(" → ", path.Append(next)));
                    else if (!path.Contains(next)) stack.Push([.. path, next]);
        }
        Assert.Empty(cycles);
    }

    [Theory]
    [InlineData("Households.Domain")]
    [InlineData("Households.Simulation")]
    [InlineData("Households.Grains")]
    [InlineData("Households.Persistence")]
    [InlineData("Households.Auth")]
    public void Namespaces_follow_folders(string project)
    {
        var dir = Path.Combine(Root, "grains", project);
        var declared = new Regex(@"^namespace ([\w.]+);", RegexOptions.Multiline);
        var wrong = Sources(dir)
            .Select(f => (File: f, Expected: string.Join('.', new[] { project }.Concat(Path.GetRelativePath(dir, Path.GetDirectoryName(f)!)
                .Split(Path.DirectorySeparatorChar).Where(p => p != ".")))))
            .Where(f => declared.Match(File.ReadAllText(f.File)).Groups[1].Value != f.Expected)
            .Select(f => Path.GetRelativePath(dir, f.File))
            .ToList();
        Assert.Empty(wrong);
    }

    private static IEnumerable<string> Sources(string dir) =>
        Directory.EnumerateFiles(dir, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"));
}
