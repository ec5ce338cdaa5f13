using Households.Contracts;
using Households.Domain.Advisors;
using Xunit;

namespace Households.Tests.Advisors;

/// <summary>The webhook's signature, backoff schedule and outbox rules on worked values.</summary>
public sealed class WebhookTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero); // Unix 1767225600

    [Fact]
    public void The_signature_is_hmac_sha256_over_timestamp_dot_body_in_lower_case_hex()
    {
        // Computed independently: python3 -c "import hmac,hashlib; print(hmac.new(b'whsec_test', b'1767225600.{\"deliveryId\":\"d1\"}', hashlib.sha256).hexdigest())"
        const string body = """{"deliveryId":"d1"}""";
        var signature = WebhookSignature.Sign("whsec_test", 1767225600, body);
        Assert.Equal("v1=fd7aabe71575b386d91653ced0c082a82ab53e9d93048ce95ec0bec14193d00b", signature);
        Assert.True(WebhookSignature.Verify("whsec_test", 1767225600, body, signature, T0.AddMinutes(4), TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify("whsec_test", 1767225600, body, signature, T0.AddMinutes(6), TimeSpan.FromMinutes(5))); // too old
        Assert.False(WebhookSignature.Verify("whsec_other", 1767225600, body, signature, T0, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify("whsec_test", 1767225601, body, signature, T0, TimeSpan.FromMinutes(5))); // timestamp is signed
        Assert.False(WebhookSignature.Verify("whsec_test", 1767225600, body + " ", signature, T0, TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public void Backoff_doubles_from_the_first_wait_up_to_the_cap_for_a_bounded_number_of_attempts()
    {
        var backoff = new WebhookBackoff(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60), 6);
        Assert.Equal([5, 10, 20, 40, 60], backoff.Schedule().Select(t => t.TotalSeconds));
        Assert.Equal(TimeSpan.FromSeconds(60), backoff.After(5));
        Assert.Null(backoff.After(6)); // the sixth attempt was the last
        Assert.Equal([5, 10, 20, 40, 80, 160, 320], WebhookBackoff.Default.Schedule().Select(t => t.TotalSeconds));
    }

    [Fact]
    public void A_delivery_keeps_its_id_and_body_across_attempts_and_is_dropped_after_the_last()
    {
        var notice = new AdvisorNotice(3, "proposal-pending", "H1", "ADV1", "H1-P00001", "needs approval", T0, "proposal-pending:H1:H1-P00001", null);
        var body = WebhookOutbox.Body(notice);
        Assert.Equal("""{"deliveryId":"proposal-pending:H1:H1-P00001","kind":"proposal-pending","householdId":"H1","advisorId":"ADV1","proposalId":"H1-P00001","amount":null,"summary":"needs approval","at":"2026-01-01T00:00:00+00:00"}""", body);
        var d = WebhookOutbox.For(notice, body, ["https://a.example/hook", "https://b.example/hook"], T0).ToArray();
        Assert.Equal(2, d.Length);
        Assert.True(WebhookOutbox.IsDue(d[0], T0));
        Assert.False(WebhookOutbox.IsDue(d[0] with { LeasedUntil = T0.AddSeconds(20) }, T0.AddSeconds(10))); // leased to a dispatcher

        var backoff = new WebhookBackoff(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60), 3);
        var once = WebhookOutbox.Attempted(d[0], delivered: false, T0, backoff)!;
        Assert.Equal((1, T0.AddSeconds(5), "proposal-pending:H1:H1-P00001", body), (once.Attempts, once.NextAttemptAt, once.DeliveryId, once.Body));
        Assert.False(WebhookOutbox.IsDue(once, T0.AddSeconds(4)));
        var twice = WebhookOutbox.Attempted(once, false, T0.AddSeconds(5), backoff)!;
        Assert.Equal((2, T0.AddSeconds(15)), (twice.Attempts, twice.NextAttemptAt));
        Assert.Null(WebhookOutbox.Attempted(twice, false, T0.AddSeconds(15), backoff)); // three attempts: given up
        Assert.Null(WebhookOutbox.Attempted(once, delivered: true, T0.AddSeconds(5), backoff));
    }
}
