using Households.Contracts;
using Households.Domain.Advisors;
using Households.Grains.Advisors;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using System.Globalization;
using System.Text;

namespace Households.Grains.Silo;

/// <summary>Drains the firm's webhook outbox from each silo: takes the due deliveries under a lease, signs each body
/// (<see cref="WebhookSignature"/>) and POSTs it; a non-2xx answer, an error or a timeout counts as failed and the outbox
/// schedules the next attempt by the backoff. Runs on wall-clock time (delivery is plumbing, not business time), outside
/// every grain's turn. Does nothing when the firm configured no webhook.</summary>
public sealed class WebhookDispatcher(IGrainFactory grains, IOptions<NotificationOptions> options, TimeProvider time, ILogger<WebhookDispatcher> log)
    : BackgroundService
{
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.Webhooks.Count == 0) return;
        using var timer = new PeriodicTimer(options.Value.DispatchInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try { await Dispatch(stoppingToken); }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested) { log.LogWarning(ex, "Webhook dispatch failed this round; trying again at the next"); }
        }
    }

    private async Task Dispatch(CancellationToken stoppingToken)
    {
        var outbox = grains.GetGrain<IAdvisorNotificationsGrain>(AdvisorNotificationsGrain.Key);
        var now = time.GetUtcNow();
        var due = await outbox.TakeDue(now, now + options.Value.Timeout * 2);
        await Task.WhenAll(due.Select(async d =>
        {
            var delivered = await Send(d, stoppingToken);
            await outbox.Attempted(d.DeliveryId, d.Endpoint, delivered, time.GetUtcNow());
        }));
    }

    private async Task<bool> Send(WebhookDelivery d, CancellationToken stoppingToken)
    {
        // An endpoint no longer configured has nobody to deliver to: counted as done.
        if (options.Value.Endpoint(d.Endpoint) is not { } endpoint) return true;
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url) { Content = new StringContent(d.Body, Encoding.UTF8, "application/json") };
        request.Headers.Add(WebhookSignature.DeliveryHeader, d.DeliveryId);
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(endpoint.Secret, timestamp, d.Body));
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        attempt.CancelAfter(options.Value.Timeout);
        try
        {
            using var response = await _http.SendAsync(request, attempt.Token);
            if (response.IsSuccessStatusCode) return true;
            log.LogWarning("Webhook {Delivery} to {Url}: attempt {Attempt} answered {Status}", d.DeliveryId, endpoint.Url, d.Attempts + 1, (int)response.StatusCode);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            log.LogWarning("Webhook {Delivery} to {Url}: attempt {Attempt} failed: {Reason}", d.DeliveryId, endpoint.Url, d.Attempts + 1, ex.Message);
        }
        return false;
    }

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }
}
