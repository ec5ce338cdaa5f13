using Households.Contracts;
using Households.Domain.Market;

namespace Households.Domain.Harvesting;

/// <summary>The firm's table of fund substitutes: for each fund, the funds it buys (in order of preference) when it
/// harvests a loss in it. Listing a pair is the firm's judgement that the two are NOT substantially identical
/// (IRC §1091) — different index, issuer and holdings; pairs in the same identical group are refused.</summary>
public sealed class FundSubstitutes
{
    private readonly Dictionary<string, string[]> _table = new(StringComparer.Ordinal);

    public FundSubstitutes(IEnumerable<(string Fund, string[] Substitutes)> table)
    {
        foreach (var (fund, substitutes) in table)
        {
            if (string.IsNullOrWhiteSpace(fund)) throw new BadInputException("fund substitutes: empty fund symbol");
            if (substitutes.Any(s => s == fund)) throw new BadInputException($"fund substitutes: {fund} cannot substitute for itself");
            if (!_table.TryAdd(fund, [.. substitutes])) throw new BadInputException($"fund substitutes: {fund} is listed twice");
        }
    }

    public static FundSubstitutes Empty { get; } = new([]);

    /// <summary>Substitutes for the generated universe's named funds (<c>Households.Simulation.Market.UniverseGenerator</c>), two to four per
    /// fund so a family outlasts a fall (each member sold at a loss is out of reach for 31 days, and one held close to a
    /// harvestable loss is not bought): with two or three, a long fall (gfc-2008) ended with most accounts out of band. The two S&amp;P 500
    /// funds APXS and KSTF are substantially identical to each other, so neither substitutes for the other; a
    /// total-market, broad-market or large-cap core fund tracks a different index. INTL, EMKT and the sector funds but
    /// XREA have no close different-index fund in the menu and are not harvested.</summary>
    public static FundSubstitutes Default { get; } = new(
    [
        ("USTM", ["USBM", "USLC", "APXS", "USCE"]),
        ("USBM", ["USTM", "USLC", "APXS", "USCE"]),
        ("APXS", ["USLC", "USBM", "USTM", "USCE"]),
        ("KSTF", ["USLC", "USBM", "USTM", "USCE"]),
        ("USLC", ["USBM", "USTM", "APXS", "USCE"]),
        ("USSC", ["USSA", "USMC"]),
        ("USSA", ["USSC", "USMC"]),
        ("USMC", ["USSC", "USSA"]),
        ("USVL", ["USVA", "USVB"]),
        ("USVA", ["USVL", "USVB"]),
        ("USGR", ["USGA", "USGB"]),
        ("USGA", ["USGR", "USGB"]),
        ("USCE", ["USLC", "USBM", "USTM", "APXS"]),
        ("USVB", ["USVL", "USVA"]),
        ("USGB", ["USGR", "USGA"]),
        ("AGGB", ["AGGA", "CORP", "TRSY"]),
        ("AGGA", ["AGGB", "CORP", "TRSY"]),
        ("TRSY", ["AGGB", "AGGA"]),
        ("CORP", ["AGGB", "AGGA"]),
        ("TIPS", ["TRSY", "AGGA"]),
        ("SHRT", ["TRSY", "AGGA"]),
        ("MUNI", ["MUNA"]),
        ("MUNA", ["MUNI"]),
        ("REIT", ["REIA", "XREA"]),
        ("REIA", ["REIT", "XREA"]),
        ("XREA", ["REIT", "REIA"]),
    ]);

    public IReadOnlyList<string> Of(string fund) => _table.TryGetValue(fund, out var s) ? s : [];

    public IEnumerable<(string Fund, string[] Substitutes)> Entries => _table.Select(kv => (kv.Key, kv.Value));
}

/// <summary>
/// Chooses what to buy after harvesting a loss so the account keeps its exposure without buying anything substantially
/// identical:
/// <list type="bullet">
/// <item>a stock (direct indexing): the stock of the same sector whose factor exposures (market beta, size, value,
/// momentum, rates) are closest in Euclidean distance, with a different wash-sale key;</item>
/// <item>a fund: the firm's <see cref="FundSubstitutes"/> in their order.</item>
/// </list>
/// A choice in a buy blackout (<c>isBlocked</c>: buying it would wash an open loss of the household) or excluded by
/// the account's restrictions (<c>isExcluded</c>) is passed over for the next. Stock rankings are computed once, in
/// the constructor, so <see cref="Choose"/> allocates only its answer. Thread-safe after construction.
/// </summary>
public sealed class ReplacementSelector
{
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
    private readonly Security[] _securities;
    private readonly int[][] _ranked;
    private readonly double[][] _distances;
    private readonly FundSubstitutes _substitutes;
    private readonly double[][] _exposures;
    private readonly Dictionary<string, int[]> _bySector;
    private readonly Func<string, string> _washSaleKey;

    /// <param name="securities">the securities that may be bought as replacements (and sold).</param>
    /// <param name="exposures">one exposure vector per security (same length for all).</param>
    /// <param name="neighbours">how many same-sector stocks to rank per stock.</param>
    public ReplacementSelector(IReadOnlyList<Security> securities, IReadOnlyList<double[]> exposures, FundSubstitutes? substitutes = null,
        Func<string, string>? washSaleKey = null, int neighbours = 16)
    {
        ArgumentNullException.ThrowIfNull(securities);
        ArgumentNullException.ThrowIfNull(exposures);
        if (securities.Count != exposures.Count) throw new ArgumentException("One exposure vector per security is needed.");
        washSaleKey ??= s => s;
        _securities = [.. securities];
        _substitutes = substitutes ?? FundSubstitutes.Empty;
        for (int i = 0; i < _securities.Length; i++)
            if (!_index.TryAdd(_securities[i].Symbol, i)) throw new ArgumentException($"Duplicate symbol {_securities[i].Symbol}.");

        _ranked = new int[_securities.Length][];
        _distances = new double[_securities.Length][];
        var bySector = _securities.Select((s, i) => (s, i)).Where(x => x.s.Kind == SecurityKind.Stock)
            .GroupBy(x => x.s.Sector).ToDictionary(g => g.Key, g => g.Select(x => x.i).ToArray());
        _exposures = [.. exposures];
        _bySector = bySector;
        _washSaleKey = washSaleKey;
        for (int i = 0; i < _securities.Length; i++)
        {
            var s = _securities[i];
            if (s.Kind != SecurityKind.Stock || !bySector.TryGetValue(s.Sector, out var peers)) { _ranked[i] = []; _distances[i] = []; continue; }
            var key = washSaleKey(s.Symbol);
            var scored = peers.Where(j => j != i && washSaleKey(_securities[j].Symbol) != key)
                .Select(j => (j, d: Distance(exposures[i], exposures[j])))
                .OrderBy(x => x.d).ThenBy(x => x.j).Take(neighbours).ToArray();
            _ranked[i] = scored.Select(x => x.j).ToArray();
            _distances[i] = scored.Select(x => x.d).ToArray();
        }
    }

    /// <summary>A selector over a generated universe: exposures are (beta, size, value, momentum, rates) of its factor
    /// model; <paramref name="pool"/> limits the securities considered (default all).</summary>
    public static ReplacementSelector FromUniverse(SimulatedUniverse universe, FundSubstitutes? substitutes = null,
        IEnumerable<int>? pool = null, Func<string, string>? washSaleKey = null)
    {
        ArgumentNullException.ThrowIfNull(universe);
        var indices = (pool ?? Enumerable.Range(0, universe.Count)).Distinct().Order().ToArray();
        var exposures = universe.Model.Exposures;
        var vectors = new double[indices.Length][];
        for (int k = 0; k < indices.Length; k++)
        {
            var e = exposures[indices[k]];
            vectors[k] = [e.Market, e.Size, e.Value, e.Momentum, e.Rates];
        }
        washSaleKey ??= s => universe[universe.IndexOf(s)].WashSaleKey;
        return new ReplacementSelector(indices.Select(i => universe[i]).ToArray(), vectors, substitutes, washSaleKey);
    }

    /// <summary>A selector over any universe from the firm's risk model: the stocks of <paramref name="securities"/> the
    /// model covers, each with its row of exposures B (an estimated model's principal components or an imported model's
    /// factors). Stocks the model does not cover are not ranked (they fall back to the asset-class risk model, which has
    /// no exposures to compare).</summary>
    public static ReplacementSelector FromModel(Risk.FactorRiskModel model, IEnumerable<Security> securities, FundSubstitutes? substitutes = null,
        Func<string, string>? washSaleKey = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(securities);
        var covered = securities.Where(s => s.Kind == SecurityKind.Stock && model.Contains(s.Symbol))
            .DistinctBy(s => s.Symbol).OrderBy(s => s.Symbol, StringComparer.Ordinal).ToArray();
        var vectors = new double[covered.Length][];
        for (int i = 0; i < covered.Length; i++)
        {
            var r = model.IndexOf(covered[i].Symbol);
            vectors[i] = new double[model.K];
            for (int j = 0; j < model.K; j++) vectors[i][j] = model.B[r, j];
        }
        return new ReplacementSelector(covered, vectors, substitutes, washSaleKey);
    }

    public bool Knows(string symbol) => _index.ContainsKey(symbol);

    /// <summary>The firm's fund substitute table this selector uses.</summary>
    public FundSubstitutes Substitutes => _substitutes;

    /// <summary>The firm's substitute table for a fund: the securities that track its market but are not substantially
    /// identical to it (empty for stocks and funds without one).</summary>
    public IReadOnlyList<string> SubstitutesOf(string fund) => _substitutes.Of(fund);

    /// <summary>The ranked replacements of <paramref name="sold"/>, best first (stocks: same sector by exposure
    /// distance; funds: the substitute table).</summary>
    public IReadOnlyList<string> Ranked(string sold)
    {
        if (_index.TryGetValue(sold, out var i) && _securities[i].Kind == SecurityKind.Stock)
            return _ranked[i].Select(j => _securities[j].Symbol).ToArray();
        return _substitutes.Of(sold);
    }

    /// <summary>The first ranked replacement that is neither blocked nor excluded, or none.</summary>
    public ReplacementChoice Choose(string sold, Func<string, bool>? isBlocked = null, Func<string, bool>? isExcluded = null)
    {
        List<string>? passed = null;
        if (_index.TryGetValue(sold, out var i) && _securities[i].Kind == SecurityKind.Stock)
        {
            var ranked = _ranked[i];
            for (int k = 0; k < ranked.Length; k++)
            {
                var symbol = _securities[ranked[k]].Symbol;
                var why = Refusal(symbol, isBlocked, isExcluded);
                if (why is null)
                    return new ReplacementChoice(sold, symbol,
                        $"closest {_securities[i].Sector} stock by factor exposure (distance {_distances[i][k]:0.###})",
                        passed is null ? [] : [.. passed], _distances[i][k]);
                (passed ??= []).Add($"{symbol} ({why})");
            }
            return new ReplacementChoice(sold, null, $"no allowed {_securities[i].Sector} stock among the {ranked.Length} closest",
                passed is null ? [] : [.. passed], double.NaN);
        }
        var substitutes = _substitutes.Of(sold);
        foreach (var symbol in substitutes)
        {
            var why = Refusal(symbol, isBlocked, isExcluded);
            if (why is null)
                return new ReplacementChoice(sold, symbol, $"firm substitute for {sold} (not substantially identical)",
                    passed is null ? [] : [.. passed], 0);
            (passed ??= []).Add($"{symbol} ({why})");
        }
        return new ReplacementChoice(sold, null,
            substitutes.Count == 0 ? $"the firm lists no substitute for {sold}" : $"every substitute for {sold} is blocked or excluded",
            passed is null ? [] : [.. passed], double.NaN);
    }

    /// <summary>Up to <paramref name="count"/> allowed replacements of a stock, best first, preferring ones not in
    /// <paramref name="taken"/> (already chosen for another sold stock, so each harvested name keeps a name of its own): the
    /// ranked neighbours, then the rest of its sector by exposure distance (a direct index that holds most of a sector at a
    /// loss blocks all of the closest ones). Funds: the first allowed substitute. Empty when none is allowed.</summary>
    public IReadOnlyList<string> ChooseSeveral(string sold, int count, Func<string, bool>? isBlocked = null, IReadOnlySet<string>? taken = null)
    {
        if (!_index.TryGetValue(sold, out var i) || _securities[i].Kind != SecurityKind.Stock)
            return Choose(sold, isBlocked).Symbol is { } fund ? [fund] : [];
        var key = _washSaleKey(_securities[i].Symbol);
        var sector = _bySector.TryGetValue(_securities[i].Sector, out var peers) ? peers : [];
        var ordered = _ranked[i].Concat(sector.Where(j => j != i && !_ranked[i].Contains(j) && _washSaleKey(_securities[j].Symbol) != key)
            .OrderBy(j => Distance(_exposures[i], _exposures[j])).ThenBy(j => j));
        var allowed = new List<string>(count);
        var spare = new List<string>(count);
        foreach (var j in ordered)
        {
            var symbol = _securities[j].Symbol;
            if (isBlocked?.Invoke(symbol) == true) continue;
            if (taken?.Contains(symbol) == true) { if (spare.Count < count) spare.Add(symbol); continue; }
            allowed.Add(symbol);
            if (allowed.Count == count) break;
        }
        return [.. allowed.Concat(spare).Take(count)];
    }

    /// <summary>Index-only variant for hot loops: the position (in this selector's securities) of the first allowed
    /// ranked stock replacement of security <paramref name="sold"/>, or −1; <paramref name="passedOver"/> counts the
    /// better-ranked choices refused by <paramref name="isBlocked"/>.</summary>
    public int ChooseIndex(int sold, Func<int, bool> isBlocked, out int passedOver)
    {
        passedOver = 0;
        var ranked = _ranked[sold];
        for (int k = 0; k < ranked.Length; k++)
        {
            if (!isBlocked(ranked[k])) return ranked[k];
            passedOver++;
        }
        return -1;
    }

    public int IndexOf(string symbol) => _index.TryGetValue(symbol, out var i) ? i : -1;

    public IReadOnlyList<Security> Securities => _securities;

    private static string? Refusal(string symbol, Func<string, bool>? isBlocked, Func<string, bool>? isExcluded) =>
        isExcluded?.Invoke(symbol) == true ? "excluded" : isBlocked?.Invoke(symbol) == true ? "buy blackout" : null;

    private static double Distance(double[] a, double[] b)
    {
        double d = 0;
        for (int k = 0; k < a.Length; k++) d += (a[k] - b[k]) * (a[k] - b[k]);
        return Math.Sqrt(d);
    }
}
