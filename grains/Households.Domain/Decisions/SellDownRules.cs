using Households.Contracts;
using Households.Domain.Optimization;

namespace Households.Domain.Decisions;

/// <summary>A sell-down schedule as optimizer constraints: a <see cref="SellCap"/> of the shares the schedule still allows
/// (its quarterly maximum times the quarters covered, less what was already sold in them), a <see cref="HoldingFloor"/> at
/// the floor plus the gifted shares (the floor still holds once the gifts leave), and <see cref="GiftedLots"/>. The
/// transition planner uses it for each simulated year; a live decision can pass the caps and floors through
/// <see cref="PlanRules.SellCaps"/> and <see cref="PlanRules.Floors"/>.</summary>
public static class SellDownRules
{
    /// <summary>The constraints of every schedule on an account in <paramref name="accounts"/> whose symbol has a price.
    /// <paramref name="quarters"/>: calendar quarters the decision covers (1 for a live decision, up to 4 for a simulated
    /// year); <paramref name="soldAlready"/> (account, symbol): shares sold in those quarters before this decision.</summary>
    public static SellDownConstraints For(IEnumerable<SellDownSchedule> schedules, IEnumerable<AccountDecisionInput> accounts,
        Func<string, decimal?> price, int quarters, Func<string, string, decimal>? soldAlready = null)
    {
        if (quarters is < 1 or > 4) throw new BadInputException("a sell-down decision covers 1 to 4 quarters");
        var byId = accounts.ToDictionary(a => a.Spec.Id, StringComparer.Ordinal);
        var caps = new List<SellCap>();
        var floors = new List<HoldingFloor>();
        var gifts = new List<GiftedLots>();
        foreach (var s in schedules)
        {
            if (!byId.TryGetValue(s.Account, out var account) || price(s.Symbol) is not { } px) continue;
            var shares = Math.Max(0, s.MaxSharesPerQuarter * quarters - (soldAlready?.Invoke(s.Account, s.Symbol) ?? 0));
            caps.Add(new SellCap(s.Account, s.Symbol, shares * px));
            var gifted = account.Lots.Where(l => l.Symbol == s.Symbol && s.GiftedLots.Contains(l.Id)).Sum(l => l.Quantity);
            if (s.FloorShares + gifted > 0) floors.Add(new HoldingFloor(s.Account, s.Symbol, (s.FloorShares + gifted) * px));
            if (s.GiftedLots.Length > 0) gifts.Add(new GiftedLots(s.Account, s.GiftedLots));
        }
        return new SellDownConstraints(caps, floors, gifts);
    }

    /// <summary>Calendar quarters from <paramref name="date"/>'s through the year's last (1 in October, 4 in January).</summary>
    public static int QuartersLeft(DateOnly date) => 4 - (date.Month - 1) / 3;

    /// <summary>Shares of <paramref name="symbol"/> an account sold in <paramref name="date"/>'s calendar quarter, from its
    /// realized rows: what a live decision subtracts from the quarter's maximum.</summary>
    public static decimal SoldThisQuarter(IEnumerable<RealizedLot> rows, string account, string symbol, DateOnly date)
    {
        var first = new DateOnly(date.Year, 3 * ((date.Month - 1) / 3) + 1, 1);
        return rows.Where(r => r.Account == account && r.Symbol == symbol && r.Date >= first && r.Date <= date).Sum(r => r.Quantity);
    }
}

/// <summary>What <see cref="SellDownRules.For"/> builds.</summary>
public sealed record SellDownConstraints(IReadOnlyList<SellCap> Caps, IReadOnlyList<HoldingFloor> Floors, IReadOnlyList<GiftedLots> Gifts)
{
    public IEnumerable<IConstraint> All => Caps.Cast<IConstraint>().Concat(Floors).Concat(Gifts);
}
