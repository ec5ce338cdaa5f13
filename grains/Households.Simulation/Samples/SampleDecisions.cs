using Households.Domain.Decisions;
using Households.Contracts;
using Households.Domain.Harvesting;
using Households.Domain.Optimization;
using Households.Domain.Risk;
using Households.Domain.Tax;
using Households.Domain.WashSales;

namespace Households.Simulation.Samples;

/// <summary>The four-account household of <see cref="SampleHouseholds.FourAccountHousehold"/> (a taxable account around a
/// 500-stock direct index, an IRA, a Roth IRA and a 529) as the live engine decides it: the taxable account a direct index of
/// the 500 stocks, the IRA and Roth a balanced model of funds, the 529 its own glide path, the sample's risk model as the firm's imported model, replacements from
/// it. With <paramref name="locationAndBudget"/>: the household objective with asset location (three years of drag), a tax
/// profile (married, $450,000, 5 % state) and a $25,000 yearly budget of net gains.</summary>
public static class SampleDecisions
{
    public static (DecisionRequest Request, DecisionMarket Market) FourAccountHousehold(DiRebalanceProblem di, bool locationAndBudget)
    {
        var c = SampleHouseholds.FourAccountHousehold(di);
        var securities = c.Portfolio.Securities.ToDictionary(s => s.Symbol, StringComparer.Ordinal);
        // The taxable account is a direct index of the 500 stocks (tracked by tracking error within its band); the IRA and the
        // Roth share a balanced model of funds; the 529 its glide path.
        var index = new ResolvedTarget("index", 1, [.. di.Tickers.Select((s, i) => (s, w: di.Benchmark[i])).Where(x => x.w > 0)
            .Select(x => new TargetWeight(DriftLevel.Security, x.s, (decimal)Math.Round(x.w, 8), DriftBand.Default))], DirectIndexing: true);
        var balanced = new ResolvedTarget("balanced", 1, [new(DriftLevel.Security, "USEQ", 0.35m, DriftBand.Default), new(DriftLevel.Security, "INTL", 0.15m, DriftBand.Default),
            new(DriftLevel.Security, "BOND", 0.40m, DriftBand.Default), new(DriftLevel.Security, "SHRT", 0.10m, DriftBand.Default)]);
        var college = new ResolvedTarget("college", 1, [new(DriftLevel.Security, "USEQ", 0.6m, DriftBand.Default),
            new(DriftLevel.Security, "INTL", 0.1m, DriftBand.Default), new(DriftLevel.Security, "BOND", 0.3m, DriftBand.Default)]);
        var inputs = c.Portfolio.Accounts.Select(a => new AccountDecisionInput(
            new AccountSpec(a.Id, "H4", a.Id, a.Type, true, a.Id switch { "529" => "college", "taxable" => "index", _ => "balanced" }, [.. a.Restrictions], false, LotRelief.MinTax,
                a.Type == AccountType.Taxable ? HarvestPolicy.Default : HarvestPolicy.Off, a.FractionalShares,
                Policy: a.Id == "529" ? new InvestmentPolicy(TracksOwnModel: true) : null),
            a.Cash, [.. a.Lots], a.Id switch { "529" => college, "taxable" => index, _ => balanced }, 0m)).ToArray();
        var ledger = new HouseholdTaxLedger();
        ledger.OpenAccounts([.. inputs.Select(a => (new AccountTaxProfile(a.Spec.Id, a.Spec.Type), (IReadOnlyList<TaxLot>)a.Lots))]);
        var risk = new SecurityRiskModels();
        risk.Install(LiveRiskModel.From(LiveRiskModel.ToData(c.Risk, 1, "imported", "sample", null, DateTimeOffset.UnixEpoch, null)));
        var policy = locationAndBudget ? new InvestmentPolicy(Objective: PolicyObjective.Household, LocationWeight: 3) : null;
        var market = new DecisionMarket(s => securities.GetValueOrDefault(s), SubstantiallyIdentical.SameSecurityOnly, new Dictionary<string, string[]>(),
            ReplacementSelector.FromModel(c.Risk, securities.Values), risk, DecisionSettings.Default.ForHousehold(policy));
        var request = new DecisionRequest("H4", inputs, [], ledger, s => c.Portfolio.Prices.TryGetValue(s, out var p) ? p : null, c.Portfolio.AsOf,
            Profile: locationAndBudget ? new TaxProfile(FilingStatus.MarriedJoint, TaxableIncome: 450_000m, StateRate: 0.05m) : null,
            Transition: locationAndBudget ? new TransitionPolicy(new AnnualTaxBudget(25_000m), [], []) : null);
        return (request, market);
    }
}
