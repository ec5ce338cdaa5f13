using CsCheck;
using Households.Contracts;
using Households.Domain.Lots;
using Households.Domain.Tax;
using Xunit;

namespace Households.Tests.WashSales;

/// <summary>The incremental ledger against the regulation stated as a batch over all trades
/// (Treas. Reg. §1.1091-1(b)–(e)): losses in the order of the sales, each taking the earliest-acquired replacement
/// shares in its 61-day window not used by an earlier loss (and, our documented choice, still held when matched).
/// Every sale here is a loss (sells below every purchase price) of a whole lot, so the set of losses does not
/// depend on the adjustments.</summary>
public class WashSaleOracleTests
{
    private static readonly (string Account, AccountType Type)[] Accounts =
        [("A", AccountType.Taxable), ("B", AccountType.Trust), ("C", AccountType.Ira)];

    private readonly record struct Step(int Account, bool Buy, int Quantity, int DayDelta, int Pick);

    private static readonly Gen<Step[]> Steps =
        Gen.Select(Gen.Int[0, 2], Gen.Bool, Gen.Int[1, 50], Gen.Int[0, 12], Gen.Int[0, 1000], (a, b, q, d, p) => new Step(a, b, q, d, p))
            .Array[1, 50];

    private sealed record Purchase(int Index, string Account, string Id, DateOnly Date, decimal Quantity);

    private sealed record Sale(int Index, string Account, string Root, DateOnly Date, decimal Quantity, bool Taxable);

    [Fact]
    public void Incremental_matching_equals_the_batch_statement_of_the_regulation()
    {
        Steps.Sample(steps =>
        {
            var book = new HouseholdTaxBook();
            foreach (var (account, type) in Accounts) book.OpenAccount(new(account, type));
            var purchases = new List<Purchase>();
            var sales = new List<Sale>();
            var date = new DateOnly(2024, 1, 2);
            var index = 0;
            foreach (var step in steps)
            {
                date = date.AddDays(step.DayDelta);
                var (account, type) = Accounts[step.Account];
                var lots = book.BookOf(account).Lots.Select(l => book.BookOf(account).RootOf(l.Id)).Distinct().ToList();
                if (step.Buy || lots.Count == 0)
                {
                    var id = $"P{index}";
                    book.Buy(account, id, "XYZ", step.Quantity, 50m + step.Pick % 10, date);
                    purchases.Add(new Purchase(index, account, id, date, step.Quantity));
                }
                else
                {
                    var root = lots[step.Pick % lots.Count];
                    var quantity = book.BookOf(account).Lots.Where(l => book.BookOf(account).RootOf(l.Id) == root).Sum(l => l.Quantity);
                    book.Sell(account, "XYZ", quantity, 10m + step.Pick % 30, date, LotRelief.SpecificLot, root);
                    sales.Add(new Sale(index, account, root, date, quantity, type != AccountType.Ira));
                }
                index++;
            }

            var expected = Oracle(purchases, sales);
            var actual = book.Adjustments
                .GroupBy(a => (a.LossAccount, a.SaleDate, Sold: Root(a.SoldLotId), Replacement: Root(a.LotId)))
                .ToDictionary(g => g.Key, g => g.Sum(a => a.Quantity));
            Assert.Equal(expected.OrderBy(kv => kv.Key.ToString()), actual.OrderBy(kv => kv.Key.ToString()));
            Assert.All(book.Adjustments, a => Assert.Equal(a.Account == "C", a.Permanent));
        }, iter: 500);
    }

    private static string Root(string id) => id.Split('.')[0];

    private static Dictionary<(string, DateOnly, string, string), decimal> Oracle(List<Purchase> purchases, List<Sale> sales)
    {
        var soldAt = sales.ToDictionary(s => s.Root, s => s.Index);
        var used = purchases.ToDictionary(p => p.Id, _ => 0m);
        var matches = new Dictionary<(string, DateOnly, string, string), decimal>();
        foreach (var sale in sales.Where(s => s.Taxable).OrderBy(s => s.Index))
        {
            var need = sale.Quantity;
            var candidates = purchases
                .Where(p => p.Id != sale.Root && Math.Abs(p.Date.DayNumber - sale.Date.DayNumber) <= 30)
                // bought before the sale: only if still held then; bought after: always held when bought
                .Where(p => p.Index > sale.Index || !soldAt.TryGetValue(p.Id, out var s) || s > sale.Index)
                .OrderBy(p => p.Date).ThenBy(p => p.Index);
            foreach (var p in candidates)
            {
                if (need == 0) break;
                var take = Math.Min(need, p.Quantity - used[p.Id]);
                if (take <= 0) continue;
                used[p.Id] += take;
                need -= take;
                matches[(sale.Account, sale.Date, sale.Root, p.Id)] = take;
            }
        }
        return matches;
    }
}
