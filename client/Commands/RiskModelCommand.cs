using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;
using Households.Domain;
using Households.Domain.Risk;

namespace Households.Client.Commands;

public sealed partial class HouseholdsApiClient
{
    /// <summary>POST /api/risk-model with the files' names and text; the model now in force, as JSON.</summary>
    public async Task<string> ImportRiskModel(IReadOnlyList<(string Name, string Text)> files, CancellationToken ct)
    {
        using var response = await Http.PostAsJsonAsync("api/risk-model",
            new { files = files.Select(f => new { name = f.Name, content = f.Text }).ToArray() }, Json, ct);
        await Check(response, ct);
        return await response.Content.ReadAsStringAsync(ct);
    }

    /// <summary>GET /api/risk-model, as JSON.</summary>
    public async Task<string> GetRiskModel(CancellationToken ct)
    {
        using var response = await Http.GetAsync("api/risk-model", ct);
        await Check(response, ct);
        return await response.Content.ReadAsStringAsync(ct);
    }
}

/// <summary><c>households risk-model import FILE...</c> (docs/formats.md §9: the three model files, or one return
/// history) and <c>households risk-model show</c>. The files are checked here first: bad input is exit 2 with one line,
/// and nothing is sent.</summary>
public static class RiskModelCommand
{
    public static Command Create(ApiConnector? connect = null)
    {
        connect ??= HouseholdsApiClient.Default;
        var cmd = new Command("risk-model", "The firm's risk model: import a licensed model or a return history, or show the model in force");
        var files = new Argument<string[]>("file") { Description = "exposures, factor covariance and specific risk CSVs (any order), or one return history", Arity = ArgumentArity.OneOrMore };
        var url = HouseholdsApiClient.UrlOption();
        var token = HouseholdsApiClient.TokenOption();
        var import = new Command("import", "Import the risk model files; the model becomes the firm's next version") { files, url, token };
        import.SetAction(async (parse, ct) =>
        {
            var read = parse.GetValue(files)!.Select(p => (Path.GetFileName(p), InputFile.Read(p, RiskModelFile.MaxFileBytes))).ToList();
            RiskModelFile.Parse(read);
            var answer = await connect(parse.GetValue(url)!, parse.GetValue(token)).ImportRiskModel(read, ct);
            parse.InvocationConfiguration.Output.WriteLine(Summary(answer));
            return ExitCodes.Success;
        });
        var showUrl = HouseholdsApiClient.UrlOption();
        var showToken = HouseholdsApiClient.TokenOption();
        var show = new Command("show", "The risk model in force: version, source, method, window, factors, explained variance") { showUrl, showToken };
        show.SetAction(async (parse, ct) =>
        {
            var answer = await connect(parse.GetValue(showUrl)!, parse.GetValue(showToken)).GetRiskModel(ct);
            parse.InvocationConfiguration.Output.WriteLine(Summary(answer));
            return ExitCodes.Success;
        });
        cmd.Subcommands.Add(import);
        cmd.Subcommands.Add(show);
        return cmd;
    }

    private static string Summary(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var m = doc.RootElement;
        var window = m.TryGetProperty("window", out var w) && w.ValueKind == JsonValueKind.Object
            ? $", window {w.GetProperty("first").GetString()} to {w.GetProperty("last").GetString()} ({w.GetProperty("periods").GetInt32()} periods)" : "";
        var factors = m.GetProperty("factors").EnumerateArray().Select(f => f.GetString()).ToArray();
        return $"risk model version {m.GetProperty("version").GetInt32()}: {m.GetProperty("source").GetString()}, {m.GetProperty("method").GetString()}{window}, "
            + $"{factors.Length} factors ({string.Join(", ", factors.Take(8))}{(factors.Length > 8 ? ", …" : "")}), "
            + $"{m.GetProperty("explainedVariance").GetDouble():P1} explained, {m.GetProperty("securities").GetInt32()} securities";
    }
}
