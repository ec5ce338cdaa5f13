using Xunit;

namespace Households.Tests.Hostile;

/// <summary>Issue #9 asks for at least 200 generated malformed inputs across the API, the CSV importers, tax replay
/// and optimize. This suite's share (the importers are counted with their own tests) is held to its floor here,
/// so a refactoring of the generators cannot silently shrink it.</summary>
public class HostileCaseCountTests
{
    [Fact]
    public void The_generated_hostile_cases_keep_their_counts()
    {
        var api = HostileApiCases.All.Count;
        var replay = HostileReplayCases.All.Count;
        var optimize = HostileOptimizeCases.Malformed.Count + HostileOptimizeCases.Infeasible.Count;

        Assert.True(api >= 300, $"API cases: {api}");
        Assert.True(replay >= 90, $"tax replay cases: {replay}");
        Assert.True(optimize >= 60, $"optimize cases: {optimize}");
        Assert.True(api + replay + optimize >= 450, $"total {api + replay + optimize}");
        // Every endpoint family is attacked.
        foreach (var area in new[] { "households/", "trades/", "cash/", "restrictions/", "securities/", "models/", "prices/", "proposals/", "queries/" })
            Assert.True(HostileApiCases.All.Keys.Count(k => k.StartsWith(area, StringComparison.Ordinal)) >= 5, area);
    }
}
