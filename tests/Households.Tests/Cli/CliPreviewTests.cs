using System.Text.Json;
using Households.Client.Commands;
using Households.Contracts;
using Households.Tests.Api;
using Xunit;

namespace Households.Tests.Cli;

/// <summary><c>households preview</c> against a real silo: the household of <see cref="TransitionApiTests"/> (2,000 shares of one
/// stock at $100, basis $40,000, in a non-discretionary account under a 60/40 model of two funds), with a $10,000 budget.</summary>
public sealed class CliPreviewTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Preview_prints_the_plan_and_its_transition_and_files_nothing()
    {
        var http = factory.CreateClient();
        await TransitionApiTests.Seed(http, "PVCLI1");
        (await http.PutAsync("/api/households/PVCLI1/tax-budget", JsonContent("""{"budget":{"amount":10000,"unit":"gains"}}"""))).EnsureSuccessStatusCode();

        var json = await CliRunner.Run(factory, "preview", "PVCLI1", "--json");
        Assert.True(json.Code == 0, json.Err);
        var preview = Assert.Single(JsonSerializer.Deserialize<HouseholdPreview[]>(json.Out, HouseholdsApiClient.Json)!);
        Assert.Equal("PVCLI1", preview.HouseholdId);
        Assert.InRange(preview.Plan.LongTermGain + preview.Plan.ShortTermGain, 1_000m, 10_000.01m);
        Assert.NotNull(preview.Transition);
        Assert.True(preview.Accounts[0].TrackingErrorAfter < preview.Accounts[0].TrackingErrorBefore);

        var table = await CliRunner.Run(factory, "preview", "PVCLI1");
        Assert.True(table.Code == 0, table.Err);
        Assert.Contains("PVCLI1 on ", table.Out);
        Assert.Contains("PVCLI1-TAX (Taxable, 200,000): tracking error ", table.Out);
        Assert.Contains("$10,000 of net gains a year", table.Out);

        var missing = await CliRunner.Run(factory, "preview", "PVCLI-NOPE");
        Assert.Equal(ExitCodes.BadInput, missing.Code);
        Assert.Contains("household PVCLI-NOPE does not exist", missing.Err);
    }

    private static StringContent JsonContent(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
