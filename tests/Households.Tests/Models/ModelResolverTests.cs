using Households.Contracts;
using Households.Domain;
using Households.Domain.Models;
using Xunit;

namespace Households.Tests.Models;

public sealed class ModelResolverTests
{
    private static readonly DriftBand Band = new(0.05m, 0.25m);
    private static readonly Dictionary<string, Security> Securities = new()
    {
        ["VTI"] = new("VTI", "US total market", "US Equity", "Diversified", null, SecurityKind.EquityFund),
        ["VXUS"] = new("VXUS", "International", "Intl Equity", "Diversified", null, SecurityKind.EquityFund),
        ["BND"] = new("BND", "US bonds", "US Bonds", "Diversified", null, SecurityKind.BondFund),
    };

    private static TargetModel Model(string id, params ModelSleeve[] sleeves) => new(id, id, [.. sleeves], false);
    private static ModelSleeve S(SleeveKind kind, string key, decimal weight) => new(kind, key, weight, Band);

    [Fact]
    public void Model_of_models_multiplies_weights_and_adds_up_repeated_keys()
    {
        var equity = Model("EQ", S(SleeveKind.Security, "VTI", 0.7m), S(SleeveKind.Security, "VXUS", 0.3m));
        var bonds = Model("FI", S(SleeveKind.Security, "BND", 1m));
        var growth = Model("GR", S(SleeveKind.Model, "EQ", 0.8m), S(SleeveKind.Model, "FI", 0.1m),
            S(SleeveKind.Security, "VTI", 0.1m));
        var models = new[] { equity, bonds, growth }.ToDictionary(m => m.Id);

        var target = ModelResolver.Resolve("GR", 3, models.GetValueOrDefault, Securities.GetValueOrDefault);

        Assert.Equal(3, target.Version);
        decimal W(DriftLevel level, string key) => Assert.Single(target.Weights, w => w.Level == level && w.Key == key).Weight;
        Assert.Equal(0.66m, W(DriftLevel.Security, "VTI"));   // 0.8 × 0.7 + 0.1
        Assert.Equal(0.24m, W(DriftLevel.Security, "VXUS"));  // 0.8 × 0.3
        Assert.Equal(0.10m, W(DriftLevel.Security, "BND"));
        Assert.Equal(0.66m, W(DriftLevel.AssetClass, "US Equity"));
        Assert.Equal(1m, target.Weights.Where(w => w.Level == DriftLevel.Security).Sum(w => w.Weight));
    }

    [Fact]
    public void Cycles_and_missing_models_are_bad_input()
    {
        var a = Model("A", S(SleeveKind.Model, "B", 1m));
        var b = Model("B", S(SleeveKind.Model, "A", 1m));
        var models = new[] { a, b }.ToDictionary(m => m.Id);
        Assert.Contains("cycle", Assert.Throws<BadInputException>(() => ModelResolver.Resolve("A", 1, models.GetValueOrDefault, Securities.GetValueOrDefault)).Message);
        Assert.Contains("does not exist", Assert.Throws<BadInputException>(() => ModelResolver.Resolve("Z", 1, models.GetValueOrDefault, Securities.GetValueOrDefault)).Message);
    }

    [Theory]
    [InlineData(0.5, 0.4)]
    [InlineData(0.7, 0.4)]
    [InlineData(-0.1, 1.1)]
    public void Weights_must_sum_to_one_and_lie_in_zero_one(decimal first, decimal second)
    {
        var model = Model("X", S(SleeveKind.Security, "VTI", first), S(SleeveKind.Security, "BND", second));
        Assert.Throws<BadInputException>(() => ModelResolver.Validate(model));
    }
}
