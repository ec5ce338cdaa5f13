namespace Households.Domain.WashSales;

/// <summary>The firm's groups of substantially identical securities (IRC §1091(a); Pub. 550 "Substantially
/// identical stock or securities"). By default a security is substantially identical only to itself.</summary>
public sealed class SubstantiallyIdentical
{
    private readonly Dictionary<string, string> _groupOf = new(StringComparer.Ordinal);

    public static SubstantiallyIdentical SameSecurityOnly { get; } = new([]);

    /// <param name="symbolGroups">(symbol, group) pairs; a symbol may appear in one group only.</param>
    public SubstantiallyIdentical(IEnumerable<(string Symbol, string Group)> symbolGroups)
    {
        foreach (var (symbol, group) in symbolGroups)
        {
            if (_groupOf.TryGetValue(symbol, out var existing) && existing != group)
                throw new BadInputException($"symbol {symbol} is in two groups, {existing} and {group}");
            _groupOf[symbol] = group;
        }
    }

    /// <summary>The wash-sale key: securities with the same key are substantially identical.</summary>
    public string KeyOf(string symbol) => _groupOf.TryGetValue(symbol, out var group) ? "group:" + group : symbol;
}
