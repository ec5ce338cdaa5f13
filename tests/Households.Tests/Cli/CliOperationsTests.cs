using System.Net.Http.Json;
using System.Text.Json;
using Households.Client.Commands;
using Households.Contracts;
using Households.Tests.Api;
using Households.Tests.Import;
using Xunit;

namespace Households.Tests.Cli;

/// <summary>A silo holding the docs/samples firm, imported once with the CLI. The import publishes the file's prices
/// before any household exists and nothing publishes prices afterwards, so no monitor trigger trades or proposes
/// behind a test's back: proposals come only from the tests' explicit rebalance calls.</summary>
public sealed class SampleFirmFactory() : SiloFactory(false)
{
    private readonly SemaphoreSlim _once = new(1, 1);
    private bool _imported;

    public async Task EnsureImported()
    {
        await _once.WaitAsync();
        try
        {
            if (_imported) return;
            var run = await CliRunner.Run(this, "import", "--dir", ImportParserTests.SamplesDir);
            Assert.True(run.Code == 0, run.Err);
            _imported = true;
        }
        finally
        {
            _once.Release();
        }
    }
}

/// <summary><c>proposals</c> and <c>watch</c> against a real silo holding the sample firm.</summary>
public sealed class CliOperationsTests(SampleFirmFactory factory) : IClassFixture<SampleFirmFactory>
{
    private readonly HttpClient _http = factory.CreateClient();
    private readonly HouseholdsApiClient _api = new(factory.CreateClient());

    private Task ImportSamples() => factory.EnsureImported();

    private async Task<RebalanceProposal> Rebalance(string household)
    {
        var response = await _http.PostAsync($"/api/households/{household}/rebalance", null);
        response.EnsureSuccessStatusCode();
        var proposals = await response.Content.ReadFromJsonAsync<RebalanceProposal[]>(HouseholdsApiClient.Json);
        return Assert.Single(proposals!, p => p.Status == ProposalStatus.Pending);
    }

    [Fact]
    public async Task Proposals_are_listed_rejected_and_approved_from_the_command_line()
    {
        await ImportSamples();
        // GARCIA-TAX holds 46.6% VTI against a 70% target with $15,000 idle cash, and is non-discretionary.
        var first = await Rebalance("HH-GARCIA");

        var listed = await CliRunner.Run(factory, "proposals", "list", "HH-GARCIA", "--status", "pending", "--json");
        Assert.True(listed.Code == 0, listed.Err);
        var pending = JsonSerializer.Deserialize<RebalanceProposal[]>(listed.Out, HouseholdsApiClient.Json)!;
        Assert.Equal(first.Id, Assert.Single(pending).Id);
        Assert.Contains(pending[0].Trades, t => t.Account == "GARCIA-TAX" && t.Symbol == "VTI" && t.Side == TradeSide.Buy);
        var table = await CliRunner.Run(factory, "proposals", "list", "HH-GARCIA");
        Assert.Contains(first.Id, table.Out);
        Assert.Contains("pending", table.Out);

        var rejected = await CliRunner.Run(factory, "proposals", "reject", "HH-GARCIA", first.Id, "--note", "client declined");
        Assert.Equal((0, $"{first.Id}: rejected\n", ""), (rejected.Code, rejected.Out.ReplaceLineEndings("\n"), rejected.Err));
        var afterReject = (await _api.GetProposals("HH-GARCIA", default))!.Single(p => p.Id == first.Id);
        Assert.Equal((ProposalStatus.Rejected, "client declined"), (afterReject.Status, afterReject.Note));
        Assert.Equal(80m, await Quantity("GARCIA-TAX", "VTI"));

        var second = await Rebalance("HH-GARCIA");
        var buy = second.Trades.Single(t => t.Account == "GARCIA-TAX" && t.Symbol == "VTI");
        var approved = await CliRunner.Run(factory, "proposals", "approve", "HH-GARCIA", second.Id, "--json");

        Assert.True(approved.Code == 0, approved.Err);
        var decided = JsonSerializer.Deserialize<RebalanceProposal>(approved.Out, HouseholdsApiClient.Json)!;
        Assert.Equal(ProposalStatus.Executed, decided.Status);
        var filled = decided.Fills.Single(f => f.AccountId == "GARCIA-TAX" && f.Request.Symbol == "VTI").Request.Quantity;
        Assert.InRange(filled, buy.Quantity * 0.99m, buy.Quantity);
        Assert.Equal(80m + filled, await Quantity("GARCIA-TAX", "VTI"));
        var list = await CliRunner.Run(factory, "proposals", "list", "HH-GARCIA", "--status", "pending", "--json");
        Assert.Equal("[]", list.Out.Trim());
    }

    [Fact]
    public async Task Proposals_of_an_unknown_household_or_proposal_are_bad_input()
    {
        await ImportSamples();
        var list = await CliRunner.Run(factory, "proposals", "list", "HH-NOBODY");
        var approve = await CliRunner.Run(factory, "proposals", "approve", "HH-NOBODY", "P1");
        var unknown = await CliRunner.Run(factory, "proposals", "approve", "HH-SMITH", "NO-SUCH-PROPOSAL");
        var status = await CliRunner.Run(factory, "proposals", "list", "HH-SMITH", "--status", "maybe");

        Assert.Equal((2, "error: household HH-NOBODY does not exist"), (list.Code, list.Err.Trim()));
        Assert.Equal((2, "error: household HH-NOBODY does not exist"), (approve.Code, approve.Err.Trim()));
        Assert.Equal(2, unknown.Code);
        Assert.Contains("NO-SUCH-PROPOSAL", unknown.Err);
        Assert.Equal(2, status.Code);
    }

    [Fact]
    public async Task Watch_prints_bounded_updates_of_the_household()
    {
        await ImportSamples();
        var counted = await CliRunner.Run(factory, "watch", "HH-CHEN", "--count", "3", "--interval", "0.05");
        var timed = await CliRunner.Run(factory, "watch", "HH-CHEN", "--seconds", "0.3", "--interval", "0.05");
        var missing = await CliRunner.Run(factory, "watch", "HH-NOBODY", "--count", "1");

        Assert.True(counted.Code == 0, counted.Err);
        var lines = counted.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        // Chen: trust 8,000 cash + taxable 1,000 cash; the lots at the sample prices.
        var value = 8000m + 1000m + 200 * 312.40m + 400 * 72.80m + 100 * 68.25m + 100 * 228.50m + 30 * 415.20m + 50 * 152.30m + 80 * 109.75m;
        Assert.All(lines, l => Assert.Contains($"HH-CHEN value {value:N2} cash 9,000.00", l));
        Assert.Equal(0, timed.Code);
        Assert.InRange(timed.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length, 1, 7);
        Assert.Equal((2, "error: household HH-NOBODY does not exist"), (missing.Code, missing.Err.Trim()));
    }

    private async Task<decimal> Quantity(string account, string symbol)
    {
        var doc = await _http.GetFromJsonAsync<AccountView>($"/api/accounts/{account}", HouseholdsApiClient.Json);
        return doc!.Holdings.Where(h => h.Symbol == symbol).Sum(h => h.Quantity);
    }
}
