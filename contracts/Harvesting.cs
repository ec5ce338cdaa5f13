using System.Collections.Immutable;

namespace Households.Contracts;

/// <summary>The replacement for a harvested security: <see cref="Symbol"/> null when none is allowed.
/// <see cref="Passed"/> lists the better-ranked choices passed over and <see cref="Reason"/> says why this one.</summary>
[GenerateSerializer, Immutable, Alias("ReplacementChoice")]
public sealed record ReplacementChoice(
    [property: Id(0)] string Sold,
    [property: Id(1)] string? Symbol,
    [property: Id(2)] string Reason,
    ImmutableArray<string> Passed,
    double Distance)
{
    [Id(3)] public ImmutableArray<string> Passed { get => field.OrEmpty(); init; } = Passed;
    [Id(4)] public double Distance { get; init; } = Distance;
}

