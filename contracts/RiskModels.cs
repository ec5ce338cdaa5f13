using System.Collections.Immutable;

namespace Households.Contracts;

/// <summary>The firm's risk model Σ = B F Bᵀ + diag(D), as stored and shipped between silos: exposures B (row-major,
/// securities × factors), factor covariance F (factors × factors) and specific variances D, all annualised.
/// <see cref="Source"/> is "estimated" (from price history) or "imported" (a licensed model).</summary>
[GenerateSerializer, Immutable, Alias("RiskModelData")]
public sealed record RiskModelData(
    [property: Id(0)] int Version,
    [property: Id(1)] string Source,
    [property: Id(2)] string Method,
    ImmutableArray<string> Symbols,
    ImmutableArray<string> Factors,
    ImmutableArray<double> Exposures,
    ImmutableArray<double> FactorCovariance,
    ImmutableArray<double> SpecificVariance,
    RiskModelWindow? Window,
    double ExplainedVariance,
    DateTimeOffset EstimatedAt,
    double? Shrinkage)
{
    [Id(3)] public ImmutableArray<string> Symbols { get => field.OrEmpty(); init; } = Symbols;
    [Id(4)] public ImmutableArray<string> Factors { get => field.OrEmpty(); init; } = Factors;
    [Id(5)] public ImmutableArray<double> Exposures { get => field.OrEmpty(); init; } = Exposures;
    [Id(6)] public ImmutableArray<double> FactorCovariance { get => field.OrEmpty(); init; } = FactorCovariance;
    [Id(7)] public ImmutableArray<double> SpecificVariance { get => field.OrEmpty(); init; } = SpecificVariance;
    [Id(8)] public RiskModelWindow? Window { get; init; } = Window;
    [Id(9)] public double ExplainedVariance { get; init; } = ExplainedVariance;
    [Id(10)] public DateTimeOffset EstimatedAt { get; init; } = EstimatedAt;
    [Id(11)] public double? Shrinkage { get; init; } = Shrinkage;
}

/// <summary>The estimation window: first and last date of the returns and how many periods.</summary>
[GenerateSerializer, Immutable, Alias("RiskModelWindow")]
public sealed record RiskModelWindow(
    [property: Id(0)] DateOnly First,
    [property: Id(1)] DateOnly Last,
    [property: Id(2)] int Periods);

/// <summary>What <c>GET /api/risk-model</c> shows: the model in force without its matrices. Version 0 means none was
/// estimated or imported yet (the optimizer uses the simulator's or the asset-class model).
/// <see cref="ExplainedVariance"/> is tr(B F Bᵀ) / tr(Σ): the share of the securities' total variance the factors
/// explain.</summary>
[GenerateSerializer, Immutable, Alias("RiskModelInfo")]
public sealed record RiskModelInfo(
    [property: Id(0)] int Version,
    [property: Id(1)] string Source,
    [property: Id(2)] string Method,
    [property: Id(3)] RiskModelWindow? Window,
    ImmutableArray<string> Factors,
    double ExplainedVariance,
    int Securities,
    DateTimeOffset? EstimatedAt,
    double? Shrinkage)
{
    [Id(4)] public ImmutableArray<string> Factors { get => field.OrEmpty(); init; } = Factors;
    [Id(5)] public double ExplainedVariance { get; init; } = ExplainedVariance;
    [Id(6)] public int Securities { get; init; } = Securities;
    [Id(7)] public DateTimeOffset? EstimatedAt { get; init; } = EstimatedAt;
    [Id(8)] public double? Shrinkage { get; init; } = Shrinkage;
}

/// <summary>The firm's versioned risk model (key "firm"). Each silo's risk-model service polls the version and
/// installs a newer model; estimation runs in that service, never in a grain turn.</summary>
[Alias("IRiskModelGrain")]
public interface IRiskModelGrain : IGrainWithStringKey
{
    /// <summary>The version in force (0 before any model).</summary>
    [Alias("GetVersion")] Task<int> GetVersion();

    /// <summary>The model in force with its matrices, or null before any model.</summary>
    [Alias("Get")] Task<RiskModelData?> Get();

    /// <summary>The model in force without its matrices, or null before any model.</summary>
    [Alias("GetInfo")] Task<RiskModelInfo?> GetInfo();

    /// <summary>Replaces the model with an imported (or uploaded-history) one, validated first; returns the new
    /// version. An imported model stays in force: scheduled estimation does not replace it.</summary>
    [Alias("Import")] Task<int> Import(RiskModelData model);

    /// <summary>A silo's scheduled estimate: accepted only when the version in force is still
    /// <paramref name="basedOnVersion"/> and is not imported (so two silos estimating at once publish one model).
    /// Returns the new version, or null when refused.</summary>
    [Alias("PublishEstimate")] Task<int?> PublishEstimate(RiskModelData model, int basedOnVersion);
}
