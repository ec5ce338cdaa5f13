using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Households.Contracts;

namespace Households.Domain.Advisors;

/// <summary>The webhook signature (docs/formats.md §18): HMAC-SHA256, keyed by the endpoint's secret (UTF-8), over the
/// timestamp (Unix seconds, decimal), a full stop and the body's bytes; sent as <c>v1=</c> and lower-case hex. Binding the
/// timestamp lets a receiver refuse an old message replayed later.</summary>
public static class WebhookSignature
{
    public const string SignatureHeader = "X-Households-Signature";
    public const string DeliveryHeader = "X-Households-Delivery";
    public const string TimestampHeader = "X-Households-Timestamp";
    public const string Scheme = "v1=";

    public static string Sign(string secret, long timestamp, string body)
    {
        var signed = Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + "." + body);
        return Scheme + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }

    /// <summary>What a receiver does: the signature matches (compared in constant time) and the timestamp is within
    /// <paramref name="tolerance"/> of its clock.</summary>
    public static bool Verify(string secret, long timestamp, string body, string signature, DateTimeOffset now, TimeSpan tolerance) =>
        Math.Abs(now.ToUnixTimeSeconds() - timestamp) <= tolerance.TotalSeconds
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(secret, timestamp, body)), Encoding.ASCII.GetBytes(signature));
}

/// <summary>When a failed delivery is tried again: exponential backoff, <c>first × 2^(attempt − 1)</c> capped at
/// <c>max</c>, for at most <c>attempts</c> attempts in all.</summary>
public sealed record WebhookBackoff(TimeSpan First, TimeSpan Max, int Attempts)
{
    public static WebhookBackoff Default { get; } = new(TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(10), 8);

    /// <summary>The wait after failed attempt number <paramref name="attempt"/> (1-based), or null when it was the last.</summary>
    public TimeSpan? After(int attempt)
    {
        if (attempt < 1) throw new ArgumentOutOfRangeException(nameof(attempt));
        if (attempt >= Attempts) return null;
        var ticks = First.Ticks * Math.Pow(2, attempt - 1);
        return ticks >= Max.Ticks ? Max : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>The waits between all attempts, in order (Attempts − 1 of them).</summary>
    public IEnumerable<TimeSpan> Schedule() => Enumerable.Range(1, Math.Max(0, Attempts - 1)).Select(a => After(a)!.Value);
}

/// <summary>The webhook outbox's rules, on plain data: a notice becomes one delivery per endpoint; due deliveries are
/// leased to one dispatcher; an attempt removes the delivery or schedules the next by the backoff (dropping it after the
/// last attempt). The same delivery id is carried by every attempt.</summary>
public static class WebhookOutbox
{
    public static IEnumerable<WebhookDelivery> For(AdvisorNotice notice, string body, IEnumerable<string> endpoints, DateTimeOffset now) =>
        endpoints.Select(e => new WebhookDelivery(notice.DeliveryId, e, body, 0, now, null));

    private static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web);

    /// <summary>The body every attempt sends, byte for byte (docs/formats.md §18).</summary>
    public static string Body(AdvisorNotice notice) => System.Text.Json.JsonSerializer.Serialize(new
    {
        deliveryId = notice.DeliveryId,
        kind = notice.Kind,
        householdId = notice.HouseholdId,
        advisorId = notice.AdvisorId,
        proposalId = notice.ProposalId,
        amount = notice.Amount,
        summary = notice.Summary,
        at = notice.At,
    }, Json);

    public static bool IsDue(WebhookDelivery d, DateTimeOffset now) => d.NextAttemptAt <= now && (d.LeasedUntil is null || d.LeasedUntil <= now);

    /// <summary>The delivery after an attempt: null when it is done (delivered, or failed its last attempt).</summary>
    public static WebhookDelivery? Attempted(WebhookDelivery d, bool delivered, DateTimeOffset at, WebhookBackoff backoff)
    {
        if (delivered) return null;
        var attempts = d.Attempts + 1;
        return backoff.After(attempts) is { } wait ? d with { Attempts = attempts, NextAttemptAt = at + wait, LeasedUntil = null } : null;
    }
}
