namespace Households.Grains.Silo;

/// <summary>The external price feed (<c>PriceFeed:*</c>): a file followed like <c>tail -f</c> or an HTTP stream of JSON
/// lines, published in batches through the firm's price feed grain. Off when <see cref="Source"/> is empty.</summary>
public sealed class PriceFeedOptions
{
    /// <summary><c>file:/path/to/prices.jsonl</c> or <c>http(s)://host/path</c>; empty: no adapter.</summary>
    public string Source { get; set; } = "";
    /// <summary>Read a file from its start rather than its current end.</summary>
    public bool FromStart { get; set; }
    /// <summary>Lines gathered in one interval are published as one batch.</summary>
    public TimeSpan BatchInterval { get; set; } = TimeSpan.FromMilliseconds(250);
    /// <summary>Business time without a price after which a security is stale (listed, and not traded while the feed is on).</summary>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromMinutes(15);

    public bool Enabled => !string.IsNullOrWhiteSpace(Source);

    /// <summary>Stale securities are held out of decisions only under a configured feed, so the demo's simulator and a
    /// firm posting prices by hand decide exactly as before.</summary>
    public bool HoldsStale => Enabled && StaleAfter > TimeSpan.Zero;
}
