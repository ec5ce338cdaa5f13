using System.Collections.Immutable;

namespace Households.Contracts;

/// <summary>A tolerance band around a target weight. Drift is out of band when |w − t| exceeds
/// <see cref="Absolute"/> (weight points) or <see cref="Relative"/> × t; a zero band is not used.</summary>
[GenerateSerializer, Immutable, Alias("DriftBand")]
public sealed record DriftBand(
    [property: Id(0)] decimal Absolute,
    [property: Id(1)] decimal Relative)
{
    public static DriftBand Default { get; } = new(0.05m, 0.25m);
}

[GenerateSerializer]
public enum SleeveKind
{
    Security = 0,
    AssetClass = 1,
    Model = 2,
}

/// <summary>One line of a model: a security, an asset class, or another model, at a weight.</summary>
[GenerateSerializer, Immutable, Alias("ModelSleeve")]
public sealed record ModelSleeve(
    [property: Id(0)] SleeveKind Kind,
    [property: Id(1)] string Key,
    [property: Id(2)] decimal Weight,
    [property: Id(3)] DriftBand Band);

/// <summary>A firm target model. Weights of its sleeves sum to one (cash may be a sleeve).</summary>
[GenerateSerializer, Immutable, Alias("TargetModel")]
public sealed record TargetModel(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    ImmutableArray<ModelSleeve> Sleeves,
    bool DirectIndexing)
{
    [Id(2)] public ImmutableArray<ModelSleeve> Sleeves { get => field.OrEmpty(); init; } = Sleeves;
    [Id(3)] public bool DirectIndexing { get; init; } = DirectIndexing;
}

[GenerateSerializer]
public enum DriftLevel
{
    Security = 0,
    AssetClass = 1,
    /// <summary>A direct index's one line: its tracking error to the index (weight = annualised tracking error, target 0,
    /// tolerance = the account's tracking-error band). Its per-stock lines are shown but never out of band.</summary>
    TrackingError = 2,
}

/// <summary>A flattened target weight (models of models expanded).</summary>
[GenerateSerializer, Immutable, Alias("TargetWeight")]
public sealed record TargetWeight(
    [property: Id(0)] DriftLevel Level,
    [property: Id(1)] string Key,
    [property: Id(2)] decimal Weight,
    [property: Id(3)] DriftBand Band);

/// <summary>A model resolved to security and asset-class targets, with the version it came from; <see cref="DirectIndexing"/>
/// when the model is a direct index (its per-stock lines are tracked by tracking error, not held inside bands).</summary>
[GenerateSerializer, Immutable, Alias("ResolvedTarget")]
public sealed record ResolvedTarget(
    [property: Id(0)] string ModelId,
    [property: Id(1)] int Version,
    ImmutableArray<TargetWeight> Weights,
    bool DirectIndexing = false)
{
    [Id(2)] public ImmutableArray<TargetWeight> Weights { get => field.OrEmpty(); init; } = Weights;
    [Id(3)] public bool DirectIndexing { get; init; } = DirectIndexing;
}

/// <summary>An account told that its model changed (the model itself, or a model inside it), as its journal entry records
/// it (<see cref="JournalKind.ModelChange"/>): the model it follows and the version it resolved (a model of models keeps its
/// version when a model inside it changes).</summary>
[GenerateSerializer, Immutable, Alias("ModelChangeHeard")]
public sealed record ModelChangeHeard(
    [property: Id(0)] string ModelId,
    [property: Id(1)] int Version);
