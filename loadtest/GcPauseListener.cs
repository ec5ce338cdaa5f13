using System.Diagnostics.Tracing;

namespace Households.LoadTest;

/// <summary>One stop of the runtime for a collection: its generation (-1: a suspension with no collection started in
/// it, e.g. a background GC's phases), its length, how much of it went to stopping the threads, and what it promoted.</summary>
internal sealed record GcPause(double AtSeconds, int Generation, double Milliseconds, double SuspendMilliseconds, long PromotedBytes);

/// <summary>Every GC pause of the run from the runtime's own events (suspend begin to restart end, the collection's
/// generation and promoted bytes in between): the total alone hides whether the API's p99 meets a few long pauses or
/// many short ones. Informational GC events only, a handful per collection.</summary>
internal sealed class GcPauseListener : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly List<GcPause> _pauses = [];
    private readonly Lock _gate = new();
    private DateTime? _suspended;
    private double _suspendMs;
    private int _generation = -1;
    private long _promoted;
    private volatile bool _on;
    // Where a collection's mark time goes, by root kind (the runtime's GCMarkWithType: stacks, finalization queue, handles,
    // older generations' cards, ...): each mark event closes the stretch since the heap's previous one (or the GC's start).
    private readonly Dictionary<int, DateTime> _lastMark = [];
    private readonly Dictionary<string, double> _markMs = [];
    private readonly Dictionary<string, long> _markBytes = [];
    private static readonly string[] RootKinds = ["stack", "finalize_queue", "handles", "older_generations_cards", "sized_ref", "overflow", "dependent_handles", "new_finalize_queue", "steal", "background_roots"];

    private DateTime _started;

    public void Start() { lock (_gate) { _pauses.Clear(); _markMs.Clear(); _markBytes.Clear(); _started = DateTime.UtcNow; } _on = true; }

    public void Stop() => _on = false;

    public object Summary()
    {
        List<GcPause> pauses;
        Dictionary<string, double> markMs;
        Dictionary<string, long> markBytes;
        lock (_gate) (pauses, markMs, markBytes) = ([.. _pauses], new(_markMs), new(_markBytes));
        object Of(IEnumerable<GcPause> some)
        {
            var ms = some.Select(p => p.Milliseconds).Order().ToList();
            var promoted = some.Select(p => p.PromotedBytes).ToList();
            var suspend = some.Select(p => p.SuspendMilliseconds).Order().ToList();
            return new
            {
                count = ms.Count,
                total_ms = Math.Round(ms.Sum(), 1),
                p50_ms = Math.Round(BareLoop.Percentile(ms, 0.5), 2),
                p90_ms = Math.Round(BareLoop.Percentile(ms, 0.9), 2),
                max_ms = ms.Count == 0 ? 0 : Math.Round(ms[^1], 2),
                suspend_p90_ms = Math.Round(BareLoop.Percentile(suspend, 0.9), 2),
                suspend_max_ms = suspend.Count == 0 ? 0 : Math.Round(suspend[^1], 2),
                promoted_mb_mean = promoted.Count == 0 ? 0 : Math.Round(promoted.Average() / 1048576.0, 2),
            };
        }
        return new
        {
            all = Of(pauses),
            gen0 = Of(pauses.Where(p => p.Generation == 0)),
            gen1 = Of(pauses.Where(p => p.Generation == 1)),
            gen2 = Of(pauses.Where(p => p.Generation == 2)),
            other = Of(pauses.Where(p => p.Generation < 0)),
            // Gen0 collections' mark stretches by root kind, summed over heaps and collections (a heap's stretch ends at its
            // mark event for that kind), with the bytes each kind promoted: where a young collection's time goes.
            gen0_mark_ms_by_root = markMs.OrderByDescending(kv => kv.Value).ToDictionary(kv => kv.Key, kv => Math.Round(kv.Value, 1)),
            gen0_mark_kb_by_root = markBytes.OrderByDescending(kv => kv.Value).ToDictionary(kv => kv.Key, kv => kv.Value / 1024),
            // Each pause: seconds into the run, generation, milliseconds, promoted KB (where the long ones fall).
            pauses = pauses.Select(p => new[] { p.AtSeconds, p.Generation, Math.Round(p.Milliseconds, 2), Math.Round(p.PromotedBytes / 1024.0) }),
        };
    }

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Informational, GcKeyword);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (!_on || e.EventName is not { } name) return;
        lock (_gate)
        {
            if (name.StartsWith("GCSuspendEEBegin", StringComparison.Ordinal)) { _suspended = e.TimeStamp; _generation = -1; _promoted = 0; _suspendMs = 0; }
            else if (name.StartsWith("GCSuspendEEEnd", StringComparison.Ordinal) && _suspended is { } since) _suspendMs = (e.TimeStamp - since).TotalMilliseconds;
            else if (name.StartsWith("GCStart", StringComparison.Ordinal) && _suspended is not null)
            {
                _generation = Convert.ToInt32(e.Payload![e.PayloadNames!.IndexOf("Depth")]);
                _lastMark.Clear();
                _lastMark[-1] = e.TimeStamp;
            }
            else if (name.StartsWith("GCMarkWithType", StringComparison.Ordinal) && _suspended is not null && _generation == 0)
            {
                var heap = Convert.ToInt32(e.Payload![e.PayloadNames!.IndexOf("HeapNum")]);
                var kind = Convert.ToInt32(e.Payload![e.PayloadNames!.IndexOf("Type")]);
                var bytes = Convert.ToInt64(e.Payload![e.PayloadNames!.IndexOf("Bytes")]);
                var from = _lastMark.TryGetValue(heap, out var last) ? last : _lastMark[-1];
                var root = kind >= 0 && kind < RootKinds.Length ? RootKinds[kind] : $"kind_{kind}";
                _markMs[root] = _markMs.GetValueOrDefault(root) + (e.TimeStamp - from).TotalMilliseconds;
                _markBytes[root] = _markBytes.GetValueOrDefault(root) + bytes;
                _lastMark[heap] = e.TimeStamp;
            }
            else if (name.StartsWith("GCHeapStats", StringComparison.Ordinal) && _suspended is not null)
            {
                foreach (var field in (string[])["TotalPromotedSize0", "TotalPromotedSize1", "TotalPromotedSize2", "TotalPromotedSize3"])
                {
                    if (e.PayloadNames!.IndexOf(field) is var i and >= 0) _promoted += Convert.ToInt64(e.Payload![i]);
                }
            }
            else if (name.StartsWith("GCRestartEEEnd", StringComparison.Ordinal) && _suspended is { } began)
            {
                _pauses.Add(new GcPause(Math.Round((began - _started).TotalSeconds, 3), _generation, (e.TimeStamp - began).TotalMilliseconds, _suspendMs, _promoted));
                _suspended = null;
            }
        }
    }
}
