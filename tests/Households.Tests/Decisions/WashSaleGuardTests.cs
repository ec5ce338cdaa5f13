using Households.Contracts;
using Households.Domain.Decisions;
using Households.Domain.Tax;
using Households.Domain.WashSales;
using Xunit;

namespace Households.Tests.Decisions;

public sealed class WashSaleGuardTests
{
    private static readonly DateOnly Today = new(2026, 6, 15);

    private static AccountDecisionInput Input(string id, AccountType type, params TaxLot[] lots) =>
        new(new AccountSpec(id, "H", id, type, true, "M", [], false, LotRelief.Hifo, HarvestPolicy.Default), 0m, [.. lots], null, 0m);

    [Fact]
    public void A_loss_lot_washed_by_the_spouse_IRA_is_held_and_open_losses_block_group_purchases()
    {
        var identical = new SubstantiallyIdentical([("SPX1", "SP500"), ("SPX2", "SP500")]);
        var tax = new HouseholdTaxLedger(identical);
        var loss = new TaxLot("L1", "SPX1", 100, 10_000m, Today.AddDays(-200), Today.AddDays(-200));
        var other = new TaxLot("L2", "BND", 50, 5_000m, Today.AddDays(-200), Today.AddDays(-200));
        tax.OpenAccounts([(new AccountTaxProfile("TAX", AccountType.Taxable), [loss, other]), (new AccountTaxProfile("SPIRA", AccountType.Ira), [])]);
        tax.RecordPurchase("SPIRA", new TaxLot("B1", "SPX2", 40, 3_600m, Today.AddDays(-10), Today.AddDays(-10)));
        var inputs = new[] { Input("TAX", AccountType.Taxable, loss, other), Input("SPIRA", AccountType.Ira) };

        var (held, refusals) = WashSaleGuard.HoldWashingLosses(inputs, tax, s => s == "SPX1" ? 90m : 95m, Today);

        var refusal = Assert.Single(refusals);
        Assert.Equal(("TAX", "L1"), (refusal.AccountId, refusal.Lot.Id));
        Assert.Equal(40m, refusal.Check.WashedQuantity); // 40 of the 100 shares would be washed, permanently
        Assert.Equal($"40 shares bought {Today.AddDays(-10):yyyy-MM-dd} in SPIRA", refusal.Cause);
        var hold = Assert.Single(held[0].Spec.Restrictions);
        Assert.Equal((RestrictionKind.Hold, "SPX1"), (hold.Kind, hold.Symbol));
        Assert.Same(inputs[1], held[1]);

        // Sold at a loss with nothing matching it: the group's other fund is blocked in every account for 30 days.
        var sale = tax.RecordSale("TAX", Today, [new LotSale(other, "L2", 50, 4_750m, 5_000m, HoldingTerm.Short)]);
        Assert.Empty(sale.Adjustments);
        var open = WashSaleGuard.OpenLossKeys(["TAX", "SPIRA"], tax.WashSales, Today);
        var blocked = WashSaleGuard.BlockedPurchases(open,
            [new Security("BND", "Bonds", "US Bonds", "Bonds", null, SecurityKind.BondFund), new Security("SPX2", "S&P", "US Equity", "Broad", "SP500", SecurityKind.EquityFund)],
            identical);
        Assert.Equal(Today.AddDays(30), Assert.Single(blocked).Value);
        Assert.Equal("BND", Assert.Single(blocked).Key);
        Assert.True(WashSaleGuard.IsBlocked(open, identical, "BND"));
        Assert.False(WashSaleGuard.IsBlocked(open, identical, "SPX2"));
    }
}
