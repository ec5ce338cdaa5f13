using System.Collections.Immutable;
using Households.Contracts;
using Households.Domain.Decisions;
using Households.Grains.Accounts;
using Households.Grains.Household;
using Households.Grains.Silo;
using Households.Persistence;
using Npgsql;
using Orleans.Storage;
using Xunit;

namespace Households.Tests.PostgreSql;

/// <summary>The grain storage's group commit (issue #18) on a real PostgreSQL: hundreds of grains writing at once share
/// transactions, every grain still gets its own version, and a stale or racing write is a version conflict for that grain alone.</summary>
public sealed class GrainStorageTests(PostgresFixture db) : IClassFixture<PostgresFixture>
{
    private const string StateName = "account";

    private static GrainId Account(int i) => GrainId.Create("account", $"GS{i:D4}");

    private static GrainState<AccountState> Cash(decimal cash, string? etag = null) =>
        new(new AccountState { Cash = cash }) { ETag = etag, RecordExists = etag is not null };

    [Fact]
    public async Task Four_hundred_grains_writing_at_once_share_commits_and_read_back_their_own_state()
    {
        await PostgresSchema.ApplyAsync(db.ConnectionString);
        await using var database = NpgsqlDataSource.Create(db.ConnectionString);
        using var storage = new PostgresGrainStorage(database, BooksLoader.StateSerializer());
        var states = Enumerable.Range(0, 400).Select(i => Cash(i)).ToList();

        await Task.WhenAll(states.Select((s, i) => storage.WriteStateAsync(StateName, Account(i), s)));
        Assert.All(states, s => Assert.Equal("1", s.ETag));
        foreach (var (s, i) in states.Select((s, i) => (s, i))) s.State!.Cash = i + 0.25m;
        await Task.WhenAll(states.Select((s, i) => storage.WriteStateAsync(StateName, Account(i), s)));
        Assert.All(states, s => Assert.Equal("2", s.ETag));

        var (batches, items) = storage.WritesCommitted;
        Assert.Equal(800, items);
        Assert.True(batches < 400, $"800 writes took {batches} commits: not grouped");

        var read = Enumerable.Range(0, 400).Select(_ => new GrainState<AccountState>()).ToList();
        await Task.WhenAll(read.Select((s, i) => storage.ReadStateAsync(StateName, Account(i), s)));
        Assert.Equal(Enumerable.Range(0, 400).Select(i => i + 0.25m), read.Select(s => s.State!.Cash));
        Assert.All(read, s => Assert.Equal(("2", true), (s.ETag, s.RecordExists)));

        var missing = new GrainState<AccountState>();
        await storage.ReadStateAsync(StateName, Account(9999), missing);
        Assert.Equal((null, false, 0m), (missing.ETag, missing.RecordExists, missing.State!.Cash));
    }

    [Fact]
    public async Task A_write_from_a_stale_version_is_refused_and_racing_first_writes_let_exactly_one_through()
    {
        await PostgresSchema.ApplyAsync(db.ConnectionString);
        await using var database = NpgsqlDataSource.Create(db.ConnectionString);
        using var storage = new PostgresGrainStorage(database, BooksLoader.StateSerializer());
        var grain = Account(1001); // the class shares one database: keys apart from the other test's
        var current = Cash(100m);
        await storage.WriteStateAsync(StateName, grain, current);
        var stale = Cash(5m, etag: current.ETag);
        current.State!.Cash = 150m;
        await storage.WriteStateAsync(StateName, grain, current);

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, grain, stale));
        var stored = new GrainState<AccountState>();
        await storage.ReadStateAsync(StateName, grain, stored);
        Assert.Equal((150m, "2"), (stored.State!.Cash, stored.ETag));

        // Two activations of one new grain (a membership change) both write first: one insert wins, the other conflicts.
        var racing = new[] { Cash(1m), Cash(2m) };
        var outcomes = await Task.WhenAll(racing.Select(async s =>
        {
            try { await storage.WriteStateAsync(StateName, Account(1002), s); return "written"; }
            catch (InconsistentStateException) { return "conflict"; }
        }));
        Assert.Equal(["conflict", "written"], outcomes.Order());
        await storage.ReadStateAsync(StateName, Account(1002), stored);
        Assert.Equal(racing.Single(s => s.ETag == "1").State!.Cash, stored.State!.Cash);
    }

    [Fact]
    public async Task A_household_write_stores_its_live_header_beside_the_state_and_puts_it_on_the_board_once_committed()
    {
        await PostgresSchema.ApplyAsync(db.ConnectionString);
        await using var database = NpgsqlDataSource.Create(db.ConnectionString);
        var board = new LiveStateBoard();
        using var storage = new PostgresGrainStorage(database, BooksLoader.StateSerializer(), board);
        var grain = GrainId.Create("household", "GSHH1");
        var at = new DateTimeOffset(2026, 12, 1, 15, 0, 0, TimeSpan.Zero);
        RebalanceProposal Proposal(string id, ProposalStatus status) =>
            new(id, "GSHH1", status, at, at.AddDays(5), [], [], 0, 0, 0, 0, 1, null, null, [], null);
        var household = new GrainState<HouseholdState>(new HouseholdState
        {
            Spec = new HouseholdSpec("GSHH1", "Header household", "ADV7", ["GSA1", "GSA2"]),
            Proposals = [Proposal("P1", ProposalStatus.Pending), Proposal("P2", ProposalStatus.Executed), Proposal("P3", ProposalStatus.Pending)],
        });

        await storage.WriteStateAsync("household", grain, household);
        Assert.Equal(new HouseholdLiveHeader("GSHH1", "ADV7", ["GSA1", "GSA2"], 2), board.Header("GSHH1"), HeaderComparer);
        // An approval is a write like any other: the header follows it.
        household.State!.Proposals = [Proposal("P1", ProposalStatus.Executed), Proposal("P2", ProposalStatus.Executed), Proposal("P3", ProposalStatus.Pending)];
        await storage.WriteStateAsync("household", grain, household);
        Assert.Equal(1, board.Header("GSHH1")!.PendingProposals);
        // Other states carry no header.
        await storage.WriteStateAsync(StateName, Account(3001), Cash(1m));

        var read = new List<HouseholdLiveHeader>();
        await foreach (var header in storage.ReadHeaders()) read.Add(header);
        var stored = Assert.Single(read, h => h.HouseholdId == "GSHH1");
        Assert.Equal(new HouseholdLiveHeader("GSHH1", "ADV7", ["GSA1", "GSA2"], 1), stored, HeaderComparer);
        await using var count = database.CreateCommand(
            "SELECT count(*) FROM households_grain_state WHERE live_header IS NOT NULL AND state_name <> 'household'");
        Assert.Equal(0L, (long)(await count.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task A_fill_is_appended_folded_into_every_read_and_the_state_stored_whole_again_after_sixteen()
    {
        await PostgresSchema.ApplyAsync(db.ConnectionString);
        await using var database = NpgsqlDataSource.Create(db.ConnectionString);
        using var storage = new PostgresGrainStorage(database, BooksLoader.StateSerializer());
        var grain = Account(1101);
        var day = new DateOnly(2026, 11, 2);
        LotPiece Piece(string id, string symbol, decimal quantity, decimal basis) => new(new TaxLot(id, symbol, quantity, basis, day, day), id);
        var live = new GrainState<AccountState>(new AccountState
        {
            Cash = 1_000m, Lots = [Piece("L1", "VTI", 100, 20_000m), Piece("L2", "BND", 200, 14_600m)],
        });
        await storage.WriteStateAsync(StateName, grain, live);
        async Task<long> Rows(string sql)
        {
            await using var command = database.CreateCommand(sql);
            return (long)(await command.ExecuteScalarAsync())!;
        }
        const string changes = "SELECT count(*) FROM households_state_changes WHERE grain_key = 'GS1101'";

        // Sell L1 whole at $210: cash 1,000 + 21,000; the row keeps its payload, the fill is one change under version 2.
        TradeResult Sold(int i, decimal cash) => new($"k{i}", "GS1101", new TradeRequest($"k{i}", day.AddDays(i), "VTI", TradeSide.Sell, 1, 210m, null, null, 0m),
            null, [], cash, false, [], []);
        live.State!.Cash = 22_000m;
        live.State.Lots = [live.State.Lots[1]];
        live.State.AppliedTrades["k0"] = Sold(0, 22_000m);
        live.State.Filled(new AccountFilled(22_000m, [], ["L1"], [], [Sold(0, 22_000m)], null));
        await storage.WriteStateAsync(StateName, grain, live);
        Assert.Equal(("2", 1), (live.ETag, live.State.Next().ChangesSinceSnapshot));
        Assert.Equal(1L, await Rows(changes));
        Assert.Equal(1L, storage.WritesByState[StateName].Appended);

        var read = new GrainState<AccountState>();
        await storage.ReadStateAsync(StateName, grain, read);
        Assert.Equal(("2", 22_000m, 1), (read.ETag, read.State!.Cash, read.State.Next().ChangesSinceSnapshot));
        Assert.Equal([Piece("L2", "BND", 200, 14_600m)], read.State.TakeLots("GS1101").ToList());
        Assert.Equal((Sold(0, 0m).Request, 22_000m), (read.State.AppliedTrades["k0"].Request, read.State.AppliedTrades["k0"].CashAfter));
        // The cold start's COPY folds it the same way.
        AccountState? restored = null;
        await foreach (var (key, payload, stored) in storage.ReadAll(StateName))
            if (key == "GS1101") restored = storage.Restore<AccountState>(payload, stored);
        Assert.Equal((22_000m, 1, 1), (restored!.Cash, restored.Next().ChangesSinceSnapshot, restored.TakeLots("GS1101").Count));

        // An activation that read version 1 appends nothing: a version conflict, as for a whole write.
        var stale = new GrainState<AccountState>(new AccountState { Cash = 5m }) { ETag = "1", RecordExists = true };
        stale.State!.Filled(new AccountFilled(5m, [], [], [], [], null));
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, grain, stale));

        // Fifteen more fills (a $1 commission each) are appended; the seventeenth stores the books whole and drops them.
        for (var i = 1; i <= 16; i++)
        {
            live.State.Cash -= 1m;
            live.State.AppliedTrades[$"k{i}"] = Sold(i, live.State.Cash);
            live.State.Filled(new AccountFilled(live.State.Cash, [], [], [], [Sold(i, live.State.Cash)], null));
            await storage.WriteStateAsync(StateName, grain, live);
            Assert.Equal(i < 16 ? i + 1 : 0, live.State.Next().ChangesSinceSnapshot);
        }
        Assert.Equal(("18", 0L, 16L), (live.ETag, await Rows(changes), storage.WritesByState[StateName].Appended));
        Assert.Equal(2L, storage.WritesByState[StateName].Whole); // the first write and the 17th (a refused write counts nothing)

        await storage.ReadStateAsync(StateName, grain, read);
        Assert.Equal(("18", 21_984m, 17, 0), (read.ETag, read.State!.Cash, read.State.AppliedTrades.Count, read.State.Next().ChangesSinceSnapshot));

        // A cleared state takes its changes with it.
        live.State.Filled(new AccountFilled(21_983m, [], [], [], [], null));
        await storage.WriteStateAsync(StateName, grain, live);
        Assert.Equal(1L, await Rows(changes));
        await storage.ClearStateAsync(StateName, grain, live);
        Assert.Equal(0L, await Rows(changes));
    }

    [Fact]
    public async Task A_households_proposals_are_appended_with_its_live_header_and_folded_back_in_order()
    {
        await PostgresSchema.ApplyAsync(db.ConnectionString);
        await using var database = NpgsqlDataSource.Create(db.ConnectionString);
        using var storage = new PostgresGrainStorage(database, BooksLoader.StateSerializer(), new LiveStateBoard());
        var grain = GrainId.Create("household", "GSHH2");
        var at = new DateTimeOffset(2026, 12, 1, 15, 0, 0, TimeSpan.Zero);
        RebalanceProposal Proposal(int n, ProposalStatus status) =>
            new($"GSHH2-P{n:D5}", "GSHH2", status, at.AddMinutes(n), at.AddDays(5), [], [], 0, 0, 0, 0, n, null, null, [], null);
        var live = new GrainState<HouseholdState>(new HouseholdState
        {
            Spec = new HouseholdSpec("GSHH2", "Appending household", "ADV7", ["GSA1"]),
            Proposals = [.. Enumerable.Range(1, 30).Select(n => Proposal(n, ProposalStatus.Executed)).Reverse()],
            NextProposal = 31,
        });
        await storage.WriteStateAsync("household", grain, live);

        // A decision files a pending proposal: one proposal appended, the header now counts it.
        var filed = Proposal(31, ProposalStatus.Pending);
        live.State!.Proposals = [filed, .. live.State.Proposals];
        live.State.NextProposal = 32;
        live.State.Changed(new ProposalsFiled([filed], [], 32, []));
        await storage.WriteStateAsync("household", grain, live);
        var figures = storage.WritesByState["household"];
        Assert.Equal((1L, 1L, 1L), (figures.Whole, figures.Appended, storage.AppendsByChange[nameof(ProposalsFiled)].Appended));
        Assert.True(figures.AppendedBytes * 10 < figures.WholeBytes, $"{figures.AppendedBytes} B appended against {figures.WholeBytes} B whole");

        var read = new GrainState<HouseholdState>();
        await storage.ReadStateAsync("household", grain, read);
        Assert.Equal(live.State.Proposals.Select(p => (p.Id, p.Status)), read.State!.Proposals.Select(p => (p.Id, p.Status)));
        Assert.Equal((32, 1), (read.State.NextProposal, read.State.Next().ChangesSinceSnapshot));
        var headers = new List<HouseholdLiveHeader>();
        await foreach (var header in storage.ReadHeaders()) headers.Add(header);
        Assert.Equal(1, Assert.Single(headers, h => h.HouseholdId == "GSHH2").PendingProposals);

        // The next decision's proposal names 40 triggers; its journal entry is stored without the payload the proposal
        // itself gives, a decision's entry with its own, and both are read back as written.
        var causes = Enumerable.Range(0, 40).Select(i => new Trigger(TriggerKind.Harvest, "GSA1", $"STK{i:D4}", -0.2, 0, -0.1, 900 + i, at, at.AddSeconds(1))).ToImmutableArray();
        var next = Proposal(32, ProposalStatus.Pending) with { Causes = causes };
        JournalEntry[] outbox = [ProposalJournal.Proposal(next, JournalKind.Proposal, at),
            ProposalJournal.Decision(new DecisionRecord("GSHH2", DecisionOutcome.Planned, [], ["a note"], null, 0, next.Id), at, "d1")];
        live.State.Proposals = [next, .. live.State.Proposals];
        live.State.NextProposal = 33;
        live.State.Outbox = outbox;
        var change = ProposalsFiled.Of([next], [], 33, outbox);
        Assert.Equal(new string?[] { next.Id, null }.AsEnumerable(), change.PayloadOf!);
        Assert.Equal(["", outbox[1].Payload], change.Outbox.Select(e => e.Payload));
        live.State.Changed(change);
        await storage.WriteStateAsync("household", grain, live);
        var appended = storage.WritesByState["household"].AppendedBytes - figures.AppendedBytes;
        var withPayload = BooksLoader.StateSerializer().SerializeToArray<object>(change with { Outbox = outbox, PayloadOf = null }).Length;
        Assert.True(appended < withPayload * 2 / 3, $"{appended} B appended against {withPayload} B with the payload");

        await storage.ReadStateAsync("household", grain, read);
        Assert.Equal(outbox, read.State!.Outbox);
        Assert.Equal(causes.AsEnumerable(), Assert.Single(read.State.Proposals, p => p.Id == next.Id).Causes.AsEnumerable());
    }

    // Records compare ImmutableArray fields by reference: compare the account ids by value.
    private static readonly IEqualityComparer<HouseholdLiveHeader?> HeaderComparer = EqualityComparer<HouseholdLiveHeader?>.Create((a, b) =>
        a is not null && b is not null && (a.HouseholdId, a.AdvisorId, a.PendingProposals) == (b.HouseholdId, b.AdvisorId, b.PendingProposals)
        && a.AccountIds.SequenceEqual(b.AccountIds));
}

