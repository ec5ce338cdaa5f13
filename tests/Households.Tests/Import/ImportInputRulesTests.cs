using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Households.Domain.Import;
using Households.Tests.Api;
using Xunit;

namespace Households.Tests.Import;

/// <summary>The import files are checked by the API's own input rules (InputRules): a value the API refuses, the import refuses
/// with the same message, and a value the API takes, the import takes.</summary>
public sealed class ImportInputRulesTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    /// <summary>The sample firm with one field of one file replaced (1-based physical line, column name).</summary>
    private static ImportFiles SamplesWith(string file, int line, string column, string value)
    {
        var samples = ImportParserTests.Samples();
        ImportSource Change(ImportSource source)
        {
            if (source.Name != file) return source;
            var lines = source.Text.Split('\n');
            var index = Array.IndexOf(lines[0].Trim().Split(','), column);
            var fields = lines[line - 1].Split(',');
            fields[index] = value;
            lines[line - 1] = string.Join(',', fields);
            return source with { Text = string.Join('\n', lines) };
        }
        return new ImportFiles(Change(samples.Securities!), Change(samples.Models!), Change(samples.Households!), Change(samples.Accounts!), Change(samples.Lots!));
    }

    private static string ImportMessage(string file, int line, string column, string value) =>
        ImportParser.Validate(SamplesWith(file, line, column, value), ImportParserTests.Today).Issues
            .Single(i => i.File == file && i.Line == line && i.Field == column).Message;

    private static async Task<string> Refusal(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString()!;
    }

    private async Task<HttpResponseMessage> Trade(string account, string symbol, decimal quantity, string key) =>
        await _http.PostAsJsonAsync($"/api/accounts/{account}/trades",
            new { idempotencyKey = key, date = "2026-01-05", symbol, side = "buy", quantity, price = 10m });

    private async Task Household(string id, string account)
    {
        var created = await _http.PostAsJsonAsync("/api/households", new
        {
            id, name = "The Rules Family", advisorId = "ADV-R",
            accounts = new object[] { new { id = account, type = "taxable", cash = 1_000m } },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    [Fact]
    public async Task A_symbol_with_a_space_is_refused_by_the_trade_api_and_by_lots_csv_with_one_message()
    {
        await Household("IR1", "IR1-TAX");
        var api = await Refusal(await Trade("IR1-TAX", "A B", 1m, "ir1-1"));
        Assert.Equal("symbol may hold only letters, digits and . _ - : @ + = (found ' ')", api);
        Assert.Equal(api, ImportMessage(ImportParser.LotsFile, 2, "symbol", "A B"));
    }

    [Fact]
    public async Task A_negative_quantity_is_refused_by_the_trade_api_and_by_lots_csv_with_one_message()
    {
        await Household("IR2", "IR2-TAX");
        var api = await Refusal(await Trade("IR2-TAX", "VTI", -5m, "ir2-1"));
        Assert.Equal("quantity must be > 0", api);
        Assert.Equal(api, ImportMessage(ImportParser.LotsFile, 2, "quantity", "-5"));
    }

    [Fact]
    public async Task An_account_id_of_161_characters_is_refused_by_the_journal_api_and_by_accounts_csv_with_one_message()
    {
        var tooLong = new string('A', 161);
        var api = await Refusal(await _http.GetAsync($"/api/journal?account={tooLong}"));
        Assert.Equal("account must be at most 160 characters", api);
        Assert.Equal(api, ImportMessage(ImportParser.AccountsFile, 2, "account", tooLong));
    }

    [Fact]
    public async Task An_account_id_with_a_colon_is_taken_by_the_api_and_by_the_import()
    {
        // Identifiers share the API's alphabet (letters, digits and . _ - : @ + =): the import no longer refuses what the API takes.
        await Household("IR3", "IR3:TAX");
        var files = SamplesWith(ImportParser.AccountsFile, 2, "account", "SMITH:TAX");
        files = files with { Lots = files.Lots! with { Text = files.Lots.Text.Replace("SMITH-TAX,", "SMITH:TAX,", StringComparison.Ordinal) } };
        var result = ImportParser.Validate(files, ImportParserTests.Today);
        Assert.True(result.Ok, string.Join("\n", result.Issues));
        Assert.Contains(result.Plan!.Households.SelectMany(h => h.Accounts), a => a.Spec.Id == "SMITH:TAX");
    }

    [Theory]
    [InlineData("1899-12-31", "purchased 1899-12-31 is out of range (1900 to 2200)")]
    [InlineData("2027-01-01", "must be between 1900-01-01 and today (2026-11-24)")]
    public void A_date_outside_the_api_range_gets_the_api_message_and_a_future_one_the_import_rule(string value, string message) =>
        Assert.Equal(message, ImportMessage(ImportParser.LotsFile, 2, "purchased", value));
}
