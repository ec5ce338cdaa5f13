namespace Households.Contracts;

/// <summary>The firm's risk model Σ = B F Bᵀ + diag(D), as stored and shipped between silos: exposures B (row-major,
/// securities × factors), factor covariance F (factors × factors) and specific variances D, all annualised.
/// <see cref="Source"/> is "estimated" (from price history) or "imported" (a licensed model).</summary>
[GenerateSerializer, Immutable, Alias("RiskModelData")]
public sealed record RiskModelData(
    [property: Id(0)] int Version,
    [property: Id(1)] string Source,
    [property: Id(2)] string Method,
    [property: Id(3)] string[] Symbols,
    [property: Id(4)] string[] Factors,
    [property: Id(5)] double[] Exposures,
    [property: Id(6)] double[] FactorCovariance,
    [property: Id(7)] double[] SpecificVariance,
    [property: Id(8)] RiskModelWindow? Window,
    [property: Id(9)] double ExplainedVariance,
    [property: Id(10)] DateTimeOffset EstimatedAt,
    [property: Id(11)] double? Shrinkage);

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
    [property: Id(4)] string[] Factors,
    [property: Id(5)] double ExplainedVariance,
    [property: Id(6)] int Securities,
    [property: Id(7)] DateTimeOffset? EstimatedAt,
    [property: Id(8)] double? Shrinkage);

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
