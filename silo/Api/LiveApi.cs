using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using Households.Contracts;
using Households.Grains;
using Households.Grains.Silo;
using Microsoft.Extensions.Options;

namespace Households.Silo.Api;

/// <summary>The web pages and the live streams (server-sent events); the firm's stream is in <see cref="FirmApi"/>.
/// <para>How a stream learns of changes, and why it scales: every silo already applies each price batch to its
/// local price board and scans its accounts once (<see cref="AccountMonitor"/>). A stream waits on that silo-local
/// scan signal (<see cref="ScanSignal"/>: no grain messages, no timers per viewer) and then makes one call to the
/// household grain for its view; it writes a <c>valuation</c> event only when the figures changed, so at most one per
/// batch. Trades, proposals and triggers come from the household grain's in-memory event list, read after a cursor
/// (its sequence) on the same wake-up or every <see cref="EventPoll"/> when no batch arrives. Orleans observers
/// were the alternative; they need a registration and refresh per viewer and a grain-to-client call per change,
/// while this costs one grain call per viewer per batch and nothing when nobody watches.</para></summary>
public static class LiveApi
{
    public static readonly TimeSpan EventPoll = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    /// <summary>Static pages from wwwroot: the firm overview at <c>/</c>, a household at <c>/households/{id}</c>, the advisor's
    /// queue at <c>/advisor</c>, custodian reconciliation at <c>/reconciliation</c>.
    /// The pages call the API with the browser's cookie (same origin) and go to <c>/login</c> on a 401.</summary>
    public static WebApplication MapWebPages(this WebApplication app)
    {
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.MapGet("/households/{id}", (IWebHostEnvironment env) =>
            Results.File(env.WebRootFileProvider.GetFileInfo("household.html").CreateReadStream(), "text/html; charset=utf-8"))
            .ExcludeFromDescription();
        // The advisor's queue, bulk decisions and notices (AdvisorApi).
        app.MapGet("/advisor", (IWebHostEnvironment env) =>
            Results.File(env.WebRootFileProvider.GetFileInfo("advisor.html").CreateReadStream(), "text/html; charset=utf-8"))
            .ExcludeFromDescription();
        // Custodian reconciliation: run a positions file, read each account's report, resolve its breaks (issue #17).
        app.MapGet("/reconciliation", (IWebHostEnvironment env) =>
            Results.File(env.WebRootFileProvider.GetFileInfo("reconciliation.html").CreateReadStream(), "text/html; charset=utf-8"))
            .ExcludeFromDescription();
        return app;
    }

    /// <summary><c>/api/households/{id}/events</c>: one household's live stream.</summary>
    public static IEndpointRouteBuilder MapLiveApi(this IEndpointRouteBuilder api)
    {
        var oneHousehold = api.MapGroup("/households/{id}");
        oneHousehold.MapGet("/events", async (string id, HttpContext http, IGrainFactory grains, ScanSignal signal,
            IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json) =>
        {
            var household = grains.GetGrain<IHouseholdGrain>(id);
            if (await household.GetSpec() is null) return NotFoundProblem.Household(id);
            // Events from now on; the page reads the state itself once, then follows the stream.
            var start = await household.GetEvents(long.MaxValue);
            var (epoch, after) = (start.Epoch, start.Latest);
            return Stream(http, signal, json.Value.SerializerOptions, async (writer, woke) =>
            {
                if (woke)
                {
                    var valuation = LiveValuation.Of(await household.GetView());
                    await writer.Changed("valuation", $"{after}.{valuation.PriceSequence}", valuation with { PriceSequence = 0 }, valuation);
                }
                var events = await household.GetEvents(after);
                if (events.Epoch != epoch) events = await household.GetEvents(0); // re-activated: its list restarted
                (epoch, after) = (events.Epoch, events.Latest);
                foreach (var e in events.Events)
                    await writer.Write(e.Kind, $"{e.Sequence}.{writer.LastPrice}", new { householdId = id, e.Sequence, e.Kind, e.At, e.AccountId, e.ProposalId, e.Summary });
            });
        }).WithName("HouseholdEvents")
        .WithSummary("text/event-stream: 'valuation' after a price batch when the household's values or drift changed; 'trade', 'proposal-created', 'proposal-executed', 'proposal-rejected', 'proposal-expired', 'proposal-superseded', 'proposal-failed', 'trigger' as they happen; comment heartbeats");
        return api;
    }

    /// <summary>Runs one event stream until the client goes away: <paramref name="step"/> after every scan
    /// (woke = true, the first time at once) and every <see cref="EventPoll"/> otherwise; heartbeat comments keep
    /// proxies from closing an idle stream.</summary>
    internal static IResult Stream(HttpContext http, ScanSignal signal, JsonSerializerOptions options, Func<SseWriter, bool, Task> step) =>
        new SseResult(async ct =>
        {
            var response = http.Response;
            response.Headers.ContentType = "text/event-stream";
            response.Headers.CacheControl = "no-cache, no-store";
            response.Headers["X-Accel-Buffering"] = "no";
            var writer = new SseWriter(response, options);
            await writer.Comment("stream open; retry in 3 s after a disconnect", retry: 3000);
            var next = signal.Next();
            var woke = true;
            while (!ct.IsCancellationRequested)
            {
                // A failed read (a grain moving between silos, a silo shutting down) skips this wake-up; the stream goes on.
                try { await step(writer, woke); }
                catch (Exception ex) when (ex is not OperationCanceledException && ex is not IOException && !ct.IsCancellationRequested)
                {
                    await writer.Comment($"skipped: {ex.GetType().Name}");
                }
                if (DateTimeOffset.UtcNow - writer.LastWrite >= Heartbeat) await writer.Comment("heartbeat");
                var poll = Task.Delay(EventPoll, ct);
                await Task.WhenAny(next, poll);
                ct.ThrowIfCancellationRequested();
                woke = next.IsCompleted;
                if (woke)
                {
                    writer.LastPrice = next.Result;
                    next = signal.Next();
                }
            }
        }, http.RequestAborted);

    private sealed class SseResult(Func<CancellationToken, Task> run, CancellationToken aborted) : IResult
    {
        public async Task ExecuteAsync(HttpContext context)
        {
            try { await run(aborted); }
            catch (OperationCanceledException) when (aborted.IsCancellationRequested) { }
            catch (IOException) when (aborted.IsCancellationRequested) { }
        }
    }

    internal sealed class SseWriter(HttpResponse response, JsonSerializerOptions options)
    {
        private string? _lastDigest;
        public DateTimeOffset LastWrite { get; private set; } = DateTimeOffset.UtcNow;
        public long LastPrice { get; set; }

        /// <summary>Writes the event only when <paramref name="digest"/> (the payload without its volatile fields) differs from the last one.</summary>
        public Task Changed(string kind, string id, object digest, object payload)
        {
            var text = JsonSerializer.Serialize(digest, options);
            if (text == _lastDigest) return Task.CompletedTask;
            _lastDigest = text;
            return Write(kind, id, payload);
        }

        public async Task Write(string kind, string id, object payload)
        {
            var data = JsonSerializer.Serialize(payload, options);
            await response.WriteAsync($"id: {id}\nevent: {kind}\ndata: {data}\n\n", Encoding.UTF8);
            await response.Body.FlushAsync();
            LastWrite = DateTimeOffset.UtcNow;
        }

        public async Task Comment(string text, int? retry = null)
        {
            await response.WriteAsync((retry is { } r ? $"retry: {r}\n" : "") + $": {text}\n\n", Encoding.UTF8);
            await response.Body.FlushAsync();
            LastWrite = DateTimeOffset.UtcNow;
        }
    }
}

/// <summary>What a household page needs after a price batch: values, cash and drift, without the lots (the page
/// values lots from the holdings' prices).</summary>
public sealed record LiveValuation(string HouseholdId, long PriceSequence, decimal MarketValue, ImmutableArray<DriftLine> AssetClassDrift, LiveAccount[] Accounts)
{
    public static LiveValuation Of(HouseholdView view) => new(view.Id,
        view.Accounts.Select(a => a.PriceSequence).DefaultIfEmpty(0).Max(),
        view.MarketValue, view.AssetClassDrift,
        view.Accounts.Select(a => new LiveAccount(a.Spec.Id, a.Cash, a.MarketValue, a.Drift,
            a.Holdings.Select(h => new LiveHolding(h.Symbol, h.Quantity, h.Price, h.MarketValue, h.Weight,
                h.Lots.Sum(l => l.UnrealizedGain))).ToArray())).ToArray());
}

public sealed record LiveAccount(string Id, decimal Cash, decimal MarketValue, ImmutableArray<DriftLine> Drift, LiveHolding[] Holdings);

public sealed record LiveHolding(string Symbol, decimal Quantity, decimal Price, decimal MarketValue, double Weight, decimal UnrealizedGain);
