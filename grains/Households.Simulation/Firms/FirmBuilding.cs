using System.Collections.Immutable;
using Households.Simulation.Market;
using Households.Domain.Market;
using Households.Contracts;

namespace Households.Simulation.Firms;

/// <summary>Shared pieces of <see cref="DemoFirm"/> and <see cref="SyntheticFirm"/>: model construction,
/// flattening models of models, and opening an account near (not at) its target.</summary>
internal sealed class FirmBuilding
{
    private static readonly string[] Surnames =
    [
        "Adams", "Baker", "Chen", "Diaz", "Evans", "Fischer", "Garcia", "Hughes", "Ito", "Jensen",
        "Kowalski", "Lopez", "Morgan", "Nguyen", "Okafor", "Patel", "Quinn", "Rossi", "Schmidt", "Tanaka",
        "Underwood", "Varga", "Walsh", "Xu", "Young", "Zimmer", "Bennett", "Carter", "Dubois", "Ellis",
    ];

    private readonly double[] _volatility;

    public FirmBuilding(SimulatedUniverse universe, DateOnly asOf)
    {
        Universe = universe;
        AsOf = asOf;
        _volatility = new double[universe.Count];
        for (int i = 0; i < _volatility.Length; i++) _volatility[i] = Math.Clamp(universe.Model.Volatility(i), 0.03, 0.45);
    }

    public SimulatedUniverse Universe { get; }
    public DateOnly AsOf { get; }

    public static string HouseholdName(SeededRandom rng) => $"The {Surnames[rng.Next(Surnames.Length)]} Family";

    public static string AccountSuffix(AccountType type) => type switch
    {
        AccountType.Taxable => "TAX",
        AccountType.Ira => "IRA",
        AccountType.Roth => "ROTH",
        AccountType.Trust => "TRUST",
        _ => "529",
    };

    public static string AccountName(AccountType type) => type switch
    {
        AccountType.Taxable => "Joint Taxable",
        AccountType.Ira => "Traditional IRA",
        AccountType.Roth => "Roth IRA",
        AccountType.Trust => "Family Trust",
        _ => "529 College Savings",
    };

    /// <summary>Taxable accounts and trusts harvest (HarvestPolicy.Default, MinTax relief); retirement and 529
    /// accounts do not (HarvestPolicy.Off, FIFO).</summary>
    public static AccountSpec Spec(string householdId, AccountType type, bool discretionary, string modelId,
        IReadOnlyList<Restriction> restrictions, bool separateTaxpayer)
    {
        bool taxed = type is AccountType.Taxable or AccountType.Trust;
        return new AccountSpec($"{householdId}-{AccountSuffix(type)}", householdId, AccountName(type), type, discretionary,
            modelId, [.. restrictions], separateTaxpayer, taxed ? LotRelief.MinTax : LotRelief.Fifo,
            taxed ? HarvestPolicy.Default : HarvestPolicy.Off);
    }

    /// <summary>Decimal weights rounded to <paramref name="decimals"/> places that sum to exactly 1 (the rounding
    /// residual goes to the largest weight).</summary>
    public static decimal[] ExactWeights(IReadOnlyList<double> raw, int decimals = 6)
    {
        double total = raw.Sum();
        var w = raw.Select(x => Math.Round((decimal)(x / total), decimals, MidpointRounding.ToEven)).ToArray();
        int largest = 0;
        for (int i = 1; i < w.Length; i++) if (w[i] > w[largest]) largest = i;
        w[largest] += 1m - w.Sum();
        return w;
    }

    /// <summary>A direct-indexing model: the <paramref name="count"/> largest stocks, cap weighted.</summary>
    public TargetModel DirectIndexModel(string id, string name, int count, DriftBand band)
    {
        var top = Universe.StocksByMarketCap().Take(count).ToArray();
        if (top.Length < count) throw new ArgumentException($"The universe has only {top.Length} stocks; {count} needed.");
        var weights = ExactWeights(top.Select(i => Universe.MarketCaps[i]).ToArray());
        var sleeves = top.Select((s, k) => new ModelSleeve(SleeveKind.Security, Universe[s].Symbol, weights[k], band)).ToImmutableArray();
        return new TargetModel(id, name, sleeves, DirectIndexing: true);
    }

    /// <summary>Flattens a model to (security index, weight), expanding model sleeves recursively. Asset-class
    /// sleeves are not used by the generated firms and are rejected.</summary>
    public (int Security, double Weight)[] Flatten(TargetModel model, IReadOnlyDictionary<string, TargetModel> models)
    {
        var result = new Dictionary<int, double>();
        void Add(TargetModel m, double scale, int depth)
        {
            if (depth > 8) throw new InvalidOperationException($"Model {model.Id} nests too deeply.");
            foreach (var sleeve in m.Sleeves)
            {
                double w = scale * (double)sleeve.Weight;
                switch (sleeve.Kind)
                {
                    case SleeveKind.Security:
                        int i = Universe.IndexOf(sleeve.Key);
                        if (i < 0) throw new InvalidOperationException($"Model {m.Id} holds {sleeve.Key}, not in the universe.");
                        result[i] = result.GetValueOrDefault(i) + w;
                        break;
                    case SleeveKind.Model:
                        Add(models[sleeve.Key], w, depth + 1);
                        break;
                    default:
                        throw new NotSupportedException("Generated firms use security and model sleeves only.");
                }
            }
        }
        Add(model, 1.0, 0);
        return [.. result.Select(kv => (kv.Key, kv.Value))];
    }

    /// <summary>Opens an account worth about <paramref name="value"/> dollars at the universe's initial prices:
    /// cash of <paramref name="cashFraction"/> (plus any cash-security target), and for each target holding
    /// between <paramref name="minLots"/> and <paramref name="maxLots"/> lots whose total value is the target
    /// times a lognormal drift factor (sd <paramref name="driftSd"/>). With <paramref name="outOfBand"/> one
    /// holding is scaled ×1.8 or ×0.4. Lots were bought between about a month and four years before AsOf; each
    /// lot's basis assumes a past return of 7%·age + σ·√age·z, σ the security's model vol, so both gains and
    /// losses occur, more losses among recent lots. Securities in an excluded sector are not bought.</summary>
    public AccountOpening Open(AccountSpec spec, double value, (int Security, double Weight)[] targets, SeededRandom rng,
        int minLots, int maxLots, double driftSd, bool outOfBand, double cashFraction, string? excludedSector = null)
    {
        double cash = value * cashFraction;
        double investable = value - cash;
        int shocked = outOfBand ? rng.Next(targets.Length) : -1;
        double shock = rng.Chance(0.5) ? 1.8 : 0.4;
        var lots = new List<TaxLot>(targets.Length * maxLots);
        int lotNumber = 0;
        Span<double> split = stackalloc double[maxLots];
        for (int t = 0; t < targets.Length; t++)
        {
            var (i, weight) = targets[t];
            var security = Universe[i];
            double dollars = weight * investable;
            if (security.Kind == SecurityKind.Cash || security.Sector == excludedSector)
            {
                cash += dollars;
                continue;
            }
            dollars *= Math.Exp(driftSd * rng.Gaussian() - 0.5 * driftSd * driftSd);
            if (t == shocked) dollars *= shock;
            double price = Universe.InitialPrices[i];
            int count = rng.Next(minLots, maxLots);
            double splitTotal = 0;
            for (int k = 0; k < count; k++) splitTotal += split[k] = rng.Uniform(0.5, 1.5);
            for (int k = 0; k < count; k++)
            {
                decimal quantity = Math.Max(0.001m, Math.Round((decimal)(dollars * split[k] / splitTotal / price), 3));
                int daysAgo = rng.Next(30, 4 * 365);
                double years = daysAgo / 365.25;
                double growth = Math.Exp(0.07 * years + _volatility[i] * Math.Sqrt(years) * rng.Gaussian());
                decimal basis = Math.Max(0m, Math.Round(quantity * (decimal)(price / growth), 2));
                var purchased = AsOf.AddDays(-daysAgo);
                lots.Add(new TaxLot($"{spec.Id}-L{++lotNumber}", security.Symbol, quantity, basis, purchased, purchased));
            }
        }
        return new AccountOpening(spec, Math.Round((decimal)cash, 2), [.. lots]);
    }
}
