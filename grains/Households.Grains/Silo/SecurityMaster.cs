using Households.Contracts;
using Households.Domain.WashSales;
using Households.Grains.Securities;

namespace Households.Grains.Silo;

/// <summary>This silo's copy of the firm's security master, loaded from the universe grain, so account grains
/// can map symbols to asset classes without a message per holding.</summary>
public sealed class SecurityMaster
{
    private Dictionary<string, Security> _bySymbol = new(StringComparer.Ordinal);
    private Dictionary<string, string> _symbolByCusip = new(StringComparer.OrdinalIgnoreCase);
    private int _version = -1;
    private SubstantiallyIdentical _identical = SubstantiallyIdentical.SameSecurityOnly;

    /// <summary>The firm's substantially-identical groups, from the securities' <see cref="Security.IdenticalGroup"/>.</summary>
    public SubstantiallyIdentical Identical => Volatile.Read(ref _identical);

    public int Version => Volatile.Read(ref _version);

    public Security? Find(string symbol) => Volatile.Read(ref _bySymbol).GetValueOrDefault(symbol);

    /// <summary>The symbol of the security with this CUSIP (custodian files name securities by CUSIP), or null.</summary>
    public string? SymbolOfCusip(string cusip) => Volatile.Read(ref _symbolByCusip).GetValueOrDefault(cusip);

    public bool Contains(string symbol) => Volatile.Read(ref _bySymbol).ContainsKey(symbol);

    /// <summary>Every security of the master as loaded (a snapshot).</summary>
    public IReadOnlyCollection<Security> All => Volatile.Read(ref _bySymbol).Values;

    public void Load(UniverseSnapshot snapshot)
    {
        if (snapshot.Version <= Version) return;
        Volatile.Write(ref _bySymbol, snapshot.Securities.ToDictionary(s => s.Symbol, StringComparer.Ordinal));
        Volatile.Write(ref _symbolByCusip, snapshot.Securities.Where(s => s.Cusip is not null).DistinctBy(s => s.Cusip, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(s => s.Cusip!, s => s.Symbol, StringComparer.OrdinalIgnoreCase));
        Volatile.Write(ref _identical, new SubstantiallyIdentical(
            snapshot.Securities.Where(s => s.IdenticalGroup is not null).Select(s => (s.Symbol, s.IdenticalGroup!))));
        Volatile.Write(ref _version, snapshot.Version);
    }

    /// <summary>Loads the master once per silo (the first grain that needs it).</summary>
    public async Task EnsureLoaded(IGrainFactory grains)
    {
        if (Version < 0) Load(await grains.GetGrain<IUniverseGrain>(UniverseGrain.Key).GetAll());
    }

    /// <summary>Refreshes from the universe grain when a symbol is unknown here (another silo may have added it).</summary>
    public async Task<Security?> FindOrRefresh(string symbol, IGrainFactory grains)
    {
        if (Find(symbol) is { } known) return known;
        Load(await grains.GetGrain<IUniverseGrain>(UniverseGrain.Key).GetAll());
        return Find(symbol);
    }
}
