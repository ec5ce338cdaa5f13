using Households.Domain.Advisors;

namespace Households.Grains.Silo;

/// <summary>Firm settings for advisor notices (configuration section "Notifications"): when a pending proposal counts as
/// about to expire, the harvest opportunity worth a notice, and the firm's webhook endpoints with their delivery rules.</summary>
public sealed class NotificationOptions
{
    /// <summary>A pending proposal this close to its expiry is announced once as expiring.</summary>
    public TimeSpan ExpiringWithin { get; set; } = TimeSpan.FromHours(2);
    /// <summary>A harvest trigger whose loss net of costs (dollars) reaches this is announced (once per account a day); 0 turns it off.</summary>
    public decimal HarvestThreshold { get; set; } = 5_000m;
    public List<WebhookEndpoint> Webhooks { get; set; } = [];
    /// <summary>How long one attempt may take before it counts as failed.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
    public TimeSpan FirstRetry { get; set; } = WebhookBackoff.Default.First;
    public TimeSpan MaxRetry { get; set; } = WebhookBackoff.Default.Max;
    public int MaxAttempts { get; set; } = WebhookBackoff.Default.Attempts;
    /// <summary>How often each silo's dispatcher looks for due deliveries.</summary>
    public TimeSpan DispatchInterval { get; set; } = TimeSpan.FromSeconds(1);

    public WebhookBackoff Backoff => new(FirstRetry, MaxRetry, MaxAttempts);

    /// <summary>The endpoints by the name a delivery carries (the URL).</summary>
    public WebhookEndpoint? Endpoint(string url) => Webhooks.FirstOrDefault(w => string.Equals(w.Url, url, StringComparison.Ordinal));
}

/// <summary>One webhook receiver of the firm: where to POST and the shared secret that signs each body.</summary>
public sealed class WebhookEndpoint
{
    public string Url { get; set; } = "";
    public string Secret { get; set; } = "";
}
