using Households.Contracts;
using Households.Domain.Firm;
using Households.Domain.Lots;
using Households.Domain.Models;
using Households.Domain.Reliability;
using Households.Domain.Tax;
using Households.Domain.WashSales;
using Households.Grains.Accounts;
using Households.Grains.Household;
using Households.Grains.Models;
using Households.Grains.Securities;
using Households.Persistence.Journal;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;
using Orleans.Serialization;
using System.Diagnostics;
using System.Threading.Channels;

namespace Households.Grains.Silo;

/// <summary>What a bulk load wrote and how long it took.</summary>
public sealed record BooksLoadReport(int Households, int Accounts, long Lots, int Models, int Securities, long Bytes, TimeSpan Took);

/// <summary>Loads a whole firm's books into an empty PostgreSQL database with COPY (<c>households db load</c>): the security
/// master, the models with their followers, every account (spec, cash, packed lots), every household (spec and its opening
/// wash-sale ledger, and its live header) and the firm directory, as the rows <see cref="PostgresGrainStorage"/> reads. One COPY, no grain and
/// no silo: a million accounts are rows, not a million grain writes.</summary>
public static class BooksLoader
{
    /// <summary>The serializer the silo's storage writes and reads state with, for a process that is not a silo
    /// (<c>households db load</c>, the load test).</summary>
    public static Serializer StateSerializer() => new ServiceCollection()
        .AddSerializer(s => s.AddAssembly(typeof(TaxLot).Assembly).AddAssembly(typeof(AccountState).Assembly))
        .BuildServiceProvider().GetRequiredService<Serializer>();

    /// <summary>The stored state of an account as it opens.</summary>
    public static AccountState OpeningAccount(AccountOpening opening) => new()
    {
        Spec = opening.Spec,
        Cash = opening.Cash,
        PackedLots = CompactLots.From(opening.Spec.Id, [.. opening.Lots.Select(l => new LotPiece(l, l.Id))]).Pack(),
    };

    /// <summary>The stored state of a household as it opens: its spec and the wash-sale ledger of its accounts' lots.</summary>
    public static HouseholdState OpeningHousehold(FirmHousehold household, SubstantiallyIdentical identical)
    {
        var tax = new HouseholdTaxLedger(identical);
        tax.OpenAccounts([.. household.Accounts.Select(a => (new AccountTaxProfile(a.Spec.Id, a.Spec.Type, a.Spec.SeparateTaxpayer), (IReadOnlyList<TaxLot>)a.Lots))]);
        var (ledger, realized) = tax.Snapshot();
        return new HouseholdState { Spec = household.Household, WashSales = ledger, Realized = [.. realized] };
    }

    /// <summary>Writes <paramref name="firm"/>'s books. Refuses a database that already holds books unless
    /// <paramref name="replace"/>, which deletes every stored grain state and the journal first: the journal is the record of
    /// the books it replaces, and the new books' proposals and fills (numbered afresh) would carry the old entries'
    /// idempotency keys and be dropped as replays.</summary>
    public static async Task<BooksLoadReport> Load(NpgsqlDataSource database, Serializer serializer, IFirmBooks firm, bool replace,
        Action<string>? progress = null, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        await using (var check = database.CreateCommand($"SELECT count(*) FROM {PostgresGrainStorage.Table}"))
        {
            var existing = (long)(await check.ExecuteScalarAsync(ct))!;
            if (existing > 0 && !replace)
                throw new Domain.BadInputException($"the database already holds {existing:N0} grain states; load into an empty database or pass --replace");
            if (existing > 0)
            {
                await using var clear = database.CreateCommand($"TRUNCATE {PostgresGrainStorage.Table}, {PostgresGrainStorage.Changes}, {PostgresJournal.Table}");
                await clear.ExecuteNonQueryAsync(ct);
            }
        }

        var securities = firm.Securities;
        var identical = new SubstantiallyIdentical(securities.Where(s => s.IdenticalGroup is not null).Select(s => (s.Symbol, s.IdenticalGroup!)));
        var followers = firm.Models.ToDictionary(m => m.Id, _ => new HashSet<string>(StringComparer.Ordinal), StringComparer.Ordinal);
        var directory = new DirectoryState();
        var loadedHouseholds = new System.Collections.Concurrent.ConcurrentBag<(string Household, string[] Accounts)>();
        long lots = 0, bytes = 0;
        int accounts = 0;

        // Households are generated (and serialized) on every core; one connection COPYs the rows in.
        var rows = Channel.CreateBounded<(string State, string Key, byte[] Payload, byte[]? Header)>(new BoundedChannelOptions(4_096) { SingleReader = true });
        var next = -1;
        var producers = Enumerable.Range(0, Math.Max(1, Environment.ProcessorCount)).Select(_ => Task.Run(async () =>
        {
            for (int i; (i = Interlocked.Increment(ref next)) < firm.HouseholdCount;)
            {
                var household = firm.HouseholdAt(i);
                foreach (var opening in household.Accounts)
                {
                    await rows.Writer.WriteAsync(("account", opening.Spec.Id, serializer.SerializeToArray(OpeningAccount(opening)), null), ct);
                    Interlocked.Add(ref lots, (long)opening.Lots.Length);
                    Interlocked.Increment(ref accounts);
                    if (opening.Spec.ModelId is { } model) lock (followers) followers[model].Add(opening.Spec.Id);
                }
                var opened = OpeningHousehold(household, identical);
                await rows.Writer.WriteAsync(("household", household.Household.Id, serializer.SerializeToArray(opened),
                    serializer.SerializeToArray(HouseholdLiveHeader.Of(opened)!)), ct);
                loadedHouseholds.Add((household.Household.Id, [.. household.Accounts.Select(a => a.Spec.Id)]));
                lock (directory) directory.Households[household.Household.Id] =
                    new HouseholdSummary(household.Household.Id, household.Household.Name, household.Household.AdvisorId, household.Accounts.Count);
            }
        }, ct)).ToArray();
        var completion = Task.WhenAll(producers).ContinueWith(t => rows.Writer.TryComplete(t.Exception), TaskScheduler.Default);

        await using var connection = await database.OpenConnectionAsync(ct);
        await using (var copy = await connection.BeginBinaryImportAsync(
            $"COPY {PostgresGrainStorage.Table} (state_name, grain_key, etag, payload, live_header) FROM STDIN (FORMAT BINARY)", ct))
        {
            // A bulk load is bounded by its cancellation, not the connection's command timeout (30 s by default: a busy
            // server finishing a COPY or the ANALYZE after it took longer in CI).
            copy.Timeout = Timeout.InfiniteTimeSpan;
            async Task Row(string state, string key, byte[] payload, byte[]? header = null)
            {
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(state, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(key, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(1L, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(payload, NpgsqlDbType.Bytea, ct);
                if (header is null) await copy.WriteNullAsync(ct);
                else await copy.WriteAsync(header, NpgsqlDbType.Bytea, ct);
                bytes += payload.Length + (header?.Length ?? 0);
            }
            var written = 0;
            await foreach (var (state, key, payload, header) in rows.Reader.ReadAllAsync(ct))
            {
                await Row(state, key, payload, header);
                if (++written % 200_000 == 0) progress?.Invoke($"{written:N0} rows ({accounts:N0} accounts) in {clock.Elapsed.TotalSeconds:0} s");
            }
            await completion;
            await Row("universe", UniverseGrain.Key, serializer.SerializeToArray(new UniverseState
            {
                Version = 1,
                Securities = securities.ToDictionary(s => s.Symbol, StringComparer.Ordinal),
            }));
            var parents = firm.Models.SelectMany(m => m.Sleeves.Where(s => s.Kind == SleeveKind.Model).Select(s => (Child: s.Key, Parent: m.Id)))
                .ToLookup(p => p.Child, p => p.Parent, StringComparer.Ordinal);
            foreach (var model in firm.Models)
                await Row("model", model.Id, serializer.SerializeToArray(new ModelState
                {
                    Model = model,
                    Version = 1,
                    Followers = followers[model.Id],
                    Parents = new HashSet<string>(parents[model.Id], StringComparer.Ordinal),
                }));
            await Row("directory", FirmDirectoryGrain.Key, serializer.SerializeToArray(directory));
            await copy.CompleteAsync(ct);
        }
        // The journal says where each household's record starts: its books as loaded (JournalKind.BooksLoaded), which the
        // audit and the replay name instead of calling every later entry of those accounts unreadable.
        var loadedAt = DateTimeOffset.UtcNow;
        await using (var journal = await connection.BeginBinaryImportAsync(
            "COPY households_journal (household_id, account_id, kind, occurred_at, idempotency_key, payload) FROM STDIN (FORMAT BINARY)", ct))
        {
            journal.Timeout = Timeout.InfiniteTimeSpan;
            foreach (var (household, accountIds) in loadedHouseholds.OrderBy(h => h.Household, StringComparer.Ordinal))
            {
                var e = JournalReplay.BooksLoaded(household, accountIds, loadedAt);
                await journal.StartRowAsync(ct);
                await journal.WriteAsync(e.HouseholdId, NpgsqlDbType.Text, ct);
                await journal.WriteNullAsync(ct);
                await journal.WriteAsync(e.Kind.ToString(), NpgsqlDbType.Text, ct);
                await journal.WriteAsync(e.OccurredAt, NpgsqlDbType.TimestampTz, ct);
                await journal.WriteAsync(e.IdempotencyKey, NpgsqlDbType.Text, ct);
                await journal.WriteAsync(PostgresJournal.Stored(e), NpgsqlDbType.Jsonb, ct);
            }
            await journal.CompleteAsync(ct);
        }
        await using (var analyze = new NpgsqlCommand($"ANALYZE {PostgresGrainStorage.Table}", connection) { CommandTimeout = 0 }) await analyze.ExecuteNonQueryAsync(ct);
        return new BooksLoadReport(firm.HouseholdCount, accounts, lots, firm.Models.Count, securities.Count, bytes, clock.Elapsed);
    }
}
