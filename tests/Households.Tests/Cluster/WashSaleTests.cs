using Households.Contracts;
using Households.Grains.Securities;
using Households.Grains;
using Xunit;
using static Households.Tests.Cluster.TestFirm;

namespace Households.Tests.Cluster;

[Collection(ClusterCollection.Name)]
public sealed class WashSaleTests(ClusterFixture fixture)
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);

    private async Task<IHouseholdGrain> Household(string p)
    {
        var client = fixture.Client;
        await client.GetGrain<IUniverseGrain>(UniverseGrain.Key).Upsert([Fund($"{p}XYZ", "US Equity")]);
        var spec = new HouseholdSpec($"{p}HH", "Wash sale household", "ADV02", [$"{p}TAX", $"{p}SPIRA"]);
        var household = client.GetGrain<IHouseholdGrain>(spec.Id);
        await household.Create(spec,
        [
            new AccountOpening(Account($"{p}TAX", spec.Id, AccountType.Taxable, null), 1_000m, [Lot($"{p}L1", $"{p}XYZ", 100, 10m, Today.AddDays(-200))]),
            new AccountOpening(Account($"{p}SPIRA", spec.Id, AccountType.Ira, null) with { Name = "Spouse IRA" }, 10_000m, []),
        ]);
        return household;
    }

    [Fact]
    public async Task Loss_harvested_in_taxable_is_a_wash_sale_because_the_spouse_IRA_bought_10_days_earlier()
    {
        var household = await Household("WS");
        await household.RecordTrade("WSSPIRA", new TradeRequest("ira-buy", Today.AddDays(-10), "WSXYZ", TradeSide.Buy, 100, 8m, null, null, 0m));

        // Pre-trade: the household sees the IRA's purchase and says so before anything is sold.
        var check = await household.CheckLossSale("WSTAX", "WSL1", 100, Today);
        Assert.True(check.IsWashSale);
        Assert.Equal(100m, check.WashedQuantity);
        var replacement = Assert.Single(check.Replacements);
        Assert.Equal("WSSPIRA", replacement.Account);
        Assert.Equal("T-ira-buy", replacement.LotId);
        Assert.True(replacement.Permanent);

        // The harvest: 100 shares, basis $1,000, sold for $750. Rev. Rul. 2008-5: the $250 loss is disallowed
        // permanently and the IRA lot's basis stays $800.
        var sale = await household.RecordTrade("WSTAX", new TradeRequest("harvest", Today, "WSXYZ", TradeSide.Sell, 100, 7.5m, null, null, 0m));
        var row = Assert.Single(sale.Realized);
        Assert.Equal(-250m, row.Gain);
        Assert.Equal(250m, row.Disallowed);
        Assert.Equal(0m, row.Recognized);
        Assert.True(row.Permanent);
        var iraLot = Assert.Single(await fixture.Client.GetGrain<IAccountGrain>("WSSPIRA").GetLots());
        Assert.Equal(800m, iraLot.Lot.Basis);
        Assert.Equal(Today.AddDays(-10), iraLot.Lot.HoldingSince);

        var view = await household.GetView();
        Assert.Equal(250m, view.Tax.YearToDate.Disallowed);
        Assert.Equal(250m, view.Tax.YearToDate.PermanentlyDisallowed);

        // The audit trail: the fill with its tax effect and the wash sale with its cause, and a retry adds nothing.
        var journal = fixture.SiloService<Households.Persistence.Journal.IJournal>();
        var entries = await journal.Query(new JournalQuery("WSHH", null, null, null, null, 100, null));
        var wash = Assert.Single(entries, e => e.Kind == JournalKind.WashSale);
        Assert.Equal("WSSPIRA", wash.AccountId);
        Assert.Contains("250.00 disallowed permanently", wash.Summary);
        var fill = Assert.Single(entries, e => e.Kind == JournalKind.Fill && e.AccountId == "WSTAX");
        Assert.Contains("250.00 disallowed by wash sales", fill.Summary);
        await household.RecordTrade("WSTAX", sale.Request);
        Assert.Equal(entries.Count, (await journal.Query(new JournalQuery("WSHH", null, null, null, null, 100, null))).Count);
        Assert.Equal(0m, view.Tax.YearToDate.ShortTerm);
        Assert.Equal(250m, Assert.Single(view.Tax.Accounts, a => a.AccountId == "WSTAX").YearToDate.Disallowed);
    }

    [Fact]
    public async Task Unwashed_loss_blocks_buys_in_every_household_account_for_30_days_and_a_later_buy_adjusts_basis()
    {
        var household = await Household("BB");
        var sale = await household.RecordTrade("BBTAX", new TradeRequest("sell", Today.AddDays(-5), "BBXYZ", TradeSide.Sell, 100, 7.5m, null, null, 0m));
        Assert.Equal(0m, Assert.Single(sale.Realized).Disallowed);

        var blackout = Assert.Single(await household.BuyBlackouts("BBSPIRA", Today));
        Assert.Equal("BBXYZ", blackout.WashSaleKey);
        Assert.Equal(Today.AddDays(25), blackout.WashesThrough);
        Assert.True(blackout.Permanent);

        // Rebought in the taxable account within 30 days for $800: $250 disallowed, basis $1,050, holding period tacked.
        var buy = await household.RecordTrade("BBTAX", new TradeRequest("rebuy", Today, "BBXYZ", TradeSide.Buy, 100, 8m, null, null, 0m));
        Assert.Equal(1050m, buy.CreatedLot!.Basis);
        Assert.Equal(Today.AddDays(-195), buy.CreatedLot.HoldingSince); // 195 days held before the sale
        Assert.Empty(await household.BuyBlackouts("BBSPIRA", Today));
        var view = await household.GetView();
        Assert.Equal(250m, view.Tax.YearToDate.Disallowed);
        Assert.Equal(0m, view.Tax.YearToDate.PermanentlyDisallowed);
    }

    [Fact]
    public async Task Back_dated_trade_is_refused_and_changes_nothing()
    {
        var household = await Household("BD");
        await household.RecordTrade("BDSPIRA", new TradeRequest("b1", Today, "BDXYZ", TradeSide.Buy, 10, 8m, null, null, 0m));
        var refused = await Assert.ThrowsAsync<Households.Domain.BadInputException>(() =>
            household.RecordTrade("BDSPIRA", new TradeRequest("b2", Today.AddDays(-1), "BDXYZ", TradeSide.Buy, 10, 8m, null, null, 0m)));
        Assert.Contains("trades must come in date order", refused.Message);
        Assert.Equal(10_000m - 80m, (await fixture.Client.GetGrain<IAccountGrain>("BDSPIRA").GetView()).Cash);
    }
}
