using Households.Contracts;
using Households.Domain.Harvesting;
using Households.Domain.Lots;
using Households.Domain.Monitoring;
using Households.Domain;
using Households.Grains.Accounts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Orleans.Serialization;
using System.Diagnostics;
using System.Threading.Channels;

namespace Households.Grains.Silo;

/// <summary>Settings of the books (configuration section "Books").</summary>
public sealed class BooksOptions
{
    /// <summary>How many calendar days of trade dates, back from the latest fill, accounts and households keep each fill's
    /// result by its idempotency key (<see cref="Households.Domain.Reliability.IdempotencyWindow"/>); a retry of an older
    /// key is answered from the journal. At least 1.</summary>
    public int IdempotencyWindowDays { get; set; } = Households.Domain.Reliability.IdempotencyWindow.DefaultDays;

    /// <summary>The window <see cref="IdempotencyWindowDays"/> sets.</summary>
    public Households.Domain.Reliability.IdempotencyWindow IdempotencyWindow() => new(IdempotencyWindowDays);

    /// <summary>(PostgreSQL profile) At start, read every account's books in one COPY and watch them from the monitor without activating a
    /// grain (a crossing activates one). Off: the watchdog activates every account at start, one storage read each.</summary>
    public bool WarmStart { get; set; } = true;

    /// <summary>(PostgreSQL profile) Store a fill as what it changed, appended to the state's last snapshot (issue #18 goal 2).
    /// Off: every fill writes the account's and the household's whole state (the comparison the load test measures).</summary>
    public bool AppendFills { get; set; } = true;
}

/// <summary>What the warm start did.</summary>
public sealed record WarmStartReport(int Accounts, long Lots, int Skipped, int Share, int Shares, TimeSpan Took, int Households = 0)
{
    /// <summary>Snapshot tables the parked accounts share (<see cref="SharedTables"/>), and how many they offered.</summary>
    public int DistinctTables { get; init; }
    public long TablesOffered { get; init; }
}

/// <summary>A silo's cold start from PostgreSQL (issue #18): when the silo is active it streams the stored account states
/// (<see cref="PostgresGrainStorage.ReadAll"/>), unpacks their lots and builds their snapshots on every core, and parks
/// them in the monitor, so a million accounts are watched within a minute of start with no grain activated. It puts each
/// parked account's live source and every household's stored header on the silo's <see cref="LiveStateBoard"/>, so a
/// household's live read needs no grain either (goals 6 and 9). An account
/// grain that activates takes over its parked entry; one that deactivates leaves its snapshot parked
/// (<see cref="MonitorOptions.KeepDeactivated"/>). With several silos each parks the accounts it owns
/// (<see cref="BooksOwnership"/>: rendezvous hashing of the account id over the active silos, the rule account grains are
/// placed by), and follows membership after: a dead silo's accounts are watched again by their new owners from the books
/// within seconds, with no grain activated (issue #18 goal 7).</summary>
public sealed class BooksWarmStart(PostgresGrainStorage storage, AccountMonitor monitor, LiveStateBoard live, SecurityMaster master,
    PriceBoard board, ReplacementSelector replacements, TrackingRisk tracking, IGrainFactory grains, IClusterMembershipService membership,
    ILocalSiloDetails local, IOptions<BooksOptions> options, ILogger<BooksWarmStart> log, FirmTriggerBudget? budget = null,
    [Microsoft.Extensions.DependencyInjection.FromKeyedServices(BusinessClock.Key)] TimeProvider? businessClock = null) : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly TaskCompletionSource<WarmStartReport> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();

    public bool Enabled => options.Value.WarmStart;

    /// <summary>Completes when the warm start has parked every account of this silo's share.</summary>
    public Task<WarmStartReport> Done => _done.Task;

    public void Participate(ISiloLifecycle lifecycle) => lifecycle.Subscribe(nameof(BooksWarmStart), ServiceLifecycleStage.Active,
        started =>
        {
            if (Enabled) Task.Run(Run, CancellationToken.None).Ignore();
            return Task.CompletedTask;
        },
        stopping => { _stopping.Cancel(); return Task.CompletedTask; });

    private async Task Run()
    {
        try { _done.TrySetResult(await Park(_stopping.Token)); }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested) { _done.TrySetCanceled(); return; }
        catch (Exception ex)
        {
            log.LogError(ex, "Books warm start failed: accounts are watched only once something activates them");
            _done.TrySetException(ex);
            return;
        }
        try { await FollowMembership(_stopping.Token); }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested) { }
    }

    // The active silos' names the silo's share was last worked out over.
    private string[] _members = [];

    /// <summary>The active silos' names in address order, with this silo's index (this silo counts as active while it runs:
    /// the snapshot may not show it yet when it starts).</summary>
    private (string[] Names, int Me) Members(ClusterMembershipSnapshot snapshot)
    {
        var active = snapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress).ToList();
        if (!active.Contains(local.SiloAddress)) active.Add(local.SiloAddress);
        var names = BooksOwnership.Names(active).Order(StringComparer.Ordinal).ToArray();
        return (names, Array.IndexOf(names, local.SiloAddress.ToParsableString()));
    }

    /// <summary>After the warm start: whenever the active silos change, this silo watches from the books the accounts it owns now
    /// and does not watch (a dead silo's, handed over by <see cref="StableShare.Owner"/>) and lets go of parked ones another
    /// silo owns now (one that joined). An account with an active grain stays where it is.</summary>
    private async Task FollowMembership(CancellationToken ct)
    {
        await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(ct))
        {
            var (names, me) = Members(snapshot);
            if (names.SequenceEqual(_members, StringComparer.Ordinal)) continue;
            var clock = Stopwatch.StartNew();
            var before = _members.Length;
            _members = names;
            // A silo died: its accounts are watched again before new decisions start here (the read needs the cores).
            var yielding = names.Length < before ? budget?.Pacing : null;
            yielding?.Yield();
            try
            {
                // A failed read (a busy database) is tried again: until it succeeds the accounts this silo now owns are
                // watched by no one, and no later membership change may come to retry it.
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        var released = monitor.ReleaseParked(id => BooksOwnership.Owns(id, names, me));
                        foreach (var id in released) live.ReleaseParked(id);
                        // A silo died: the households of the accounts that traded today may have died in the middle of an
                        // execution, their accounts' fills in the books and not yet in their ledgers and the journal.
                        var tradedOn = names.Length < before ? DateOnly.FromDateTime((businessClock ?? TimeProvider.System).GetUtcNow().UtcDateTime) : (DateOnly?)null;
                        var (parked, lots, _, _) = await ParkRows(id => BooksOwnership.Owns(id, names, me) && !monitor.Watches(id), Interner(), ct, tradedOn);
                        log.LogWarning("Books share after a membership change ({Before} to {After} active silos): {Parked:N0} accounts ({Lots:N0} lots) now owned here watched from PostgreSQL, {Released:N0} parked accounts released to their new owners, in {Seconds:0.0} s; {ParkedHere:N0} accounts parked here",
                            before, names.Length, parked, lots, released.Count, clock.Elapsed.TotalSeconds, monitor.ParkedAccounts);
                        break;
                    }
                    catch (Exception ex) when (!ct.IsCancellationRequested)
                    {
                        log.LogError(ex, "Books share after a membership change failed (attempt {Attempt}); trying again in 2 s", attempt);
                        await Task.Delay(TimeSpan.FromSeconds(2), ct);
                    }
                }
            }
            finally
            {
                yielding?.Resume();
            }
        }
    }

    private async Task<WarmStartReport> Park(CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        await master.EnsureLoaded(grains);
        var (names, me) = Members(membership.CurrentSnapshot);
        _members = names;
        var Shared = Interner();
        // The headers are small (a few dozen bytes a household): read beside the accounts on a connection of their own,
        // put on the board once the accounts are (so they name the accounts' own id strings).
        var headers = Task.Run(async () =>
        {
            var read = new List<HouseholdLiveHeader>();
            await foreach (var header in storage.ReadHeaders(ct)) read.Add(header);
            return read;
        }, ct);
        var (parked, lots, skipped, tables) = await ParkRows(id => BooksOwnership.Owns(id, names, me), Shared, ct);
        var households = 0;
        foreach (var header in await headers)
        {
            live.PublishRead(header with
            {
                HouseholdId = Shared(header.HouseholdId),
                AdvisorId = Shared(header.AdvisorId),
                AccountIds = [.. header.AccountIds.Select(id => live.FindAny(id)?.AccountId ?? id)],
            });
            households++;
        }
        var report = new WarmStartReport(parked, lots, skipped, me, names.Length, clock.Elapsed, households) { DistinctTables = tables.Distinct, TablesOffered = tables.Offered };
        log.LogWarning("Books warm start: {Accounts:N0} accounts ({Lots:N0} lots) and {Households:N0} household headers read from PostgreSQL in {Seconds:0.0} s, no grain activated (share {Share} of {Shares}; {Skipped} skipped)",
            report.Accounts, report.Lots, households, report.Took.TotalSeconds, me + 1, names.Length, skipped);
        return report;
    }

    /// <summary>One string for each household, advisor and model id, not one per row that names it: at a million accounts the
    /// copies deserialization makes cost about 90 bytes an account.</summary>
    private static Func<string, string> Interner()
    {
        var interned = new System.Collections.Concurrent.ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        return name => interned.GetOrAdd(name, name);
    }

    /// <summary>Streams the stored account states, and for each account <paramref name="wanted"/> names unpacks its lots and
    /// builds its snapshot (on every core) and parks it in the monitor with its live source, its ids through <paramref name="intern"/>.</summary>
    /// <param name="tradedOn">After a silo's death: the households of the parked accounts with a fill applied on or after this
    /// date are asked to catch up (<see cref="IHouseholdGrain.CatchUp"/>), so fills a household applied and did not live to
    /// record reach its ledger and the journal now rather than at its next activation.</param>
    private async Task<(int Parked, long Lots, int Skipped, SharedTables Tables)> ParkRows(Func<string, bool> wanted, Func<string, string> intern,
        CancellationToken ct, DateOnly? tradedOn = null)
    {
        var targets = new System.Collections.Concurrent.ConcurrentDictionary<string, Task<ResolvedTarget?>>(StringComparer.Ordinal);
        long lots = 0;
        int parked = 0, skipped = 0;
        // One copy of the tables accounts hold alike (a model's drift lines, a direct index's symbols): dropped with this
        // method, so only the parked snapshots keep them.
        var tables = new SharedTables();
        var holding = new System.Collections.Concurrent.ConcurrentBag<string>();
        var traded = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        var rows = Channel.CreateBounded<(string Key, byte[] Payload, byte[][]? Changes)>(new BoundedChannelOptions(8_192) { SingleWriter = true });
        var workers = Enumerable.Range(0, Math.Max(1, Environment.ProcessorCount)).Select(_ => Task.Run(async () =>
        {
            await foreach (var (key, payload, changes) in rows.Reader.ReadAllAsync(ct))
            {
                var state = storage.Restore<AccountState>(payload, changes);
                if (state?.Spec is not { } spec) { Interlocked.Increment(ref skipped); continue; }
                var book = state.TakeLots(key);
                var target = spec.ModelId is { } model ? await targets.GetOrAdd(model, Resolve) : null;
                var snapshot = Snapshot(spec, state.Cash, book, target, master, board, replacements, tracking, tables);
                if (monitor.Park(spec.Id, snapshot, intern(spec.HouseholdId)))
                {
                    live.PublishParked(new AccountLiveSource(spec.Id, spec.Type, spec.ModelId is { } m ? intern(m) : null, state.Cash, snapshot, 0, parked: true));
                    Interlocked.Increment(ref parked);
                    Interlocked.Add(ref lots, book.Count);
                    if (state.EventsUndecided.Count > 0) holding.Add(spec.Id);
                    if (tradedOn is { } day && state.AppliedTrades.Values.Any(t => t.Request.TradeDate >= day)) traded.TryAdd(spec.HouseholdId, true);
                }
                else Interlocked.Increment(ref skipped); // its grain activated first and watches it
            }
        }, ct)).ToArray();
        try
        {
            await foreach (var row in storage.ReadAll("account", ct))
                if (wanted(row.Key)) await rows.Writer.WriteAsync(row, ct);
        }
        finally { rows.Writer.TryComplete(); }
        await Task.WhenAll(workers);
        // An account that stored a client's event its household has not confirmed deciding (its silo died first) is activated:
        // its activation sends the event again. Parked, it would wait for the next price to cross one of its thresholds.
        if (!holding.IsEmpty)
        {
            log.LogWarning("Books: {Accounts} parked accounts hold a client's events not yet decided; activated to send them again", holding.Count);
            foreach (var id in holding) grains.GetGrain<IAccountGrain>(id).GetSpec().Ignore();
        }
        if (!traded.IsEmpty)
        {
            log.LogWarning("Books: the households of {Households} accounts now owned here that traded since {Day} catch up their fills", traded.Count, tradedOn);
            HouseholdCatchUp.Ask(grains, [.. traded.Keys], "accounts taken over from a dead silo that traded today", log);
        }
        return (parked, lots, skipped, tables);
    }

    private async Task<ResolvedTarget?> Resolve(string modelId)
    {
        try { return await grains.GetGrain<IModelGrain>(modelId).Resolve(); }
        catch (BadInputException ex)
        {
            log.LogWarning("Books warm start: model {Model} cannot be resolved ({Reason}); its accounts are watched without a target", modelId, ex.Message);
            return null;
        }
    }

    /// <summary>An account's monitor snapshot from its books: the one way both a live grain and the warm start build it.</summary>
    public static AccountSnapshot Snapshot(AccountSpec spec, decimal cash, CompactLots lots, ResolvedTarget? target, SecurityMaster master,
        PriceBoard board, ReplacementSelector replacements, TrackingRisk tracking, SharedTables? shared = null) =>
        AccountSnapshot.Build(spec.Id, cash, lots, target, spec.Harvest, master.Find, board.Index, replacements.SubstitutesOf,
            new DirectIndexTracking(tracking, spec.TrackingBand), shared);
}
