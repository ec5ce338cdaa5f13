using Households.Contracts;
using Households.Domain;
using Households.Domain.Accounts;
using Households.Domain.Reliability;
using Households.Domain.Tax;

namespace Households.Grains.Accounts;

/// <summary>An account's cash movements (deposits, dividends, fees, withdrawal requests) and the payment of withdrawals
/// from settled cash. Each movement is journaled with its write and kept by its idempotency key for the idempotency window
/// (by the movement's date; a waiting withdrawal until it is paid).</summary>
public sealed class AccountCash(AccountRecord record, TimeProvider clock, IdempotencyWindow window)
{
    /// <summary>Records a movement once (the same key with the same movement answers the cash held; with another, bad
    /// input); a withdrawal is a request, paid later from settled cash. The trigger it <paramref name="raises"/> is stored
    /// with it, held until decided (<see cref="AccountState.EventsUndecided"/>), and the entry is journaled at its detection.
    /// Returns the cash held after it, and whether the movement is new (false for one recorded before).</summary>
    public async Task<(decimal Cash, bool Recorded)> Record(CashMovement movement, Trigger raises)
    {
        var spec = record.RequireSpec();
        CashValidation.Check(movement);
        var state = record.State;
        // A key the books no longer keep (dated before the window) may still have been recorded: the journal has it then.
        if (state.CashMovements.TryGetValue(movement.IdempotencyKey, out var earlier)
            || (IdempotencyWindow.Expired(movement.Date, state.CashKeptSince)
                && (earlier = await record.Journaled<CashMovement>(JournalKind.Cash, JournalReplay.CashKeyPrefix + movement.IdempotencyKey)) is not null))
            return earlier == movement ? (state.Cash, false)
                : throw new BadInputException($"idempotencyKey {movement.IdempotencyKey} was already used for a different cash movement");
        var before = state.Cash;
        if (movement.Kind == CashKind.Withdrawal) state.PendingWithdrawals[movement.IdempotencyKey] = movement.Amount;
        else if (CashValidation.IsOutflow(movement.Kind) && movement.Amount > before)
            throw new BadInputException($"{CashValidation.Name(movement.Kind)} of {movement.Amount:0.00} exceeds the {before:0.00} cash held");
        else state.Cash += CashValidation.Signed(movement);
        var keptSince = state.CashKeptSince;
        var (since, undo) = window.Keep(state.CashMovements, [new(movement.IdempotencyKey, movement)], m => m.Date, keptSince,
            state.PendingWithdrawals.ContainsKey);
        state.CashKeptSince = since;
        try { await record.WriteAndJournal([Entry(spec, JournalReplay.CashKeyPrefix, movement, raises.DetectedAt)], raises); }
        catch
        {
            state.Cash = before;
            state.PendingWithdrawals.Remove(movement.IdempotencyKey);
            undo();
            state.CashKeptSince = keptSince;
            throw;
        }
        record.Changed();
        return (state.Cash, true);
    }

    /// <summary>Pays waiting withdrawals in key order from settled cash only: unsettled sale proceeds wait for their
    /// settlement date (T+1), and a withdrawal the cash does not cover waits with every one after it.</summary>
    public async Task<WithdrawalPayment> PayWithdrawals()
    {
        var spec = record.RequireSpec();
        var state = record.State;
        var today = record.Today();
        var balance = record.Balance();
        var settled = balance.Settled(today);
        decimal paid = 0;
        var payments = new List<CashMovement>();
        var waiting = new List<decimal>();
        foreach (var (key, amount) in state.PendingWithdrawals.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList())
        {
            if (waiting.Count > 0 || amount > settled - paid)
            {
                waiting.Add(amount);
                continue;
            }
            paid += amount;
            payments.Add(state.CashMovements.TryGetValue(key, out var m) ? m : new CashMovement(key, CashKind.Withdrawal, amount, today, null));
        }
        // What the cash covers once the unsettled proceeds settle waits for settlement; the rest waits for a sale.
        var unsettled = balance.UnsettledOn(today);
        var awaiting = unsettled > 0 ? Math.Min(waiting.Sum(), state.Cash - paid) : 0;
        var result = new WithdrawalPayment(paid, awaiting, awaiting > 0 ? balance.Outstanding(today).Max(u => u.SettlesOn) : null);
        if (paid == 0) return result;
        foreach (var p in payments) state.PendingWithdrawals.Remove(p.IdempotencyKey);
        state.Cash -= paid;
        try { await record.WriteAndJournal([.. payments.Select(p => Entry(spec, JournalReplay.PaidKeyPrefix, p))]); }
        catch
        {
            state.Cash += paid;
            foreach (var p in payments) state.PendingWithdrawals[p.IdempotencyKey] = p.Amount;
            throw;
        }
        record.Changed();
        return result;
    }

    private JournalEntry Entry(AccountSpec spec, string prefix, CashMovement m, DateTimeOffset? at = null) =>
        new(0, spec.HouseholdId, spec.Id, JournalKind.Cash, at ?? clock.GetUtcNow(), prefix + m.IdempotencyKey,
            FormattableString.Invariant($"{(prefix == JournalReplay.PaidKeyPrefix ? "Paid withdrawal" : m.Kind.ToString())} of {m.Amount:0.00} in {spec.Id} ({m.IdempotencyKey})"),
            JournalFormat.Payload(m));
}
