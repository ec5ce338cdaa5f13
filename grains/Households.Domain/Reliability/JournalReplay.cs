using System.Collections.Immutable;
using Households.Contracts;
using Households.Domain.Lots;
using Households.Domain.Tax;

namespace Households.Domain.Reliability;

/// <summary>An account's books as the journal tells them: opening cash and lots, then every fill, wash-sale
/// adjustment and cash movement in journal order. <see cref="TradeDates"/> holds each fill's trade date by key, so a
/// comparison can leave out the fills the live books no longer keep (<see cref="IdempotencyWindow"/>).</summary>
public sealed record ReplayedAccount(
    string AccountId,
    string HouseholdId,
    decimal Cash,
    IReadOnlyList<LotPiece> Lots,
    IReadOnlyDictionary<string, decimal> PendingWithdrawals,
    IReadOnlyCollection<string> TradeKeys,
    IReadOnlyDictionary<string, DateOnly>? TradeDates = null);

/// <summary>A household's proposals as the journal tells them: the last recorded status of each.</summary>
public sealed record ReplayedHousehold(string HouseholdId, IReadOnlyDictionary<string, ProposalStatus> Proposals);

/// <summary>What a replay found: the books it rebuilt and the entries it could not apply (each a difference in its
/// own right: a journal that cannot be replayed is not a book of record).</summary>
public sealed record JournalReplayResult(
    IReadOnlyDictionary<string, ReplayedAccount> Accounts,
    IReadOnlyDictionary<string, ReplayedHousehold> Households,
    IReadOnlyList<string> Problems)
{
    /// <summary>Accounts whose books were loaded in bulk (<see cref="JournalKind.BooksLoaded"/>): not rebuilt, their entries
    /// read past, not problems.</summary>
    public IReadOnlyCollection<string> LoadedAccounts { get; init; } = [];

    /// <summary>The entries of <see cref="LoadedAccounts"/> read past.</summary>
    public int EntriesNotReplayed { get; init; }
}

/// <summary>Rebuilds accounts and proposals from the append-only journal alone. Order is the journal's
/// (ascending entry id), which is the order the household serialized the operations in. Entries that change
/// nothing in the books (triggers, approvals, refusals, model and restriction notes) are read past.</summary>
public static class JournalReplay
{
    /// <summary>Key prefixes of the cash entries: a movement recorded, and a pending withdrawal paid out.</summary>
    public const string CashKeyPrefix = "cash:";
    public const string PaidKeyPrefix = "paid:";
    public const string OpenedKeyPrefix = "opened:";
    public const string LoadedKeyPrefix = "loaded:";

    /// <summary>The entry that starts the record of a household's books loaded in bulk (<see cref="JournalKind.BooksLoaded"/>);
    /// <paramref name="at"/> also names the load, so a firm loaded again gets its own entries.</summary>
    public static JournalEntry BooksLoaded(string householdId, string[] accountIds, DateTimeOffset at) =>
        new(0, householdId, null, JournalKind.BooksLoaded, at, $"{LoadedKeyPrefix}{householdId}:{at.UtcTicks}",
            $"Books of {accountIds.Length} accounts loaded in bulk: settings, cash and lots as loaded are the record from here",
            JournalFormat.Payload(accountIds));

    /// <summary>The key of a corporate action's effect in one account (the household journals it).</summary>
    public static string CorporateActionKey(string actionId, string accountId) => $"ca:{actionId}:{accountId}";

    /// <summary>The key of a correction of record in one account.</summary>
    public static string CorrectionKey(string accountId, string key) => $"correction:{accountId}:{key}";

    public static JournalReplayResult Replay(IEnumerable<JournalEntry> entries)
    {
        var accounts = new Dictionary<string, Book>(StringComparer.Ordinal);
        var households = new Dictionary<string, Dictionary<string, ProposalStatus>>(StringComparer.Ordinal);
        var problems = new List<string>();
        var loaded = new HashSet<string>(StringComparer.Ordinal);
        var notReplayed = 0;
        foreach (var e in entries.OrderBy(e => e.Id))
        {
            try
            {
                if (e.Kind == JournalKind.BooksLoaded) loaded.UnionWith(JournalFormat.Read<string[]>(e.Payload));
                else if (e.AccountId is { } account && loaded.Contains(account) && !accounts.ContainsKey(account)) notReplayed++; // most such entries: no exception
                else Apply(e, accounts, households, problems, loaded);
            }
            catch (LoadedInBulk) { notReplayed++; }
            catch (Exception ex) when (ex is BadInputException or FormatException or System.Text.Json.JsonException)
            {
                problems.Add($"entry {e.Id} ({e.Kind} {e.IdempotencyKey}): {ex.Message}");
            }
        }
        return new JournalReplayResult(
            accounts.ToDictionary(kv => kv.Key, kv => kv.Value.ToResult(), StringComparer.Ordinal),
            households.ToDictionary(kv => kv.Key, kv => new ReplayedHousehold(kv.Key, kv.Value), StringComparer.Ordinal),
            problems) { LoadedAccounts = loaded, EntriesNotReplayed = notReplayed };
    }

    private static void Apply(JournalEntry e, Dictionary<string, Book> accounts, Dictionary<string, Dictionary<string, ProposalStatus>> households,
        List<string> problems, HashSet<string> loaded)
    {
        Book BookOf(string accountId, JournalEntry e, Dictionary<string, Book> accounts) =>
            accounts.TryGetValue(accountId, out var book) ? book
                : loaded.Contains(accountId) ? throw new LoadedInBulk()
                : throw new BadInputException($"account {accountId} has no opening entry before entry {e.Id}");

        switch (e.Kind)
        {
            case JournalKind.AccountOpened:
            {
                var opening = JournalFormat.Read<AccountOpening>(e.Payload);
                if (accounts.ContainsKey(opening.Spec.Id)) { problems.Add($"entry {e.Id}: account {opening.Spec.Id} opened twice"); return; }
                accounts[opening.Spec.Id] = new Book(opening.Spec.Id, e.HouseholdId, opening.Cash, new LotBook(opening.Lots));
                break;
            }
            case JournalKind.Fill:
            {
                var fill = JournalFormat.Read<TradeResult>(e.Payload);
                var book = BookOf(fill.AccountId, e, accounts);
                if (!book.TradeKeys.Add(fill.IdempotencyKey)) { problems.Add($"entry {e.Id}: trade {fill.IdempotencyKey} in {fill.AccountId} journaled twice"); return; }
                var r = fill.Request;
                book.TradeDates[fill.IdempotencyKey] = r.TradeDate;
                if (r.Side == TradeSide.Buy)
                {
                    var lot = fill.CreatedLot ?? throw new FormatException("a buy fill without its created lot");
                    book.Lots.Add(lot);
                    book.Cash -= r.Quantity * r.Price + r.Commission;
                }
                else
                {
                    foreach (var s in fill.Sales) book.Lots.Relieve(s.Lot.Id, s.Quantity, s.Basis);
                    // As AccountBook does: cash moves by the exact net proceeds, not the sum of the pro-rata slices.
                    book.Cash += r.Quantity * r.Price - r.Commission;
                }
                break;
            }
            case JournalKind.WashSale when e.IdempotencyKey?.StartsWith("wash:", StringComparison.Ordinal) == true:
            {
                var adjustment = JournalFormat.Read<WashSaleAdjustment>(e.Payload);
                BookOf(adjustment.Account, e, accounts).Lots.Apply(adjustment);
                break;
            }
            case JournalKind.CorporateAction:
            {
                // The effect names each lot of the security as it was and as it is: lots kept are replaced in place, lots
                // gone (cashed out) relieved, new lots (a spin-off's, a reinvestment's) added.
                var effect = JournalFormat.Read<CorporateActionEffect>(e.Payload);
                Restate(BookOf(effect.AccountId, e, accounts), effect.Before, effect.After, effect.CashDelta);
                break;
            }
            case JournalKind.BookCorrection:
            {
                // A correction of record names the symbol's lots before and after, like a corporate action.
                var effect = JournalFormat.Read<BookCorrectionEffect>(e.Payload);
                Restate(BookOf(effect.AccountId, e, accounts), effect.Before, effect.After, effect.CashDelta);
                break;
            }
            case JournalKind.Cash:
            {
                var movement = JournalFormat.Read<CashMovement>(e.Payload);
                var book = BookOf(e.AccountId ?? throw new FormatException("a cash entry without an account"), e, accounts);
                if (e.IdempotencyKey?.StartsWith(PaidKeyPrefix, StringComparison.Ordinal) == true)
                {
                    if (!book.Pending.Remove(movement.IdempotencyKey)) problems.Add($"entry {e.Id}: withdrawal {movement.IdempotencyKey} paid but never requested");
                    book.Cash -= movement.Amount;
                }
                else if (movement.Kind == CashKind.Withdrawal) book.Pending[movement.IdempotencyKey] = movement.Amount;
                else book.Cash += Accounts.CashValidation.Signed(movement);
                break;
            }
            case JournalKind.Proposal or JournalKind.Rejection or JournalKind.Expiry:
            {
                var p = JournalFormat.Read<RebalanceProposal>(e.Payload);
                if (!households.TryGetValue(p.HouseholdId, out var statuses)) households[p.HouseholdId] = statuses = new(StringComparer.Ordinal);
                statuses[p.Id] = p.Status;
                break;
            }
        }
    }

    /// <summary>Lots kept are replaced in place, lots gone relieved, new lots added; cash moves by the delta.</summary>
    private static void Restate(Book book, ImmutableArray<LotPiece> before, ImmutableArray<LotPiece> after, decimal cashDelta)
    {
        var kept = after.Select(p => p.Lot.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var old in before.Where(p => !kept.Contains(p.Lot.Id))) book.Lots.Relieve(old.Lot.Id, old.Lot.Quantity, old.Lot.Basis);
        foreach (var piece in after)
        {
            if (book.Lots.Find(piece.Lot.Id) is null) book.Lots.Add(piece);
            else book.Lots.Replace(piece.Lot);
        }
        book.Cash += cashDelta;
    }

    // An entry of an account loaded in bulk: read past (its books were never journaled to rebuild them from).
    private sealed class LoadedInBulk : Exception;

    private sealed class Book(string id, string household, decimal cash, LotBook lots)
    {
        public decimal Cash { get; set; } = cash;
        public LotBook Lots { get; } = lots;
        public Dictionary<string, decimal> Pending { get; } = new(StringComparer.Ordinal);
        public HashSet<string> TradeKeys { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, DateOnly> TradeDates { get; } = new(StringComparer.Ordinal);

        public ReplayedAccount ToResult() => new(id, household, Cash, Lots.Snapshot(), Pending, TradeKeys, TradeDates);
    }
}

/// <summary>One place where the live books and the journal disagree.</summary>
public sealed record ReconciliationDifference(string Subject, string What, string Journal, string Live)
{
    public override string ToString() => $"{Subject}: {What}: journal {Journal}, live {Live}";
}

/// <summary>Compares live books with a journal replay, line by line: cash, every lot (shares, basis, dates),
/// pending withdrawals, applied trades and each proposal's status.</summary>
public static class Reconciliation
{
    /// <summary>Compares one account. The live books keep the trades dated from <paramref name="tradesKeptSince"/> on (their
    /// idempotency window): a journaled fill dated before it is not expected among <paramref name="tradeKeys"/>.</summary>
    public static IReadOnlyList<ReconciliationDifference> CompareAccount(ReplayedAccount? replayed, string accountId, decimal cash,
        IReadOnlyList<LotPiece> lots, IReadOnlyDictionary<string, decimal>? pendingWithdrawals = null, IEnumerable<string>? tradeKeys = null,
        DateOnly? tradesKeptSince = null)
    {
        var diffs = new List<ReconciliationDifference>();
        if (replayed is null)
        {
            diffs.Add(new(accountId, "account", "absent", "present"));
            return diffs;
        }
        if (replayed.Cash != cash) diffs.Add(new(accountId, "cash", Fmt(replayed.Cash), Fmt(cash)));
        var journal = replayed.Lots.ToDictionary(p => p.Lot.Id, StringComparer.Ordinal);
        var live = lots.ToDictionary(p => p.Lot.Id, StringComparer.Ordinal);
        foreach (var (id, j) in journal.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!live.TryGetValue(id, out var l)) { diffs.Add(new(accountId, $"lot {id}", Describe(j), "absent")); continue; }
            if (j.Lot != l.Lot || j.Root != l.Root) diffs.Add(new(accountId, $"lot {id}", Describe(j), Describe(l)));
        }
        foreach (var id in live.Keys.Where(id => !journal.ContainsKey(id)).Order(StringComparer.Ordinal))
            diffs.Add(new(accountId, $"lot {id}", "absent", Describe(live[id])));
        if (pendingWithdrawals is not null)
        {
            foreach (var key in replayed.PendingWithdrawals.Keys.Union(pendingWithdrawals.Keys).Order(StringComparer.Ordinal))
            {
                var j = replayed.PendingWithdrawals.TryGetValue(key, out var a) ? Fmt(a) : "absent";
                var l = pendingWithdrawals.TryGetValue(key, out var b) ? Fmt(b) : "absent";
                if (j != l) diffs.Add(new(accountId, $"pending withdrawal {key}", j, l));
            }
        }
        if (tradeKeys is not null)
        {
            var liveKeys = tradeKeys.ToHashSet(StringComparer.Ordinal);
            var kept = replayed.TradeKeys.Where(k => !(replayed.TradeDates is { } dates && dates.TryGetValue(k, out var date)
                && IdempotencyWindow.Expired(date, tradesKeptSince)));
            foreach (var key in kept.Except(liveKeys).Order(StringComparer.Ordinal)) diffs.Add(new(accountId, $"trade {key}", "present", "absent"));
            foreach (var key in liveKeys.Except(replayed.TradeKeys).Order(StringComparer.Ordinal)) diffs.Add(new(accountId, $"trade {key}", "absent", "present"));
        }
        return diffs;
    }

    public static IReadOnlyList<ReconciliationDifference> CompareProposals(ReplayedHousehold? replayed, string householdId, IEnumerable<RebalanceProposal> live)
    {
        var journal = replayed?.Proposals ?? new Dictionary<string, ProposalStatus>();
        var now = live.ToDictionary(p => p.Id, p => p.Status, StringComparer.Ordinal);
        var diffs = new List<ReconciliationDifference>();
        foreach (var id in journal.Keys.Union(now.Keys).Order(StringComparer.Ordinal))
        {
            var j = journal.TryGetValue(id, out var a) ? a.ToString() : "absent";
            var l = now.TryGetValue(id, out var b) ? b.ToString() : "absent";
            if (j != l) diffs.Add(new(householdId, $"proposal {id}", j, l));
        }
        return diffs;
    }

    private static string Describe(LotPiece p) => System.FormattableString.Invariant(
        $"{p.Lot.Quantity} {p.Lot.Symbol} basis {p.Lot.Basis} bought {p.Lot.Purchased:yyyy-MM-dd} held since {p.Lot.HoldingSince:yyyy-MM-dd} (from {p.Root})");

    private static string Fmt(decimal d) => d.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
