using System.Globalization;
using System.Text.Json;
using Households.Simulation.Firms;
using Households.Simulation.Scenarios;

namespace Households.LoadTest;

/// <summary><c>--mode quotes</c>: the synthetic firm's universe at its opening prices, or with <c>--shock NAME</c> at the
/// scenario's shocked prices, as the body of <c>POST /api/prices</c> on stdout (for scripts driving a running cluster).</summary>
internal static class Quotes
{
    public static int Write(LoadTestOptions o)
    {
        var universe = SyntheticFirm.Build(o.Accounts, o.Seed).Universe;
        var start = universe.InitialPrices.ToArray();
        IReadOnlyList<double> prices = o.Shock is { } name ? ScenarioApplier.Shocked(ScenarioSet.Default[name], universe, start) : start;
        var quotes = Enumerable.Range(0, universe.Count)
            .Select(i => new { symbol = universe[i].Symbol, price = Math.Round((decimal)prices[i], 4) }).ToArray();
        Console.Out.Write(JsonSerializer.Serialize(new { quotes }));
        return 0;
    }
}
