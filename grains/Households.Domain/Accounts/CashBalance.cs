using Households.Contracts;

namespace Households.Domain.Accounts;

/// <summary>An account's cash under T+1 settlement: the total, of which sale proceeds wait to settle on their settlement
/// date. A purchase may use unsettled proceeds, but each dollar once: it commits them (the latest to settle first, so the
/// cash that settles soonest stays free for withdrawals) and they leave the unsettled list. A withdrawal is paid from
/// settled cash only. Deposits, dividends and corporate-action cash are settled when they arrive.</summary>
public sealed class CashBalance
{
    private readonly List<UnsettledCash> _unsettled;

    public CashBalance(decimal total, IEnumerable<UnsettledCash>? unsettled = null)
    {
        Total = total;
        _unsettled = [.. unsettled ?? []];
    }

    /// <summary>All the cash: settled, plus unsettled proceeds no purchase has committed.</summary>
    public decimal Total { get; private set; }

    /// <summary>Unsettled proceeds as stored (an entry past its settlement date is settled cash; <see cref="Outstanding"/> drops it).</summary>
    public IReadOnlyList<UnsettledCash> Unsettled => _unsettled;

    /// <summary>The one figure the decision engine sees as an account's cash (<see cref="AccountDecisionInput.Cash"/>):
    /// settled cash plus unsettled proceeds not yet committed to a purchase. Committed proceeds have left the total, so the
    /// same dollars are never spent twice.</summary>
    public static decimal Spendable(decimal total) => total;

    public decimal SpendableCash => Spendable(Total);

    /// <summary>Proceeds still unsettled on <paramref name="today"/>.</summary>
    public IReadOnlyList<UnsettledCash> Outstanding(DateOnly today) => [.. _unsettled.Where(u => u.SettlesOn > today)];

    public decimal UnsettledOn(DateOnly today) => _unsettled.Where(u => u.SettlesOn > today).Sum(u => u.Amount);

    /// <summary>The cash a withdrawal may take on <paramref name="today"/>.</summary>
    public decimal Settled(DateOnly today) => Total - UnsettledOn(today);

    /// <summary>Settled cash arrives (deposit, dividend).</summary>
    public void Receive(decimal amount) => Total += amount;

    /// <summary>A sale's net proceeds: unsettled until their settlement date (settled at once when it is the trade date).</summary>
    public void Sold(UnsettledCash proceeds)
    {
        Total += proceeds.Amount;
        if (proceeds.SettlesOn > proceeds.TradeDate && proceeds.Amount > 0) _unsettled.Add(proceeds);
    }

    /// <summary>A purchase on <paramref name="tradeDate"/> pays <paramref name="cost"/> from the spendable cash, committing
    /// proceeds still unsettled that day first; refused (nothing changes) when the spendable cash is short.</summary>
    public void Spend(decimal cost, DateOnly tradeDate)
    {
        if (cost > SpendableCash) throw new BadInputException($"a purchase of {cost:0.00} exceeds the {SpendableCash:0.00} spendable cash");
        Total -= cost;
        Commit(cost, tradeDate);
    }

    /// <summary>Pays a withdrawal from cash settled on <paramref name="today"/>; refused when the settled cash is short.</summary>
    public void Withdraw(decimal amount, DateOnly today)
    {
        var settled = Settled(today);
        if (amount > settled)
            throw new BadInputException(Total >= amount
                ? $"withdrawal of {amount:0.00} exceeds the {settled:0.00} settled cash; {Total - settled:0.00} settles by {Outstanding(today).Max(u => u.SettlesOn):yyyy-MM-dd}"
                : $"withdrawal of {amount:0.00} exceeds the {Total:0.00} cash held");
        Total -= amount;
    }

    /// <summary>Another event set the cash (a corporate action): unsettled proceeds never exceed the cash, so a fall
    /// below them commits the difference.</summary>
    public void Reset(decimal total, DateOnly today)
    {
        Total = total;
        var excess = UnsettledOn(today) - Math.Max(0, Total);
        if (excess > 0) Commit(excess, today);
    }

    private void Commit(decimal amount, DateOnly date)
    {
        foreach (var u in _unsettled.Where(u => u.SettlesOn > date).OrderByDescending(u => u.SettlesOn).ThenByDescending(u => u.TradeKey, StringComparer.Ordinal).ToList())
        {
            if (amount <= 0) break;
            var used = Math.Min(amount, u.Amount);
            amount -= used;
            var i = _unsettled.IndexOf(u);
            if (used == u.Amount) _unsettled.RemoveAt(i);
            else _unsettled[i] = u with { Amount = u.Amount - used };
        }
    }
}
