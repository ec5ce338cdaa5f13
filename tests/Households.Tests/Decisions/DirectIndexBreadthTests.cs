using Households.Simulation.Firms;
using System.Diagnostics;
using Households.Contracts;
using Households.Domain.Decisions;
using Households.Domain.Market;
using Households.Simulation.Stress;
using Households.Domain.Tax;
using Households.Domain.WashSales;
using Xunit;
using Xunit.Abstractions;

namespace Households.Tests.Decisions;

/// <summary>Issue #15, guarantee 9 "direct indexing keeps its breadth", on the worked case of the issue: one 400-stock,
/// 992-lot direct-index taxable account of about $6M, decided after a market drop of about 13 %. The reference (an
/// open-source MILP rebalancer used in production) kept all 400 names and no cash, tracking error 0.59 % → 1.38 %, harvesting
/// $228k.</summary>
public sealed class DirectIndexBreadthTests(ITestOutputHelper output)
{
    private const double Band = 0.01;

    [Fact]
    public void A_harvesting_direct_index_keeps_its_breadth_stays_invested_and_tracks_inside_its_band()
    {
        var c = DirectIndexCase.Build();
        var watch = Stopwatch.StartNew();
        var plan = DecisionEngine.Decide(c.Request, c.Market);
        var cold = watch.Elapsed.TotalMilliseconds;
        watch.Restart();
        DecisionEngine.Decide(c.Request, c.Market);
        var warm = watch.Elapsed.TotalMilliseconds;
        var m = c.Measure(plan);
        output.WriteLine($"lots {c.Account.Lots.Length}, value {c.Value:N0}, lots past the harvest thresholds {c.HarvestableLots}, harvest causes {c.Request.Causes.Count}");
        output.WriteLine($"names {m.NamesBefore} → {m.NamesAfter}: {m.SoldOut} sold out, {m.NewNames} new names bought, sold out without a new name in their sector {m.Dropped}");
        output.WriteLine($"cash {m.CashBefore:P2} → {m.CashAfter:P2}; tracking error {m.TrackingBefore:P2} → {m.TrackingAfter:P2}");
        output.WriteLine($"harvested {m.Harvested:N0}, gains realized {m.Gains:N0}, {plan.Trades.Length} trades; decide {cold:N0} ms cold, {warm:N0} ms warm; solver {plan.Result.SolveMilliseconds:N0} ms in {plan.Result.Solves} solves");

        Assert.Equal(DecisionOutcome.Planned, plan.Record.Outcome);
        Assert.Empty(plan.Record.Relaxed);
        // Breadth: every name sold out is replaced by a name new to the account in its sector; none is dropped.
        Assert.Equal(400, m.NamesBefore);
        Assert.True(m.NamesAfter >= m.NamesBefore, $"names {m.NamesBefore} → {m.NamesAfter}");
        Assert.Equal(0, m.Dropped);
        // Invested: cash under 0.5 % (no withdrawal is pending).
        Assert.True(m.CashAfter < 0.005, $"cash after {m.CashAfter:P2}");
        // Tracking inside the band, measured as the engine measures it.
        Assert.True(m.TrackingAfter <= Band, $"tracking error after {m.TrackingAfter:P2}");
        Assert.InRange(plan.Result.TrackingErrorAfter, m.TrackingAfter - 0.001, m.TrackingAfter + 0.001);
        // The harvest the band allows: decisions aim at 75 % of the band (at its edge the next day's prices would put the
        // account out again), and there it harvested $229,286 at 0.66 % (2026-12-05) — the open-source MILP rebalancer's
        // $228k took 1.38 %. Selling every lot past the thresholds ($533k of losses) would cost at least 1.70 %.
        Assert.True(m.Harvested >= 220_000m, $"harvested {m.Harvested:N0}");
        // Lots sold to fund tracking may carry small gains; the plan is a harvest, not a realization of gains.
        Assert.True(m.Gains < 0.01m * m.Harvested, $"gains realized {m.Gains:N2}");
        // The tax rules hold: nothing bought that the account holds at or close to a harvestable loss (half the 5 % threshold),
        // no buy of a name the plan sells, whole shares.
        var held = c.Account.Lots.GroupBy(l => l.Symbol).ToDictionary(g => g.Key, g => g.ToArray());
        Assert.Equal(0.025m * 20_000m, HarvestProtection.ProtectedLoss(c.Account.Spec.Harvest, 20_000m, DecisionSettings.Default.ProtectionShare));
        foreach (var b in plan.Trades.Where(t => t.Side == TradeSide.Buy))
        {
            Assert.False(held.TryGetValue(b.Symbol, out var lots) && lots.Any(l => l.Basis - c.Prices[l.Symbol] * l.Quantity
                >= HarvestProtection.ProtectedLoss(c.Account.Spec.Harvest, l.Basis, DecisionSettings.Default.ProtectionShare)),
                $"buys {b.Symbol}, held close to a harvestable loss");
            Assert.DoesNotContain(plan.Trades, t => t.Side == TradeSide.Sell && t.Symbol == b.Symbol);
            Assert.Equal(decimal.Floor(b.Quantity), b.Quantity);
            Assert.True(b.Amount >= DecisionSettings.Default.MinTrade, $"dust buy of {b.Symbol}: {b.Amount}");
        }
    }

    [Fact]
    public void Allowed_the_tracking_error_the_engine_used_to_take_it_harvests_more_than_it_used_to()
    {
        // Before issue #15 the engine decided this case at 2.38 % tracking error, harvesting $430,923 and leaving 1.82 % cash.
        // With that as its band it harvests more (measured $492,133 at 2.28 %) and stays invested: the search finds the plan
        // that harvests most inside a band, so the 1 % band's smaller harvest is the band's price, not lost efficiency.
        var c = DirectIndexCase.Build(trackingBand: 0.0238m);
        var plan = DecisionEngine.Decide(c.Request, c.Market);
        var m = c.Measure(plan);
        output.WriteLine($"band 2.38 %: tracking error {m.TrackingBefore:P2} → {m.TrackingAfter:P2}, cash {m.CashAfter:P2}, harvested {m.Harvested:N0}, names {m.NamesAfter}, {plan.Trades.Length} trades, solver {plan.Result.SolveMilliseconds:N0} ms in {plan.Result.Solves} solves");

        Assert.True(m.TrackingAfter <= 0.0238, $"tracking error after {m.TrackingAfter:P2}");
        Assert.True(m.Harvested > 430_923m, $"harvested {m.Harvested:N0}");
        Assert.True(m.CashAfter < 0.005, $"cash after {m.CashAfter:P2}");
        Assert.Equal(0, m.Dropped);
    }
}

/// <summary>The worked case built from a generated universe: the 400 largest stocks of a 1,200-stock universe, cap
/// weighted; each name held in 2 or 3 lots bought at different prices (192 names with three: 992 lots), drifted a little from
/// target; then a drop of about 13 % (market factor −13 %, sector and specific moves of about a month) prices the decision.</summary>
internal sealed record DirectIndexCase(DecisionRequest Request, DecisionMarket Market, AccountDecisionInput Account,
    IReadOnlyDictionary<string, decimal> Prices, decimal Value, int HarvestableLots)
{
    public static readonly DateOnly Today = new(2026, 3, 16);

    public static DirectIndexCase Build(int seed = 15, DecisionSettings? settings = null, decimal trackingBand = 0.01m)
    {
        var firm = SyntheticFirm.Build(0, seed, new SyntheticFirmOptions { Stocks = 1_200, Funds = 20, DirectIndexStocks = 400, AsOf = Today });
        var universe = firm.Universe;
        var target = StressFirm.Targets(firm.Models, universe)(SyntheticFirm.DirectIndexModelId)!;
        var market = StressFirm.MarketOf(universe, Today, settings ?? DecisionSettings.Default).Decisions;

        // The drop: −13 % on the market factor, sector factors and specific returns of about a month.
        var rng = new Random(seed);
        double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var model = universe.Model;
        var factor = new double[FactorMarketModel.FactorCount];
        factor[FactorMarketModel.MarketFactor] = -0.13;
        for (int f = 1; f < factor.Length; f++) factor[f] = model.FactorVolatilities[f] * Math.Sqrt(1 / 12.0) * Gaussian();
        var prices = new Dictionary<string, decimal>(StringComparer.Ordinal);
        for (int i = 0; i < universe.Count; i++)
        {
            double r = model.Exposures[i].IdiosyncraticVolatility * Math.Sqrt(1 / 12.0) * Gaussian();
            for (int f = 0; f < factor.Length; f++) r += model.Loading(i, f) * factor[f];
            prices[universe[i].Symbol] = Math.Round((decimal)(universe.InitialPrices[i] * Math.Exp(r)), 2);
        }

        // The account before the drop: $6.6M, 0.2 % cash, each name near its target in 2–3 lots of different ages and prices.
        const double before = 6_600_000;
        var spec = new AccountSpec("DI-TAX", "DI", "Direct index", AccountType.Taxable, true, SyntheticFirm.DirectIndexModelId, [], false,
            LotRelief.MinTax, HarvestPolicy.Default, TrackingErrorBand: trackingBand);
        var lots = new List<TaxLot>();
        var names = target.Weights.Where(w => w.Level == DriftLevel.Security).ToArray();
        for (int k = 0; k < names.Length; k++)
        {
            var i = universe.IndexOf(names[k].Key);
            double p0 = universe.InitialPrices[i];
            double dollars = (double)names[k].Weight * before * 0.998 * Math.Exp(0.05 * Gaussian());
            int count = k < 192 ? 3 : 2;
            for (int j = 0; j < count; j++)
            {
                decimal quantity = Math.Max(1m, Math.Round((decimal)(dollars / count / p0)));
                int daysAgo = rng.Next(45, 5 * 365 + 1);
                decimal basisPerShare = Math.Round((decimal)(p0 * Math.Exp(-0.08 + 0.12 * Gaussian())), 2);
                var bought = Today.AddDays(-daysAgo);
                lots.Add(new TaxLot($"DI-L{lots.Count + 1}", names[k].Key, quantity, quantity * basisPerShare, bought, bought));
            }
        }
        var account = new AccountDecisionInput(spec, Math.Round((decimal)(before * 0.002), 2), [.. lots], target, 0m);
        var tax = new HouseholdTaxLedger();
        tax.OpenAccounts([(new AccountTaxProfile(spec.Id, AccountType.Taxable), (IReadOnlyList<TaxLot>)account.Lots)]);

        // The monitor's harvest notices: one per name with a lot past the account's thresholds.
        var harvestable = lots.Where(l => l.Basis - prices[l.Symbol] * l.Quantity is var loss
            && loss >= spec.Harvest.MinLossDollars && loss >= spec.Harvest.MinLossPercent * l.Basis).ToList();
        var causes = harvestable.Select(l => l.Symbol).Distinct().Select(s =>
            new Trigger(TriggerKind.Harvest, spec.Id, s, 0, 0, 0, 1, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch)).ToList();
        var value = account.Cash + lots.Sum(l => prices[l.Symbol] * l.Quantity);
        var request = new DecisionRequest("DI", [account], causes, tax, s => prices.TryGetValue(s, out var p) ? p : null, Today);
        return new DirectIndexCase(request, market, account, prices, value, harvestable.Count);
    }

    public sealed record Figures(int NamesBefore, int NamesAfter, int SoldOut, int NewNames, int Dropped, double CashBefore, double CashAfter,
        double TrackingBefore, double TrackingAfter, decimal Harvested, decimal Gains);

    /// <summary>The account before and after the plan's trades at the decision prices: names held, cash weight, tracking error
    /// against the model under the risk model the engine uses, losses harvested and gains realized.</summary>
    public Figures Measure(HouseholdPlan plan)
    {
        var before = Account.Lots.GroupBy(l => l.Symbol).ToDictionary(g => g.Key, g => g.Sum(l => l.Quantity), StringComparer.Ordinal);
        var after = new Dictionary<string, decimal>(before, StringComparer.Ordinal);
        var cash = Account.Cash;
        foreach (var t in plan.Trades)
        {
            after[t.Symbol] = after.GetValueOrDefault(t.Symbol) + (t.Side == TradeSide.Buy ? t.Quantity : -t.Quantity);
            cash += t.Side == TradeSide.Buy ? -t.Amount : t.Amount;
        }
        var held = after.Where(kv => kv.Value > 0).Select(kv => kv.Key).ToHashSet(StringComparer.Ordinal);
        var soldOut = before.Keys.Where(s => !held.Contains(s)).ToList();
        var added = held.Where(s => !before.ContainsKey(s)).ToList();
        // A name sold out is dropped unless its sector gained a new name for it (one new name per name sold out).
        var dropped = soldOut.GroupBy(s => Market.Find(s)!.Sector)
            .Sum(g => Math.Max(0, g.Count() - added.Count(a => Market.Find(a)!.Sector == g.Key)));
        var harvested = -plan.Trades.SelectMany(t => t.Lots).Where(l => l.Gain < 0).Sum(l => l.Gain);
        var gains = plan.Trades.SelectMany(t => t.Lots).Where(l => l.Gain > 0).Sum(l => l.Gain);
        return new Figures(before.Count, held.Count, soldOut.Count, added.Count, dropped, (double)(Account.Cash / Value), (double)(cash / Value),
            Tracking(before), Tracking(after), harvested, gains);
    }

    private double Tracking(IReadOnlyDictionary<string, decimal> holdings)
    {
        var symbols = holdings.Keys.Concat(Account.Target!.Weights.Where(w => w.Level == DriftLevel.Security).Select(w => w.Key)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var risk = Market.Risk.For([.. symbols.Select(s => Market.Find(s)!)]);
        var active = new double[risk.N];
        foreach (var w in Account.Target.Weights.Where(w => w.Level == DriftLevel.Security)) active[risk.IndexOf(w.Key)] -= (double)w.Weight;
        foreach (var (s, q) in holdings) active[risk.IndexOf(s)] += (double)(q * Prices[s] / Value);
        return Math.Sqrt(risk.Variance(active));
    }
}
