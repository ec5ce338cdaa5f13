using System.Runtime.InteropServices;
using Households.Domain.Firm;
using Households.Simulation.Market;
using Households.Domain.Market;
using Households.Contracts;

namespace Households.Simulation.Firms;

/// <summary>Options of <see cref="SyntheticFirm.Build"/>.</summary>
public sealed record SyntheticFirmOptions
{
    public int Stocks { get; init; } = 4_950;
    public int Funds { get; init; } = 50;
    /// <summary>Expected share of accounts that are direct-indexing (taxable and trust accounts only).</summary>
    public double DirectIndexShare { get; init; } = 0.10;
    public int DirectIndexStocks { get; init; } = 300;
    /// <summary>Number of fund model portfolios (each 10–20 funds).</summary>
    public int FundModels { get; init; } = 8;
    public DateOnly AsOf { get; init; } = new(2026, 1, 2);

    public static SyntheticFirmOptions Default { get; } = new();
}

/// <summary>The load test's firm: a ~5,000-security universe, fund model portfolios <c>MP01…</c> of 10–20 funds
/// and a direct-indexing model <c>DI300</c> (the 300 largest stocks, cap weighted). Households of 1–5 accounts
/// of distinct types; about 90% of accounts follow a fund model (2–4 lots per fund) and about 10% (taxable and
/// trust only) direct-index (2–3 lots per stock). <see cref="Households"/> generates on the fly from the seed,
/// one household at a time, so a million accounts never sit in memory at once; every enumeration yields the
/// same firm.</summary>
public sealed class SyntheticFirm : IFirmBooks
{
    public const string DirectIndexModelId = "DI300";
    private static readonly AccountType[] AllTypes =
        [AccountType.Taxable, AccountType.Ira, AccountType.Roth, AccountType.Trust, AccountType.Education529];

    private readonly FirmBuilding _building;
    private readonly Dictionary<string, (int Security, double Weight)[]> _flat;
    private readonly string[] _fundModelIds;
    private readonly double _pDirectIndex;

    private SyntheticFirm(int accounts, int seed, SyntheticFirmOptions options)
    {
        AccountCount = accounts;
        Seed = seed;
        Options = options;
        Universe = UniverseGenerator.Generate(options.Stocks, options.Funds, seed);
        _building = new FirmBuilding(Universe, options.AsOf);

        var rng = new SeededRandom(seed, 0x30DE1);
        var funds = Enumerable.Range(0, Universe.Count)
            .Where(i => Universe[i].Kind is SecurityKind.EquityFund or SecurityKind.BondFund).ToArray();
        if (funds.Length < 10) throw new ArgumentException("A synthetic firm needs at least 10 funds.", nameof(options));
        var band = new DriftBand(0.05m, 0.25m);
        var models = new List<TargetModel>();
        for (int m = 0; m < options.FundModels; m++)
        {
            int count = rng.Next(10, Math.Min(20, funds.Length));
            var picked = funds.OrderBy(_ => rng.NextULong()).Take(count).ToArray();
            var weights = FirmBuilding.ExactWeights(picked.Select(_ => rng.Uniform(0.5, 2.0)).ToArray(), 4);
            models.Add(new TargetModel($"MP{m + 1:D2}", $"Model Portfolio {m + 1:D2}",
                [.. picked.Select((s, k) => new ModelSleeve(SleeveKind.Security, Universe[s].Symbol, weights[k], band))], false));
        }
        _fundModelIds = models.Select(m => m.Id).ToArray();
        models.Add(_building.DirectIndexModel(DirectIndexModelId, $"US Direct Index {options.DirectIndexStocks}",
            options.DirectIndexStocks, new DriftBand(0.01m, 0.5m)));
        Models = models;
        var byId = models.ToDictionary(m => m.Id);
        _flat = models.ToDictionary(m => m.Id, m => _building.Flatten(m, byId));
        // Households draw distinct types, so 2/5 of accounts are taxable or trust.
        _pDirectIndex = Math.Clamp(options.DirectIndexShare / 0.4, 0, 1);
    }

    public static SyntheticFirm Build(int accounts, int seed, SyntheticFirmOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(accounts);
        return new SyntheticFirm(accounts, seed, options ?? SyntheticFirmOptions.Default);
    }

    public int AccountCount { get; }
    public int Seed { get; }
    public SyntheticFirmOptions Options { get; }
    public SimulatedUniverse Universe { get; }
    public IReadOnlyList<Security> Securities => Universe.Securities;
    public IReadOnlyList<TargetModel> Models { get; }

    /// <summary>Streams the households (ids HH000001…), exactly <see cref="AccountCount"/> accounts in all.</summary>
    public IEnumerable<FirmHousehold> Households()
    {
        int remaining = AccountCount;
        for (int h = 0; remaining > 0; h++)
        {
            var rng = new SeededRandom(Seed, 10_000_000L + h);
            int count = Math.Min(remaining, rng.Next(1, 5));
            remaining -= count;
            yield return Household(h, count, rng);
        }
    }

    private byte[]? _counts;

    /// <summary>Number of households (computed once by drawing only each household's account count).</summary>
    public int HouseholdCount => Counts().Length;

    /// <summary>Household <paramref name="index"/> (0-based, id HH{index+1}) exactly as <see cref="Households"/> yields it,
    /// without generating the ones before it: a storage can hand any account's books to its grain on activation.</summary>
    public FirmHousehold HouseholdAt(int index)
    {
        var counts = Counts();
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, counts.Length);
        var rng = new SeededRandom(Seed, 10_000_000L + index);
        rng.Next(1, 5);
        return Household(index, counts[index], rng);
    }

    /// <summary>The household index of an id HH000123 (or an account id HH000123-…), or −1.</summary>
    public static int IndexOf(string householdOrAccountId)
    {
        var span = householdOrAccountId.AsSpan();
        if (!span.StartsWith("HH")) return -1;
        var end = span.IndexOf('-');
        var digits = end < 0 ? span[2..] : span[2..end];
        return int.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0 ? n - 1 : -1;
    }

    /// <summary>The account ids of household <paramref name="index"/>, drawn without generating its lots.</summary>
    public string[] AccountIdsAt(int index)
    {
        var counts = Counts();
        var rng = new SeededRandom(Seed, 10_000_000L + index);
        rng.Next(1, 5);
        Span<AccountType> types = stackalloc AccountType[AllTypes.Length];
        DrawTypes(types, counts[index], rng);
        var ids = new string[counts[index]];
        for (int k = 0; k < ids.Length; k++) ids[k] = $"HH{index + 1:D6}-{FirmBuilding.AccountSuffix(types[k])}";
        return ids;
    }

    private static void DrawTypes(Span<AccountType> types, int count, SeededRandom rng)
    {
        AllTypes.CopyTo(types);
        for (int k = 0; k < count; k++)
        {
            int j = k + rng.Next(types.Length - k);
            (types[k], types[j]) = (types[j], types[k]);
        }
        types[..count].Sort();
    }

    private byte[] Counts()
    {
        if (Volatile.Read(ref _counts) is { } known) return known;
        var counts = new List<byte>();
        int remaining = AccountCount;
        for (int h = 0; remaining > 0; h++)
        {
            int count = Math.Min(remaining, new SeededRandom(Seed, 10_000_000L + h).Next(1, 5));
            remaining -= count;
            counts.Add((byte)count);
        }
        Volatile.Write(ref _counts, [.. counts]);
        return _counts!;
    }

    private FirmHousehold Household(int h, int count, SeededRandom rng)
    {
        string id = $"HH{h + 1:D6}";
        Span<AccountType> types = stackalloc AccountType[AllTypes.Length];
        DrawTypes(types, count, rng);

        var accounts = new AccountOpening[count];
        var ids = new string[count];
        for (int k = 0; k < count; k++)
        {
            var type = types[k];
            bool di = type is AccountType.Taxable or AccountType.Trust && rng.Chance(_pDirectIndex);
            string modelId = di ? DirectIndexModelId : _fundModelIds[rng.Next(_fundModelIds.Length)];
            var spec = FirmBuilding.Spec(id, type, discretionary: rng.Chance(0.8), modelId, [],
                separateTaxpayer: type == AccountType.Trust && rng.Chance(0.3));
            double value = Math.Exp(Math.Log(di ? 1_000_000 : 200_000) + 0.8 * rng.Gaussian());
            accounts[k] = _building.Open(spec, value, _flat[modelId], rng,
                minLots: 2, maxLots: di ? 3 : 4, driftSd: di ? 0.15 : 0.08,
                outOfBand: rng.Chance(0.1), cashFraction: rng.Uniform(0.01, 0.03));
            ids[k] = spec.Id;
        }
        return new FirmHousehold(new HouseholdSpec(id, FirmBuilding.HouseholdName(rng), $"ADV{h % 10 + 1:D2}", ImmutableCollectionsMarshal.AsImmutableArray(ids)), accounts);
    }
}
