using Households.Domain.Firm;
using Households.Simulation.Market;
using Households.Domain.Market;
using Households.Contracts;

namespace Households.Simulation.Firms;

/// <summary>Options of <see cref="DemoFirm.Build"/>.</summary>
public sealed record DemoFirmOptions
{
    public int Seed { get; init; } = 2026;
    public int Households { get; init; } = 200;
    public int Stocks { get; init; } = 500;
    /// <summary>Holdings of the direct-indexing model (the largest stocks by market cap).</summary>
    public int DirectIndexStocks { get; init; } = 150;
    /// <summary>The day the accounts are opened; lots are bought before it.</summary>
    public DateOnly AsOf { get; init; } = new(2026, 1, 2);
    /// <summary>Share of accounts opened with one holding well outside its band.</summary>
    public double OutOfBandShare { get; init; } = 0.2;

    public static DemoFirmOptions Default { get; } = new();
}

/// <summary>The demo firm. <see cref="Models"/> holds every model, including the two building-block
/// sub-models; <see cref="AccountModelIds"/> the three firm models accounts are assigned to.</summary>
public sealed record DemoFirmData(
    SimulatedUniverse Universe,
    IReadOnlyList<TargetModel> Models,
    IReadOnlyList<string> AccountModelIds,
    IReadOnlyList<FirmHousehold> Households,
    DateOnly AsOf)
{
    public IEnumerable<AccountOpening> Accounts => Households.SelectMany(h => h.Accounts);
}

/// <summary>Builds a small, deterministic firm for the embedded profile and demos: about 200 households and
/// 500 accounts of all five types, advisors ADV01–ADV10, on a universe of 500 stocks and the named funds.
/// <para>Models (five in all, three assigned to accounts):</para>
/// <list type="bullet">
/// <item><c>GLEQ</c> Global Equity and <c>CORB</c> Core Bond: fund sub-models, building blocks only.</item>
/// <item><c>GR80</c> Growth 80/20: a model of models, 0.8 × GLEQ + 0.2 × CORB.</item>
/// <item><c>BAL60</c> Balanced 60/40: ten funds (including munis and a cash sleeve) as security sleeves.</item>
/// <item><c>USDI</c> US Direct Index: the 150 largest (by default) stocks, cap weighted, band (0.01, 0.5).</item>
/// </list>
/// Fund sleeves use band (0.05, 0.25). Household HH0001 has one account of each type.</summary>
public static class DemoFirm
{
    public const string GlobalEquity = "GLEQ";
    public const string CoreBond = "CORB";
    public const string Growth8020 = "GR80";
    public const string Balanced6040 = "BAL60";
    public const string DirectIndex = "USDI";

    private static readonly DriftBand FundBand = new(0.05m, 0.25m);
    private static readonly DriftBand StockBand = new(0.01m, 0.5m);

    public static DemoFirmData Build(DemoFirmOptions? options = null)
    {
        options ??= DemoFirmOptions.Default;
        var universe = UniverseGenerator.Generate(options.Stocks, UniverseGenerator.NamedFundCount, options.Seed);
        var building = new FirmBuilding(universe, options.AsOf);
        var models = BuildModels(building, options.DirectIndexStocks);
        var byId = models.ToDictionary(m => m.Id);
        var flat = new[] { Growth8020, Balanced6040, DirectIndex }.ToDictionary(id => id, id => building.Flatten(byId[id], byId));

        var households = new List<FirmHousehold>(options.Households);
        for (int h = 0; h < options.Households; h++)
        {
            var rng = new SeededRandom(options.Seed, 1_000 + h);
            string id = $"HH{h + 1:D4}";
            var types = new List<AccountType>();
            if (h == 0 || rng.Chance(0.9)) types.Add(AccountType.Taxable);
            if (h == 0 || rng.Chance(0.7)) types.Add(AccountType.Ira);
            if (h == 0 || rng.Chance(0.4)) types.Add(AccountType.Roth);
            if (h == 0 || rng.Chance(0.2)) types.Add(AccountType.Trust);
            if (h == 0 || rng.Chance(0.25)) types.Add(AccountType.Education529);
            if (types.Count == 0) types.Add(AccountType.Ira);

            var accounts = new List<AccountOpening>(types.Count);
            foreach (var type in types)
            {
                string modelId = PickModel(type, rng);
                bool di = modelId == DirectIndex;
                bool esg = di && rng.Chance(0.15);
                var restrictions = esg
                    ? new[] { new Restriction(RestrictionKind.Exclude, null, Sectors.Energy, "ESG: no fossil fuels") }
                    : Array.Empty<Restriction>();
                var spec = FirmBuilding.Spec(id, type, discretionary: rng.Chance(0.8), modelId, restrictions,
                    separateTaxpayer: type == AccountType.Trust && rng.Chance(0.3));
                double value = Math.Exp(Math.Log(di ? 600_000 : 250_000) + 0.8 * rng.Gaussian());
                if (di) value = Math.Max(value, 150_000);
                accounts.Add(building.Open(spec, value, flat[modelId], rng,
                    minLots: di ? 1 : 2, maxLots: di ? 3 : 4, driftSd: di ? 0.15 : 0.08,
                    outOfBand: rng.Chance(options.OutOfBandShare), cashFraction: rng.Uniform(0.01, 0.03),
                    excludedSector: esg ? Sectors.Energy : null));
            }
            var household = new HouseholdSpec(id, FirmBuilding.HouseholdName(rng), $"ADV{h % 10 + 1:D2}",
                [.. accounts.Select(a => a.Spec.Id)]);
            households.Add(new FirmHousehold(household, accounts));
        }
        return new DemoFirmData(universe, models, [Growth8020, Balanced6040, DirectIndex], households, options.AsOf);
    }

    private static string PickModel(AccountType type, SeededRandom rng)
    {
        double u = rng.NextDouble();
        return type switch
        {
            AccountType.Taxable => u < 0.35 ? DirectIndex : u < 0.7 ? Growth8020 : Balanced6040,
            AccountType.Trust => u < 0.4 ? DirectIndex : Balanced6040,
            AccountType.Ira => u < 0.6 ? Growth8020 : Balanced6040,
            AccountType.Roth => Growth8020,
            _ => u < 0.7 ? Growth8020 : Balanced6040,
        };
    }

    private static List<TargetModel> BuildModels(FirmBuilding building, int directIndexStocks)
    {
        static TargetModel Funds(string id, string name, params (string Symbol, decimal Weight)[] sleeves) =>
            new(id, name, [.. sleeves.Select(s => new ModelSleeve(SleeveKind.Security, s.Symbol, s.Weight, FundBand))], false);

        var globalEquity = Funds(GlobalEquity, "Global Equity",
            ("USTM", 0.45m), ("USSC", 0.10m), ("USVL", 0.05m), ("INTL", 0.25m), ("EMKT", 0.10m), ("REIT", 0.05m));
        var coreBond = Funds(CoreBond, "Core Bond", ("AGGB", 0.50m), ("TRSY", 0.20m), ("TIPS", 0.15m), ("CORP", 0.15m));
        var growth = new TargetModel(Growth8020, "Growth 80/20",
        [
            new ModelSleeve(SleeveKind.Model, GlobalEquity, 0.8m, FundBand),
            new ModelSleeve(SleeveKind.Model, CoreBond, 0.2m, FundBand),
        ], false);
        var balanced = Funds(Balanced6040, "Balanced 60/40",
            ("APXS", 0.30m), ("USVL", 0.10m), ("USGR", 0.05m), ("INTL", 0.10m), ("EMKT", 0.05m),
            ("AGGB", 0.15m), ("MUNI", 0.10m), ("TIPS", 0.05m), ("SHRT", 0.05m), ("CASH", 0.05m));
        var direct = building.DirectIndexModel(DirectIndex, $"US Direct Index {directIndexStocks}", directIndexStocks, StockBand);
        return [globalEquity, coreBond, growth, balanced, direct];
    }
}
