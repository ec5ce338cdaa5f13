namespace Households.Domain;

/// <summary>What changed between two lists whose items each have their own key: the items put (new, or not the same as
/// before) and the keys no longer there. How a change of a grain's state is stored instead of the whole state (issue #18
/// goal 2: <see cref="Lots.LotChanges"/>, <see cref="Decisions.ProposalChanges"/>, <see cref="WashSales.WashSaleLedgerChanges"/>).</summary>
public static class KeyedChanges
{
    /// <summary>The items of <paramref name="after"/> put and the keys of <paramref name="before"/> removed, or null when
    /// either list holds a key twice (a change by key could not say which).</summary>
    public static (T[] Put, string[] Removed)? Between<T>(IReadOnlyList<T> before, IReadOnlyList<T> after, Func<T, string> key, Func<T, T, bool> same)
    {
        var was = new Dictionary<string, T>(before.Count, StringComparer.Ordinal);
        foreach (var item in before)
            if (!was.TryAdd(key(item), item)) return null;
        var now = new HashSet<string>(after.Count, StringComparer.Ordinal);
        var put = new List<T>();
        foreach (var item in after)
        {
            if (!now.Add(key(item))) return null;
            if (!was.TryGetValue(key(item), out var old) || !same(old, item)) put.Add(item);
        }
        return ([.. put], [.. before.Select(key).Where(k => !now.Contains(k))]);
    }

    /// <summary>The list after a change by key: the removed keys dropped, a put item in its old place or, when new, at the end.</summary>
    public static List<T> Apply<T>(IReadOnlyList<T> items, IReadOnlyList<T> put, IEnumerable<string> removed, Func<T, string> key)
    {
        var gone = removed.ToHashSet(StringComparer.Ordinal);
        var byKey = new Dictionary<string, T>(put.Count, StringComparer.Ordinal);
        foreach (var item in put) byKey[key(item)] = item;
        var result = new List<T>(items.Count + put.Count);
        foreach (var item in items)
        {
            if (gone.Contains(key(item))) continue;
            result.Add(byKey.Remove(key(item), out var changed) ? changed : item);
        }
        result.AddRange(put.Where(p => byKey.ContainsKey(key(p))));
        return result;
    }
}
