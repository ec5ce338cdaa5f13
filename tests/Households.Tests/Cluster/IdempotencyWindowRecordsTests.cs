using Households.Contracts;
using Households.Domain;
using Households.Grains;
using Households.Grains.Accounts;
using Households.Grains.Household;
using Households.Grains.Securities;
using Households.Persistence.Journal;
using Xunit;
using static Households.Tests.Cluster.TestFirm;

namespace Households.Tests.Cluster;

/// <summary>The idempotency window (31 days, the default) for the account's other keyed records, as for fills: cash movements,
/// corrections of record and corporate actions are kept by key for a month of their own dates in the stored state (the
/// account's and the household's), and one sent again after that is answered from the journal and changes nothing, so the
/// books no longer grow with every dividend and deposit they ever recorded (issue #18 goal 2).</summary>
[Collection(ClusterCollection.Name)]
public sealed class IdempotencyWindowRecordsTests(ClusterFixture fixture)
{
    private static readonly DateOnly First = new(2026, 1, 5);

    private static CashMovement Deposit(int i) => new($"rw-d{i:D2}", CashKind.Deposit, 10m, First.AddDays(i), null);
    private static CorporateAction Dividend(int i) => new($"rw-ca{i:D2}", CorporateActionKind.CashDividend, "RWEQ", First.AddDays(i), Cash: 0.1m, Price: 50m);
    private static BookCorrection TransferIn(int i) =>
        new($"rw-c{i:D2}", BookCorrectionKind.TransferIn, First.AddDays(i), "test custodian", "RWEQ", null, 1m, 50m, new DateOnly(2025, 1, 2));

    [Fact]
    public async Task Cash_dividends_and_corrections_keep_a_month_by_key_and_older_ones_sent_again_are_answered_from_the_journal()
    {
        var client = fixture.Client;
        await client.GetGrain<IUniverseGrain>(UniverseGrain.Key).Upsert([Fund("RWEQ", "US Equity")]);
        var household = client.GetGrain<IHouseholdGrain>("RWHH");
        await household.Create(new HouseholdSpec("RWHH", "Idempotency window of records", "ADV1", ["RWA1"]),
            [new AccountOpening(Account("RWA1", "RWHH", AccountType.Taxable, null), 100_000m, [Lot("RWL1", "RWEQ", 100, 50m, new DateOnly(2025, 1, 2))])]);
        var account = client.GetGrain<IAccountGrain>("RWA1");
        Task<AccountState> Stored() => IdempotencyWindowClusterTests.Stored<AccountState>(fixture, "account", account);

        // Sixty daily deposits of $10, 5 January to 5 March: deposit i keeps deposits i-31 to i, at most 32.
        var maxCash = 0;
        for (var i = 0; i < 60; i++)
        {
            await account.RecordCash(Deposit(i));
            maxCash = Math.Max(maxCash, (await Stored()).CashMovements.Count);
        }
        Assert.Equal(32, maxCash);
        var stored = await Stored();
        // 5 March less 31 days: 2 February, deposit 28.
        Assert.Equal(new DateOnly(2026, 2, 2), stored.CashKeptSince);
        Assert.Equal(Enumerable.Range(28, 32).Select(i => $"rw-d{i:D2}"), stored.CashMovements.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(100_600m, (await account.GetLedger()).Cash);

        // Sent again: inside the window from the state, before it from the journal; neither moves cash.
        Assert.Equal(100_600m, await account.RecordCash(Deposit(59)));
        Assert.Equal(100_600m, await account.RecordCash(Deposit(0)));
        Assert.Contains("already used for a different cash movement",
            (await Assert.ThrowsAsync<BadInputException>(() => account.RecordCash(Deposit(0) with { Amount = 11m }))).Message);
        // A late movement under a key never used is recorded (the journal does not have it), kept until the next write drops it.
        Assert.Equal(100_607m, await account.RecordCash(new CashMovement("rw-late", CashKind.Deposit, 7m, First.AddDays(1), null)));
        Assert.Contains("rw-late", (await Stored()).CashMovements.Keys);
        Assert.Equal(100_617m, await account.RecordCash(Deposit(60)));
        Assert.DoesNotContain("rw-late", (await Stored()).CashMovements.Keys);
        Assert.Equal(100_617m, await account.RecordCash(new CashMovement("rw-late", CashKind.Deposit, 7m, First.AddDays(1), null)));
        // A custodian file sent again finds the old keys applied (from the journal) and the new one not.
        Assert.Equal(["rw-d00", "rw-late", "rw-d60"], await account.AppliedKeys(["rw-d00", "rw-late", "rw-d60", "rw-never"]));

        // Forty daily dividends of $0.10 on 100 shares, 5 January to 13 February: the household and the account keep 32 each.
        var first = await household.ApplyCorporateAction(Dividend(0));
        int maxHousehold = 0, maxAccount = 0;
        for (var i = 1; i < 40; i++)
        {
            await household.ApplyCorporateAction(Dividend(i));
            maxHousehold = Math.Max(maxHousehold, (await IdempotencyWindowClusterTests.Stored<HouseholdState>(fixture, "household", household)).CorporateActions.Count);
            maxAccount = Math.Max(maxAccount, (await Stored()).CorporateActions.Count);
        }
        Assert.Equal((32, 32), (maxHousehold, maxAccount));
        var kept = await IdempotencyWindowClusterTests.Stored<HouseholdState>(fixture, "household", household);
        // 13 February less 31 days: 13 January, dividend 8.
        Assert.Equal(new DateOnly(2026, 1, 13), kept.CorporateActionsKeptSince);
        Assert.Equal(new DateOnly(2026, 1, 13), (await Stored()).CorporateActionsKeptSince);
        Assert.Equal(Enumerable.Range(8, 32).Select(i => $"rw-ca{i:D2}"), kept.CorporateActions.Keys.Order(StringComparer.Ordinal));
        // 100,617 and forty dividends of $10.
        Assert.Equal(101_017m, (await account.GetLedger()).Cash);
        // The first dividend sent again to the household: its effect from the journal, replayed; straight to the account, the same.
        var again = await household.ApplyCorporateAction(Dividend(0));
        Assert.True(again.Replayed);
        var effect = Assert.Single(again.Accounts);
        AssertSame(Assert.Single(first.Accounts) with { Replayed = true }, effect);
        Assert.Equal((10m, 100_627m, new DateOnly(2026, 1, 5)), (effect.CashDelta, effect.CashAfter, effect.Date));
        AssertSame(effect, await account.ApplyCorporateAction(Dividend(0)));
        Assert.True((await household.ApplyCorporateAction(Dividend(39))).Replayed);
        Assert.Equal(101_017m, (await account.GetLedger()).Cash);

        // Forty daily transfers in of one share: kept by key for a month; the first sent again is its first effect, replayed.
        var firstIn = (await account.ApplyBookCorrections([TransferIn(0)]))[0];
        for (var i = 1; i < 40; i++) await account.ApplyBookCorrections([TransferIn(i)]);
        var afterTransfers = await Stored();
        Assert.Equal(new DateOnly(2026, 1, 13), afterTransfers.CorrectionsKeptSince);
        Assert.Equal(Enumerable.Range(8, 32).Select(i => $"rw-c{i:D2}"), afterTransfers.BookCorrections.Keys.Order(StringComparer.Ordinal));
        var replayedIn = (await account.ApplyBookCorrections([TransferIn(0)]))[0];
        Assert.Equal((firstIn.Correction, firstIn.CashDelta, firstIn.CashAfter, true), (replayedIn.Correction, replayedIn.CashDelta, replayedIn.CashAfter, replayedIn.Replayed));
        Assert.Equal(firstIn.After.AsEnumerable(), replayedIn.After.AsEnumerable());
        Assert.Contains("already used for a different correction",
            (await Assert.ThrowsAsync<BadInputException>(() => account.ApplyBookCorrections([TransferIn(0) with { Quantity = 2m }]))).Message);
        Assert.Equal(["rw-c00"], await account.AppliedKeys(["rw-c00"]));
        var ledger = await account.GetLedger();
        Assert.Equal(41, ledger.Lots.Length); // RWL1 and forty transfers, none twice
        Assert.Equal(140m, ledger.Lots.Sum(l => l.Lot.Quantity));

        // One journal entry per key, and the books equal the journal.
        var journal = fixture.SiloService<IJournal>();
        var cash = await journal.Query(new JournalQuery("RWHH", null, null, null, JournalKind.Cash, 1000, null));
        Assert.Equal(62, cash.Count);
        // Each recorded deposit is a cause of a decision, its trigger journaled once: a deposit made while a decision ran
        // replaced the one before it in the inbox (18 of 62 lost), and keys to the millisecond dropped more.
        static int Deposits(IReadOnlyList<JournalEntry> entries) => entries.Count(e => e.IdempotencyKey!.StartsWith("trigger:Cash:deposit:", StringComparison.Ordinal));
        Assert.Equal(62, Deposits(await ClusterFixture.Eventually(() => journal.Query(new JournalQuery("RWHH", "RWA1", null, null, JournalKind.Trigger, 1000, null)),
            entries => Deposits(entries) >= 62)));
        Assert.Equal(40, (await journal.Query(new JournalQuery("RWHH", null, null, null, JournalKind.CorporateAction, 1000, null))).Count);
        Assert.Equal(40, (await journal.Query(new JournalQuery("RWHH", null, null, null, JournalKind.BookCorrection, 1000, null))).Count);
        Assert.Empty(await Households.Tests.Reliability.LiveReconciliation.Differences(client, journal, ["RWHH"]));
        // No entry under a key naming another (this test's quick deposits, keyed to the millisecond, dropped triggers' entries).
        Assert.Equal(0, journal.EntriesDroppedForReusedKeys);
    }

    private static void AssertSame(CorporateActionEffect expected, CorporateActionEffect actual)
    {
        Assert.Equal(expected with { Before = [], After = [], Sales = [] }, actual with { Before = [], After = [], Sales = [] });
        Assert.Equal(expected.Before.AsEnumerable(), actual.Before.AsEnumerable());
        Assert.Equal(expected.After.AsEnumerable(), actual.After.AsEnumerable());
        Assert.Equal(expected.Sales.AsEnumerable(), actual.Sales.AsEnumerable());
    }
}
