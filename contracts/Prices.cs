using System.Collections.Immutable;

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
    ImmutableArray<PriceQuote> Quotes)
{
    [Id(3)] public ImmutableArray<PriceQuote> Quotes { get => field.OrEmpty(); init; } = Quotes;
}
