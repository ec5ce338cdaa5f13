namespace Households.Silo.Access;

/// <summary>Settings under <c>Auth</c>.</summary>
public sealed class AuthOptions
{
    /// <summary>HS256 key, base64, at least 32 bytes. Required under the PostgreSQL profile; the embedded default
    /// falls back to the user-only dev key file (<c>~/.households/dev-signing-key</c>, or under <c>HOUSEHOLDS_HOME</c>).</summary>
    public string? SigningKey { get; set; }

    /// <summary><c>POST /auth/dev-login</c> (mint a cookie for any role without a password): embedded profile only,
    /// and only while this is true.</summary>
    public bool DevLogin { get; set; } = true;

    /// <summary>Lifetime of a dev-login cookie token.</summary>
    public TimeSpan DevLoginLifetime { get; set; } = TimeSpan.FromHours(8);
}

/// <summary>Settings under <c>RateLimit</c>: a token bucket per user (token subject), or per client IP when anonymous.</summary>
public sealed class RateLimitOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>Tokens added to each bucket per second (sustained rate).</summary>
    public int PermitsPerSecond { get; set; } = 100;

    /// <summary>Bucket size: how many requests a caller may make at once after being idle.</summary>
    public int Burst { get; set; } = 200;
}

/// <summary>Settings under <c>Dashboard</c>.</summary>
public sealed class DashboardSettings
{
    /// <summary>The Orleans dashboard profiles every grain call; a load test may turn it off.</summary>
    public bool Enabled { get; set; } = true;
}
