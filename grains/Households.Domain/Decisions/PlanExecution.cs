using Households.Contracts;
using Households.Domain.Accounts;
using Households.Domain.Tax;

namespace Households.Domain.Decisions;

/// <summary>One order the simulated broker filled: the plan's trade, the order as filled (a buy trimmed to the cash),
/// the book's result and what the household's ledger made of it (realized rows; wash-sale adjustments, already applied
/// to the books of the accounts they name).</summary>
public sealed record SimulatedFill(OptimizedTrade Trade, TradeRequest Order, TradeResult Applied, FillOutcome Outcome);

/// <summary>
/// Executes a plan's orders on private books, so a simulation (the stress test, the backtest) trades by the live rules and
/// the household grain decides on copies which orders it releases to its accounts (<c>HouseholdBooks.Release</c>): orders in <see cref="SimulatedBroker.Orders"/> order (sells
/// lot by lot, then buys), each buy trimmed to the account's cash under the order rules
/// (<see cref="SimulatedBroker.Affordable(TradeRequest, decimal, AccountSpec, DecisionSettings)"/>), a sale that would fill
/// at a washed loss and any order worth less than the minimum trade at its fill price not sent
/// (<see cref="SimulatedBroker.WashesAtFill"/>, <see cref="SimulatedBroker.DustAtFill"/>), each fill applied to the account's book and
/// recorded in the household's ledger, whose wash-sale adjustments move to the replacement lots' books. Live, where the
/// market moves between decision and fill, a buy the decision's protection rule forbids at the fill price is not sent.
/// </summary>
public static class PlanExecution
{
    /// <summary>The decision's protection rule (<see cref="DecisionEngine.ProtectedPurchases"/>) at the fill: each buy's
    /// symbol at its order's fill price, every other lot at <paramref name="price"/> (the board's latest). For
    /// <see cref="Execute"/>'s <c>protectedAtFill</c> where the market moved between decision and fill.</summary>
    public static Func<string, string, bool> ProtectedAtFill(IReadOnlyList<AccountDecisionInput> accounts,
        IEnumerable<(OptimizedTrade Trade, TradeRequest Order)> orders, Func<string, decimal?> price, DecisionMarket market)
    {
        var fills = orders.Where(o => o.Order.Side == TradeSide.Buy).GroupBy(o => o.Order.Symbol, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Order.Price, StringComparer.Ordinal);
        return DecisionEngine.ProtectedPurchases(accounts, s => fills.TryGetValue(s, out var p) ? p : price(s), market);
    }

    /// <summary>Fills <paramref name="orders"/>; <paramref name="books"/> finds an account's book (null: not one of this
    /// household's, the order is skipped). Calls <paramref name="filled"/> after each fill and <paramref name="refused"/>, when
    /// given, with the reason for each order not filled.</summary>
    /// <returns>The orders refused: dust or washed at the fill price, or rejected by the books.</returns>
    /// <param name="protectedAtFill">Where the fill prices differ from the decision's (the live broker fills at the board's
    /// latest price): whether an account may not buy a symbol at the fill prices (<see cref="DecisionEngine.ProtectedPurchases"/>).
    /// Such a buy is not sent.</param>
    public static int Execute(IEnumerable<(OptimizedTrade Trade, TradeRequest Order)> orders, Func<string, AccountBook?> books,
        HouseholdTaxLedger ledger, DecisionSettings settings, Action<SimulatedFill> filled, Action<string>? refused = null,
        Func<string, string, bool>? protectedAtFill = null)
    {
        ArgumentNullException.ThrowIfNull(orders);
        ArgumentNullException.ThrowIfNull(books);
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(filled);
        var count = 0;
        void Refuse(string reason) { count++; refused?.Invoke(reason); }
        foreach (var (trade, order) in orders)
        {
            if (books(trade.Account) is not { } book) continue;
            var request = order.Side == TradeSide.Buy ? SimulatedBroker.Affordable(order, book.Cash, book.Spec, settings) : order;
            if (request.Quantity <= 0) continue;
            if (SimulatedBroker.DustAtFill(trade, request, book.Spec, settings))
            {
                Refuse($"{trade.Account} {trade.Side} {request.Quantity} {trade.Symbol} not sent: worth {request.Quantity * request.Price:0.00} at {request.Price:0.00}, below the minimum trade");
                continue;
            }
            if (request.Side == TradeSide.Buy && protectedAtFill is not null && protectedAtFill(trade.Account, request.Symbol))
            {
                Refuse($"{trade.Account} buy {request.Quantity} {trade.Symbol} not sent: at {request.Price:0.00} a taxable lot of it in the household is close to a harvestable loss, and the purchase would block that harvest");
                continue;
            }
            if (SimulatedBroker.WashesAtFill(trade.Account, trade, request, ledger))
            {
                Refuse($"{trade.Account} sell {trade.Symbol} lot {request.LotId} not sent: at {request.Price:0.00} it would realize a loss washed by a household purchase");
                continue;
            }
            TradeResult applied;
            FillOutcome outcome;
            try
            {
                ledger.EnsureInOrder(request.TradeDate);
                applied = book.Apply(request);
                outcome = request.Side == TradeSide.Buy
                    ? ledger.RecordPurchase(trade.Account, applied.CreatedLot!)
                    : ledger.RecordSale(trade.Account, request.TradeDate, applied.Sales);
            }
            catch (BadInputException ex)
            {
                Refuse($"{trade.Account} {trade.Side} {trade.Symbol}: {ex.Message}");
                continue;
            }
            foreach (var group in outcome.Adjustments.GroupBy(a => a.Account))
                books(group.Key)?.Apply(group);
            filled(new SimulatedFill(trade, request, applied, outcome));
        }
        return count;
    }
}
