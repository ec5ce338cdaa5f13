using Households.Contracts;

namespace Households.Domain.Models;

/// <summary>Flattens a firm model (models of models included) into security and asset-class targets.
/// Nested weights multiply; a key reached twice adds up. Asset-class targets also collect the security
/// sleeves by their asset class, so a fund model is watched at both levels.</summary>
public static class ModelResolver
{
    public const decimal WeightTolerance = 0.000001m;
    public const int MaxSleeves = 10_000;

    public static ResolvedTarget Resolve(string modelId, int version, Func<string, TargetModel?> models, Func<string, Security?> securities)
    {
        var securityLines = new Dictionary<string, (decimal Weight, DriftBand Band)>(StringComparer.Ordinal);
        var classLines = new Dictionary<string, (decimal Weight, DriftBand Band)>(StringComparer.Ordinal);
        Expand(modelId, 1m, models, securities, securityLines, classLines, []);
        var weights = new List<TargetWeight>(securityLines.Count + classLines.Count);
        weights.AddRange(securityLines.Select(kv => new TargetWeight(DriftLevel.Security, kv.Key, kv.Value.Weight, kv.Value.Band)));
        weights.AddRange(classLines.Select(kv => new TargetWeight(DriftLevel.AssetClass, kv.Key, kv.Value.Weight, kv.Value.Band)));
        return new ResolvedTarget(modelId, version, [.. weights], models(modelId)?.DirectIndexing == true);
    }

    /// <summary>Checks one model on its own: weights in [0, 1] summing to one, keys present, no self reference.</summary>
    public static void Validate(TargetModel model)
    {
        if (model is null) throw new BadInputException("model is required");
        InputRules.Id(model.Id, "model id");
        InputRules.Text(model.Name, $"model {model.Id}: name", required: false);
        if (model.Sleeves.Length == 0) throw new BadInputException($"model {model.Id}: sleeves must not be empty");
        if (model.Sleeves.Length > MaxSleeves) throw new BadInputException($"model {model.Id}: at most {MaxSleeves} sleeves");
        foreach (var s in model.Sleeves)
        {
            if (s is null) throw new BadInputException($"model {model.Id}: a sleeve is null");
            if (!Enum.IsDefined(s.Kind)) throw new BadInputException($"model {model.Id}: unknown sleeve kind");
            if (s.Kind == SleeveKind.AssetClass) InputRules.Text(s.Key, $"model {model.Id}: sleeve key");
            else InputRules.Id(s.Key, $"model {model.Id}: sleeve key");
            if (s.Weight < 0 || s.Weight > 1) throw new BadInputException($"model {model.Id}: sleeve {s.Key} weight must be in [0, 1]");
            if (s.Band is null || s.Band.Absolute < 0 || s.Band.Relative < 0) throw new BadInputException($"model {model.Id}: sleeve {s.Key} band must be >= 0");
            if (s.Kind == SleeveKind.Model && s.Key == model.Id) throw new BadInputException($"model {model.Id} contains itself");
        }
        var sum = model.Sleeves.Sum(s => s.Weight);
        if (Math.Abs(sum - 1m) > WeightTolerance) throw new BadInputException($"model {model.Id}: sleeve weights sum to {sum}, not 1");
    }

    private static void Expand(string modelId, decimal scale, Func<string, TargetModel?> models, Func<string, Security?> securities,
        Dictionary<string, (decimal, DriftBand)> securityLines, Dictionary<string, (decimal, DriftBand)> classLines, HashSet<string> path)
    {
        var model = models(modelId) ?? throw new BadInputException($"model {modelId} does not exist");
        if (!path.Add(modelId)) throw new BadInputException($"model {modelId} is part of a cycle of models");
        foreach (var sleeve in model.Sleeves)
        {
            var w = sleeve.Weight * scale;
            switch (sleeve.Kind)
            {
                case SleeveKind.Model:
                    Expand(sleeve.Key, w, models, securities, securityLines, classLines, path);
                    break;
                case SleeveKind.AssetClass:
                    AddTo(classLines, sleeve.Key, w, sleeve.Band);
                    break;
                default:
                    AddTo(securityLines, sleeve.Key, w, sleeve.Band);
                    if (securities(sleeve.Key) is { } security) AddTo(classLines, security.AssetClass, w, DriftBand.Default);
                    break;
            }
        }
        path.Remove(modelId);
    }

    private static void AddTo(Dictionary<string, (decimal Weight, DriftBand Band)> lines, string key, decimal weight, DriftBand band) =>
        lines[key] = lines.TryGetValue(key, out var existing) ? (existing.Weight + weight, existing.Band) : (weight, band);

    /// <summary>Whether two definitions say the same thing: name, direct-indexing flag and the same sleeves in the same order.</summary>
    public static bool SameContent(TargetModel a, TargetModel b) =>
        a.Id == b.Id && a.Name == b.Name && a.DirectIndexing == b.DirectIndexing && a.Sleeves.SequenceEqual(b.Sleeves);
}
