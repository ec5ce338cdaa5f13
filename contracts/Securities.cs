namespace Households.Contracts;

/// <summary>What kind of instrument a security is; drives replacement choice and asset location.</summary>
[GenerateSerializer]
public enum SecurityKind
{
    Stock = 0,
    EquityFund = 1,
    BondFund = 2,
    Cash = 3,
}

/// <summary>A security in the firm's master. <see cref="IdenticalGroup"/> names the set of securities the
/// firm treats as substantially identical (IRC §1091); null means only the security itself.</summary>
[GenerateSerializer, Immutable, Alias("Security")]
public sealed record Security(
    [property: Id(0)] string Symbol,
    [property: Id(1)] string Name,
    [property: Id(2)] string AssetClass,
    [property: Id(3)] string Sector,
    [property: Id(4)] string? IdenticalGroup,
    [property: Id(5)] SecurityKind Kind,
    [property: Id(6)] string? Cusip = null)
{
    /// <summary>The key under which wash-sale matching treats securities as one.</summary>
    public string WashSaleKey => IdenticalGroup ?? Symbol;
}

/// <summary>A security's last price as known to the silo's price board.</summary>
[GenerateSerializer, Immutable, Alias("SecurityQuote")]
public sealed record SecurityQuote(
    [property: Id(0)] string Symbol,
    [property: Id(1)] decimal Price,
    [property: Id(2)] long BatchSequence,
    [property: Id(3)] DateTimeOffset AsOf);
