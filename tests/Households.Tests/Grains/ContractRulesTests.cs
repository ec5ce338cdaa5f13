using System.Reflection;
using System.Xml.Linq;
using Households.Contracts;
using Orleans;
using Xunit;

namespace Households.Tests.Grains;

/// <summary>The contracts' own rules (issue #19): every grain interface method says what it promises in an XML summary,
/// and a record marked <c>[Immutable]</c> (which Orleans hands over without a copy inside a silo) carries no mutable
/// collection.</summary>
public sealed class ContractRulesTests
{
    private static readonly Assembly Contracts = typeof(IHouseholdGrain).Assembly;

    private static IEnumerable<Type> GrainInterfaces() => Contracts.GetExportedTypes()
        .Where(t => t.IsInterface && typeof(IAddressable).IsAssignableFrom(t));

    /// <summary>The documentation the compiler wrote beside the contracts assembly (GenerateDocumentationFile), by member id.</summary>
    private static Dictionary<string, string> Summaries()
    {
        var file = Path.ChangeExtension(Contracts.Location, ".xml");
        Assert.True(File.Exists(file), $"{file} is missing: contracts/Households.Contracts.csproj must generate its documentation file");
        return XDocument.Load(file).Descendants("member")
            .ToDictionary(m => (string)m.Attribute("name")!, m => string.Join(" ", (m.Element("summary")?.Value ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public void Every_grain_interface_method_has_a_summary_that_says_what_it_promises()
    {
        var summaries = Summaries();
        var missing = new List<string>();
        var methods = 0;
        foreach (var type in GrainInterfaces())
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            {
                methods++;
                var id = $"M:{type.FullName}.{method.Name}";
                var summary = summaries.Where(kv => kv.Key == id || kv.Key.StartsWith(id + "(", StringComparison.Ordinal)).Select(kv => kv.Value).FirstOrDefault();
                // Longer than a restatement of the name ("Gets the view."): a promise names what is returned or changed.
                if (summary is null || summary.Length < 30) missing.Add($"{type.Name}.{method.Name}: \"{summary}\"");
            }
        Assert.True(methods >= 80, $"only {methods} grain interface methods found: is the contracts assembly the one the grains implement?");
        Assert.True(missing.Count == 0, "grain interface methods without a summary of at least 30 characters:\n" + string.Join("\n", missing));
    }

    private static readonly Type[] MutableCollections =
    [
        typeof(List<>), typeof(Dictionary<,>), typeof(HashSet<>), typeof(SortedDictionary<,>), typeof(SortedSet<>), typeof(Queue<>),
        typeof(Stack<>), typeof(IList<>), typeof(ICollection<>), typeof(IDictionary<,>), typeof(ISet<>),
    ];

    [Fact]
    public void Immutable_records_carry_no_mutable_collection_and_no_array()
    {
        var immutable = Contracts.GetExportedTypes().Where(t => t.GetCustomAttribute<ImmutableAttribute>() is not null).ToList();
        var mutable = new List<string>();
        var arrays = new List<string>();
        foreach (var type in immutable)
            foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                var t = p.PropertyType;
                if (t.IsArray) arrays.Add($"{type.Name}.{p.Name}");
                else if (t.IsGenericType && MutableCollections.Contains(t.GetGenericTypeDefinition())) mutable.Add($"{type.Name}.{p.Name}: {t.Name}");
            }
        Assert.True(immutable.Count >= 80, $"only {immutable.Count} [Immutable] types found");
        Assert.True(mutable.Count == 0, "[Immutable] records with mutable collections:\n" + string.Join("\n", mutable));
        // Arrays became ImmutableArray<T> in issue #19 (the stored format stays the arrays': ArrayFormatImmutableArrayCodec).
        Assert.True(arrays.Count == 0, "[Immutable] records with array properties (use ImmutableArray<T>):\n" + string.Join("\n", arrays));
    }
}
