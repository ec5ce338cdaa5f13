using System.Text;
using Households.Contracts;
using Households.Domain.Prices;
using Households.Grains.Prices;
using Households.Grains.Silo;
using Microsoft.Extensions.Options;

namespace Households.Silo.Hosting;

/// <summary>What the feed adapter has read and published since the silo started (<c>GET /api/prices/feed</c>).</summary>
public sealed record PriceFeedStatus(string Source, string State, long Lines, long Parsed, long Skipped, long OutOfOrder,
    long Batches, long Quotes, long PublishFailures, long Reconnects, DateTimeOffset? LastBatch, IReadOnlyList<PriceLineError> RecentErrors);

/// <summary>Reads the firm's market-data feed — a file followed like <c>tail -f</c> or an HTTP stream of JSON lines —
/// and publishes each interval's quotes as one batch through the price feed grain, like <c>POST /api/prices</c>.
/// Bad lines are counted and skipped; a lost connection or a rotated file is reopened.</summary>
public sealed class PriceFeedAdapter(IGrainFactory grains, IOptions<PriceFeedOptions> options,
    [FromKeyedServices(BusinessClock.Key)] TimeProvider clock, ILogger<PriceFeedAdapter> log) : BackgroundService
{
    public static readonly TimeSpan FilePoll = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan MinBackoff = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly Lock _lock = new();
    private readonly PriceLineParser _parser = new();
    private Dictionary<string, PriceLine> _pending = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _published = new(StringComparer.Ordinal);
    private string _state = "off";
    private long _outOfOrder, _batches, _quotes, _publishFailures, _reconnects;
    private DateTimeOffset? _lastBatch;

    public PriceFeedStatus Status
    {
        get
        {
            lock (_lock)
                return new PriceFeedStatus(options.Value.Source, _state, _parser.Lines, _parser.Parsed, _parser.Skipped, _outOfOrder,
                    _batches, _quotes, _publishFailures, _reconnects, _lastBatch, _parser.RecentErrors);
        }
    }

    /// <summary>The source as configured: a file path or an HTTP(S) address. Anything else stops the silo at start
    /// with this message, rather than running without the prices the firm expects.</summary>
    public static (string? File, Uri? Http) ParseSource(string source)
    {
        if (source.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            var path = source["file:".Length..];
            if (path.StartsWith("//", StringComparison.Ordinal)) path = new Uri(source).LocalPath; // file:///path
            if (string.IsNullOrWhiteSpace(path)) throw new InvalidOperationException("PriceFeed:Source file: needs a path");
            return (Path.GetFullPath(path), null);
        }
        if (Uri.TryCreate(source, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
            return (null, uri);
        throw new InvalidOperationException($"PriceFeed:Source must be file:/path or http(s)://..., not '{source}'");
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (o.Enabled)
        {
            ParseSource(o.Source);
            if (o.BatchInterval < TimeSpan.FromMilliseconds(10)) throw new InvalidOperationException("PriceFeed:BatchInterval must be at least 10 ms");
        }
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        var o = options.Value;
        if (!o.Enabled) return;
        var (file, http) = ParseSource(o.Source);
        log.LogInformation("Price feed adapter reading {Source}, batches every {Interval}", o.Source, o.BatchInterval);
        var reading = file is not null ? FollowFile(file, o.FromStart, stop) : ReadHttp(http!, stop);
        await Task.WhenAll(reading, PublishEvery(o.BatchInterval, stop));
    }

    /// <summary>One line of the stream: parsed, then kept as the symbol's pending quote unless an older time than one
    /// already pending or published (a feed replaying out of order must not move a price back).</summary>
    public void Accept(string text)
    {
        var now = clock.GetUtcNow();
        lock (_lock)
        {
            if (_parser.Next(text, now) is not { } line) return;
            if ((_published.TryGetValue(line.Symbol, out var done) && line.Time < done)
                || (_pending.TryGetValue(line.Symbol, out var waiting) && line.Time < waiting.Time))
            {
                _outOfOrder++;
                return;
            }
            _pending[line.Symbol] = line;
        }
    }

    private async Task PublishEvery(TimeSpan interval, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop)) await PublishPending();
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
    }

    /// <summary>Publishes what was gathered since the last batch; on failure the quotes wait for the next interval
    /// unless a newer line for the symbol arrived meanwhile.</summary>
    public async Task PublishPending()
    {
        Dictionary<string, PriceLine> batch;
        lock (_lock)
        {
            if (_pending.Count == 0) return;
            batch = _pending;
            _pending = new(StringComparer.Ordinal);
        }
        var feed = grains.GetGrain<IPriceFeedGrain>(PriceFeedGrain.Key);
        foreach (var chunk in batch.Values.Chunk(PriceFeedGrain.MaxQuotesPerBatch))
        {
            try
            {
                // Unknown symbols are published as POST /api/prices publishes them: the board learns them.
                await feed.Publish(chunk.Select(l => new PriceQuote(l.Symbol, l.Price)).ToArray());
                lock (_lock)
                {
                    foreach (var l in chunk) _published[l.Symbol] = l.Time;
                    _batches++;
                    _quotes += chunk.Length;
                    _lastBatch = clock.GetUtcNow();
                }
            }
            catch (Exception ex)
            {
                log.LogWarning(ex, "Price feed batch of {Count} quotes not published; retrying next interval", chunk.Length);
                lock (_lock)
                {
                    _publishFailures++;
                    foreach (var l in chunk) _pending.TryAdd(l.Symbol, l);
                }
            }
        }
    }

    private void SetState(string state)
    {
        lock (_lock) _state = state;
    }

    private async Task FollowFile(string path, bool fromStart, CancellationToken stop)
    {
        var fromEnd = !fromStart;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                FileStream stream;
                try { stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete); }
                catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or IOException or UnauthorizedAccessException)
                {
                    SetState($"waiting for {path}: {ex.Message}");
                    // A file that appears later is new: all of it is unread.
                    fromEnd = false;
                    await Task.Delay(FilePoll, stop);
                    continue;
                }
                await using (stream)
                {
                    if (fromEnd) stream.Seek(0, SeekOrigin.End);
                    fromEnd = false; // a reopened (truncated or rotated) file is read from its start
                    SetState($"following {path}");
                    await Follow(stream, path, stop);
                    lock (_lock) _reconnects++;
                    log.LogInformation("Price feed file {Path} truncated or rotated; reopening", path);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
    }

    /// <summary>Reads complete lines until the file at <paramref name="path"/> is no longer this one. A partial last
    /// line waits for its newline: a writer may be halfway through it.</summary>
    private async Task Follow(FileStream stream, string path, CancellationToken stop)
    {
        var buffer = new byte[64 * 1024];
        var line = new List<byte>();
        while (!stop.IsCancellationRequested)
        {
            var n = await stream.ReadAsync(buffer, stop);
            if (n == 0)
            {
                if (Replaced(stream, path)) return;
                await Task.Delay(FilePoll, stop);
                continue;
            }
            for (var i = 0; i < n; i++)
            {
                if (buffer[i] != (byte)'\n')
                {
                    // Past the limit the rest is dropped; the parser still sees an over-long line and reports it.
                    if (line.Count <= PriceLineParser.MaxLineLength) line.Add(buffer[i]);
                    continue;
                }
                var count = line.Count > 0 && line[^1] == (byte)'\r' ? line.Count - 1 : line.Count;
                Accept(Encoding.UTF8.GetString(line.ToArray(), 0, count));
                line.Clear();
            }
        }
    }

    /// <summary>The same file only grows: a shorter file at the path than what was read is a truncation, a longer one
    /// than this handle sees is a new file (rotation), and none at all is a rotation in progress.</summary>
    private static bool Replaced(FileStream stream, string path)
    {
        long onPath;
        try { onPath = new FileInfo(path).Length; }
        catch (FileNotFoundException) { return true; }
        return onPath < stream.Position || onPath > stream.Length;
    }

    private async Task ReadHttp(Uri uri, CancellationToken stop)
    {
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var backoff = MinBackoff;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                SetState($"connecting to {uri}");
                using var response = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, stop);
                response.EnsureSuccessStatusCode();
                SetState($"reading {uri}");
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(stop), Encoding.UTF8);
                while (await reader.ReadLineAsync(stop) is { } text)
                {
                    Accept(text);
                    backoff = MinBackoff; // a stream that delivers is healthy again
                }
                log.LogWarning("Price feed {Uri} ended; reconnecting in {Backoff}", uri, backoff);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested) { return; }
            catch (Exception ex)
            {
                log.LogWarning("Price feed {Uri} failed ({Error}); reconnecting in {Backoff}", uri, ex.Message, backoff);
            }
            SetState($"reconnecting to {uri} in {backoff.TotalSeconds:0} s");
            lock (_lock) _reconnects++;
            try { await Task.Delay(backoff, stop); }
            catch (OperationCanceledException) { return; }
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
        }
    }
}
