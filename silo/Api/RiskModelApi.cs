using Microsoft.Extensions.DependencyInjection;
using Households.Contracts;
using Households.Domain;
using Households.Domain.Risk;
using Households.Grains.Risk;
using Households.Grains.Silo;
using Households.Silo.Access;
using Microsoft.Extensions.Options;

namespace Households.Silo.Api;

/// <summary>One file of a risk-model import: its name (for messages) and its text (docs/formats.md §9).</summary>
public sealed record RiskModelFileContent(string? Name, string? Content);

/// <summary>The body of <c>POST /api/risk-model</c>: the three model files, or one return history to estimate from.</summary>
public sealed record RiskModelImportRequest(RiskModelFileContent[]? Files);

/// <summary>The firm's risk model: <c>GET /api/risk-model</c> shows the model in force; <c>POST /api/risk-model</c>
/// (admins) imports a licensed model or a return history. Bad input is a 400 problem and nothing changes.</summary>
public static class RiskModelApi
{
    public const int MaxFiles = 3;

    public static IEndpointRouteBuilder MapRiskModelApi(this IEndpointRouteBuilder api)
    {
        var riskModel = api.MapGroup("/risk-model");
        riskModel.MapGet("", async (IGrainFactory grains, SecurityRiskModels risk) =>
            Results.Ok(await grains.GetGrain<IRiskModelGrain>(RiskModelGrain.Key).GetInfo() ?? Fallback(risk)))
            .WithName("GetRiskModel").WithSummary("The risk model in force: version, source, method, window, factors, explained variance");

        riskModel.MapPost("", async (RiskModelImportRequest request, IGrainFactory grains, RiskModelService service,
            IOptions<RiskModelOptions> options, [FromKeyedServices(BusinessClock.Key)] TimeProvider clock) =>
        {
            var files = Files(request);
            var upload = RiskModelFile.Parse(files);
            var now = clock.GetUtcNow();
            RiskModelData data;
            if (upload.Returns is { } returns)
            {
                var o = options.Value;
                var estimate = RiskModelEstimator.Estimate(returns, new RiskEstimation(o.Factors, o.ExplainedVariance, o.MaxFactors));
                data = LiveRiskModel.ToData(estimate.Model, 0, RiskModelGrain.Imported, estimate.Method + " (uploaded returns)",
                    new RiskModelWindow(returns.DateAt(0), returns.DateAt(returns.Periods - 1), returns.Periods), now, estimate.Shrinkage);
            }
            else data = LiveRiskModel.ToData(upload.Model!, 0, RiskModelGrain.Imported, "imported factor model", null, now, null);
            var version = await grains.GetGrain<IRiskModelGrain>(RiskModelGrain.Key).Import(data);
            // This silo uses it at once; the others at their next poll.
            service.Install(data with { Version = version, Source = RiskModelGrain.Imported });
            return Results.Ok(LiveRiskModel.InfoOf(data with { Version = version, Source = RiskModelGrain.Imported }));
        }).WithName("ImportRiskModel").RequireAdmin()
            .WithSummary("Import a licensed factor model (exposures, factor covariance, specific risk) or a return history to estimate one from");
        return api;
    }

    private static List<(string Name, string Text)> Files(RiskModelImportRequest? request)
    {
        if (request?.Files is not { Length: > 0 } files) throw new BadInputException("files is required: the model's three CSV files, or one return history");
        if (files.Length > MaxFiles) throw new BadInputException($"at most {MaxFiles} files");
        var result = new List<(string, string)>();
        for (var i = 0; i < files.Length; i++)
        {
            var name = string.IsNullOrWhiteSpace(files[i]?.Name) ? $"file {i + 1}" : files[i]!.Name!.Trim();
            InputRules.Text(name, $"files[{i}].name");
            if (string.IsNullOrEmpty(files[i]?.Content)) throw new BadInputException($"files[{i}].content is required");
            result.Add((name, files[i]!.Content!));
        }
        return result;
    }

    /// <summary>Before any estimate or import: what the optimizer falls back to.</summary>
    private static RiskModelInfo Fallback(SecurityRiskModels risk)
    {
        var probe = risk.For([]);
        return risk.Universe is { } u
            ? new RiskModelInfo(0, "simulator", "the demo universe's factor model, then asset classes", null, [.. probe.Factors], 0, u.Count, null, null)
            : new RiskModelInfo(0, "asset-class", "one factor per asset class", null, [.. probe.Factors], 0, 0, null, null);
    }
}
