using Households.Contracts;

namespace Households.Domain.Harvesting;

/// <summary>
/// Turns harvest candidates into trades for one account: every candidate lot is sold by specific identification, and
/// the proceeds of each harvested security buy its replacement (<see cref="ReplacementSelector"/>). A replacement is
/// refused when it is blocked (buying it would wash an open loss: <c>isBlocked</c>), excluded by the account, or is
/// itself sold at a loss in the same plan; when no replacement is allowed the security's sells are dropped (the plan
/// never leaves the exposure in cash), and the candidates are reported as skipped with
/// <see cref="HarvestSkipReason.BuyBlackout"/>.
/// </summary>
public static class HarvestPlanner
{
    public static HarvestPlan Plan(string account, DateOnly date, IReadOnlyList<HarvestCandidate> candidates,
        ReplacementSelector selector, Func<string, decimal?> price, Func<string, bool>? isBlocked = null,
        Func<string, bool>? isExcluded = null, Func<string, string>? washSaleKey = null, int quantityDecimals = 4)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(selector);
        ArgumentNullException.ThrowIfNull(price);
        washSaleKey ??= s => s;
        var soldKeys = new HashSet<string>(candidates.Select(c => washSaleKey(c.Lot.Symbol)), StringComparer.Ordinal);
        bool Blocked(string symbol) => soldKeys.Contains(washSaleKey(symbol)) || isBlocked?.Invoke(symbol) == true;

        var trades = new List<HarvestTrade>();
        var skipped = new List<HarvestSkip>();
        decimal loss = 0, benefit = 0, cost = 0;
        int rerouted = 0;
        foreach (var group in candidates.GroupBy(c => c.Lot.Symbol).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var choice = selector.Choose(group.Key, Blocked, isExcluded);
            var replacementPrice = choice.Symbol is null ? null : price(choice.Symbol);
            if (choice.Symbol is null || replacementPrice is not > 0)
            {
                foreach (var c in group) skipped.Add(new HarvestSkip(account, c.Lot.Id, c.Lot.Symbol, c.Loss, HarvestSkipReason.BuyBlackout));
                continue;
            }
            rerouted += choice.Passed.Count(p => p.EndsWith("(buy blackout)", StringComparison.Ordinal));
            decimal proceeds = 0;
            foreach (var c in group.OrderBy(c => c.Lot.Id, StringComparer.Ordinal))
            {
                trades.Add(new HarvestTrade(account, TradeSide.Sell, c.Lot.Symbol, c.Lot.Quantity, c.Price, c.Lot.Id,
                    $"harvest {c.Term.ToString().ToLowerInvariant()}-term loss {c.Loss:0.00} ({c.LossPercent:P1} of basis), saves about {c.TaxBenefit:0.00} at {c.TaxRate:P0}"));
                proceeds += c.Lot.Quantity * c.Price;
                loss += c.Loss;
                benefit += c.TaxBenefit;
                cost += c.EstimatedCost;
            }
            var quantity = Math.Round(proceeds / replacementPrice.Value, quantityDecimals, MidpointRounding.ToZero);
            if (quantity > 0)
                trades.Add(new HarvestTrade(account, TradeSide.Buy, choice.Symbol, quantity, replacementPrice.Value, null,
                    $"replacement for {group.Key}: {choice.Reason}" + (choice.Passed.Length > 0 ? $"; passed over {string.Join(", ", choice.Passed)}" : "")));
        }
        return new HarvestPlan(account, date, [.. trades], loss, benefit, cost, [.. skipped], rerouted);
    }
}
