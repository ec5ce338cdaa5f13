using Households.Contracts;
using Households.Domain;
using Households.Grains.Silo;
using Microsoft.Extensions.Logging;

namespace Households.Grains.Securities;

[GenerateSerializer]
public sealed class UniverseState
{
    [Id(0)] public int Version { get; set; }
    [Id(1)] public Dictionary<string, Security> Securities { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>The firm's security master. Each silo loads it once and refreshes on an unknown symbol.</summary>
public sealed class UniverseGrain([PersistentState("universe", "households")] IPersistentState<UniverseState> state, ILogger<UniverseGrain> log)
    : Grain, IUniverseGrain
{
    public const string Key = "firm";
    public const int MaxSecurities = 50_000;

    public Task<int> Upsert(Security[] securities)
    {
        if (securities is null || securities.Length == 0) throw new BadInputException("securities must not be empty");
        if (securities.Length > MaxSecurities) throw new BadInputException($"at most {MaxSecurities} securities at once");
        foreach (var s in securities) Validate(s);
        return state.WriteWithRetryAsync(async () =>
        {
            foreach (var s in securities) state.State.Securities[s.Symbol] = s;
            state.State.Version++;
            await state.WriteStateAsync();
            return state.State.Version;
        }, log, this.GetPrimaryKeyString());
    }

    public Task<UniverseSnapshot> GetAll() =>
        Task.FromResult(new UniverseSnapshot(state.State.Version, [.. state.State.Securities.Values]));

    public static void Validate(Security s)
    {
        if (s is null) throw new BadInputException("security is required");
        InputRules.Id(s.Symbol, "symbol", 32);
        InputRules.Text(s.Name, $"security {s.Symbol}: name", required: false);
        InputRules.Text(s.AssetClass, $"security {s.Symbol}: assetClass");
        InputRules.Text(s.Sector, $"security {s.Symbol}: sector");
        InputRules.OptionalId(s.IdenticalGroup, $"security {s.Symbol}: identicalGroup");
        if (!Enum.IsDefined(s.Kind)) throw new BadInputException($"security {s.Symbol}: unknown kind");
    }
}

/// <summary>A security: definition from the firm's master, last price from this silo's board.</summary>
public sealed class SecurityGrain(Silo.SecurityMaster master, Domain.Monitoring.PriceBoard board) : Grain, ISecurityGrain
{
    public Task<Security?> GetDefinition() => master.FindOrRefresh(this.GetPrimaryKeyString(), GrainFactory);

    public Task<SecurityQuote?> GetQuote() => Task.FromResult(board.QuoteOf(this.GetPrimaryKeyString()));
}
