namespace Households.Contracts;

[GenerateSerializer, Immutable, Alias("PriceQuote")]
public sealed record PriceQuote(
    [property: Id(0)] string Symbol,
    [property: Id(1)] decimal Price);

/// <summary>All securities whose price changed in one interval. <see cref="PublishedAt"/> starts the
/// tick-to-trigger clock.</summary>
[GenerateSerializer, Immutable, Alias("PriceBatch")]
public sealed record PriceBatch(
    [property: Id(0)] long Sequence,
    [property: Id(1)] DateTimeOffset AsOf,
    [property: Id(2)] DateTimeOffset PublishedAt,
    [property: Id(3)] PriceQuote[] Quotes);
