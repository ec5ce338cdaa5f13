using Households.Contracts;
using Households.Grains.Securities;
using Households.Grains.Silo;
using Households.Grains;
using Xunit;
using static Households.Tests.Cluster.TestFirm;

namespace Households.Tests.Cluster;

[Collection(ClusterCollection.Name)]
public sealed class PricePathTests(ClusterFixture fixture)
{
    private static readonly DateOnly Bought = new(2025, 6, 2);

    private async Task<(string Moving, string Still)> CreateTwoAccountHousehold(string p)
    {
        var client = fixture.Client;
        await client.GetGrain<IUniverseGrain>(UniverseGrain.Key).Upsert(
            [Fund($"{p}EQ", "US Equity"), Fund($"{p}BD", "US Bonds"), Fund($"{p}IN", "Intl Equity"), Fund($"{p}MU", "Municipal Bonds")]);
        await client.GetGrain<IModelGrain>($"{p}M1").Define(TwoFundModel($"{p}M1", $"{p}EQ", $"{p}BD", 0.6m, new DriftBand(0.05m, 0)));
        await client.GetGrain<IModelGrain>($"{p}M2").Define(TwoFundModel($"{p}M2", $"{p}IN", $"{p}MU", 0.5m, new DriftBand(0.05m, 0)));
        var household = new HouseholdSpec($"{p}HH", "Test household", "ADV01", [$"{p}A1", $"{p}A2"]);
        await client.GetGrain<IHouseholdGrain>(household.Id).Create(household,
        [
            // Advisory accounts: a trigger makes a proposal, not a trade, so the books (and the monitor's flags) stay as set
            // here while the test reads them.
            new AccountOpening(Account($"{p}A1", household.Id, AccountType.Taxable, $"{p}M1") with { Discretionary = false }, 0m,
                [Lot($"{p}L1", $"{p}EQ", 60, 100m, Bought), Lot($"{p}L2", $"{p}BD", 40, 100m, Bought)]),
            new AccountOpening(Account($"{p}A2", household.Id, AccountType.Ira, $"{p}M2") with { Discretionary = false }, 0m,
                [Lot($"{p}L3", $"{p}IN", 50, 100m, Bought), Lot($"{p}L4", $"{p}MU", 50, 100m, Bought)]),
        ]);
        return ($"{p}A1", $"{p}A2");
    }

    [Fact]
    public async Task Price_batch_that_moves_a_holding_past_its_band_triggers_only_that_account()
    {
        var (moving, still) = await CreateTwoAccountHousehold("PP");
        await fixture.PublishAndScan(("PPEQ", 100m), ("PPBD", 100m), ("PPIN", 100m), ("PPMU", 100m));
        var a1 = fixture.Client.GetGrain<IAccountGrain>(moving);
        var a2 = fixture.Client.GetGrain<IAccountGrain>(still);
        Assert.Empty(await a1.GetTriggers());

        // Equity +50%: 60×150 / (60×150 + 40×100) = 0.6923, drift +0.0923 beyond the 0.05 band.
        var sequence = await fixture.PublishAndScan(("PPEQ", 150m), ("PPIN", 101m));
        var triggers = await ClusterFixture.Eventually(a1.GetTriggers, t => t.Length >= 2);

        var equity = Assert.Single(triggers, t => t.Subject == "PPEQ");
        Assert.Equal(TriggerKind.Drift, equity.Kind);
        Assert.Equal(9000.0 / 13000.0, equity.Observed, 12);
        Assert.Equal(0.6, equity.Target, 12);
        Assert.Equal(0.05, equity.Threshold, 12);
        Assert.Equal(sequence, equity.BatchSequence);
        var bonds = Assert.Single(triggers, t => t.Subject == "PPBD");
        Assert.Equal(4000.0 / 13000.0, bonds.Observed, 12);
        Assert.Empty(await a2.GetTriggers());

        // The same condition on the next batch is not a new crossing.
        await fixture.PublishAndScan(("PPEQ", 151m));
        await Task.Delay(200);
        Assert.Equal(triggers.Length, (await a1.GetTriggers()).Length);
    }

    [Fact]
    public async Task Household_view_values_holdings_and_drift_at_the_boards_prices()
    {
        await CreateTwoAccountHousehold("HV");
        await fixture.PublishAndScan(("HVEQ", 110m), ("HVBD", 90m), ("HVIN", 100m), ("HVMU", 100m));

        var view = await fixture.Client.GetGrain<IHouseholdGrain>("HVHH").GetView();

        Assert.Equal(60 * 110m + 40 * 90m + 100 * 100m, view.MarketValue);
        var taxable = Assert.Single(view.Accounts, a => a.Spec.Id == "HVA1");
        Assert.Equal(10_200m, taxable.MarketValue);
        var eq = Assert.Single(taxable.Holdings, h => h.Symbol == "HVEQ");
        Assert.Equal(6600m, eq.MarketValue);
        Assert.Equal(600m, Assert.Single(eq.Lots).UnrealizedGain);
        var drift = Assert.Single(taxable.Drift, d => d.Level == DriftLevel.Security && d.Key == "HVEQ");
        Assert.Equal(6600.0 / 10200.0 - 0.6, drift.Drift, 12);
        Assert.False(drift.OutOfBand);
        var usEquity = Assert.Single(taxable.Drift, d => d.Level == DriftLevel.AssetClass && d.Key == "US Equity");
        Assert.Equal(6600.0 / 10200.0, usEquity.Weight, 12);
    }

    [Fact]
    public async Task Trade_is_applied_once_per_idempotency_key_and_moves_cash_and_lots()
    {
        await CreateTwoAccountHousehold("TR");
        await fixture.PublishAndScan(("TREQ", 100m), ("TRBD", 100m), ("TRIN", 100m), ("TRMU", 100m));
        var household = fixture.Client.GetGrain<IHouseholdGrain>("TRHH");
        var sell = new TradeRequest("k-1", new DateOnly(2026, 3, 2), "TREQ", TradeSide.Sell, 10, 120m, null, null, 1m);

        var first = await household.RecordTrade("TRA1", sell);
        var retry = await household.RecordTrade("TRA1", sell);

        Assert.False(first.Replayed);
        Assert.True(retry.Replayed);
        Assert.Equal(1199m, first.CashAfter);
        var realized = Assert.Single(first.Realized);
        Assert.Equal(1199m, realized.Proceeds);
        Assert.Equal(1000m, realized.Basis);
        Assert.Equal(199m, realized.Gain);
        var view = await fixture.Client.GetGrain<IAccountGrain>("TRA1").GetView();
        Assert.Equal(1199m, view.Cash);
        Assert.Equal(50m, Assert.Single(view.Holdings, h => h.Symbol == "TREQ").Quantity);

        var oversell = sell with { IdempotencyKey = "k-2", Quantity = 51 };
        var refused = await Assert.ThrowsAsync<Households.Domain.BadInputException>(() => household.RecordTrade("TRA1", oversell));
        Assert.Equal("sell of 51 TREQ exceeds the 50 shares held", refused.Message);
        Assert.Equal(1199m, (await fixture.Client.GetGrain<IAccountGrain>("TRA1").GetView()).Cash);
    }
}
