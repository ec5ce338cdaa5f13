using Households.Contracts;
using Households.Domain.Lots;
using Households.Domain.Monitoring;
using Xunit;

namespace Households.Tests.Monitoring;

/// <summary>The warm start keeps one copy of the snapshot tables accounts hold alike (a model's drift lines, the held
/// symbols): accounts on one model that hold what it targets share them, an account holding something else keeps its own,
/// and a shared snapshot measures exactly what its own tables would.</summary>
public sealed class SharedTablesTests
{
    private static readonly DateOnly Day = new(2025, 1, 2);
    private static readonly Dictionary<string, Security> Securities = new()
    {
        ["EQ"] = new("EQ", "Equity fund", "US Equity", "Diversified", null, SecurityKind.EquityFund),
        ["BD"] = new("BD", "Bond fund", "US Bonds", "Diversified", null, SecurityKind.BondFund),
        ["GOLD"] = new("GOLD", "Gold trust", "Commodities", "Metals", null, SecurityKind.EquityFund),
    };
    private static readonly ResolvedTarget SixtyForty = new("M", 1,
    [
        new TargetWeight(DriftLevel.Security, "EQ", 0.6m, new DriftBand(0.05m, 0.25m)),
        new TargetWeight(DriftLevel.Security, "BD", 0.4m, new DriftBand(0.05m, 0.25m)),
        new TargetWeight(DriftLevel.AssetClass, "US Equity", 0.6m, DriftBand.Default),
        new TargetWeight(DriftLevel.AssetClass, "US Bonds", 0.4m, DriftBand.Default),
    ]);

    private static AccountSnapshot Build(string id, SecurityIndex index, SharedTables? shared, params (string Symbol, decimal Quantity)[] holdings) =>
        AccountSnapshot.Build(id, 1_000m, CompactLots.From(id, [.. holdings.Select((h, i) => new TaxLot($"{id}-L{i + 1}", h.Symbol, h.Quantity, h.Quantity * 90m, Day, Day))
                .Select(l => new LotPiece(l, l.Id))]),
            SixtyForty, HarvestPolicy.Off, Securities.GetValueOrDefault, index, shared: shared);

    [Fact]
    public void Accounts_on_one_model_holding_what_it_targets_share_their_tables_and_measure_the_same()
    {
        var index = new SecurityIndex();
        var shared = new SharedTables();
        var a = Build("A", index, shared, ("EQ", 60), ("BD", 40));
        var b = Build("B", index, shared, ("EQ", 600), ("BD", 350));
        var c = Build("C", index, shared, ("EQ", 60), ("BD", 40), ("GOLD", 5)); // off the model: a line of its own
        var alone = Build("B", index, null, ("EQ", 600), ("BD", 350));

        Assert.Same(a.Lines, b.Lines);
        Assert.Same(a.LineKeys, b.LineKeys);
        Assert.Same(a.LineLevels, b.LineLevels);
        Assert.Same(a.PositionSymbols, b.PositionSymbols);
        Assert.NotSame(a.Lines, c.Lines);
        Assert.NotSame(a.LineKeys, c.LineKeys);
        Assert.Equal(["EQ", "BD", "US Equity", "US Bonds", "GOLD", "Commodities"], c.LineKeys);
        Assert.NotSame(b.Lines, alone.Lines);
        // Three accounts offered five tables each (their tracking rows are empty: no direct index); A and B share theirs.
        Assert.Equal(12, shared.Offered);
        Assert.Equal(8, shared.Distinct);

        // Shared or not, B measures the same: EQ 600 × 100 + BD 350 × 100 + 1,000 cash = 96,000; EQ at 62.5 %.
        var prices = new double[index.Count];
        prices[index.OrdinalOf("EQ")] = 100;
        prices[index.OrdinalOf("BD")] = 100;
        prices[index.OrdinalOf("GOLD")] = 50;
        var shown = TriggerKernel.DriftLines(b, prices);
        Assert.Equal(TriggerKernel.DriftLines(alone, prices), shown);
        Assert.Equal(60_000.0 / 96_000.0, Assert.Single(shown, l => l.Key == "EQ").Weight, 12);
        Assert.Equal(a.Lines, alone.Lines); // equal content, so B could take A's copy
    }
}
