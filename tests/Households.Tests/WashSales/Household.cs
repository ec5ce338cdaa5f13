using Households.Contracts;
using Households.Domain.Lots;
using Households.Domain.Tax;
using Households.Domain.WashSales;

namespace Households.Tests.WashSales;

/// <summary>A small test household: accounts by id and type, trades in XYZ unless told otherwise.</summary>
internal sealed class Household
{
    public HouseholdTaxBook Book { get; }

    public Household(params (string Account, AccountType Type)[] accounts) : this(null, accounts) { }

    public Household(SubstantiallyIdentical? identical, params (string Account, AccountType Type)[] accounts)
    {
        Book = new HouseholdTaxBook(identical);
        foreach (var (account, type) in accounts) Book.OpenAccount(new AccountTaxProfile(account, type));
    }

    public static DateOnly D(string s) => DateOnly.Parse(s);

    public TaxLot Buy(string account, string id, decimal quantity, decimal price, string date, string symbol = "XYZ") =>
        Book.Buy(account, id, symbol, quantity, price, D(date));

    public IReadOnlyList<LotSale> Sell(string account, decimal quantity, decimal price, string date, string? lot = null,
        string symbol = "XYZ", LotRelief method = LotRelief.Fifo) =>
        Book.Sell(account, symbol, quantity, price, D(date), method, lot);

    public TaxLot Lot(string account, string id) =>
        Book.BookOf(account).Find(id) ?? throw new InvalidOperationException($"no lot {id} in {account}");

    public IReadOnlyList<RealizedLot> Rows => Book.Gains.Rows();

    public GainsSummary Summary => Book.Gains.Summary();
}
