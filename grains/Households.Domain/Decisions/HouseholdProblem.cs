using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using Households.Contracts;
using Households.Domain.Accounts;
using Households.Domain.Harvesting;
using Households.Domain.Risk;
using Households.Domain.Tax;
using Households.Domain.WashSales;

namespace Households.Domain.Decisions;

/// <summary>A household decision as a file (<c>household-decision/1</c>, docs/formats.md §12): securities, prices, the firm's
/// fund substitutes, the accounts (type, settings, cash, lots, model, own policy) and the household's tax profile, policy and
/// tax budget. <c>households optimize</c> decides it with the live engine, so every term the live path uses — tax cost at the
/// household's marginal rates, asset location, the budget, the policy's views, bands and tilts — is reachable from a file.
/// The risk model is the asset-class model (a file names no factor exposures); the ledger starts empty.</summary>
public static class HouseholdProblem
{
    public const string Format = "household-decision/1";
    public const long MaxFileBytes = 64L * 1024 * 1024;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
    };

    private sealed record File(string? Format, DateOnly? AsOf, Security[]? Securities, Dictionary<string, decimal>? Prices,
        Dictionary<string, string[]>? Substitutes, Account[]? Accounts, TaxProfile? TaxProfile, InvestmentPolicy? Policy, TransitionPolicy? TaxBudget);

    private sealed record Account(string? Id, AccountType? Type, bool? Discretionary, bool? FractionalShares, bool? SeparateTaxpayer, decimal? Cash,
        decimal? CashToRaise, decimal? MinTrade, HarvestPolicy? Harvest, Restriction[]? Restrictions, InvestmentPolicy? Policy, Model? Model, TaxLot[]? Lots);

    private sealed record Model(bool? DirectIndexing, Line[]? Weights, decimal? TrackingErrorBand);

    private sealed record Line(string? Symbol, decimal? Weight, decimal? Band);

    /// <summary>The request and market the live engine decides the file's household in, under <paramref name="settings"/>.</summary>
    public static (DecisionRequest Request, DecisionMarket Market) Parse(string json, DecisionSettings settings)
    {
        File f;
        try { f = JsonSerializer.Deserialize<File>(json, Json) ?? throw new BadInputException("problem is null"); }
        catch (JsonException ex) { throw new BadInputException($"problem is not a {Format} file: {ex.Message.Split('\n')[0]}"); }
        if (f.Format != Format) throw new BadInputException($"format is '{f.Format}', expected '{Format}'");
        var asOf = f.AsOf ?? throw new BadInputException("asOf is required (YYYY-MM-DD)");
        var securities = new Dictionary<string, Security>(StringComparer.Ordinal);
        foreach (var s in f.Securities ?? throw new BadInputException("securities are required"))
        {
            if (s is null || string.IsNullOrWhiteSpace(s.Symbol)) throw new BadInputException("a security has no symbol");
            if (!Enum.IsDefined(s.Kind)) throw new BadInputException($"security {s.Symbol}: unknown kind");
            if (!securities.TryAdd(s.Symbol, s with { Name = s.Name ?? s.Symbol, AssetClass = s.AssetClass ?? "", Sector = s.Sector ?? "" }))
                throw new BadInputException($"security {s.Symbol} is listed twice");
        }
        var prices = f.Prices ?? throw new BadInputException("prices are required");
        foreach (var (symbol, price) in prices)
        {
            if (!securities.ContainsKey(symbol)) throw new BadInputException($"price of {symbol}, which is not among the securities");
            if (price <= 0) throw new BadInputException($"price of {symbol} must be above 0");
        }
        var accounts = (f.Accounts ?? throw new BadInputException("accounts are required")).Select((a, n) => Input(a, n, securities, prices)).ToArray();
        if (accounts.Length == 0) throw new BadInputException("accounts are required");
        if (accounts.Select(a => a.Spec.Id).Distinct(StringComparer.Ordinal).Count() != accounts.Length) throw new BadInputException("account ids are not unique");
        if (f.TaxProfile is { } profile) TaxProfiles.Check(profile);
        if (f.Policy is { } policy) PolicyValidation.Check(policy);
        var budget = f.TaxBudget;
        if (budget is not null) TransitionRules.Check(budget, [.. accounts.Select(a => a.Spec.Id)]);
        var substitutes = f.Substitutes ?? [];
        var table = new FundSubstitutes(substitutes.Select(kv => (kv.Key, kv.Value ?? [])));
        var ledger = new HouseholdTaxLedger();
        ledger.OpenAccounts([.. accounts.Select(a => (new AccountTaxProfile(a.Spec.Id, a.Spec.Type, a.Spec.SeparateTaxpayer), (IReadOnlyList<TaxLot>)a.Lots))]);
        var market = new DecisionMarket(s => securities.GetValueOrDefault(s), new SubstantiallyIdentical(securities.Values.Where(s => s.IdenticalGroup is not null).Select(s => (s.Symbol, s.IdenticalGroup!))),
            substitutes, new ReplacementSelector([], [], table), new SecurityRiskModels(), settings.ForHousehold(f.Policy));
        var request = new DecisionRequest("household", accounts, [], ledger, s => prices.TryGetValue(s, out var p) ? p : null, asOf,
            Profile: f.TaxProfile, Transition: budget);
        return (request, market);
    }

    private static AccountDecisionInput Input(Account? a, int n, IReadOnlyDictionary<string, Security> securities, IReadOnlyDictionary<string, decimal> prices)
    {
        if (a is null || string.IsNullOrWhiteSpace(a.Id)) throw new BadInputException($"account {n + 1} has no id");
        var type = a.Type ?? throw new BadInputException($"account {a.Id}: type is required");
        if (!Enum.IsDefined(type)) throw new BadInputException($"account {a.Id}: unknown type");
        if (a.Policy is { } policy) PolicyValidation.Check(policy);
        if (a.Cash is < 0 || a.CashToRaise is < 0 || a.MinTrade is < 0) throw new BadInputException($"account {a.Id}: cash, cashToRaise and minTrade cannot be negative");
        var lots = a.Lots ?? [];
        foreach (var l in lots)
        {
            if (l is null || string.IsNullOrWhiteSpace(l.Id)) throw new BadInputException($"account {a.Id}: a lot has no id");
            if (!securities.ContainsKey(l.Symbol ?? "") || !prices.ContainsKey(l.Symbol!)) throw new BadInputException($"account {a.Id}, lot {l.Id}: {l.Symbol} has no security or no price");
            if (l.Quantity <= 0 || l.Basis < 0) throw new BadInputException($"account {a.Id}, lot {l.Id}: quantity must be above 0 and basis at least 0");
            if (l.Purchased == default || l.HoldingSince == default) throw new BadInputException($"account {a.Id}, lot {l.Id}: purchased and holdingSince are required");
        }
        if (lots.Select(l => l.Id).Distinct(StringComparer.Ordinal).Count() != lots.Length) throw new BadInputException($"account {a.Id}: lot ids are not unique");
        ResolvedTarget? target = null;
        if (a.Model is { } m)
        {
            var lines = (m.Weights ?? throw new BadInputException($"account {a.Id}: the model has no weights")).Select(w =>
            {
                if (w is null || string.IsNullOrWhiteSpace(w.Symbol) || !securities.ContainsKey(w.Symbol)) throw new BadInputException($"account {a.Id}: a model line names no known security");
                if (w.Weight is not ({ } x and >= 0 and <= 1)) throw new BadInputException($"account {a.Id}: the weight of {w.Symbol} must be in [0, 1]");
                return new TargetWeight(DriftLevel.Security, w.Symbol, x, w.Band is { } band ? new DriftBand(band, 0m) : DriftBand.Default);
            }).ToImmutableArray();
            if (lines.Sum(l => l.Weight) > 1.000001m) throw new BadInputException($"account {a.Id}: the model's weights sum above 1");
            target = new ResolvedTarget("model:" + a.Id, 1, lines, m.DirectIndexing ?? false);
        }
        var spec = new AccountSpec(a.Id, "household", a.Id, type, a.Discretionary ?? true, target?.ModelId, [.. a.Restrictions ?? []], a.SeparateTaxpayer ?? false,
            LotRelief.MinTax, a.Harvest ?? (TaxTreatment.IsTaxable(type) ? HarvestPolicy.Default : HarvestPolicy.Off), a.FractionalShares ?? false, a.MinTrade,
            a.Model?.TrackingErrorBand, Policy: a.Policy);
        return new AccountDecisionInput(spec, a.Cash ?? 0m, [.. lots], target, a.CashToRaise ?? 0m);
    }
}
