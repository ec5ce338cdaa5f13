using Households.Simulation.Samples;
using Households.Contracts;
using Households.Domain.Decisions;
using Households.Domain.Optimization;
using Households.Tests.Support;
using Xunit;

namespace Households.Tests.Decisions;

/// <summary>The benchmark's household decision (docs/benchmarks.md): the four-account household around the shared 500-stock
/// direct index, decided by the live engine with asset location, a tax profile and a $25,000 budget on.</summary>
public sealed class SampleDecisionTests
{
    [Fact]
    public void The_four_account_household_decides_within_its_budget_and_moves_bonds_from_the_Roth_to_the_IRA()
    {
        var di = DiRebalanceProblem.Parse(File.ReadAllText(SharedData.Problem(500)));
        var (request, market) = SampleDecisions.FourAccountHousehold(di, locationAndBudget: true);
        var plan = DecisionEngine.Decide(request, market);
        Assert.NotEqual(DecisionOutcome.NoPlan, plan.Record.Outcome);
        Assert.True(plan.Trades.Length > 0, plan.Record.Reason);
        Assert.InRange(plan.Result.ShortTermGain + plan.Result.LongTermGain, -1e9m, 25_000.01m);
        Assert.DoesNotContain(plan.Record.Relaxed, r => r.StartsWith("tax:", StringComparison.Ordinal));
        decimal Bonds(string account, bool after) =>
            request.Accounts.Single(a => a.Spec.Id == account).Lots.Where(l => l.Symbol is "BOND" or "SHRT").Sum(l => l.Quantity * request.Price(l.Symbol)!.Value)
            + (after ? plan.Trades.Where(t => t.Account == account && t.Symbol is "BOND" or "SHRT").Sum(t => t.Side == TradeSide.Buy ? t.Amount : -t.Amount) : 0);
        // The sample's Roth holds $190,000 of bonds and the IRA $70,000: location moves bonds to the IRA, growth to the Roth.
        Assert.True(Bonds("ira", after: true) > Bonds("ira", after: false) + 10_000m, $"IRA bonds {Bonds("ira", false):N0} -> {Bonds("ira", true):N0}");
        Assert.True(Bonds("roth", after: true) < Bonds("roth", after: false) - 10_000m, $"Roth bonds {Bonds("roth", false):N0} -> {Bonds("roth", true):N0}");
        var preview = PlanPreview.Of(request, market, plan);
        var college = preview.Accounts.Single(a => a.Account == "529");
        Assert.True(college.TrackingErrorAfter <= college.TrackingErrorBefore + 1e-9);
    }
}
