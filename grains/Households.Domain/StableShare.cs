namespace Households.Domain;

/// <summary>Which of N shares an id falls in: an FNV-1a hash of its characters, the same on every silo, process and run
/// (string.GetHashCode is randomized per process). Splits households over the advisor queue's shards, and a firm's accounts
/// over the silos (<see cref="Owner"/>).</summary>
public static class StableShare
{
    public static int Of(string id, int shares) => (int)(Fnv(id) % (uint)shares);

    /// <summary>Which of <paramref name="members"/> owns <paramref name="id"/>: the one with the highest score for the pair
    /// (rendezvous hashing). Every silo that sees the same members names the same owner, and when a member leaves only
    /// the ids it owned move (each to the member that scored next), when one joins only the ids it now scores highest
    /// for: a silo's death hands its accounts to the survivors without moving anyone else's. -1 without members.</summary>
    public static int Owner(string id, IReadOnlyList<string> members)
    {
        var key = Fnv(id);
        int best = -1;
        ulong top = 0;
        for (var i = 0; i < members.Count; i++)
        {
            var score = Mix(((ulong)key << 32) | Fnv(members[i]));
            if (best < 0 || score > top) (best, top) = (i, score);
        }
        return best;
    }

    private static uint Fnv(string id)
    {
        var hash = 2166136261u;
        foreach (var c in id) hash = (hash ^ c) * 16777619u;
        return hash;
    }

    // splitmix64's finalizer: every bit of the pair moves the score.
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
