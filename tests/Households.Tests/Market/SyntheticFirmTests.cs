using Households.Simulation.Firms;
using Households.Contracts;
using Households.Domain.Market;
using Xunit;

namespace Households.Tests.Market;

public class SyntheticFirmTests
{
    private static readonly Lazy<SyntheticFirm> Firm = new(() => SyntheticFirm.Build(10_000, seed: 5));

    [Fact]
    public void Ten_thousand_accounts_are_about_90_percent_model_and_10_percent_direct_indexing()
    {
        var firm = Firm.Value;
        Assert.Equal(5_000, firm.Universe.Count);
        int accounts = 0, directIndex = 0, households = 0;
        var types = new HashSet<AccountType>();
        foreach (var h in firm.Households())
        {
            households++;
            Assert.InRange(h.Accounts.Count, 1, 5);
            foreach (var a in h.Accounts)
            {
                accounts++;
                types.Add(a.Spec.Type);
                int holdings = a.Lots.Select(l => l.Symbol).Distinct().Count();
                if (a.Spec.ModelId == SyntheticFirm.DirectIndexModelId)
                {
                    directIndex++;
                    Assert.Contains(a.Spec.Type, new[] { AccountType.Taxable, AccountType.Trust });
                    Assert.Equal(300, holdings);
                    Assert.InRange(a.Lots.Length, 600, 900);
                }
                else
                {
                    Assert.InRange(holdings, 10, 20);
                    Assert.InRange(a.Lots.Length, 2 * holdings, 4 * holdings);
                }
            }
        }
        Assert.Equal(10_000, accounts);
        Assert.InRange(households, 10_000 / 5, 10_000 / 2);
        Assert.Equal(5, types.Count);
        Assert.InRange(directIndex / (double)accounts, 0.085, 0.115);
    }

    [Fact]
    public void Enumerating_again_yields_the_same_households()
    {
        var first = Firm.Value.Households().Take(20).ToArray();
        var second = Firm.Value.Households().Take(20).ToArray();
        Assert.Equal(first.Select(h => h.Household.Id), second.Select(h => h.Household.Id));
        Assert.Equal(first.SelectMany(h => h.Accounts).SelectMany(a => a.Lots), second.SelectMany(h => h.Accounts).SelectMany(a => a.Lots));
        Assert.Equal("HH000001", first[0].Household.Id);
    }

    [Fact]
    public void Models_are_fund_portfolios_of_10_to_20_plus_a_300_stock_direct_index()
    {
        var firm = Firm.Value;
        Assert.All(firm.Models, m => Assert.Equal(1m, m.Sleeves.Sum(s => s.Weight)));
        Assert.All(firm.Models.Where(m => !m.DirectIndexing), m => Assert.InRange(m.Sleeves.Length, 10, 20));
        Assert.Equal(300, firm.Models.Single(m => m.DirectIndexing).Sleeves.Length);
    }
}
