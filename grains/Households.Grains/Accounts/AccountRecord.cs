using Households.Contracts;
using Households.Domain.Accounts;
using Households.Domain.Calendar;
using Households.Domain.Lots;
using Households.Grains.Silo;
using Households.Persistence.Journal;
using Microsoft.Extensions.Logging;

namespace Households.Grains.Accounts;

/// <summary>
/// An account's books of record: the stored <see cref="AccountState"/> and, while the grain is live, its lots as
/// <see cref="CompactLots"/> columns (the state's list is filled only for a write). Every change is made on a working copy
/// (<see cref="Book"/>) and swapped in by <see cref="Commit"/>, which writes before anything else sees it; a failed write
/// leaves the books as they were. After each stored change the <paramref name="owner"/> rebuilds what it derives from the
/// books (the monitor's snapshot). Kept with every live account: its fields are references only (no delegate), a million
/// accounts hold a million of them.
/// </summary>
public sealed class AccountRecord(IPersistentState<AccountState> state, string accountId, IJournal journal, TimeProvider clock,
    TradingCalendar calendar, ILogger log, AccountRecord.IOwner owner)
{
    /// <summary>What the account derives from its books and rebuilds after a stored change.</summary>
    public interface IOwner
    {
        void BooksChanged();
    }

    public AccountState State => state.State;

    /// <summary>Set by <see cref="TakeLots"/> on activation or by <see cref="Open"/>.</summary>
    public CompactLots Lots { get; set; } = null!;

    public AccountSpec RequireSpec() => state.State.Spec ?? throw new Households.Domain.BadInputException($"account {accountId} does not exist");

    public DateOnly Today() => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    /// <summary>A stored change outside <see cref="Commit"/> (cash): the monitor's snapshot is rebuilt.</summary>
    public void Changed() => owner.BooksChanged();

    /// <summary>The stored lots move into columns; the state's list and bytes stay empty until a write needs them.</summary>
    public void TakeLots() => Lots = state.State.TakeLots(accountId);

    /// <summary>A new account's books replace whatever the state held (nothing, for an account never opened).</summary>
    public void Open(AccountState opened, IReadOnlyList<LotPiece> lots)
    {
        state.State = opened;
        Lots = CompactLots.From(accountId, lots);
    }

    /// <summary>Writes the state with the lots packed, then lets the bytes go again (a fill marked by <see cref="Commit"/> is
    /// appended instead, and the lots are not packed).</summary>
    public async Task Write()
    {
        state.State.PackedLots = Lots.Pack();
        try { await state.WriteStateAsync(); }
        finally
        {
            state.State.PackedLots = null;
            state.State.Filled(null); // a storage that keeps no changes left it
        }
    }

    /// <summary>Stores the books whole when fills were appended since the last snapshot: on deactivation, so the next
    /// activation or warm start reads one row.</summary>
    public Task Snapshot() => state.State.Spec is null ? Task.CompletedTask : state.State.Next().Compact(Write, log, accountId);

    /// <summary>The fills of a commit: their results, kept by key, and the first trade date the books keep results for.</summary>
    public sealed record Fills(TradeResult[] Trades, DateOnly? KeptSince);

    /// <summary>Writes the state with the journal entries it implies (stored in the outbox) and the trigger of the client's
    /// event they record, held until decided (<see cref="AccountState.EventsUndecided"/>), then appends them; a failed write
    /// takes both back.</summary>
    public async Task WriteAndJournal(JournalEntry[] entries, Trigger? clientEvent = null)
    {
        var before = state.State.Outbox;
        state.State.Outbox = entries;
        if (clientEvent is not null) state.State.EventsUndecided.Add(clientEvent);
        try { await Write(); }
        catch
        {
            state.State.Outbox = before;
            if (clientEvent is not null) state.State.EventsUndecided.Remove(clientEvent);
            throw;
        }
        if (entries.Length > 0) await journal.Append(entries);
    }

    /// <summary>Runs an operation that ends in a state write under the one storage-conflict policy (<see cref="StorageWrites"/>):
    /// on a version conflict the stored state is read again, its lots taken and the snapshot rebuilt before the next run.</summary>
    public Task<T> Durably<T>(Func<Task<T>> operation) => state.WriteWithRetryAsync(operation, log, accountId, () =>
    {
        TakeLots();
        if (state.State.Spec is not null) owner.BooksChanged();
    });

    /// <summary>The entry journaled for this account under <paramref name="key"/> if it is of <paramref name="kind"/>: how a
    /// record the books no longer keep by key (<see cref="Households.Domain.Reliability.IdempotencyWindow"/>) is found.</summary>
    public Task<T?> Journaled<T>(JournalKind kind, string key) where T : class => journal.FindRecord<T>(accountId, key, kind);

    /// <summary>A working copy of the books: a sale's proceeds settle on the calendar's next trading day (T+1).</summary>
    public AccountBook Book(AccountSpec spec) => new(spec, state.State.Cash, Lots.ToList(), state.State.Unsettled, calendar);

    public CashBalance Balance() => new(state.State.Cash, state.State.Unsettled);

    /// <summary>Swaps in the new books and writes them; a failed write restores the books as they were. A commit of
    /// <paramref name="fills"/> alone (no journal entries of its own) is stored as an <see cref="AccountFilled"/> appended to
    /// the books' last snapshot, when the storage keeps changes.</summary>
    public async Task Commit(AccountBook book, Action record, Action undo, JournalEntry[]? entries = null, Fills? fills = null)
    {
        var before = (state.State.Cash, Lots, state.State.Outbox, state.State.Unsettled);
        state.State.Cash = book.Cash;
        state.State.Unsettled = [.. book.Balance.Outstanding(Today())];
        Lots = CompactLots.From(book.Spec.Id, book.Lots.Snapshot());
        if (entries is not null) state.State.Outbox = entries;
        record();
        if (fills is not null && entries is null && LotChanges.Between(before.Lots.ToList(), Lots.ToList()) is { } lots)
            state.State.Filled(new AccountFilled(state.State.Cash, [.. state.State.Unsettled], lots.Removed, lots.Put, fills.Trades, fills.KeptSince));
        try
        {
            await Write();
        }
        catch
        {
            (state.State.Cash, Lots, state.State.Outbox, state.State.Unsettled) = before;
            undo();
            throw;
        }
        owner.BooksChanged();
        if (entries is { Length: > 0 }) await journal.Append(entries);
    }

    /// <summary>Writes a change of the account's spec (restrictions, policy) with its journal entry and the trigger it
    /// <paramref name="raises"/> (<see cref="WriteAndJournal"/>); a failed write restores the spec.</summary>
    public async Task ChangeSpec(AccountSpec changedSpec, JournalEntry entry, Trigger raises)
    {
        var spec = RequireSpec();
        state.State.Spec = changedSpec;
        try { await WriteAndJournal([entry], raises); }
        catch { state.State.Spec = spec; throw; }
    }

    /// <summary>The household decided the triggers detected up to <paramref name="detectedThrough"/>: the client's events
    /// among them are no longer held in the stored state (written only when some were).</summary>
    public async Task EventsDecided(DateTimeOffset detectedThrough)
    {
        if (state.State.EventsUndecided.RemoveAll(t => t.DetectedAt <= detectedThrough) > 0) await Write();
    }
}
