using Households.Contracts;
using Households.Domain.Optimization;
using Households.Domain.Risk;
using Xunit;

namespace Households.Tests.Optimization;

public class RestrictionAndTermTests
{
    private static readonly DateOnly AsOf = new(2026, 11, 24);
    private static readonly string[] Syms = ["AAA", "BBB", "CCC"];
    private static readonly FactorRiskModel Risk = FactorRiskModel.FromCovariance(Syms, new[,] { { 0.04, 0, 0 }, { 0, 0.04, 0 }, { 0, 0, 0.04 } });

    private static HouseholdPortfolio Portfolio(IReadOnlyList<Restriction> restrictions, decimal cash = 0m) =>
        new([new("AAA", "A", "equity", "Tech", null, SecurityKind.Stock), new("BBB", "B", "equity", "Tech", null, SecurityKind.Stock),
             new("CCC", "C", "equity", "Energy", null, SecurityKind.Stock)],
            new Dictionary<string, decimal> { ["AAA"] = 100m, ["BBB"] = 100m, ["CCC"] = 100m },
            [new AccountHoldings("tx", AccountType.Taxable, cash,
                [new TaxLot("A", "AAA", 600, 60_000m, new(2020, 1, 2), new(2020, 1, 2)), new TaxLot("C", "CCC", 400, 40_000m, new(2020, 1, 2), new(2020, 1, 2))],
                restrictions)], AsOf);

    private static RebalanceResult Run(HouseholdPortfolio p, params IConstraint[] extra) =>
        new RebalanceOptimizer().Optimize(p, new Policy([new TrackingError(Risk, [1.0 / 3, 1.0 / 3, 1.0 / 3]), new TransactionCost(0.0005)],
            [new LongOnly(), .. extra]));

    [Fact]
    public void Hold_neither_buys_nor_sells()
    {
        var r = Run(Portfolio([new Restriction(RestrictionKind.Hold, "AAA", null, "client")]), new FullyInvested());

        Assert.DoesNotContain(r.Trades, t => t.Symbol == "AAA");
        Assert.Contains(r.Trades, t => t.Symbol == "BBB" && t.Side == TradeSide.Buy);
    }

    [Fact]
    public void No_buy_keeps_selling_allowed_but_buys_nothing()
    {
        // BBB is not held and wants a third of the account, but it may not be bought.
        var r = Run(Portfolio([new Restriction(RestrictionKind.NoBuy, "BBB", null, "client")]), new FullyInvested());

        Assert.DoesNotContain(r.Trades, t => t.Symbol == "BBB");
        Assert.Contains(r.Trades, t => t.Symbol == "AAA" && t.Side == TradeSide.Sell);
    }

    [Fact]
    public void A_sector_exclusion_sells_every_name_in_the_sector()
    {
        var r = Run(Portfolio([new Restriction(RestrictionKind.Exclude, null, "Energy", "fossil-free")]), new FullyInvested());

        var sell = Assert.Single(r.Trades, t => t.Symbol == "CCC");
        Assert.Equal(400m, sell.Quantity);
        Assert.True(sell.Reasons.HasFlag(TradeReason.Restriction));
    }

    [Fact]
    public void A_tracking_limit_keeps_the_harvest_inside_it_and_gives_back_little()
    {
        // AAA bought at $150, now $100, 60 % of the account against a third in the model: harvesting it all is worth 20 % of
        // the loss, and with tracking priced alone the plan sells more of it than a 5 % tracking error allows.
        var p = new HouseholdPortfolio(Portfolio([]).Securities, Portfolio([]).Prices,
            [new AccountHoldings("tx", AccountType.Taxable, 0m,
                [new TaxLot("A", "AAA", 600, 90_000m, new(2020, 1, 2), new(2020, 1, 2)), new TaxLot("C", "CCC", 400, 40_000m, new(2020, 1, 2), new(2020, 1, 2))], [])], AsOf);
        RebalanceResult Solve(double? limit) => new RebalanceOptimizer().Optimize(p, new Policy(
            [new TrackingError(Risk, [1.0 / 3, 1.0 / 3, 1.0 / 3], "tx", limit: limit), new TaxCost(0.37, 0.20), new TransactionCost(0.0005)],
            [new LongOnly(), new FullyInvested(), new Excluded([new Restriction(RestrictionKind.NoBuy, "AAA", null, "no wash sale")])]));

        var free = Solve(null);
        var limited = Solve(0.05);

        Assert.True(free.TrackingErrorAfter > 0.05, $"without the limit {free.TrackingErrorAfter:P2}");
        Assert.InRange(limited.TrackingErrorAfter, 0.0425, 0.05);
        // Without the limit all 600 shares are sold (8.17 %); inside it, measured 460 (4.75 %): it still harvests most of them.
        Assert.Equal(600m, free.Trades.Where(t => t.Symbol == "AAA").Sum(t => t.Quantity));
        Assert.InRange(limited.Trades.Where(t => t.Symbol == "AAA").Sum(t => t.Quantity), 400m, 599m);
    }

    [Fact]
    public void A_cash_penalty_invests_cash_the_transaction_cost_alone_would_leave()
    {
        RebalanceResult Solve(params ITerm[] extra) => new RebalanceOptimizer().Optimize(Portfolio([], cash: 20_000m),
            new Policy([new TransactionCost(0.0005), .. extra], [new LongOnly()]));
        decimal CashAfter(RebalanceResult r) => 20_000m + r.Trades.Sum(t => t.Side == TradeSide.Sell ? t.Amount : -t.Amount);

        Assert.Equal(20_000m, CashAfter(Solve()));
        Assert.InRange(CashAfter(Solve(new CashPenalty("tx", 1_000m, 0.02))), 0m, 1_100m);
    }

    [Fact]
    public void A_cash_target_keeps_the_cash_asked_for()
    {
        var r = Run(Portfolio([], cash: 20_000m), new CashTarget("tx", 5_000m, 5_000m));

        decimal cashAfter = 20_000m + r.Trades.Sum(t => t.Side == TradeSide.Sell ? t.Amount : -t.Amount);
        Assert.Equal(5_000m, cashAfter, 0);
        Assert.Contains(r.Trades, t => t.Reasons.HasFlag(TradeReason.Cash));
    }

    [Fact]
    public void Expected_return_tilts_by_the_closed_form()
    {
        // Two assets, Σ = 0.04·I, benchmark ½/½, alpha (0.02, 0): minimize 0.04·2d² − 0.02·d over the tilt d = w₁ − ½,
        // so d = 0.02 / (4·0.04) = 0.125.
        string[] syms = ["AAA", "BBB"];
        var risk = FactorRiskModel.FromCovariance(syms, new[,] { { 0.04, 0 }, { 0, 0.04 } });
        var p = new HouseholdPortfolio([new("AAA", "A", "e", "Tech", null, SecurityKind.Stock), new("BBB", "B", "e", "Tech", null, SecurityKind.Stock)],
            new Dictionary<string, decimal> { ["AAA"] = 1m, ["BBB"] = 1m },
            [new AccountHoldings("ira", AccountType.Ira, 100_000m, [], [])], AsOf);
        var policy = new Policy([new TrackingError(risk, [0.5, 0.5]), new ExpectedReturn(new Dictionary<string, double> { ["AAA"] = 0.02 })],
            [new LongOnly(), new FullyInvested()]);

        var ws = new RebalanceOptimizer().SolveWeights(OptimizerHousehold.From(p), policy);

        Assert.Equal(0.625, ws.Context.Holding(0, 0, ws.Solution.X), 7);
        Assert.Equal(0.375, ws.Context.Holding(0, 1, ws.Solution.X), 7);
    }

    [Fact]
    public void Market_impact_spreads_a_trade_by_the_closed_form()
    {
        // One asset bought from cash with TE weight: minimize 0.04·(w − 1)² + k·w² with k = 0.04 → w = 0.5.
        string[] syms = ["AAA"];
        var risk = FactorRiskModel.FromCovariance(syms, new[,] { { 0.04 } });
        var p = new HouseholdPortfolio([new("AAA", "A", "e", "Tech", null, SecurityKind.Stock)],
            new Dictionary<string, decimal> { ["AAA"] = 1m },
            [new AccountHoldings("ira", AccountType.Ira, 100_000m, [], [])], AsOf);
        var policy = new Policy([new TrackingError(risk, [1.0]), new TransactionCost(0, impact: 0.04)], [new LongOnly()]);

        var ws = new RebalanceOptimizer().SolveWeights(OptimizerHousehold.From(p), policy);

        Assert.Equal(0.5, ws.Context.Holding(0, 0, ws.Solution.X), 7);
    }
}
