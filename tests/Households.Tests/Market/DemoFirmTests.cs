using Households.Simulation.Firms;
using Households.Contracts;
using Households.Domain.Market;
using Xunit;

namespace Households.Tests.Market;

public class DemoFirmTests
{
    private static readonly Lazy<DemoFirmData> Firm = new(() => DemoFirm.Build());

    [Fact]
    public void Has_200_households_about_500_accounts_of_all_five_types()
    {
        var firm = Firm.Value;
        Assert.Equal(200, firm.Households.Count);
        var accounts = firm.Accounts.ToArray();
        Assert.InRange(accounts.Length, 450, 550);
        Assert.Equal(Enum.GetValues<AccountType>().Order(), accounts.Select(a => a.Spec.Type).Distinct().Order());
        Assert.Contains(accounts, a => a.Spec.Discretionary);
        Assert.Contains(accounts, a => !a.Spec.Discretionary);
        Assert.Equal(accounts.Length, accounts.Select(a => a.Spec.Id).Distinct().Count());
        Assert.Equal("HH0001", firm.Households[0].Household.Id);
        Assert.Equal(5, firm.Households[0].Accounts.Count);
        Assert.Equal("HH0001-TAX", firm.Households[0].Accounts[0].Spec.Id);
        Assert.Equal(Enumerable.Range(1, 10).Select(n => $"ADV{n:D2}"), firm.Households.Select(h => h.Household.AdvisorId).Distinct().Order());
        Assert.All(firm.Households, h => Assert.Equal(h.Accounts.Select(a => a.Spec.Id), h.Household.AccountIds));
    }

    [Fact]
    public void Three_firm_models_one_direct_indexing_one_built_of_models()
    {
        var firm = Firm.Value;
        Assert.Equal(3, firm.AccountModelIds.Count);
        Assert.Equal(firm.AccountModelIds.Order(), firm.Accounts.Select(a => a.Spec.ModelId!).Distinct().Order());
        var byId = firm.Models.ToDictionary(m => m.Id);
        var di = byId[DemoFirm.DirectIndex];
        Assert.True(di.DirectIndexing);
        Assert.True(di.Sleeves.Length >= 100);
        Assert.All(di.Sleeves, s => Assert.Equal(SecurityKind.Stock, firm.Universe[firm.Universe.IndexOf(s.Key)].Kind));
        Assert.All(di.Sleeves, s => Assert.Equal(new DriftBand(0.01m, 0.5m), s.Band));
        var growth = byId[DemoFirm.Growth8020];
        Assert.All(growth.Sleeves, s => Assert.Equal(SleeveKind.Model, s.Kind));
        Assert.Equal([0.8m, 0.2m], growth.Sleeves.Select(s => s.Weight));
        Assert.All(growth.Sleeves, s => Assert.Contains(s.Key, byId.Keys));
        Assert.All(firm.Models, m => Assert.Equal(1m, m.Sleeves.Sum(s => s.Weight)));
        // Cap weighted: the direct index's weights fall with market cap.
        Assert.True(di.Sleeves[0].Weight > di.Sleeves[^1].Weight * 5);
    }

    [Fact]
    public void Lots_are_valid_held_symbols_exist_and_ids_are_deterministic()
    {
        var firm = Firm.Value;
        var asOf = firm.AsOf;
        foreach (var account in firm.Accounts)
        {
            Assert.NotEmpty(account.Lots);
            Assert.InRange(account.Cash, 0.005m * Value(firm, account), 0.12m * Value(firm, account));
            for (int n = 0; n < account.Lots.Length; n++)
            {
                var lot = account.Lots[n];
                Assert.Equal($"{account.Spec.Id}-L{n + 1}", lot.Id);
                Assert.True(lot.Quantity > 0);
                Assert.True(lot.Basis >= 0);
                Assert.True(firm.Universe.Contains(lot.Symbol));
                Assert.InRange(lot.Purchased, asOf.AddYears(-4), asOf.AddDays(-1));
                Assert.Equal(lot.Purchased, lot.HoldingSince);
            }
        }
    }

    [Fact]
    public void Some_lots_are_at_a_loss_some_at_a_gain_and_harvesting_follows_tax_type()
    {
        var firm = Firm.Value;
        var lots = firm.Accounts.SelectMany(a => a.Lots).ToArray();
        int losses = lots.Count(l => l.Quantity * Price(firm, l.Symbol) < l.Basis);
        Assert.InRange(losses, lots.Length / 10, lots.Length / 2);
        Assert.All(firm.Accounts, a => Assert.Equal(
            a.Spec.Type is AccountType.Taxable or AccountType.Trust ? HarvestPolicy.Default : HarvestPolicy.Off, a.Spec.Harvest));
    }

    [Fact]
    public void Holdings_start_near_target_with_some_accounts_out_of_band()
    {
        var firm = Firm.Value;
        int outOfBand = 0, accounts = 0;
        foreach (var account in firm.Accounts.Where(a => a.Spec.ModelId == DemoFirm.Balanced6040))
        {
            accounts++;
            decimal value = Value(firm, account);
            var model = firm.Models.Single(m => m.Id == DemoFirm.Balanced6040);
            bool any = false;
            foreach (var sleeve in model.Sleeves.Where(s => s.Key != "CASH"))
            {
                decimal w = account.Lots.Where(l => l.Symbol == sleeve.Key).Sum(l => l.Quantity * Price(firm, l.Symbol)) / value;
                decimal drift = Math.Abs(w - sleeve.Weight);
                any |= drift > sleeve.Band.Absolute || drift > sleeve.Band.Relative * sleeve.Weight;
            }
            if (any) outOfBand++;
        }
        Assert.InRange(outOfBand, 1, accounts - 1);
    }

    [Fact]
    public void Same_seed_builds_the_same_firm()
    {
        var again = DemoFirm.Build();
        Assert.Equal(Firm.Value.Accounts.SelectMany(a => a.Lots), again.Accounts.SelectMany(a => a.Lots));
        var other = DemoFirm.Build(new DemoFirmOptions { Seed = 99 });
        Assert.NotEqual(Firm.Value.Accounts.SelectMany(a => a.Lots), other.Accounts.SelectMany(a => a.Lots));
    }

    private static decimal Price(DemoFirmData firm, string symbol) => (decimal)firm.Universe.InitialPrices[firm.Universe.IndexOf(symbol)];

    private static decimal Value(DemoFirmData firm, AccountOpening account) =>
        account.Cash + account.Lots.Sum(l => l.Quantity * Price(firm, l.Symbol));
}
