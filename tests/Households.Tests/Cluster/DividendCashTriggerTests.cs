using Households.Contracts;
using Households.Grains.Securities;
using Households.Grains;
using Xunit;
using static Households.Tests.Cluster.TestFirm;

namespace Households.Tests.Cluster;

/// <summary>A cash dividend swept to cash raises the cash trigger when it lifts the account's cash over its band, with the
/// monitor's own band test, without waiting for a price batch.</summary>
[Collection(ClusterCollection.Name)]
public sealed class DividendCashTriggerTests(ClusterFixture fixture)
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);

    [Fact]
    public async Task A_swept_dividend_that_lifts_cash_over_its_band_raises_the_cash_trigger_and_one_within_it_does_not()
    {
        var client = fixture.Client;
        var band = new DriftBand(0.02m, 0);
        await client.GetGrain<IUniverseGrain>(UniverseGrain.Key).Upsert(
            [Fund("DVEQ", "US Equity"), new Security("DVMM", "DV money market", "Cash", "Cash", null, SecurityKind.Cash)]);
        await client.GetGrain<IModelGrain>("DVM").Define(new TargetModel("DVM", "95/5 with cash",
            [new ModelSleeve(SleeveKind.Security, "DVEQ", 0.95m, band), new ModelSleeve(SleeveKind.Security, "DVMM", 0.05m, band)], false));
        var household = client.GetGrain<IHouseholdGrain>("DVHH");
        // 95 DVEQ at $100 and $500 cash: cash is 5 % of $10,000, on its target.
        await household.Create(new HouseholdSpec("DVHH", "Dividend household", "ADV02", ["DVTAX"]),
            [new AccountOpening(Account("DVTAX", "DVHH", AccountType.Taxable, "DVM") with { Discretionary = false }, 500m,
                [Lot("DVL1", "DVEQ", 95, 100m, Today.AddDays(-400))])]);
        await fixture.PublishAndScan(("DVEQ", 100m), ("DVMM", 1m));
        var account = client.GetGrain<IAccountGrain>("DVTAX");

        // The cash line is the Cash asset class a security sleeve gives, with the default band: 5 points or 25 % of its 5 %
        // target, the narrower (DriftTolerance): 1.25 points.
        // $0.50 a share: $547.50 of $10,047.50 is 5.45 %, inside 5 % ± 1.25 points.
        await household.ApplyCorporateAction(new CorporateAction("DV-SMALL", CorporateActionKind.CashDividend, "DVEQ", Today, Cash: 0.5m, Price: 100m));
        Assert.DoesNotContain(await account.GetTriggers(), t => t.Kind == TriggerKind.Cash);

        // $5 a share more: $1,022.50 of $10,522.50 is 9.72 %, over the band's 6.25 %.
        await household.ApplyCorporateAction(new CorporateAction("DV-BIG", CorporateActionKind.CashDividend, "DVEQ", Today, Cash: 5m, Price: 100m));
        var cash = Assert.Single(await account.GetTriggers(), t => t.Kind == TriggerKind.Cash);
        Assert.Equal("Cash", cash.Subject);
        Assert.Equal(0.0972, cash.Observed, 4);
        Assert.Equal(0.05, cash.Target, 6);
        Assert.Equal(0.0125, cash.Threshold, 6);
        Assert.Equal(1_022.50m, (await account.GetLedger()).Cash);
    }
}
