using Households.Contracts;
using Households.Domain.Lots;
using Households.Domain.WashSales;
using Xunit;
using static Households.Tests.WashSales.Household;

namespace Households.Tests.WashSales;

/// <summary>A household's fills are stored as what they changed in its wash-sale ledger (issue #18 goal 2), and the ledger
/// read back is the ledger written, entry for entry.</summary>
public class WashSaleLedgerChangesTests
{
    private static (WashSaleLedger Ledger, LotBook Taxable, LotBook Ira) Opened()
    {
        var (ledger, t, ira) = WashSaleLedgerTests.Setup();
        // Twenty recent purchases the window holds: the ledger a direct index keeps after a day of swaps.
        for (var i = 0; i < 20; i++) ledger.RecordPurchase("T", t.Buy($"S{i}", $"STK{i}", 10, 50m, D("2024-01-20")));
        return (ledger, t, ira);
    }

    [Fact]
    public void A_loss_sale_is_stored_as_the_loss_it_opened_and_the_holding_it_used_up()
    {
        var (ledger, t, _) = Opened();
        ledger.RecordPurchase("T", t.Buy("L1", "XYZ", 100, 10m, D("2024-01-20")));
        var before = ledger.Snapshot();
        // 100 XYZ bought at $10 on 2024-01-20 and sold at $8 on 2024-02-05: a $200 loss, open for 30 days; the lot leaves
        // the holdings (sold shares are no replacement).
        ledger.RecordSale("T", D("2024-02-05"), t.Sell("XYZ", 100, 8m, D("2024-02-05"), LotRelief.Fifo));
        var after = ledger.Snapshot();

        var change = WashSaleLedgerChanges.Between(before, after);

        Assert.NotNull(change);
        Assert.Equal(["T/L1"], change.HoldingsRemoved.AsEnumerable());
        Assert.Empty(change.HoldingsPut);
        var loss = Assert.Single(change.LossesPut);
        Assert.Equal(("T", "XYZ", "L1", 100m, 200m, 0m), (loss.Account, loss.Key, loss.SoldLotId, loss.Quantity, loss.Loss, loss.Matched));
        Assert.Empty(change.LossesRemoved);
        Assert.Equal(after.NextLossId, change.NextLossId);
        Assert.Equal(D("2024-02-05"), change.Today);
        AssertSame(after, WashSaleLedgerChanges.Apply(before, change));
    }

    [Fact]
    public void A_purchase_that_washes_an_open_loss_puts_the_matched_loss_and_the_used_holding()
    {
        var (ledger, t, ira) = Opened();
        ledger.RecordPurchase("T", t.Buy("L1", "XYZ", 100, 10m, D("2024-01-20")));
        ledger.RecordSale("T", D("2024-02-05"), t.Sell("XYZ", 100, 8m, D("2024-02-05"), LotRelief.Fifo));
        var before = ledger.Snapshot();
        // The IRA buys 40 XYZ ten days later (Rev. Rul. 2008-5): 40 of the 100 shares' loss is washed, permanently; 60 stay open.
        var adjustments = ledger.RecordPurchase("IRA", ira.Buy("I1", "XYZ", 40, 8.5m, D("2024-02-15")));
        var after = ledger.Snapshot();

        var change = WashSaleLedgerChanges.Between(before, after);

        Assert.Equal(80m, Assert.Single(adjustments).Disallowed);
        Assert.NotNull(change);
        var loss = Assert.Single(change.LossesPut);
        Assert.Equal((40m, 80m), (loss.Matched, loss.Disallowed));
        var holding = Assert.Single(change.HoldingsPut);
        Assert.Equal(("IRA", "I1", 40m, true), (holding.Account, holding.LotId, holding.Quantity, holding.Used));
        Assert.Equal(["I1"], change.TakenAdded.AsEnumerable());
        // A few entries, not the twenty-one the ledger holds.
        Assert.Equal(21, after.Holdings.Length);
        AssertSame(after, WashSaleLedgerChanges.Apply(before, change));
    }

    [Fact]
    public void Entries_the_window_drops_are_removed_and_a_ledger_never_stored_is_written_whole()
    {
        var (ledger, t, _) = Opened();
        var before = ledger.Snapshot();
        // Forty-five days on, the twenty purchases of 2024-01-20 have left the 30-day window.
        ledger.RecordPurchase("T", t.Buy("N1", "NEW", 5, 20m, D("2024-03-05")));
        var after = ledger.Snapshot();

        var change = WashSaleLedgerChanges.Between(before, after);

        Assert.NotNull(change);
        Assert.Equal(20, change.HoldingsRemoved.Length);
        Assert.Equal("T/N1", Assert.Single(change.HoldingsPut) is var put ? $"{put.Account}/{put.LotId}" : null);
        AssertSame(after, WashSaleLedgerChanges.Apply(before, change));
        Assert.Null(WashSaleLedgerChanges.Between(null, after));
    }

    [Fact]
    public void A_change_that_would_not_give_the_ledger_back_in_order_is_refused()
    {
        var (ledger, _, _) = Opened();
        var before = ledger.Snapshot();
        // The same entries, the first moved to the end: a change by key would put it back in place.
        var reordered = before with { Holdings = [.. before.Holdings.Skip(1), before.Holdings[0] with { Quantity = 9 }] };

        Assert.Null(WashSaleLedgerChanges.Between(before, reordered));
    }

    private static void AssertSame(WashSaleLedgerState expected, WashSaleLedgerState actual)
    {
        Assert.Equal(expected.Accounts.AsEnumerable(), actual.Accounts.AsEnumerable());
        Assert.Equal(expected.Holdings.AsEnumerable(), actual.Holdings.AsEnumerable());
        Assert.Equal(expected.Losses.AsEnumerable(), actual.Losses.AsEnumerable());
        Assert.Equal(expected.TakenIds.AsEnumerable(), actual.TakenIds.AsEnumerable());
        Assert.Equal((expected.NextLossId, expected.Today), (actual.NextLossId, actual.Today));
    }
}
