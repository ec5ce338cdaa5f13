using System.Text.Json;
using Households.Client.Commands;
using Households.Contracts;
using Households.Tests.Api;
using Xunit;

namespace Households.Tests.Cli;

/// <summary><c>households transition</c> against a real silo: the household of <see cref="TransitionApiTests"/> (2,000 shares of
/// one stock at $100, basis $40,000, under a 60/40 model of two funds).</summary>
public sealed class CliTransitionTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Transition_prints_one_table_per_household_or_the_plans_as_json()
    {
        await TransitionApiTests.Seed(factory.CreateClient(), "TRCLI1");
        await TransitionApiTests.Seed(factory.CreateClient(), "TRCLI2");

        var table = await CliRunner.Run(factory, "transition", "TRCLI1", "TRCLI2", "--budget", "10000", "--years", "2");
        Assert.True(table.Code == 0, table.Err);
        Assert.Contains("TRCLI1: $10,000 of net gains a year, value $200,000", table.Out);
        Assert.Contains("TRCLI2: $10,000 of net gains a year", table.Out);
        // Each year: $10,000.00 of long-term gain, $2,000.00 of tax, $12,500.00 sold; two rows a household.
        Assert.Equal(4, table.Out.Split('\n').Count(l => l.Contains("10,000.00") && l.Contains("2,000.00") && l.Contains("12,500.00")));

        var json = await CliRunner.Run(factory, "transition", "TRCLI1", "--budget", "3000", "--unit", "tax", "--years", "1", "--json");
        Assert.True(json.Code == 0, json.Err);
        var plans = JsonSerializer.Deserialize<TransitionPlan[]>(json.Out, HouseholdsApiClient.Json)!;
        var year = Assert.Single(Assert.Single(plans).Years);
        Assert.Equal((15_000.00m, 3_000.00m), (year.LongTermGain, year.EstimatedTax));
    }

    [Theory]
    [InlineData("--years", "0", "--years must be a whole number from 1 to 20")]
    [InlineData("--years", "21", "--years must be a whole number from 1 to 20")]
    [InlineData("--budget", "-5", "--budget must be a dollar amount")]
    public async Task Bad_options_are_exit_2_with_one_line(string option, string value, string message)
    {
        var run = await CliRunner.Run(factory, "transition", "TRCLI-ANY", option, value);
        Assert.Equal(ExitCodes.BadInput, run.Code);
        Assert.Contains(message, run.Err);
        Assert.Single(run.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task An_unknown_household_or_one_without_a_budget_is_exit_2()
    {
        await TransitionApiTests.Seed(factory.CreateClient(), "TRCLI3");
        var unknown = await CliRunner.Run(factory, "transition", "TRCLI-NOPE", "--budget", "1000");
        Assert.Equal(ExitCodes.BadInput, unknown.Code);
        Assert.Contains("household TRCLI-NOPE does not exist", unknown.Err);
        var none = await CliRunner.Run(factory, "transition", "TRCLI3");
        Assert.Equal(ExitCodes.BadInput, none.Code);
        Assert.Contains("no stored tax budget", none.Err);
    }
}
