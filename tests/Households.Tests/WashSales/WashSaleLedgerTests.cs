using Households.Contracts;
using Households.Domain;
using Households.Domain.Lots;
using Households.Domain.WashSales;
using Xunit;
using static Households.Tests.WashSales.Household;

namespace Households.Tests.WashSales;

/// <summary>The ledger as the household grain uses it: pre-trade checks, buy blackouts and adjustment records.</summary>
public class WashSaleLedgerTests
{
    /// <summary>A ledger of a taxable account T and an IRA, with their empty lot books.</summary>
    internal static (WashSaleLedger Ledger, LotBook Taxable, LotBook Ira) Setup()
    {
        var ledger = new WashSaleLedger();
        ledger.RegisterAccount(new AccountTaxProfile("T", AccountType.Taxable));
        ledger.RegisterAccount(new AccountTaxProfile("IRA", AccountType.Ira));
        return (ledger, new LotBook(), new LotBook());
    }

    [Fact]
    public void Pre_trade_check_names_the_purchases_in_other_accounts_that_would_wash_the_loss()
    {
        var (ledger, t, ira) = Setup();
        ledger.RecordPurchase("T", t.Buy("L1", "XYZ", 100, 10m, D("2024-01-02")));
        ledger.RecordPurchase("T", t.Buy("L2", "XYZ", 60, 9m, D("2024-01-20")));
        ledger.RecordPurchase("IRA", ira.Buy("I1", "XYZ", 40, 9m, D("2024-02-10")));
        var preview = ledger.PreviewLossSale("T", "XYZ", "L1", 100, D("2024-02-15"));
        Assert.True(preview.IsWashSale);
        Assert.Equal(100m, preview.WashedQuantity);
        Assert.Equal(
            [new ReplacementShares("T", "L2", 60, D("2024-01-20"), false), new ReplacementShares("IRA", "I1", 40, D("2024-02-10"), true)],
            preview.Replacements.AsEnumerable());
        // L2 leaves the window after 2024-02-19, I1 after 2024-03-11.
        Assert.Equal(40m, ledger.PreviewLossSale("T", "XYZ", "L1", 100, D("2024-03-01")).WashedQuantity);
        Assert.False(ledger.PreviewLossSale("T", "XYZ", "L1", 100, D("2024-03-12")).IsWashSale);
    }

    [Fact]
    public void Buy_blackouts_list_keys_until_30_days_after_the_open_loss()
    {
        var (ledger, t, _) = Setup();
        ledger.RecordPurchase("T", t.Buy("L1", "XYZ", 100, 10m, D("2024-01-02")));
        var outcome = ledger.RecordSale("T", D("2024-02-01"), t.Sell("XYZ", 100, 8m, D("2024-02-01"), LotRelief.Fifo));
        Assert.Empty(outcome.Adjustments);
        Assert.NotNull(outcome.LossIds[0]);
        Assert.Equal([new BuyBlackout("XYZ", D("2024-03-02"), 100m, true)], ledger.BuyBlackouts("IRA", D("2024-02-05")));
        Assert.Equal([new BuyBlackout("XYZ", D("2024-03-02"), 100m, false)], ledger.BuyBlackouts("T", D("2024-03-02")));
        Assert.Empty(ledger.BuyBlackouts("T", D("2024-03-03")));
        Assert.True(ledger.PurchaseWouldWash("IRA", "XYZ", D("2024-02-10")));
        Assert.False(ledger.PurchaseWouldWash("IRA", "ABC", D("2024-02-10")));
    }

    [Fact]
    public void A_purchase_returns_the_adjustments_the_account_applies_to_its_lot_book()
    {
        var (ledger, t, ira) = Setup();
        ledger.RecordPurchase("T", t.Buy("L1", "XYZ", 100, 10m, D("2024-01-02")));
        var outcome = ledger.RecordSale("T", D("2024-02-01"), t.Sell("XYZ", 100, 8m, D("2024-02-01"), LotRelief.Fifo));
        var adjustments = ledger.RecordPurchase("IRA", ira.Buy("I1", "XYZ", 150, 8m, D("2024-02-02")));
        var adjustment = Assert.Single(adjustments);
        Assert.Equal(new WashSaleAdjustment(outcome.LossIds[0]!.Value, "T", D("2024-02-01"), "L1", "IRA", "I1", 100, 200m, D("2024-02-02"), true, "I1.2"), adjustment);
        ira.Apply(adjustment);
        Assert.Equal([("I1", 100m, 800m), ("I1.2", 50m, 400m)], ira.Lots.Select(l => (l.Id, l.Quantity, l.Basis)));
        Assert.Empty(ledger.BuyBlackouts("T", D("2024-02-03")));
    }

    [Fact]
    public void A_sale_returns_adjustments_for_replacements_bought_before_it()
    {
        var (ledger, t, _) = Setup();
        ledger.RecordPurchase("T", t.Buy("L1", "XYZ", 10, 10m, D("2024-01-02")));
        ledger.RecordPurchase("T", t.Buy("L2", "XYZ", 10, 9m, D("2024-01-25")));
        var outcome = ledger.RecordSale("T", D("2024-02-01"), t.Sell("XYZ", 10, 8m, D("2024-02-01"), LotRelief.SpecificLot, "L1"));
        var adjustment = Assert.Single(outcome.Adjustments);
        Assert.Equal(("T", "L2", 10m, 20m, false, (string?)null), (adjustment.Account, adjustment.LotId, adjustment.Quantity, adjustment.Disallowed, adjustment.Permanent, adjustment.RemainderLotId));
        Assert.Equal(D("2023-12-26"), adjustment.HoldingSince); // 2024-01-25 minus the 30 days L1 was held
    }

    [Fact]
    public void Undeclared_accounts_are_bad_input()
    {
        var (ledger, t, _) = Setup();
        Assert.Throws<BadInputException>(() => ledger.RecordPurchase("nope", t.Buy("L1", "XYZ", 10, 10m, D("2024-01-02"))));
    }
}
