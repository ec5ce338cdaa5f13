namespace Households.Domain;

/// <summary>Which of N shares an id falls in: an FNV-1a hash of its characters, the same on every silo, process and run
/// (string.GetHashCode is randomized per process). Splits a firm's accounts over silos at a warm start and households
/// over the advisor queue's shards.</summary>
public static class StableShare
{
    public static int Of(string id, int shares)
    {
        var hash = 2166136261u;
        foreach (var c in id) hash = (hash ^ c) * 16777619u;
        return (int)(hash % (uint)shares);
    }
}
