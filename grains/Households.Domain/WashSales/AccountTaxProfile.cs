using Households.Contracts;

namespace Households.Domain.WashSales;

/// <summary>How an account takes part in the household's wash-sale scope. Taxable and (grantor) trust accounts
/// realize gains and losses; IRA, Roth IRA and 529 accounts do not, and a replacement bought in them disallows a
/// loss permanently (Rev. Rul. 2008-5). A separate taxpayer (for example a non-grantor trust) is its own scope.</summary>
public sealed record AccountTaxProfile(string Account, AccountType Type, bool SeparateTaxpayer = false)
{
    public bool RealizesGains => Type is AccountType.Taxable or AccountType.Trust;

    public bool ReplacementIsPermanent => Type is AccountType.Ira or AccountType.Roth or AccountType.Education529;

    /// <summary>Losses and replacements match only within one taxpayer: the household's, or the separate
    /// taxpayer account's own.</summary>
    public string Taxpayer => SeparateTaxpayer ? "account:" + Account : "household";
}
