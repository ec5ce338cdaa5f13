using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Households.Domain;
using Households.Domain.Decisions;
using Households.Domain.Optimization;
using Households.Domain.Optimization.Solvers;

namespace Households.Client.Commands;

/// <summary><c>households optimize PROBLEM.json [--json] [--solver ipm|pdlp] [--policy POLICY.json]</c> (FORMATS.md §2); a
/// <c>household-decision/1</c> file (docs/formats.md §12) is decided by the live engine and printed as a preview.</summary>
public static class OptimizeCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("problem") { Description = "a di-rebalance-qp/1 problem file, or a household-decision/1 household" };
        var json = new Option<bool>("--json") { Description = "print the result as JSON" };
        var solverOpt = new Option<string>("--solver") { Description = "ipm (default) or pdlp (OR-Tools, first-order)", DefaultValueFactory = _ => "ipm" };
        var policyOpt = new Option<string?>("--policy") { Description = "an investment policy (JSON, as PUT /api/households/{id}/policy takes): tracking-error weight, views, factor tilts, name cap, sector band, excluded sectors" };
        var cmd = new Command("optimize", "Solve a direct-indexing rebalance problem (di-rebalance-qp/1)") { file, json, solverOpt, policyOpt };
        cmd.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            string path = parse.GetValue(file)!;
            IQpSolver solver = parse.GetValue(solverOpt) switch
            {
                "ipm" => new InteriorPointSolver(),
                "pdlp" => new PdlpSolver(),
                var s => throw new BadInputException($"unknown solver '{s}' (ipm or pdlp)"),
            };
            var text = InputFile.Read(path, Math.Max(DiRebalanceProblem.MaxFileBytes, HouseholdProblem.MaxFileBytes));
            if (IsHousehold(text))
            {
                // A whole household: the live engine decides it (every term of the live path), printed as a preview.
                if (parse.GetValue(policyOpt) is not null) throw new BadInputException("--policy is for di-rebalance-qp/1 problems; a household file carries its own policy");
                var (request, market) = HouseholdProblem.Parse(text, Households.Domain.Decisions.DecisionSettings.Default);
                var plan = Households.Domain.Decisions.DecisionEngine.Decide(request, market);
                var preview = Households.Domain.Decisions.PlanPreview.Of(request, market, plan);
                if (parse.GetValue(json)) output.WriteLine(JsonSerializer.Serialize(preview, HouseholdsApiClient.Json));
                else PreviewCommand.Render(preview, output);
                return plan.Record.Outcome == Households.Contracts.DecisionOutcome.NoPlan ? ExitCodes.Infeasible : ExitCodes.Success;
            }
            var problem = DiRebalanceProblem.Parse(text);
            var policy = parse.GetValue(policyOpt) is { } policyPath ? ReadPolicy(policyPath) : null;
            var result = problem.Solve(solver, policy);
            bool optimal = result.Status == QpStatus.Optimal;
            if (parse.GetValue(json)) output.WriteLine(ToJson(result));
            else if (optimal)
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"optimal: objective {result.Objective:R}, tracking error {result.TrackingError:P3}, {result.Weights.Count(w => w > 1e-6)} names held, solved in {result.SolveMilliseconds:F1} ms ({result.Solver}, {result.Iterations} iterations)"));
            else output.WriteLine(result.Status == QpStatus.Infeasible ? "infeasible: no weights satisfy the constraints" : "not converged: the solver stopped without an optimal solution");
            return result.Status switch
            {
                QpStatus.Optimal => ExitCodes.Success,
                QpStatus.Infeasible => ExitCodes.Infeasible,
                _ => ExitCodes.Failure,
            };
        });
        return cmd;
    }

    /// <summary>Whether the file is a <c>household-decision/1</c> problem (else it is read as <c>di-rebalance-qp/1</c>).</summary>
    private static bool IsHousehold(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("format", out var f)
                && f.ValueKind == JsonValueKind.String && f.GetString() == HouseholdProblem.Format;
        }
        catch (JsonException) { return false; }
    }

    private static Households.Contracts.InvestmentPolicy ReadPolicy(string path)
    {
        var text = InputFile.Read(path, 1024 * 1024);
        try
        {
            var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow };
            options.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
            return JsonSerializer.Deserialize<Households.Contracts.InvestmentPolicy>(text, options) ?? throw new BadInputException($"{path}: the policy is null");
        }
        catch (JsonException ex) { throw new BadInputException($"{path}: not an investment policy: {ex.Message.Split('\n')[0]}"); }
    }

    private static string ToJson(DiSolution r)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteString("status", r.Status switch { QpStatus.Optimal => "optimal", QpStatus.Infeasible => "infeasible", _ => "not_converged" });
            if (r.Status == QpStatus.Optimal)
            {
                w.WriteNumber("objective", r.Objective);
                w.WriteNumber("tracking_error", r.TrackingError);
                w.WriteStartArray("weights");
                foreach (var x in r.Weights) w.WriteNumberValue(x);
                w.WriteEndArray();
            }
            w.WriteNumber("solve_ms", r.SolveMilliseconds);
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(ms.ToArray());
    }
}
