using System.Text.Json;
using Households.Contracts;
using Households.Domain.Lots;
using Households.Grains.Accounts;
using Households.Grains.Household;
using Households.Grains.Silo;
using Xunit;

namespace Households.Tests.Grains;

/// <summary>Grain state stored before issue #19 (when the contract records carried arrays) must read back after it:
/// the fixtures are a household's and an account's state serialized then, with the serializer the storage uses
/// (<see cref="BooksLoader.StateSerializer"/>), as base64.</summary>
public sealed class StoredStateFixtureTests
{
    private static readonly DateOnly Day = new(2026, 3, 2);
    private static readonly DateTimeOffset At = new(2026, 3, 2, 15, 30, 0, TimeSpan.Zero);

    private static string FixturePath(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    private static T ReadFixture<T>(string name) =>
        BooksLoader.StateSerializer().Deserialize<T>(Convert.FromBase64String(File.ReadAllText(FixturePath(name)).Trim()))
        ?? throw new InvalidDataException($"{name} holds no state");

    /// <summary>Everything a state holds, as text: equal text is equal contents, whatever collection type holds them.</summary>
    private static string Contents<T>(T state) => JsonSerializer.Serialize(state, new JsonSerializerOptions { WriteIndented = true });

    private static TaxLot Lot(string id, string symbol, decimal quantity, decimal basis) => new(id, symbol, quantity, basis, Day.AddYears(-2), Day.AddYears(-2));

    private static LotSale Sale(TaxLot lot, decimal quantity, decimal proceeds) => new(lot, lot.Id, quantity, proceeds, lot.Basis * quantity / lot.Quantity, HoldingTerm.Long);

    private static TradeResult Fill(string key, string account)
    {
        var lot = Lot("L-VTI-1", "VTI", 100m, 20_000m);
        return new TradeResult(key, account,
            new TradeRequest(key, Day, "VTI", TradeSide.Sell, 40m, 180.25m, "L-VTI-1", LotRelief.Hifo, 1.5m),
            null,
            [new RealizedLot(Day, account, "VTI", "L-VTI-1", 40m, 7_210m, 8_000m, -790m, 120.5m, -669.5m, HoldingTerm.Long, false)],
            12_345.67m, false,
            [Sale(lot, 40m, 7_210m)],
            [new WashSaleAdjustment(7, account, Day, "L-VTI-1", "ira-1", "L-ITOT-3", 12m, 120.5m, Day.AddYears(-2), false, "L-ITOT-3r")]);
    }

    private static BrokerOrder Order(string id) => new(id, "hh-fixture", "P-3", "acct-1", "VTI", TradeSide.Sell, 40m, OrderType.Limit, 180m,
        180.25m, Day, At, [new OrderLot("L-VTI-1", 25m), new OrderLot("L-VTI-2", 15m)], OrderStatus.PartiallyFilled, 25m, 180.1m, 1, null, null);

    private static JournalEntry Entry(long id, string? account) =>
        new(id, "hh-fixture", account, JournalKind.Proposal, At, $"key-{id}", $"entry {id}", "{\"n\":" + id + "}");

    /// <summary>A household's state with arrays at every depth: proposals with causes, trades, lots, fills and orders; trade
    /// results; an outbox; the wash-sale ledger; corporate actions; a transition policy; orders and executions.</summary>
    public static HouseholdState Household()
    {
        var lot = Lot("L-VTI-1", "VTI", 100m, 20_000m);
        var trade = new OptimizedTrade("acct-1", "VTI", TradeSide.Sell, 40m, 7_210m, 0.31, 0.27, TradeReason.Drift | TradeReason.Harvest, 0m, -790m,
            [Sale(lot, 40m, 7_210m)]);
        var cause = new Trigger(TriggerKind.Drift, "acct-1", "VTI", 0.31, 0.27, 0.03, 42, At.AddMinutes(-1), At);
        var effect = new CorporateActionEffect("CA-1", "acct-1", [new LotPiece(lot, lot.Id)], [new LotPiece(lot with { Quantity = 200m }, lot.Id)],
            [], null, 0m, 12_345.67m);
        return new HouseholdState
        {
            Spec = new HouseholdSpec("hh-fixture", "Fixture household", "adv-1", ["acct-1", "ira-1"]),
            WashSales = new WashSaleLedgerState(
                [new WashSaleAccount("acct-1", AccountType.Taxable, false), new WashSaleAccount("ira-1", AccountType.Ira, false)],
                [new WashSaleHolding("ira-1", "L-ITOT-3", "L-ITOT-3", "US-TOTAL", Day.AddDays(-5), 12m, true)],
                [new OpenWashSaleLoss(7, "acct-1", "US-TOTAL", "L-VTI-1", "L-VTI-1", Day, Day.AddYears(-2), 40m, -790m, 12m, 120.5m)],
                ["L-ITOT-3"], 8, Day),
            Realized = [new RealizedEntry(Day, "acct-1", "VTI", "L-VTI-1", 40m, 7_210m, 8_000m, HoldingTerm.Long, true, 120.5m, 0m, 0m, 7)],
            Trades = new(StringComparer.Ordinal) { ["acct-1/fill-1"] = Fill("fill-1", "acct-1") },
            Proposals =
            [
                new RebalanceProposal("P-2", "hh-fixture", ProposalStatus.Executed, At, At.AddHours(1), [cause], [trade], 0.021, 0.004, 0m, -790m, 42,
                    At.AddMinutes(5), "harvest", [Fill("fill-1", "acct-1")], null, Approver.System),
                new RebalanceProposal("P-3", "hh-fixture", ProposalStatus.Pending, At, At.AddHours(1), [cause], [trade, trade with { Account = "ira-1" }],
                    0.02, 0.01, 0m, 0m, 43, null, null, [], null, null, [Order("O-20")]),
            ],
            NextProposal = 4,
            Outbox = [Entry(11, "acct-1"), Entry(12, null)],
            PendingAdjustments = [new WashSaleAdjustment(7, "acct-1", Day, "L-VTI-1", "ira-1", "L-ITOT-3", 12m, 120.5m, Day.AddYears(-2), false, null)],
            CorporateActions = new(StringComparer.Ordinal)
            {
                ["CA-1"] = new AppliedCorporateAction(new CorporateAction("CA-1", CorporateActionKind.Split, "VTI", Day, Ratio: 2m),
                    new HouseholdCorporateAction("hh-fixture", [effect], [], [])),
            },
            Transition = new TransitionPolicy(new AnnualTaxBudget(25_000m),
                [new AccountTaxBudget("acct-1", new AnnualTaxBudget(10_000m))],
                [new SellDownSchedule("acct-1", "AAPL", 250m, 100m, ["L-AAPL-gift"])]),
            Orders = [Order("O-20")],
            Executions = [new ExecutionResult("X-1", Order("O-20"), [Fill("fill-2", "acct-1")], null, false)],
            Deferred = ["ira-1"],
        };
    }

    /// <summary>An account's state with the records that carry arrays: its spec's restrictions, applied trades, an outbox,
    /// corporate-action and book-correction effects.</summary>
    public static AccountState Account()
    {
        var lot = Lot("L-VTI-1", "VTI", 100m, 20_000m);
        var state = new AccountState
        {
            Spec = new AccountSpec("acct-1", "hh-fixture", "Joint", AccountType.Taxable, true, "m-60-40",
                [new Restriction(RestrictionKind.NoBuy, "TSLA", null, "client request"), new Restriction(RestrictionKind.Exclude, null, "Energy", "ESG")],
                false, LotRelief.Hifo, new HarvestPolicy(true, 0.05m, 500m)),
            Cash = 12_345.67m,
            Outbox = [Entry(21, "acct-1")],
            Unsettled = [new UnsettledCash("fill-1", 7_210m, Day, Day.AddDays(1))],
            PackedLots = CompactLots.From("acct-1", [new LotPiece(lot, lot.Id)]).Pack(),
        };
        state.AppliedTrades["fill-1"] = Fill("fill-1", "acct-1");
        state.CorporateActions["CA-1"] = new CorporateActionEffect("CA-1", "acct-1", [new LotPiece(lot, lot.Id)],
            [new LotPiece(lot with { Quantity = 200m }, lot.Id)], [Sale(lot, 0.5m, 90m)], null, 90m, 12_345.67m);
        state.BookCorrections["BC-1"] = new BookCorrectionEffect("acct-1",
            new BookCorrection("BC-1", BookCorrectionKind.TransferIn, Day, "custodian", "VTI", "L-VTI-9", 5m, 900m, Day.AddYears(-1)),
            [], [new LotPiece(Lot("L-VTI-9", "VTI", 5m, 900m), "L-VTI-9")], 0m, 12_345.67m);
        state.CashMovements["dep-1"] = new CashMovement("dep-1", CashKind.Deposit, 1_000m, Day, null);
        state.AppliedAdjustments.Add("7/L-ITOT-3");
        return state;
    }

    [Fact]
    public void A_household_state_stored_before_issue_19_reads_back_with_the_same_contents()
    {
        var stored = ReadFixture<HouseholdState>("household-state-before-issue-19.b64");

        Assert.Equal(Contents(Household()), Contents(stored));
        var executed = stored.Proposals[0];
        Assert.Equal(40m, executed.Trades[0].Lots[0].Quantity);
        Assert.Equal(-790m, executed.Fills[0].Realized[0].Gain);
        Assert.Equal(120.5m, executed.Fills[0].WashSales[0].Disallowed);
        Assert.Null(executed.Orders);
        Assert.Equal([25m, 15m], (stored.Proposals[1].Orders ?? [])[0].Lots.Select(l => l.Quantity));
        Assert.Equal<string>(["acct-1", "ira-1"], stored.Spec!.AccountIds);
        Assert.Equal<string>(["L-ITOT-3"], stored.WashSales!.TakenIds);
        Assert.Equal([11L, 12L], stored.Outbox.Select(e => e.Id));
        Assert.Equal(200m, stored.CorporateActions["CA-1"].Result.Accounts[0].After[0].Lot.Quantity);
        Assert.Equal<string>(["L-AAPL-gift"], stored.Transition!.SellDowns[0].GiftedLots);
        Assert.Equal(180.25m, stored.Executions[0].Fills[0].Request.Price);
    }

    [Fact]
    public void An_account_state_stored_before_issue_19_reads_back_with_the_same_contents()
    {
        var stored = ReadFixture<AccountState>("account-state-before-issue-19.b64");

        Assert.Equal(Contents(Account()), Contents(stored));
        Assert.Equal<string?>(["TSLA", null], stored.Spec!.Restrictions.Select(r => r.Symbol));
        Assert.Equal(-669.5m, stored.AppliedTrades["fill-1"].Realized[0].Recognized);
        Assert.Equal(90m, stored.CorporateActions["CA-1"].Sales[0].Proceeds);
        Assert.Empty(stored.BookCorrections["BC-1"].Before);
        Assert.Equal(5m, stored.BookCorrections["BC-1"].After[0].Lot.Quantity);
        Assert.Equal(21L, stored.Outbox[0].Id);
    }
}
