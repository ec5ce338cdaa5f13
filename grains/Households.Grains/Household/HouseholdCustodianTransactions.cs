using Households.Contracts;
using Households.Domain;
using Households.Domain.Accounts;
using Households.Domain.Reconciliation;
using Households.Domain.Tax;

namespace Households.Grains.Household;

/// <summary>
/// A custodian's transactions for one household's accounts (docs/formats.md §17), beside <see cref="HouseholdBooks"/> and
/// through the same ledger: buys and sells are fills (<see cref="HouseholdBooks.Record"/>, so the wash-sale and realized-gains
/// ledger see them), dividends, interest, fees and cash transfers are the accounts' cash movements, shares transferred are
/// corrections of record (no sale). Each applies once per (account, transaction id): the posting's key is the id, kept by the
/// account with the trade, movement or correction (or, for a fill older than the idempotency window, by the journal). Rows an
/// account applied before are reported and skipped; the rest are
/// first rehearsed on copies of the books, and a row the books refuse stops the whole file (nothing applied).
/// </summary>
public sealed class HouseholdCustodianTransactions(HouseholdBooks books, IGrainFactory grains)
{
    public const string NotAppliedDetail = "not applied: the file has errors";

    public async Task<CustodianTransactionOutcome[]> Apply(HouseholdSpec spec, CustodianTransaction[] rows, bool rehearseOnly, ISet<string> fresh)
    {
        if (!books.CaughtUp) await books.CatchUp(spec);
        var outcomes = new CustodianTransactionOutcome?[rows.Length];
        CustodianTransactionOutcome Outcome(int i, CustodianTransactionStatus status, string detail) =>
            new(rows[i].Line, rows[i].Id, rows[i].Account, rows[i].Type, status, detail);

        var accounts = rows.Select(r => r.Account).Distinct(StringComparer.Ordinal).ToArray();
        var copies = new Dictionary<string, AccountBook>(StringComparer.Ordinal);
        foreach (var id in accounts)
        {
            if (!spec.AccountIds.Contains(id)) continue;
            var account = grains.GetGrain<IAccountGrain>(id);
            var mine = Enumerable.Range(0, rows.Length).Where(i => rows[i].Account == id).ToArray();
            var applied = (await account.AppliedKeys([.. mine.Select(i => CustodianTransactions.KeyOf(rows[i]))])).ToHashSet(StringComparer.Ordinal);
            // A fill older than the books keep by key is found in the journal (buys and sells are the only postings dropped).
            foreach (var i in mine.Where(i => !applied.Contains(CustodianTransactions.KeyOf(rows[i]))
                && rows[i].Type is CustodianTransactionType.Buy or CustodianTransactionType.Sell))
            {
                if (await books.JournaledBeforeWindow(id, CustodianTransactions.KeyOf(rows[i]), rows[i].TradeDate)) applied.Add(CustodianTransactions.KeyOf(rows[i]));
            }
            foreach (var i in mine.Where(i => applied.Contains(CustodianTransactions.KeyOf(rows[i]))))
                outcomes[i] = Outcome(i, CustodianTransactionStatus.AlreadyApplied, "already applied: an earlier import booked this transaction");
            copies[id] = await books.CopyOf(id);
        }

        var order = CustodianTransactions.ApplyOrder(rows).Where(i => outcomes[i] is null).ToList();
        var postings = new List<(int Row, CustodianPosting Posting)>();
        foreach (var i in order)
        {
            if (!spec.AccountIds.Contains(rows[i].Account)) { outcomes[i] = Outcome(i, CustodianTransactionStatus.Error, $"account {rows[i].Account} is not in household {spec.Id}"); continue; }
            try { postings.Add((i, CustodianTransactions.Posting(rows[i]))); }
            catch (BadInputException ex) { outcomes[i] = Outcome(i, CustodianTransactionStatus.Error, ex.Message); }
        }
        var tax = books.Tax;
        var problems = CustodianTransactions.Rehearse([.. postings.Select(p => p.Posting)], id => copies[id], tax.EnsureInOrder);
        for (var j = 0; j < postings.Count; j++)
            if (problems[j] is { } problem) outcomes[postings[j].Row] = Outcome(postings[j].Row, CustodianTransactionStatus.Error, problem);
        if (rehearseOnly || outcomes.Any(o => o?.Status == CustodianTransactionStatus.Error))
            return [.. outcomes.Select((o, i) => o ?? Outcome(i, CustodianTransactionStatus.NotApplied, NotAppliedDetail))];

        // Each posting is persisted (and journaled) by its own path before the next goes: a failure part-way leaves the ones
        // before applied, and a retry of the file reports them as already applied.
        foreach (var (i, p) in postings)
        {
            var account = grains.GetGrain<IAccountGrain>(rows[i].Account);
            string detail;
            if (p.Trade is { } trade) detail = TradeJournal.Describe(await books.Record(spec, rows[i].Account, trade, fresh));
            else if (p.Cash is { } cash) detail = CustodianTransactions.Describe(cash, await account.RecordCash(cash));
            else detail = BookCorrectionJournal.Describe((await account.ApplyBookCorrections([p.Correction!]))[0]);
            outcomes[i] = Outcome(i, CustodianTransactionStatus.Applied, detail);
        }
        return [.. outcomes.Select(o => o!)];
    }
}
