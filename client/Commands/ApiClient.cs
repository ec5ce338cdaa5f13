using System.CommandLine;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Households.Contracts;
using Households.Domain;
using Households.Domain.Import;

namespace Households.Client.Commands;

/// <summary>How a command reaches the API: the real CLI builds an HTTP client from <c>--url</c> and <c>--token</c>;
/// tests pass one that wraps a test server's <see cref="HttpClient"/>.</summary>
public delegate HouseholdsApiClient ApiConnector(string url, string? token);

/// <summary>The server answered with an error that is not bad input (unauthorized, forbidden, a server fault): exit 1.</summary>
public sealed class ApiFailureException(string message) : Exception(message);

public sealed partial class HouseholdsApiClient
{
    public static readonly ApiConnector Default = For;

    public static Option<string?> TokenOption() => new("--token")
    {
        Description = "Bearer token for the API (default: environment variable HOUSEHOLDS_TOKEN)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("HOUSEHOLDS_TOKEN"),
    };

    /// <summary>A client of the API at <paramref name="url"/> that sends <paramref name="token"/> as a bearer token.</summary>
    public static HouseholdsApiClient For(string url, string? token)
    {
        var client = For(url);
        if (!string.IsNullOrWhiteSpace(token))
        {
            if (token.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))) throw new BadInputException("--token must not contain spaces or control characters");
            client.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return client;
    }

    private HttpClient Http => http;

    public async Task<bool> SecurityExists(string symbol, CancellationToken ct)
    {
        using var response = await Http.GetAsync($"api/securities/{Uri.EscapeDataString(symbol)}", ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return false;
        await Check(response, ct);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return doc.RootElement.TryGetProperty("definition", out var d) && d.ValueKind == JsonValueKind.Object;
    }

    public async Task<TargetModel?> GetModel(string id, CancellationToken ct)
    {
        using var response = await Http.GetAsync($"api/models/{Uri.EscapeDataString(id)}", ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        await Check(response, ct);
        return await response.Content.ReadFromJsonAsync<TargetModel>(Json, ct);
    }

    public async Task UpsertSecurities(Security[] securities, CancellationToken ct)
    {
        using var response = await Http.PostAsJsonAsync("api/securities", securities, Json, ct);
        await Check(response, ct);
    }

    public async Task PublishPrices(PriceQuote[] quotes, CancellationToken ct)
    {
        using var response = await Http.PostAsJsonAsync("api/prices", new { quotes }, Json, ct);
        await Check(response, ct);
    }

    public async Task DefineModel(TargetModel model, CancellationToken ct)
    {
        using var response = await Http.PutAsJsonAsync($"api/models/{Uri.EscapeDataString(model.Id)}", model, Json, ct);
        await Check(response, ct);
    }

    /// <summary>POST /api/households with the accounts, their opening cash and lots.</summary>
    public async Task CreateHousehold(HouseholdImport household, CancellationToken ct)
    {
        var body = new
        {
            id = household.Spec.Id,
            name = household.Spec.Name,
            advisorId = household.Spec.AdvisorId,
            accounts = household.Accounts.Select(a => new
            {
                id = a.Spec.Id, name = a.Spec.Name, type = a.Spec.Type, discretionary = a.Spec.Discretionary, modelId = a.Spec.ModelId,
                restrictions = a.Spec.Restrictions, separateTaxpayer = a.Spec.SeparateTaxpayer, defaultRelief = a.Spec.DefaultRelief,
                harvest = a.Spec.Harvest, cash = a.Cash, lots = a.Lots, fractionalShares = a.Spec.FractionalShares, minTrade = a.Spec.MinTrade,
                reinvestDividends = a.Spec.ReinvestDividends, execution = a.Spec.Execution,
            }),
        };
        using var response = await Http.PostAsJsonAsync("api/households", body, Json, ct);
        await Check(response, ct);
    }

    /// <summary>Every household of the firm, page by page.</summary>
    public async Task<List<HouseholdSummary>> ListHouseholds(CancellationToken ct)
    {
        var all = new List<HouseholdSummary>();
        for (var page = 1; ; page++)
        {
            using var response = await Http.GetAsync($"api/households?page={page}&pageSize=500", ct);
            await Check(response, ct);
            var doc = await response.Content.ReadFromJsonAsync<HouseholdListPage>(Json, ct) ?? throw new ApiFailureException("empty household list");
            all.AddRange(doc.Items);
            if (doc.Items.Length == 0 || all.Count >= doc.Total) return all;
        }
    }

    public async Task<RebalanceProposal[]?> GetProposals(string household, CancellationToken ct)
    {
        using var response = await Http.GetAsync($"api/households/{Uri.EscapeDataString(household)}/proposals", ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        await Check(response, ct);
        return await response.Content.ReadFromJsonAsync<RebalanceProposal[]>(Json, ct);
    }

    /// <summary>Approves or rejects; a missing household is bad input (exit 2).</summary>
    public async Task<RebalanceProposal> Decide(string household, string proposal, bool approve, string? note, CancellationToken ct)
    {
        var path = $"api/households/{Uri.EscapeDataString(household)}/proposals/{Uri.EscapeDataString(proposal)}/{(approve ? "approve" : "reject")}";
        using var response = approve
            ? await Http.PostAsync(path, null, ct)
            : await Http.PostAsJsonAsync(path, new { note }, Json, ct);
        if (response.StatusCode == HttpStatusCode.NotFound) throw new BadInputException($"household {household} does not exist");
        await Check(response, ct);
        return await response.Content.ReadFromJsonAsync<RebalanceProposal>(Json, ct) ?? throw new ApiFailureException("empty answer");
    }

    /// <summary>Runs a stress test on the silo over a copy of its live state (admin); a stress of a large firm takes minutes.</summary>
    public async Task<T> Stress<T>(object request, JsonSerializerOptions reportJson, CancellationToken ct)
    {
        Http.Timeout = TimeSpan.FromMinutes(30);
        using var response = await Http.PostAsJsonAsync("api/stress", request, Json, ct);
        await Check(response, ct);
        return await response.Content.ReadFromJsonAsync<T>(reportJson, ct) ?? throw new ApiFailureException("empty stress report");
    }

    /// <summary>All journal entries of one kind for a household, oldest first (the API pages newest first).</summary>
    public async Task<List<JournalEntry>> Journal(string household, JournalKind kind, CancellationToken ct)
    {
        var all = new List<JournalEntry>();
        long? before = null;
        while (true)
        {
            var query = $"api/journal?household={Uri.EscapeDataString(household)}&kind={kind}&limit=1000" + (before is { } b ? $"&before={b}" : "");
            using var response = await Http.GetAsync(query, ct);
            await Check(response, ct);
            var page = await response.Content.ReadFromJsonAsync<JournalEntry[]>(Json, ct) ?? [];
            all.AddRange(page);
            if (page.Length < 1000) break;
            before = page.Min(e => e.Id);
        }
        all.Reverse();
        return all;
    }

    /// <summary>400 problems become bad input (exit 2) with the server's detail; other errors are failures (exit 1).</summary>
    private static async Task Check(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode) return;
        string? detail = null;
        try
        {
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("detail", out var d)) detail = d.GetString();
        }
        catch (JsonException)
        {
        }
        var status = (int)response.StatusCode;
        var message = $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath} answered {status}" + (detail is null ? "" : $": {detail}");
        switch (response.StatusCode)
        {
            case HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity or HttpStatusCode.NotFound:
                throw new BadInputException(message.ReplaceLineEndings(" "));
            case HttpStatusCode.Unauthorized:
                throw new ApiFailureException($"{message} (pass --token or set HOUSEHOLDS_TOKEN)");
            default:
                throw new ApiFailureException(message);
        }
    }

    private sealed record HouseholdListPage(int Page, int PageSize, int Total, HouseholdSummary[] Items);
}
