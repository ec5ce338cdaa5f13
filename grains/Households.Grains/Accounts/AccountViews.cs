using System.Runtime.InteropServices;
using System.Collections.Immutable;
using Households.Contracts;
using Households.Domain.Lots;
using Households.Domain.Monitoring;
using Households.Grains.Silo;

namespace Households.Grains.Accounts;

/// <summary>What an account shows: its holdings valued at the board's prices with weights and drift, its open triggers
/// and settled cash (<see cref="AccountView"/>), and its ledger as the reliability checks read it.</summary>
public sealed class AccountViews(AccountRecord record, PriceBoard board, SecurityMaster master)
{
    public AccountView View(AccountSnapshot? snapshot, Trigger[] openTriggers)
    {
        var spec = record.RequireSpec();
        var today = record.Today();
        var prices = board.Current;
        var holdings = new List<HoldingView>();
        decimal marketValue = record.State.Cash;
        foreach (var group in record.Lots.Lots().GroupBy(l => l.Symbol))
        {
            var price = board.Index.TryGetOrdinal(group.Key, out var o) ? prices.ExactOf(o) ?? 0m : 0m;
            var lots = group.Select(l => new LotView(l, l.Quantity * price, l.Quantity * price - l.Basis,
                HoldingPeriod.TermOf(l.HoldingSince, today))).ToImmutableArray();
            var value = lots.Sum(l => l.MarketValue);
            marketValue += value;
            holdings.Add(new HoldingView(group.Key, master.Find(group.Key)?.AssetClass ?? "Unknown", group.Sum(l => l.Quantity),
                price, value, 0, lots));
        }
        var withWeights = holdings
            .Select(h => h with { Weight = marketValue > 0 ? (double)(h.MarketValue / marketValue) : 0 })
            .OrderByDescending(h => h.MarketValue).ToImmutableArray();
        var drift = snapshot is null ? [] : ImmutableCollectionsMarshal.AsImmutableArray(TriggerKernel.DriftLines(snapshot, prices.Values));
        var balance = record.Balance();
        return new AccountView(spec, record.State.Cash, marketValue, withWeights, drift, [.. openTriggers], prices.Sequence,
            balance.Settled(today), [.. balance.Outstanding(today)]);
    }

    /// <summary>The books as stored: cash, lots, applied trade keys (those the idempotency window keeps) and waiting withdrawals,
    /// each in key order.</summary>
    public AccountLedger Ledger(string accountId)
    {
        record.RequireSpec();
        var state = record.State;
        return new AccountLedger(accountId, state.Cash, [.. record.Lots.ToList()],
            [.. state.AppliedTrades.Keys.Order(StringComparer.Ordinal)],
            [.. state.PendingWithdrawals.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new PendingWithdrawal(kv.Key, kv.Value))])
        { TradesKeptSince = state.TradesKeptSince };
    }
}
