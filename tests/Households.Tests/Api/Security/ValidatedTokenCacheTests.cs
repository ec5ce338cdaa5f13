using Households.Auth;
using Households.Silo.Access;
using Microsoft.IdentityModel.JsonWebTokens;
using Xunit;

namespace Households.Tests.Api.Security;

/// <summary>The silo validates a bearer token once and keeps the answer until the token expires; nothing else is kept.</summary>
public sealed class ValidatedTokenCacheTests
{
    private static readonly byte[] Key = [.. Enumerable.Range(1, 48).Select(i => (byte)(i * 11))];

    private static ValidatedTokenCache Cache() => new(new JsonWebTokenHandler { MapInboundClaims = false });

    private static Task<Microsoft.IdentityModel.Tokens.TokenValidationResult> Validate(ValidatedTokenCache cache, string token) =>
        cache.ValidateTokenAsync(token, HouseholdsAuth.ValidationParameters(Key));

    [Fact]
    public async Task A_valid_token_is_validated_once_and_answered_from_the_cache_after()
    {
        var cache = Cache();
        var token = new TokenIssuer(Key).Mint(HouseholdsAuth.Reader);

        var first = await Validate(cache, token);
        var second = await Validate(cache, token);

        Assert.True(first.IsValid);
        Assert.Same(first, second);
        Assert.Equal(1, cache.Count);
        Assert.Equal(HouseholdsAuth.Reader, first.ClaimsIdentity.FindFirst(HouseholdsAuth.RoleClaim)?.Value);
    }

    [Fact]
    public async Task A_forged_or_foreign_token_is_refused_and_not_kept_even_when_the_genuine_one_is()
    {
        var cache = Cache();
        var genuine = new TokenIssuer(Key).Mint(HouseholdsAuth.Admin);
        Assert.True((await Validate(cache, genuine)).IsValid);

        // The same header and claims with another signature, and a token signed with another key.
        var forged = genuine[..genuine.LastIndexOf('.')] + "." + new string('A', 43);
        var foreign = new TokenIssuer([.. Enumerable.Range(1, 48).Select(i => (byte)i)]).Mint(HouseholdsAuth.Admin);
        Assert.False((await Validate(cache, forged)).IsValid);
        Assert.False((await Validate(cache, foreign)).IsValid);
        Assert.False((await Validate(cache, forged)).IsValid);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public async Task A_token_past_its_expiry_is_never_answered_from_the_cache_even_within_the_clock_skew()
    {
        var cache = Cache();
        // Expired 10 s ago: the validator still accepts it (30 s of tolerated clock skew), the cache does not keep it.
        var issued = DateTime.UtcNow.AddSeconds(-70);
        var token = new TokenIssuer(Key, new FixedClock(issued)).Mint(HouseholdsAuth.Reader, lifetime: TimeSpan.FromSeconds(60));

        var first = await Validate(cache, token);
        var second = await Validate(cache, token);

        Assert.True(first.IsValid);
        Assert.True(second.IsValid);
        Assert.NotSame(first, second);
        Assert.Equal(0, cache.Count);
    }

    private sealed class FixedClock(DateTime utc) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(utc, TimeSpan.Zero);
    }
}
