using System.Collections.Concurrent;
using Microsoft.IdentityModel.Tokens;

namespace Households.Silo.Access;

/// <summary>Validates each bearer token once and answers the same result for it again until the token expires. Decoding
/// the token, checking its signature and building its claims was the largest part of an API read's cost and garbage
/// (a polling client sends the same token thousands of times). Only valid tokens are kept, each until its own expiry
/// (the clock skew is not extended), at most <see cref="Capacity"/> of them: when full, the cache starts over. The
/// signing key and validation rules are fixed for the life of the process, so a kept answer cannot go stale; the
/// claims identity is shared between the requests of one token and must not be changed by them.</summary>
public sealed class ValidatedTokenCache(TokenHandler inner) : TokenHandler
{
    public const int Capacity = 10_000;

    private readonly ConcurrentDictionary<string, TokenValidationResult> _valid = new(StringComparer.Ordinal);

    public int Count => _valid.Count;

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        // The validator's own clock (its lifetime check reads the system clock), so both agree on "now".
        var now = DateTime.UtcNow;
        if (_valid.TryGetValue(token, out var kept))
        {
            if (kept.SecurityToken.ValidTo > now) return kept;
            _valid.TryRemove(token, out _);
        }
        var result = await inner.ValidateTokenAsync(token, validationParameters);
        if (result.IsValid && result.SecurityToken is { } valid && valid.ValidTo > now)
        {
            if (_valid.Count >= Capacity) _valid.Clear();
            _valid[token] = result;
        }
        return result;
    }

    public override Task<TokenValidationResult> ValidateTokenAsync(SecurityToken token, TokenValidationParameters validationParameters) =>
        inner.ValidateTokenAsync(token, validationParameters);

    public override SecurityToken ReadToken(string token) => inner.ReadToken(token);
}
