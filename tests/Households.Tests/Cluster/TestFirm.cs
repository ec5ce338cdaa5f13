using Households.Contracts;

namespace Households.Tests.Cluster;

/// <summary>Small hand-made firm data for cluster and API tests. Each test uses its own symbols and ids
/// (a prefix), so tests sharing one cluster never see each other's prices or accounts.</summary>
public static class TestFirm
{
    public static Security Fund(string symbol, string assetClass) =>
        new(symbol, $"{symbol} fund", assetClass, "Diversified", null, assetClass.Contains("Bond") ? SecurityKind.BondFund : SecurityKind.EquityFund);

    public static TargetModel TwoFundModel(string id, string a, string b, decimal weightA, DriftBand band) =>
        new(id, $"Model {id}", [new ModelSleeve(SleeveKind.Security, a, weightA, band), new ModelSleeve(SleeveKind.Security, b, 1 - weightA, band)], false);

    public static AccountSpec Account(string id, string household, AccountType type, string? model) =>
        new(id, household, id, type, true, model, [], false, LotRelief.Hifo,
            type is AccountType.Taxable or AccountType.Trust ? HarvestPolicy.Default : HarvestPolicy.Off);

    public static TaxLot Lot(string id, string symbol, decimal quantity, decimal pricePaid, DateOnly purchased) =>
        new(id, symbol, quantity, quantity * pricePaid, purchased, purchased);
}
