using Households.Contracts;
using Households.Domain;

namespace Households.Grains;

[GenerateSerializer]
public sealed class UniverseState
{
    [Id(0)] public int Version { get; set; }
    [Id(1)] public Dictionary<string, Security> Securities { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>The firm's security master. Each silo loads it once and refreshes on an unknown symbol.</summary>
public sealed class UniverseGrain([PersistentState("universe", "households")] IPersistentState<UniverseState> state) : Grain, IUniverseGrain
{
    public const string Key = "firm";

    public async Task<int> Upsert(Security[] securities)
    {
        foreach (var s in securities ?? throw new BadInputException("securities are required")) Validate(s);
        foreach (var s in securities) state.State.Securities[s.Symbol] = s;
        state.State.Version++;
        await state.WriteStateAsync();
        return state.State.Version;
    }

    public Task<UniverseSnapshot> GetAll() =>
        Task.FromResult(new UniverseSnapshot(state.State.Version, state.State.Securities.Values.ToArray()));

    public static void Validate(Security s)
    {
        if (s is null) throw new BadInputException("security is required");
        if (string.IsNullOrWhiteSpace(s.Symbol) || s.Symbol.Length > 32) throw new BadInputException("symbol is required (at most 32 characters)");
        if (string.IsNullOrWhiteSpace(s.AssetClass)) throw new BadInputException($"security {s.Symbol}: assetClass is required");
        if (string.IsNullOrWhiteSpace(s.Sector)) throw new BadInputException($"security {s.Symbol}: sector is required");
        if (!Enum.IsDefined(s.Kind)) throw new BadInputException($"security {s.Symbol}: unknown kind");
    }
}

/// <summary>A security: definition from the firm's master, last price from this silo's board.</summary>
public sealed class SecurityGrain(Silo.SecurityMaster master, Domain.Monitoring.PriceBoard board) : Grain, ISecurityGrain
{
    public Task<Security?> GetDefinition() => master.FindOrRefresh(this.GetPrimaryKeyString(), GrainFactory);

    public Task<SecurityQuote?> GetQuote() => Task.FromResult(board.QuoteOf(this.GetPrimaryKeyString()));
}
